# Whether ECR's managed signing has signed the release image.
data "ecr_image_signing_status" "release" {
  repository_name = "team-a/service"
  image_tag       = "v1.4.2"
}

output "signed" {
  value = alltrue([for s in data.ecr_image_signing_status.release.signing_statuses : s.status == "COMPLETE"])
}
