# The import ID is the name of the repository.
terraform import ecr_lifecycle_policy.example example
