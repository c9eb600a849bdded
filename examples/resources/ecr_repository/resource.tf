# A repository whose tags cannot be overwritten, except `latest` and `dev-*`,
# encrypted with a customer managed KMS key.
resource "ecr_repository" "example" {
  name                 = "team-a/service"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }
  image_tag_mutability_exclusion_filter {
    filter      = "dev-*"
    filter_type = "WILDCARD"
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  # Delete the images with the repository on destroy. Apply this setting
  # before the destroy: it is read from the state.
  force_delete = true

  tags = {
    team = "a"
  }
}

output "repository_url" {
  value = ecr_repository.example.repository_url
}
