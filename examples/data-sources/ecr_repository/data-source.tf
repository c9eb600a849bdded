data "ecr_repository" "example" {
  name = "team-a/service"

  # Also look up the tags of the most recently pushed image. This pages
  # through every image of the repository, so it is off by default.
  include_most_recent_image_tags = true
}

output "latest_tags" {
  value = data.ecr_repository.example.most_recent_image_tags
}
