# Terraform 1.14+: `terraform query` finds the repositories of team-a that
# have a repository policy, with the policy (include_resource).
list "ecr_repository_policy" "team_a" {
  provider         = ecr
  include_resource = true

  config {
    name_prefix = "team-a/"
  }
}
