# Scan the release image and fail on high or critical findings:
#   terraform apply -invoke=action.ecr_start_image_scan.release
action "ecr_start_image_scan" "release" {
  config {
    repository       = "team-a/service"
    image_tag        = "v1.4.2"
    fail_on_severity = "HIGH"
    timeout          = "10m"
  }
}

# Or scan after every promotion of the tag.
resource "ecr_image_tag" "prod" {
  repository = "team-a/service"
  tag        = "prod"
  source_tag = "staging"

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.ecr_start_image_scan.release]
    }
  }
}
