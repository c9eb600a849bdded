# The image scanner's pulls do not count as pulls for lifecycle rules on
# sinceImagePulled.
resource "ecr_pull_time_update_exclusion" "scanner" {
  principal_arn = "arn:aws:iam::123456789012:role/image-scanner"
}
