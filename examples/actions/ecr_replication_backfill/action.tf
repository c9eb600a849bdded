# Terraform 1.14+: replicate the images pushed before replication was set up.
resource "ecr_replication_configuration" "example" {
  replication_configuration {
    rule {
      destination {
        region      = "us-east-1"
        registry_id = "123456789012"
      }
      repository_filter {
        filter      = "team-a/"
        filter_type = "PREFIX_MATCH"
      }
    }
  }

  # Backfill once the configuration exists: replication alone copies only
  # what is pushed from now on.
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.ecr_replication_backfill.us_east_1]
    }
  }
}

# Also on demand:
#   terraform apply -invoke=action.ecr_replication_backfill.us_east_1
action "ecr_replication_backfill" "us_east_1" {
  config {
    destination {
      region = "us-east-1" # registry_id defaults to the caller's account
    }
    timeout = "2h"
  }
}
