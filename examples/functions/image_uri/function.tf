terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}

# 123456789012.dkr.ecr.us-west-2.amazonaws.com/team-a/service:v1.2.3
output "by_tag" {
  value = provider::ecr::image_uri("123456789012", "us-west-2", "team-a/service", "v1.2.3")
}

# A digest is joined with '@'; China Regions use amazonaws.com.cn:
# 123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:...
output "by_digest" {
  value = provider::ecr::image_uri("123456789012", "cn-north-1", "app", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
}
