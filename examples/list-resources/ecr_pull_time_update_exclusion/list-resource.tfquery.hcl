# Terraform 1.14+: `terraform query` finds the registry's pull-time update
# exclusions, with their state (include_resource).
list "ecr_pull_time_update_exclusion" "all" {
  provider         = ecr
  include_resource = true
}
