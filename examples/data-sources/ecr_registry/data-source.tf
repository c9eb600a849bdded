data "ecr_registry" "current" {}

# The Regions this registry replicates to.
output "replication_regions" {
  value = distinct(flatten([
    for rule in data.ecr_registry.current.replication_configuration[0].rule : rule.destination[*].region
  ]))
}
