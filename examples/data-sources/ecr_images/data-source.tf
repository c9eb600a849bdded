# The five newest release images pushed this year, with their details.
data "ecr_images" "releases" {
  repository_name = "team-a/service"
  tag_pattern     = "release-*"
  pushed_after    = "2026-01-01T00:00:00Z"
  max_results     = 5
}

# Untagged images, archived ones included.
data "ecr_images" "untagged" {
  repository_name = "team-a/service"
  tag_status      = "UNTAGGED"
  image_status    = "ANY"
}

output "release_digests" {
  value = [for i in data.ecr_images.releases.images : i.image_digest]
}
