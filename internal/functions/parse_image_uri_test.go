package functions_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestAccFunctionParseImageURI(t *testing.T) {
	functionTest(t, `provider::ecr::parse_image_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team-a/service:v1")`,
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"registry_id": knownvalue.StringExact("123456789012"), "region": knownvalue.StringExact("eu-west-1"),
			"repository": knownvalue.StringExact("team-a/service"), "tag": knownvalue.StringExact("v1"), "digest": knownvalue.Null(),
		}))
	functionTest(t, fmt.Sprintf(`provider::ecr::parse_image_uri("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v2@%s")`, digest),
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"registry_id": knownvalue.StringExact("123456789012"), "region": knownvalue.StringExact("cn-north-1"),
			"repository": knownvalue.StringExact("app"), "tag": knownvalue.StringExact("v2"), "digest": knownvalue.StringExact(digest),
		}))
	// The round trip with image_uri.
	functionTest(t, fmt.Sprintf(`provider::ecr::parse_image_uri(provider::ecr::image_uri("123456789012", "us-gov-west-1", "a/b/c", %q)).digest`, digest),
		knownvalue.StringExact(digest))
	functionErrorTest(t, `provider::ecr::parse_image_uri("docker.io/library/nginx:latest")`, `(?s)not an ECR registry host`)
	functionErrorTest(t, `provider::ecr::parse_image_uri("123456789012.dkr.ecr.us-west-2.amazonaws.com/app")`, `(?s)names a repository, not an image`)
}
