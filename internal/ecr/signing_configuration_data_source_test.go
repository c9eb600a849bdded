package ecr_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestAccSigningConfigurationDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no signing configuration")
	const addr = "data.ecr_signing_configuration.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "registry_id", "region", "rule"} {
		checks = append(checks, statecheck.CompareValuePairs(addr, tfjsonpath.New(attr),
			testAccSigningConfigurationAddr, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_signing_configuration", "id", findSigningConfiguration),
		Steps: []resource.TestStep{{
			Config: testAccSigningConfigurationConfig(b, [2]string{testAccSigningProfile(b, "prod_signer"), "myapp/*"}) + `
data "ecr_signing_configuration" "test" {
  depends_on = [ecr_signing_configuration.test]
}
`,
			ConfigStateChecks: checks,
		}},
	})
}
