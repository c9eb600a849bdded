# Terraform 1.5+: import with an import block; the ID is `<repository>:<tag>`,
# or `<repository>:<tag>@<region>` for another Region than the provider's.
import {
  to = ecr_image_tag.prod
  id = "team-a/service:prod"
}
