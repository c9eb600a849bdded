# The import ID is the setting's name.
terraform import ecr_account_setting.blob_mounting BLOB_MOUNTING

# In another Region than the provider's: name@region.
terraform import ecr_account_setting.blob_mounting BLOB_MOUNTING@us-east-1
