# Terraform 1.12+ and OpenTofu 1.12+: import by identity. Only the principal
# is required; account_id and region default to the provider's.
import {
  to = ecr_pull_time_update_exclusion.scanner
  identity = {
    principal_arn = "arn:aws:iam::123456789012:role/image-scanner"
  }
}
