# Terraform 1.5+: import with an import block; the ID is the repository name.
import {
  to = ecr_repository.example
  id = "team-a/service"
}

# Taking over a repository managed by the hashicorp/aws provider needs no
# import: rename the resource and keep its state with a moved block.
#
# moved {
#   from = aws_ecr_repository.example
#   to   = ecr_repository.example
# }
