# Amazon Inspector scans production repositories continuously and every
# other repository on push. Destroying this resource returns the registry
# to ECR's default: BASIC scanning, no rules.
resource "ecr_registry_scanning_configuration" "example" {
  scan_type = "ENHANCED"

  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "prod-*"
      filter_type = "WILDCARD"
    }
  }

  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
