# Terraform 1.14+: `terraform query` finds the registry's Docker Hub rules,
# with their state (include_resource).
list "ecr_pull_through_cache_rule" "docker_hub" {
  provider         = ecr
  include_resource = true

  config {
    upstream_registry = "docker-hub"
  }
}
