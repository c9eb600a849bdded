data "ecr_registry_policy" "current" {}

output "registry_policy" {
  value = data.ecr_registry_policy.current.policy
}
