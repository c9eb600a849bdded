# The import ID is the principal's ARN.
terraform import ecr_pull_time_update_exclusion.scanner arn:aws:iam::123456789012:role/image-scanner

# In another Region than the provider's, or for a principal whose name
# contains `@`: arn@region.
terraform import ecr_pull_time_update_exclusion.scanner arn:aws:iam::123456789012:role/image-scanner@us-east-1
