# Every repository creation template of the registry.
data "ecr_repository_creation_templates" "all" {}

output "template_prefixes" {
  value = data.ecr_repository_creation_templates.all.prefixes
}
