data "ecr_repository_creation_template" "root" {
  prefix = "ROOT"
}
