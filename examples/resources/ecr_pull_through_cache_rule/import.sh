# The import ID is the rule's ecr_repository_prefix.
terraform import ecr_pull_through_cache_rule.docker_hub docker-hub

# In another Region than the provider's: prefix@region.
terraform import ecr_pull_through_cache_rule.docker_hub docker-hub@us-east-1
