# Every pull-through cache rule of the registry.
data "ecr_pull_through_cache_rules" "all" {}

output "cached_upstreams" {
  value = { for r in data.ecr_pull_through_cache_rules.all.pull_through_cache_rules : r.ecr_repository_prefix => r.upstream_registry_url }
}
