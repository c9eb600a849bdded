# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the prefix
# is required; account_id and region default to the provider's.
import {
  to = ecr_repository_creation_template.team_a
  identity = {
    prefix = "team-a"
  }
}
