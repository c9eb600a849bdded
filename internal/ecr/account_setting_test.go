package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	tfecr "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const accountSettingAddr = "ecr_account_setting.test"

// testAccAccountSettingBackend is the backend of an account setting test:
// the emulator (moto has no account settings; on real AWS the tests would
// change the account's settings).
func testAccAccountSettingBackend(t *testing.T) *acctest.Backend {
	t.Helper()
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no account settings")
	return b
}

// testAccCheckAccountSettingValue checks the setting's value through the API.
func testAccCheckAccountSettingValue(b *acctest.Backend, region, name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		v, err := tfecr.FindAccountSettingByName(acctest.Context(), testAccClient(b, region), name)
		if err != nil {
			return err
		}
		if *v != want {
			return fmt.Errorf("%s = %s, want %s", name, *v, want)
		}
		return nil
	}
}

func testAccAccountSettingConfig(name, value string) string {
	return fmt.Sprintf(`
resource "ecr_account_setting" "test" {
  name  = %q
  value = %q
}
`, name, value)
}

// TestAccAccountSetting_basic: set, import, change in place, and destroy
// restores ECR's default (DISABLED).
func TestAccAccountSetting_basic(t *testing.T) {
	b := testAccAccountSettingBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAccountSettingValue(b, "", "BLOB_MOUNTING", "DISABLED"),
		Steps: []resource.TestStep{
			{
				Config:           b.Config(testAccAccountSettingConfig("BLOB_MOUNTING", "ENABLED")),
				Check:            testAccCheckAccountSettingValue(b, "", "BLOB_MOUNTING", "ENABLED"),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(accountSettingAddr, "id", knownvalue.StringExact("BLOB_MOUNTING")),
					stateValueAt(accountSettingAddr, "value", knownvalue.StringExact("ENABLED")),
					stateValueAt(accountSettingAddr, "region", knownvalue.StringExact(b.Region)),
				},
			},
			{
				ResourceName:                         accountSettingAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        "BLOB_MOUNTING",
				ImportStateVerifyIdentifierAttribute: "name",
			},
			{
				Config:           b.Config(testAccAccountSettingConfig("BLOB_MOUNTING", "DISABLED")),
				Check:            testAccCheckAccountSettingValue(b, "", "BLOB_MOUNTING", "DISABLED"),
				ConfigPlanChecks: expectActionThenEmptyPlan(accountSettingAddr, plancheck.ResourceActionUpdate),
			},
			{
				Config:           b.Config(testAccAccountSettingConfig("BLOB_MOUNTING", "ENABLED")),
				ConfigPlanChecks: expectActionThenEmptyPlan(accountSettingAddr, plancheck.ResourceActionUpdate),
			},
		},
	})
}

// TestAccAccountSetting_registryPolicyScope: V1 in another Region; import
// by `name@region`; destroy puts V2 back there.
func TestAccAccountSetting_registryPolicyScope(t *testing.T) {
	b := testAccAccountSettingBackend(t)
	config := b.Config(fmt.Sprintf(`
resource "ecr_account_setting" "test" {
  name   = "REGISTRY_POLICY_SCOPE"
  value  = "V1"
  region = %q
}
`, acctest.OtherRegion))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAccountSettingValue(b, acctest.OtherRegion, "REGISTRY_POLICY_SCOPE", "V2"),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					testAccCheckAccountSettingValue(b, acctest.OtherRegion, "REGISTRY_POLICY_SCOPE", "V1"),
					testAccCheckAccountSettingValue(b, "", "REGISTRY_POLICY_SCOPE", "V2")),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{
				ResourceName:                         accountSettingAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        "REGISTRY_POLICY_SCOPE@" + acctest.OtherRegion,
				ImportStateVerifyIdentifierAttribute: "name",
			},
		},
	})
}

// TestAccAccountSetting_outOfBand: a value changed out of band is planned
// back (a setting never disappears: it reads as ECR's default).
func TestAccAccountSetting_outOfBand(t *testing.T) {
	b := testAccAccountSettingBackend(t)
	config := b.Config(testAccAccountSettingConfig("BASIC_SCAN_TYPE_VERSION", "CLAIR"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckAccountSettingValue(b, "", "BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE"),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					_, err := b.Client.PutAccountSetting(acctest.Context(), &awsecr.PutAccountSettingInput{
						Name: aws.String("BASIC_SCAN_TYPE_VERSION"), Value: aws.String("AWS_NATIVE")})
					return err
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accountSettingAddr, plancheck.ResourceActionUpdate)}},
			},
			{
				Config: config,
				Check:  testAccCheckAccountSettingValue(b, "", "BASIC_SCAN_TYPE_VERSION", "CLAIR"),
			},
		},
	})
}

// TestAccAccountSetting_validation: a value the setting does not take, or
// an unknown setting, fails the plan naming the attribute.
func TestAccAccountSetting_validation(t *testing.T) {
	b := testAccAccountSettingBackend(t)
	var steps []resource.TestStep
	for _, c := range []struct{ name, value, want string }{
		{"BLOB_MOUNTING", "V2", `(?s)value.*BLOB_MOUNTING takes DISABLED or ENABLED, not "V2"`},
		{"REGISTRY_POLICY_SCOPE", "ENABLED", `(?s)REGISTRY_POLICY_SCOPE takes V2 or V1, not "ENABLED"`},
		{"BASIC_SCAN_TYPE_VERSION", "V1", `(?s)BASIC_SCAN_TYPE_VERSION takes AWS_NATIVE or CLAIR`},
		{"SCAN_EVERYTHING", "ENABLED", `(?s)name.*value must be one of`},
	} {
		steps = append(steps, resource.TestStep{Config: b.Config(testAccAccountSettingConfig(c.name, c.value)),
			PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// TestAccAccountSettingDataSource_basic: the singular data source reads
// what the resource set, the plural one every setting (defaults included).
func TestAccAccountSettingDataSource_basic(t *testing.T) {
	b := testAccAccountSettingBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: b.Config(testAccAccountSettingConfig("BLOB_MOUNTING", "ENABLED") + `
data "ecr_account_setting" "test" {
  name = ecr_account_setting.test.name
}

data "ecr_account_settings" "all" {
  depends_on = [ecr_account_setting.test]
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.CompareValuePairs(accountSettingAddr, tfjsonpath.New("value"), "data.ecr_account_setting.test",
					tfjsonpath.New("value"), compare.ValuesSame()),
				statecheck.ExpectKnownValue("data.ecr_account_settings.all", tfjsonpath.New("settings"), mapExact(map[string]string{
					"BASIC_SCAN_TYPE_VERSION": "AWS_NATIVE", "BLOB_MOUNTING": "ENABLED", "REGISTRY_POLICY_SCOPE": "V2"})),
			},
		}},
	})
}
