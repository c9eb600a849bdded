# One team's rule: replicate its repositories to us-east-1. Other modules
# may own other rules of the same registry with their own
# ecr_replication_rule resources (but not with ecr_replication_configuration,
# which owns every rule).
resource "ecr_replication_rule" "example" {
  destination {
    region      = "us-east-1"
    registry_id = "123456789012"
  }

  repository_filter {
    filter      = "team-a/"
    filter_type = "PREFIX_MATCH"
  }

  delete_replication {
    enabled = true
  }
}
