# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the prefix
# is required; account_id and region default to the provider's.
import {
  to = ecr_pull_through_cache_rule.docker_hub
  identity = {
    ecr_repository_prefix = "docker-hub"
  }
}
