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

// ecr_registry reports the registry and its replication configuration,
// the same as ecr_replication_configuration's, and no rules when the
// registry replicates nothing.
func TestAccRegistryDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	const addr = "data.ecr_registry.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"id", "registry_id", "region", "replication_configuration"} {
		checks = append(checks, statecheck.CompareValuePairs(addr, tfjsonpath.New(attr),
			testAccReplicationConfigurationAddr, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_replication_configuration", "id", findReplicationConfiguration),
		Steps: []resource.TestStep{
			{
				Config: b.Config(`
data "ecr_registry" "test" {}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("registry_id"), knownvalue.StringExact(b.AccountID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("replication_configuration"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"rule": knownvalue.ListSizeExact(0)}),
					})),
				},
			},
			{
				Config: testAccReplicationConfigurationConfig(b, "app") + `
data "ecr_registry" "test" {
  depends_on = [ecr_replication_configuration.test]
}
`,
				ConfigStateChecks: checks,
			},
		},
	})
}
