# Terraform 1.14+: preview what a lifecycle policy would expire or archive.
resource "ecr_repository" "example" {
  name = "example"
}

resource "ecr_lifecycle_policy" "example" {
  repository = ecr_repository.example.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last 10 release images"
      selection = {
        tagStatus     = "tagged"
        tagPrefixList = ["v"]
        countType     = "imageCountMoreThan"
        countNumber   = 10
      }
      action = { type = "expire" }
    }]
  })

  # Report what the policy would do after each change of it.
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.ecr_lifecycle_policy_preview.example]
    }
  }
}

action "ecr_lifecycle_policy_preview" "example" {
  config {
    repository = ecr_lifecycle_policy.example.repository
  }
}

# A policy not applied yet, on demand:
#   terraform apply -invoke=action.ecr_lifecycle_policy_preview.stricter
action "ecr_lifecycle_policy_preview" "stricter" {
  config {
    repository = ecr_repository.example.name
    policy = jsonencode({
      rules = [{
        rulePriority = 1
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      }]
    })
    timeout = "10m"
  }
}
