# Every account setting of the registry.
data "ecr_account_settings" "all" {}

output "blob_mounting" {
  value = data.ecr_account_settings.all.settings["BLOB_MOUNTING"]
}
