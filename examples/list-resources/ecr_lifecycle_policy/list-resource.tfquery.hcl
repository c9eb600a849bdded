# Terraform 1.14+: `terraform query` finds every repository that has a
# lifecycle policy.
list "ecr_lifecycle_policy" "all" {
  provider = ecr
}
