# Keep an old release in the archive storage class (cheaper, not pullable).
# Setting storage_class = "STANDARD" restores it (the apply waits while it is
# ACTIVATING); destroying the resource restores it too.
resource "ecr_image_storage_class" "old_release" {
  repository    = "team-a/service"
  image_digest  = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  storage_class = "ARCHIVE"
}
