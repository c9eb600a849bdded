package functions_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

func TestAccFunctionImageURI(t *testing.T) {
	functionTest(t, `provider::ecr::image_uri("123456789012", "us-west-2", "team-a/service", "v1.2.3")`,
		knownvalue.StringExact("123456789012.dkr.ecr.us-west-2.amazonaws.com/team-a/service:v1.2.3"))
	functionTest(t, fmt.Sprintf(`provider::ecr::image_uri("123456789012", "cn-north-1", "app", %q)`, digest),
		knownvalue.StringExact("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@"+digest))
	functionTest(t, `provider::ecr::image_uri("123456789012", "us-iso-east-1", "app", "latest")`,
		knownvalue.StringExact("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/app:latest"))
	functionErrorTest(t, `provider::ecr::image_uri("1234", "us-west-2", "app", "v1")`, `(?s)registry id`)
	functionErrorTest(t, `provider::ecr::image_uri("123456789012", "us-west-2", "App", "v1")`, `(?s)not a repository name`)
	functionErrorTest(t, `provider::ecr::image_uri("123456789012", "us-west-2", "app", "sha256:xyz!")`, `(?s)not a digest`)
}
