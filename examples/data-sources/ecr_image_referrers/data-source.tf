# The SBOMs attached to an image (OCI 1.1 referrers).
data "ecr_image_referrers" "sboms" {
  repository_name = "team-a/service"
  image_tag       = "v1.4.2"
  artifact_types  = ["application/spdx+json"]
}

output "sbom_digests" {
  value = [for r in data.ecr_image_referrers.sboms.referrers : r.digest]
}
