# Sign every image pushed to the production repositories with one AWS
# Signer profile, and every image of the registry with another.
resource "ecr_signing_configuration" "example" {
  rule {
    signing_profile_arn = "arn:aws:signer:us-west-2:123456789012:/signing-profiles/production"
    repository_filter {
      filter      = "*/production"
      filter_type = "WILDCARD_MATCH"
    }
  }

  rule {
    signing_profile_arn = "arn:aws:signer:us-west-2:123456789012:/signing-profiles/all_images"
  }
}
