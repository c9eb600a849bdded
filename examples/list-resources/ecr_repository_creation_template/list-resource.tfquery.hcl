# Terraform 1.14+: `terraform query` finds the templates used for
# replication, with their state (include_resource).
list "ecr_repository_creation_template" "replication" {
  provider         = ecr
  include_resource = true

  config {
    applied_for = "REPLICATION"
  }
}
