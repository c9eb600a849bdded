# The image to deploy: the most recently pushed one that is not a
# signature, attestation or SBOM; for a multi-platform image, its index.
data "ecr_image" "latest" {
  repository_name = "team-a/service"
  most_recent     = true
}

# A release by tag; its digest pins what the task definition pulls.
data "ecr_image" "release" {
  repository_name = "team-a/service"
  image_tag       = "v1.4.2"
}

output "deploy" {
  value = data.ecr_image.release.image_uri # <account>.dkr.ecr.<region>.amazonaws.com/team-a/service@sha256:...
}
