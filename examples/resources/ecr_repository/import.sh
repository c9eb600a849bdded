# The import ID is the name of the repository.
terraform import ecr_repository.example team-a/service

# In another Region than the provider's: name@region.
terraform import ecr_repository.example team-a/service@us-east-1
