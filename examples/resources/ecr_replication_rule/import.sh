# The import ID is the rule as JSON, as the `id` attribute shows it: keys in
# alphabetical order, destinations and filters sorted, deleteReplication only
# when set (any JSON of the same rule is accepted).
terraform import ecr_replication_rule.example \
  '{"deleteReplication":true,"destinations":[{"region":"us-east-1","registryId":"123456789012"}],"repositoryFilters":["team-a/"]}'
