# Names of all repositories of team A.
data "ecr_repositories" "team_a" {
  name_prefix = "team-a/"
}

output "team_a_repositories" {
  value = data.ecr_repositories.team_a.names
}
