package ecr_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestAccRegistryScanningConfigurationDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	const addr = "data.ecr_registry_scanning_configuration.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "registry_id", "region", "scan_type", "rule"} {
		checks = append(checks, statecheck.CompareValuePairs(addr, tfjsonpath.New(attr),
			testAccRegistryScanningConfigurationAddr, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckRegistryScanningConfigurationDefault(b),
		Steps: []resource.TestStep{{
			Config: testAccRegistryScanningConfigurationConfig_enhanced(b) + `
data "ecr_registry_scanning_configuration" "test" {
  depends_on = [ecr_registry_scanning_configuration.test]
}
`,
			ConfigStateChecks: checks,
		}},
	})
}
