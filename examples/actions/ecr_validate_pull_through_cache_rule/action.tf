# Terraform 1.14+: check that ECR reaches Docker Hub with the rule's
# credentials, after each change of the rule (e.g. a rotated secret).
resource "ecr_pull_through_cache_rule" "docker_hub" {
  ecr_repository_prefix = "docker-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.ecr_validate_pull_through_cache_rule.docker_hub]
    }
  }
}

action "ecr_validate_pull_through_cache_rule" "docker_hub" {
  config {
    ecr_repository_prefix = "docker-hub"
  }
}
