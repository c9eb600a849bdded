# A registry login that Terraform never writes to the plan or the state.
ephemeral "ecr_authorization_token" "login" {}

# Ephemeral values may only flow where Terraform does not store them:
# another provider's configuration (docker, helm), a write-only argument,
# or locals used by those. For example, with the kreuzwerker/docker provider:
#
#   provider "docker" {
#     registry_auth {
#       address  = local.registry
#       username = ephemeral.ecr_authorization_token.login.user_name
#       password = ephemeral.ecr_authorization_token.login.password
#     }
#   }
locals {
  registry = trimprefix(ephemeral.ecr_authorization_token.login.proxy_endpoint, "https://")
}
