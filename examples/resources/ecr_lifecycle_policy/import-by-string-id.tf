# Terraform 1.5+: import with an import block; the ID is the repository name,
# or name@region for another Region than the provider's.
import {
  to = ecr_lifecycle_policy.example
  id = "example"
}
