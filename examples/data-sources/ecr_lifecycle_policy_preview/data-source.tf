# What the repository's lifecycle policy would expire or archive now.
data "ecr_lifecycle_policy_preview" "current" {
  repository = "team-a/service"
}

# A stricter policy, previewed before it is applied: fail the plan if it
# would expire a release image.
data "ecr_lifecycle_policy_preview" "stricter" {
  repository = "team-a/service"
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Archive images pushed more than 90 days ago"
      selection = {
        tagStatus   = "any"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 90
      }
      action = { type = "transition", targetStorageClass = "archive" }
    }]
  })
  timeout = "10m"

  lifecycle {
    postcondition {
      condition     = self.summary.expiring_image_total_count == 0
      error_message = "The policy would expire images."
    }
  }
}

output "would_expire" {
  value = [for r in data.ecr_lifecycle_policy_preview.current.results : r.image_digest if r.action_type == "EXPIRE"]
}

output "would_archive" {
  value = lookup(data.ecr_lifecycle_policy_preview.stricter.summary.transitioning_image_total_counts, "ARCHIVE", 0)
}
