# Terraform 1.5+: import with an import block; the ID is the repository name,
# or name@region for another Region than the provider's.
import {
  to = ecr_repository.example
  id = "team-a/service"
}

# Terraform 1.12+ can import by identity instead:
#
# import {
#   to = ecr_repository.example
#   identity = {
#     name   = "team-a/service"
#     region = "us-east-1" # optional: the provider's Region by default
#   }
# }

# Taking over a repository managed by the hashicorp/aws provider needs no
# import: rename the resource and keep its state with a moved block.
#
# moved {
#   from = aws_ecr_repository.example
#   to   = ecr_repository.example
# }
