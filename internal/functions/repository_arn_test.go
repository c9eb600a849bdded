package functions_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestAccFunctionRepositoryARN(t *testing.T) {
	functionTest(t, `provider::ecr::repository_arn("123456789012", "us-west-2", "team-a/service")`,
		knownvalue.StringExact("arn:aws:ecr:us-west-2:123456789012:repository/team-a/service"))
	functionTest(t, `provider::ecr::repository_arn("123456789012", "cn-northwest-1", "app")`,
		knownvalue.StringExact("arn:aws-cn:ecr:cn-northwest-1:123456789012:repository/app"))
	functionTest(t, `provider::ecr::repository_arn("123456789012", "us-gov-east-1", "app")`,
		knownvalue.StringExact("arn:aws-us-gov:ecr:us-gov-east-1:123456789012:repository/app"))
	functionErrorTest(t, `provider::ecr::repository_arn("123456789012", "Oregon", "app")`, `(?s)not an AWS Region`)
}
