# Replicate the repositories whose names start with "prod/" to two Regions,
# image deletions included, and everything else to a backup account (whose
# registry policy must allow this account to replicate into it).
resource "ecr_replication_configuration" "example" {
  replication_configuration {
    rule {
      destination {
        region      = "us-east-1"
        registry_id = "123456789012"
      }
      destination {
        region      = "eu-west-1"
        registry_id = "123456789012"
      }
      repository_filter {
        filter      = "prod/"
        filter_type = "PREFIX_MATCH"
      }
      delete_replication {
        enabled = true
      }
    }

    rule {
      destination {
        region      = "us-west-2"
        registry_id = "210987654321"
      }
    }
  }
}
