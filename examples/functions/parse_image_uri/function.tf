terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}

locals {
  image = provider::ecr::parse_image_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team-a/service:v1")
}

# { registry_id = "123456789012", region = "eu-west-1", repository = "team-a/service", tag = "v1", digest = null }
output "repository" {
  value = local.image.repository
}
