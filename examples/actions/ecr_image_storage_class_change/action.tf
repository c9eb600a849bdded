# Archive the release images of 2025, once:
#   terraform apply -invoke=action.ecr_image_storage_class_change.archive_2025
action "ecr_image_storage_class_change" "archive_2025" {
  config {
    repository           = "team-a/service"
    target_storage_class = "ARCHIVE"
    tag_pattern          = "release-*"
    pushed_after         = "2025-01-01T00:00:00Z"
    pushed_before        = "2026-01-01T00:00:00Z"
  }
}

# Restore two of them, waiting until they can be pulled again:
#   terraform apply -invoke=action.ecr_image_storage_class_change.restore
action "ecr_image_storage_class_change" "restore" {
  config {
    repository           = "team-a/service"
    target_storage_class = "STANDARD"
    image_tags           = ["release-2025.11", "release-2025.12"]
    timeout              = "1h"
  }
}
