# Terraform 1.12+ and OpenTofu 1.12+: import by identity. The id is the
# rule as canonical JSON (destinations and filters sorted), as the `id`
# attribute shows it; account_id and region default to the provider's.
import {
  to = ecr_replication_rule.example
  identity = {
    id = "{\"deleteReplication\":true,\"destinations\":[{\"region\":\"us-east-1\",\"registryId\":\"123456789012\"}],\"repositoryFilters\":[\"team-a/\"]}"
  }
}
