# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the
# repository is required; account_id and region default to the provider's.
import {
  to = ecr_lifecycle_policy.example
  identity = {
    repository = "example"
  }
}
