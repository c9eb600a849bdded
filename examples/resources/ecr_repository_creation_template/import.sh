# The import ID is the template's prefix.
terraform import ecr_repository_creation_template.team_a team-a

# In another Region than the provider's: prefix@region.
terraform import ecr_repository_creation_template.team_a team-a@us-east-1
