data "ecr_pull_through_cache_rule" "docker_hub" {
  ecr_repository_prefix = "docker-hub"
}
