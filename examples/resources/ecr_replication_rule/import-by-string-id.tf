# Terraform 1.5+: import with an import block; the ID is the rule as JSON
# (jsonencode writes the canonical form), followed by @region for another
# Region than the provider's.
import {
  to = ecr_replication_rule.example
  id = jsonencode({ destinations = [{ region = "us-east-1", registryId = "123456789012" }], repositoryFilters = ["team-a/"], deleteReplication = true })
}
