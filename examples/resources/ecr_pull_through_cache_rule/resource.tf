# Cache Docker Hub images under docker-hub/: the secret (name starting with
# ecr-pullthroughcache/) holds the Docker Hub credentials.
resource "ecr_pull_through_cache_rule" "docker_hub" {
  ecr_repository_prefix = "docker-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub"
}

# ECR Public needs no credentials; upstream_registry ("ecr-public") is derived.
resource "ecr_pull_through_cache_rule" "ecr_public" {
  ecr_repository_prefix = "ecr-public"
  upstream_registry_url = "public.ecr.aws"
}
