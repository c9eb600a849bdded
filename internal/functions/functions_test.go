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
