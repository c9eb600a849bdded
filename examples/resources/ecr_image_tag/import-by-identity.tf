# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only id
# (`<repository>:<tag>`) is required; account_id and region default to the provider's.
import {
  to = ecr_image_tag.prod
  identity = {
    id = "team-a/service:prod"
  }
}
