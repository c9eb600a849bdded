package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const testAccRegistryScanningConfigurationAddr = "ecr_registry_scanning_configuration.test"

// testAccCheckRegistryScanningConfigurationDefault is a CheckDestroy: every
// Region a resource was in is back at ECR's default (BASIC, no rules).
func testAccCheckRegistryScanningConfigurationDefault(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "ecr_registry_scanning_configuration" {
				continue
			}
			out, err := ecr.FindRegistryScanningConfiguration(acctest.Context(), testAccClient(b, rs.Primary.Attributes["region"]))
			if err != nil {
				return err
			}
			if c := out.ScanningConfiguration; c.ScanType != awstypes.ScanTypeBasic || len(c.Rules) != 0 {
				return fmt.Errorf("scanning configuration after destroy: %s with %d rules, want BASIC with none", c.ScanType, len(c.Rules))
			}
		}
		return nil
	}
}

// testAccCheckRegistryScanningConfiguration checks what ECR has.
func testAccCheckRegistryScanningConfiguration(b *acctest.Backend, scanType awstypes.ScanType, rules int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := ecr.FindRegistryScanningConfiguration(acctest.Context(), b.Client)
		if err != nil {
			return err
		}
		if c := out.ScanningConfiguration; c.ScanType != scanType || len(c.Rules) != rules {
			return fmt.Errorf("scanning configuration: %s with %d rules, want %s with %d", c.ScanType, len(c.Rules), scanType, rules)
		}
		return nil
	}
}

func testAccRegistryScanningConfigurationConfig_enhanced(b *acctest.Backend) string {
	return b.Config(`
resource "ecr_registry_scanning_configuration" "test" {
  scan_type = "ENHANCED"

  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "prod-*"
      filter_type = "WILDCARD"
    }
  }
  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "*"
      filter_type = "WILDCARD"
    }
  }
}
`)
}

func testAccRegistryScanningConfigurationConfig_basic(b *acctest.Backend) string {
	return b.Config(`
resource "ecr_registry_scanning_configuration" "test" {
  scan_type = "BASIC"

  rule {
    scan_frequency = "SCAN_ON_PUSH"
    repository_filter {
      filter      = "team/*"
      filter_type = "WILDCARD"
    }
    repository_filter {
      filter      = "app"
      filter_type = "WILDCARD"
    }
  }
}
`)
}

func TestAccRegistryScanningConfiguration_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckRegistryScanningConfigurationDefault(b),
		Steps: []resource.TestStep{
			{
				Config: testAccRegistryScanningConfigurationConfig_enhanced(b),
				Check:  testAccCheckRegistryScanningConfiguration(b, awstypes.ScanTypeEnhanced, 2),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRegistryScanningConfigurationAddr, "id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccRegistryScanningConfigurationAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccRegistryScanningConfigurationAddr, "scan_type", knownvalue.StringExact("ENHANCED")),
					stateValueAt(testAccRegistryScanningConfigurationAddr, "rule", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"scan_frequency": knownvalue.StringExact("CONTINUOUS_SCAN"),
							"repository_filter": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
								"filter": knownvalue.StringExact("prod-*"), "filter_type": knownvalue.StringExact("WILDCARD")})}),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"scan_frequency": knownvalue.StringExact("SCAN_ON_PUSH"),
							"repository_filter": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
								"filter": knownvalue.StringExact("*"), "filter_type": knownvalue.StringExact("WILDCARD")})}),
						}),
					})),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{ResourceName: testAccRegistryScanningConfigurationAddr, ImportState: true, ImportStateVerify: true},
			{
				Config:           testAccRegistryScanningConfigurationConfig_basic(b),
				Check:            testAccCheckRegistryScanningConfiguration(b, awstypes.ScanTypeBasic, 1),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRegistryScanningConfigurationAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRegistryScanningConfigurationAddr, "scan_type", knownvalue.StringExact("BASIC")),
				},
			},
			{
				// No rules at all: ENHANCED, nothing scanned automatically.
				Config: b.Config(`
resource "ecr_registry_scanning_configuration" "test" {
  scan_type = "ENHANCED"
}
`),
				Check:            testAccCheckRegistryScanningConfiguration(b, awstypes.ScanTypeEnhanced, 0),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRegistryScanningConfigurationAddr, plancheck.ResourceActionUpdate),
			},
		},
	})
}

// Reset out of band (ECR's default again): the refresh notices and the
// plan puts the configuration back in place.
func TestAccRegistryScanningConfiguration_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckRegistryScanningConfigurationDefault(b),
		Steps: []resource.TestStep{{
			Config: testAccRegistryScanningConfigurationConfig_enhanced(b),
			Check: resource.ComposeTestCheckFunc(testAccCheckRegistryScanningConfiguration(b, awstypes.ScanTypeEnhanced, 2),
				func(*terraform.State) error {
					_, err := b.Client.PutRegistryScanningConfiguration(acctest.Context(), &awsecr.PutRegistryScanningConfigurationInput{
						ScanType: awstypes.ScanTypeBasic, Rules: []awstypes.RegistryScanningRule{}}) // moto needs the rules member
					return err
				}),
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(testAccRegistryScanningConfigurationAddr, plancheck.ResourceActionUpdate)}},
		}},
	})
}

// In another Region than the provider's; the provider's Region keeps the
// default.
func TestAccRegistryScanningConfiguration_region(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "the registry of another Region, shared on moto with the identity tests")
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckRegistryScanningConfigurationDefault(b),
		Steps: []resource.TestStep{{
			Config: b.Config(`
resource "ecr_registry_scanning_configuration" "test" {
  region    = "` + acctest.OtherRegion + `"
  scan_type = "ENHANCED"
}
`),
			Check: resource.ComposeTestCheckFunc(testAccCheckRegistryScanningConfiguration(b, awstypes.ScanTypeBasic, 0),
				func(*terraform.State) error {
					out, err := ecr.FindRegistryScanningConfiguration(acctest.Context(), b.ClientIn(acctest.OtherRegion))
					if err != nil {
						return err
					}
					if out.ScanningConfiguration.ScanType != awstypes.ScanTypeEnhanced {
						return fmt.Errorf("scan type in %s = %s, want ENHANCED", acctest.OtherRegion, out.ScanningConfiguration.ScanType)
					}
					return nil
				}),
		}},
	})
}

func TestAccRegistryScanningConfiguration_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	rule := func(scanType, frequency, filter string) string {
		return b.Config(fmt.Sprintf(`
resource "ecr_registry_scanning_configuration" "test" {
  scan_type = %q
  rule {
    scan_frequency = %q
    repository_filter {
      filter      = %q
      filter_type = "WILDCARD"
    }
  }
}
`, scanType, frequency, filter))
	}
	testAccSingletonTest(t, b, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: rule("BASIC", "CONTINUOUS_SCAN", "app"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Scan frequency not supported by scan type.*scan_frequency = "CONTINUOUS_SCAN"`)},
			{Config: rule("ENHANCED", "MANUAL", "app"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)rule\[0\].scan_frequency.*value must be one of`)},
			{Config: rule("ENHANCED", "SCAN_ON_PUSH", "Team/App"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)rule\[0\].repository_filter\[0\].filter.*must be lowercase`)},
			{Config: rule("INSPECTOR", "SCAN_ON_PUSH", "app"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)scan_type.*value must be one of`)},
		},
	})
}
