# The import ID is the name of the repository.
terraform import ecr_repository_policy.example example
