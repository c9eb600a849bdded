# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only id
# (`<repository>:<image_digest>`) is required.
import {
  to = ecr_image_storage_class.old_release
  identity = {
    id = "team-a/service:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}
