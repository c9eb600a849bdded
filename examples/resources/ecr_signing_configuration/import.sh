# The import ID is the account id of the registry.
terraform import ecr_signing_configuration.example 123456789012

# In another Region than the provider's: account_id@region.
terraform import ecr_signing_configuration.example 123456789012@us-east-1
