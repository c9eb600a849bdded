# The effective scanning configuration of two repositories (any number can
# be given; without repository_names, every repository of the registry).
data "ecr_repository_scanning_configuration" "apps" {
  repository_names = ["team-a/api", "team-a/web"]
}

output "scan_frequencies" {
  value = { for c in data.ecr_repository_scanning_configuration.apps.scanning_configurations : c.repository_name => c.scan_frequency }
}
