# The password is stored in the state (marked sensitive). With Terraform
# 1.10+ prefer the ephemeral resource of the same name, which is never stored.
data "ecr_authorization_token" "login" {}

output "registry" {
  value = data.ecr_authorization_token.login.proxy_endpoint
}
