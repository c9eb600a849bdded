# The import ID is the name of the repository.
terraform import ecr_repository_policy.example example

# In another Region than the provider's: name@region.
terraform import ecr_repository_policy.example example@us-east-1
