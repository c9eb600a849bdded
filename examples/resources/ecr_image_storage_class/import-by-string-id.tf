# Terraform 1.5+: the ID is `<repository>:<image_digest>`, with `@<region>`
# for another Region than the provider's.
import {
  to = ecr_image_storage_class.old_release
  id = "team-a/service:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}
