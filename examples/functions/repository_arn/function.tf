terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}

# arn:aws:ecr:us-west-2:123456789012:repository/team-a/service
output "arn" {
  value = provider::ecr::repository_arn("123456789012", "us-west-2", "team-a/service")
}

# arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app
output "gov_arn" {
  value = provider::ecr::repository_arn("123456789012", "us-gov-west-1", "app")
}
