# Move images nobody pulled for 120 days to the archive storage class, and
# delete archived images a year after they were archived.
data "ecr_lifecycle_policy_document" "example" {
  rule {
    priority    = 1
    description = "Archive images not pulled for 120 days"
    selection {
      tag_status   = "any"
      count_type   = "sinceImagePulled"
      count_unit   = "days"
      count_number = 120
    }
    action {
      type                 = "transition"
      target_storage_class = "archive"
    }
  }

  rule {
    priority    = 2
    description = "Delete archived images after a year"
    selection {
      tag_status    = "any"
      storage_class = "archive"
      count_type    = "sinceImageTransitioned"
      count_unit    = "days"
      count_number  = 365
    }
    action {
      type = "expire"
    }
  }
}

resource "ecr_repository" "example" {
  name = "example"
}

resource "ecr_lifecycle_policy" "example" {
  repository = ecr_repository.example.name
  policy     = data.ecr_lifecycle_policy_document.example.json
}
