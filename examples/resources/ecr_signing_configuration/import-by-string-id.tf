# Terraform 1.5+: import with an import block; the ID is the account id,
# or account_id@region for another Region than the provider's.
import {
  to = ecr_signing_configuration.example
  id = "123456789012"
}
