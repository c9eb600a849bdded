# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the name is
# required; account_id and region default to the provider's.
import {
  to = ecr_repository.example
  identity = {
    name = "team-a/service"
  }
}

# `terraform plan -generate-config-out=generated.tf` writes the resource
# block of an import that has none.
