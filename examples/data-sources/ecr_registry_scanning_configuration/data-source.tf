data "ecr_registry_scanning_configuration" "current" {}

output "scan_type" {
  value = data.ecr_registry_scanning_configuration.current.scan_type
}
