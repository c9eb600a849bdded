# Terraform 1.5+: import with an import block; the ID is the repository name.
import {
  to = ecr_lifecycle_policy.example
  id = "example"
}
