# Promote whatever `staging` points at to `prod`, server side: the same
# manifest, the same digest, nothing pulled or pushed. When `staging` moves,
# the next plan moves `prod` with it.
resource "ecr_image_tag" "prod" {
  repository = "team-a/service"
  tag        = "prod"
  source_tag = "staging"
}

# Pin a release tag to one exact image.
resource "ecr_image_tag" "release" {
  repository    = "team-a/service"
  tag           = "release-1.4.2"
  source_digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}
