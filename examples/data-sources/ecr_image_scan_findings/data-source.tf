# Wait for the scan of the release image and fail the plan on critical findings.
data "ecr_image_scan_findings" "release" {
  repository_name     = "team-a/service"
  image_tag           = "v1.4.2"
  wait_for_completion = true
  timeout             = "10m"

  lifecycle {
    postcondition {
      condition     = lookup(self.finding_severity_counts, "CRITICAL", 0) == 0
      error_message = "team-a/service:v1.4.2 has critical vulnerabilities."
    }
  }
}
