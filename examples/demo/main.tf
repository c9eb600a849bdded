# The demo `make demo` applies against a local ECR emulator: a repository with
# a lifecycle policy and a repository policy. Point `endpoint` elsewhere (or
# drop the endpoints block) to use real ECR.

variable "endpoint" {
  type        = string
  description = "ECR API endpoint (the local emulator in the demo)."
}

provider "ecr" {
  region     = "us-east-1"
  access_key = "demo"
  secret_key = "demo"
  endpoints {
    ecr = var.endpoint
  }
  default_tags {
    tags = {
      managed-by = "terraform"
    }
  }
}

terraform {
  required_providers {
    ecr = {
      source = "ecrkit/ecr"
    }
  }
}

resource "ecr_repository" "app" {
  name                 = "demo/app"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }

  image_scanning_configuration {
    scan_on_push = true
  }

  tags = {
    team = "platform"
  }
}

data "ecr_lifecycle_policy_document" "app" {
  rule {
    priority    = 1
    description = "Expire untagged images after 14 days"
    selection {
      tag_status   = "untagged"
      count_type   = "sinceImagePushed"
      count_unit   = "days"
      count_number = 14
    }
    action {
      type = "expire"
    }
  }

  rule {
    priority    = 2
    description = "Keep the 30 most recent release images"
    selection {
      tag_status      = "tagged"
      tag_prefix_list = ["v"]
      count_type      = "imageCountMoreThan"
      count_number    = 30
    }
    action {
      type = "expire"
    }
  }
}

resource "ecr_lifecycle_policy" "app" {
  repository = ecr_repository.app.name
  policy     = data.ecr_lifecycle_policy_document.app.json
}

resource "ecr_repository_policy" "app" {
  repository = ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowPull"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    }]
  })
}

output "repository_url" {
  value = ecr_repository.app.repository_url
}
