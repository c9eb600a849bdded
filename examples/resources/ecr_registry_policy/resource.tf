# Let another account replicate into this registry and create the
# repositories replication needs. One policy per account and Region.
resource "ecr_registry_policy" "example" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReplicationFromSource"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = ["ecr:CreateRepository", "ecr:ReplicateImage"]
      Resource  = "arn:aws:ecr:us-west-2:123456789012:repository/*"
    }]
  })
}

