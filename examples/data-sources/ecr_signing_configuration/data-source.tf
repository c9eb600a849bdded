data "ecr_signing_configuration" "current" {}

output "signing_profiles" {
  value = data.ecr_signing_configuration.current.rule[*].signing_profile_arn
}
