package ecr_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestAccRegistryPolicyDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	const addr = "data.ecr_registry_policy.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "registry_id", "region"} {
		checks = append(checks, statecheck.CompareValuePairs(addr, tfjsonpath.New(attr),
			testAccRegistryPolicyAddr, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy"), knownvalue.NotNull()))
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{{
			Config: testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(1)...) + `
data "ecr_registry_policy" "test" {
  depends_on = [ecr_registry_policy.test]
}

output "equivalent" {
  value = jsondecode(data.ecr_registry_policy.test.policy) == jsondecode(ecr_registry_policy.test.policy)
}
`,
			ConfigStateChecks: append(checks, statecheck.ExpectKnownOutputValue("equivalent", knownvalue.Bool(true))),
		}},
	})
}
