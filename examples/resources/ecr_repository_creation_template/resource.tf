# Repositories that pull-through cache and replication create under team-a/
# get immutable tags (except latest*), a lifecycle policy and a repository
# policy.
resource "ecr_repository_creation_template" "team_a" {
  prefix               = "team-a"
  applied_for          = ["PULL_THROUGH_CACHE", "REPLICATION"]
  description          = "Repositories of team A"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest*"
    filter_type = "WILDCARD"
  }

  lifecycle_policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Expire untagged images after 14 days"
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
      action       = { type = "expire" }
    }]
  })

  repository_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OrgPull"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })

  resource_tags = { team = "a" }
}
