# Where the release image has been replicated to.
data "ecr_image_replication_status" "release" {
  repository_name = "team-a/service"
  image_tag       = "v1.4.2"
}

output "replicated_to" {
  value = [for s in data.ecr_image_replication_status.release.replication_statuses : s.region if s.status == "COMPLETE"]
}
