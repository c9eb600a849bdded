package functions_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// Provider functions need Terraform 1.8 (OpenTofu 1.7, which reports its
// own version: both pass this check).
var skipBelowFunctions = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// functionTest runs output "test" = expr through the CLI and checks its value.
func functionTest(t *testing.T, expr string, want knownvalue.Check) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowFunctions,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            fmt.Sprintf("output \"test\" {\n  value = %s\n}\n", expr),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("test", want)},
		}},
	})
}

// functionErrorTest runs expr and expects an error matching want (its
// spaces match any whitespace: the CLI wraps messages).
func functionErrorTest(t *testing.T, expr, want string) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowFunctions,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("output \"test\" {\n  value = %s\n}\n", expr),
			ExpectError: regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`)),
		}},
	})
}

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

func TestAccFunctionRepositoryARN(t *testing.T) {
	functionTest(t, `provider::ecr::repository_arn("123456789012", "us-west-2", "team-a/service")`,
		knownvalue.StringExact("arn:aws:ecr:us-west-2:123456789012:repository/team-a/service"))
	functionTest(t, `provider::ecr::repository_arn("123456789012", "cn-northwest-1", "app")`,
		knownvalue.StringExact("arn:aws-cn:ecr:cn-northwest-1:123456789012:repository/app"))
	functionTest(t, `provider::ecr::repository_arn("123456789012", "us-gov-east-1", "app")`,
		knownvalue.StringExact("arn:aws-us-gov:ecr:us-gov-east-1:123456789012:repository/app"))
	functionErrorTest(t, `provider::ecr::repository_arn("123456789012", "Oregon", "app")`, `(?s)not an AWS Region`)
}

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
