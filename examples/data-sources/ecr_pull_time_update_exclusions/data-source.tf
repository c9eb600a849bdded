# The users and roles whose pulls do not update the images' last-pull time.
data "ecr_pull_time_update_exclusions" "all" {}
