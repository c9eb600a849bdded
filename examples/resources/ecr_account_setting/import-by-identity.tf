# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the name is
# required; account_id and region default to the provider's.
import {
  to = ecr_account_setting.blob_mounting
  identity = {
    name = "BLOB_MOUNTING"
  }
}
