# Terraform 1.5+: import with an import block; the ID is the principal's
# ARN, or arn@region for another Region than the provider's.
import {
  to = ecr_pull_time_update_exclusion.scanner
  id = "arn:aws:iam::123456789012:role/image-scanner"
}
