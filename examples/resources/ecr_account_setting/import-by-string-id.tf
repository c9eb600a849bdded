# Terraform 1.5+: import with an import block; the ID is the setting's name,
# or name@region for another Region than the provider's.
import {
  to = ecr_account_setting.blob_mounting
  id = "BLOB_MOUNTING"
}
