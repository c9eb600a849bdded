# The import ID is the name of the repository.
terraform import ecr_repository.example team-a/service
