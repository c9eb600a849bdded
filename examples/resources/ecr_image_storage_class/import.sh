# The import ID is `<repository>:<image_digest>`.
terraform import ecr_image_storage_class.old_release team-a/service:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# In another Region than the provider's: append @<region>.
terraform import ecr_image_storage_class.old_release team-a/service:sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef@us-east-1
