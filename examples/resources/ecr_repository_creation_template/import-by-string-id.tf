# Terraform 1.5+: import with an import block; the ID is the prefix, or
# prefix@region for another Region than the provider's.
import {
  to = ecr_repository_creation_template.team_a
  id = "team-a"
}
