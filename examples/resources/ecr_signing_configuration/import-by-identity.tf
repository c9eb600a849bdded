# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Nothing is
# required; account_id and region default to the provider's.
import {
  to = ecr_signing_configuration.example
  identity = {
    region = "us-east-1"
  }
}
