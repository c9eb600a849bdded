terraform {
  required_providers {
    ecr = {
      source = "ecrkit/ecr"
    }
  }
}

# Credentials come from the usual places (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, AWS_PROFILE, shared files, SSO, or a container or
# instance role), exactly as for the hashicorp/aws provider.
provider "ecr" {
  region  = "eu-west-1"
  profile = "platform"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/ecr-admin"
    session_name = "terraform"
    duration     = "1h"
  }

  default_tags {
    tags = {
      team       = "platform"
      managed-by = "terraform"
    }
  }

  ignore_tags {
    key_prefixes = ["kubernetes.io/"]
  }

  # To run against a local ECR emulator (cmd/ecr-emulator) instead of AWS,
  # drop assume_role and profile, use any static keys, and set:
  # access_key = "test"
  # secret_key = "test"
  # endpoints {
  #   ecr = "http://127.0.0.1:4566"
  # }
}
