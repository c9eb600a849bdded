# Let repositories of the registry share layers (blob mounting). Destroying
# the resource sets BLOB_MOUNTING back to ECR's default, DISABLED.
resource "ecr_account_setting" "blob_mounting" {
  name  = "BLOB_MOUNTING"
  value = "ENABLED"
}
