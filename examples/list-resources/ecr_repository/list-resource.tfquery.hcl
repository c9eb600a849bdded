# Terraform 1.14+: `terraform query` lists the repositories of the registry.
# Every repository of team-a (by name prefix) that is tagged env = prod:
list "ecr_repository" "team_a_prod" {
  provider = ecr

  config {
    name_prefix = "team-a/"
    tags = {
      env = "prod"
    }
  }
}

# Every repository, with its full state: `terraform query
# -generate-config-out=generated.tf` then writes a resource and an import
# block for each.
list "ecr_repository" "all" {
  provider         = ecr
  include_resource = true
}
