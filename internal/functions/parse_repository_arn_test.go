package functions_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestAccFunctionParseRepositoryARN(t *testing.T) {
	functionTest(t, `provider::ecr::parse_repository_arn("arn:aws-cn:ecr:cn-north-1:123456789012:repository/team-a/service")`,
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"partition": knownvalue.StringExact("aws-cn"), "region": knownvalue.StringExact("cn-north-1"),
			"registry_id": knownvalue.StringExact("123456789012"), "repository": knownvalue.StringExact("team-a/service"),
		}))
	functionTest(t, `provider::ecr::parse_repository_arn(provider::ecr::repository_arn("123456789012", "eu-west-1", "app")).repository`,
		knownvalue.StringExact("app"))
	functionErrorTest(t, `provider::ecr::parse_repository_arn("arn:aws:s3:::bucket")`, `(?s)not an ECR repository ARN`)
	functionErrorTest(t, `provider::ecr::parse_repository_arn("not-an-arn")`, `(?s)not an ARN`)
}
