terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}

locals {
  repo = provider::ecr::parse_repository_arn("arn:aws:ecr:us-west-2:123456789012:repository/team-a/service")
}

# { partition = "aws", region = "us-west-2", registry_id = "123456789012", repository = "team-a/service" }
output "repository" {
  value = local.repo.repository
}
