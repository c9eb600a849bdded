package ecr_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const testAccRegistryPolicyAddr = "ecr_registry_policy.test"

// The policies grant only actions REGISTRY_POLICY_SCOPE V1 allows, which
// moto (V1 only) accepts too.
func testAccRegistryPolicyActions(version int) []string {
	return []string{"ecr:ReplicateImage", "ecr:CreateRepository"}[:version]
}

// testAccRegistryPolicyText is what jsonencode writes for the policy of
// testAccRegistryPolicyConfig_basic (compact, keys sorted).
func testAccRegistryPolicyText(b *acctest.Backend, actions ...string) string {
	return fmt.Sprintf(`{"Statement":[{"Action":["%s"],"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},`+
		`"Resource":"arn:aws:ecr:%s:%s:repository/*","Sid":"replicate"}],"Version":"2012-10-17"}`,
		strings.Join(actions, `","`), b.Region, b.AccountID)
}

func testAccRegistryPolicyConfig_basic(b *acctest.Backend, actions ...string) string {
	return b.Config(fmt.Sprintf(`
resource "ecr_registry_policy" "test" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "replicate"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::210987654321:root" }
      Action    = [%[1]s]
      Resource  = "arn:aws:ecr:%[2]s:%[3]s:repository/*"
    }]
  })
}
`, `"`+strings.Join(actions, `", "`)+`"`, b.Region, b.AccountID))
}

// testAccRegistryPolicyConfig_reordered is the policy of version 2, written
// by hand with another key and action order.
func testAccRegistryPolicyConfig_reordered(b *acctest.Backend) string {
	return b.Config(fmt.Sprintf(`
resource "ecr_registry_policy" "test" {
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [ {
    "Resource": "arn:aws:ecr:%[1]s:%[2]s:repository/*",
    "Action": [ "ecr:CreateRepository", "ecr:ReplicateImage" ],
    "Principal": { "AWS": "arn:aws:iam::210987654321:root" }, "Effect": "Allow", "Sid": "replicate"
  } ]
}
EOT
}
`, b.Region, b.AccountID))
}

func findRegistryPolicy(ctx context.Context, client *awsecr.Client, _ string) (*awsecr.GetRegistryPolicyOutput, error) {
	return ecr.FindRegistryPolicy(ctx, client)
}

func testAccCheckRegistryPolicyExists(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckExists(b, testAccRegistryPolicyAddr, "id", findRegistryPolicy, nil)
}

// Create, import, update in place, an equivalent policy is no change;
// destroy deletes the policy.
func TestAccRegistryPolicy_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{
			{
				Config: testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(1)...),
				Check:  testAccCheckRegistryPolicyExists(b),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRegistryPolicyAddr, "id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccRegistryPolicyAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccRegistryPolicyAddr, "region", knownvalue.StringExact(b.Region)),
					stateValueAt(testAccRegistryPolicyAddr, "policy", knownvalue.StringExact(
						testAccRegistryPolicyText(b, testAccRegistryPolicyActions(1)...))),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{ResourceName: testAccRegistryPolicyAddr, ImportState: true, ImportStateVerify: true},
			{ResourceName: testAccRegistryPolicyAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: b.AccountID + "@" + b.Region},
			{
				Config:           testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(2)...),
				Check:            testAccCheckRegistryPolicyExists(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRegistryPolicyAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRegistryPolicyAddr, "policy", knownvalue.StringExact(
						testAccRegistryPolicyText(b, testAccRegistryPolicyActions(2)...))),
				},
			},
			{
				Config:           testAccRegistryPolicyConfig_reordered(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRegistryPolicyAddr, plancheck.ResourceActionNoop),
			},
		},
	})
}

func TestAccRegistryPolicy_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{testAccStepDisappears(testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(1)...),
			testAccRegistryPolicyAddr, testAccCheckRegistryPolicyExists(b), func() error {
				_, err := b.Client.DeleteRegistryPolicy(acctest.Context(), &awsecr.DeleteRegistryPolicyInput{})
				return err
			})},
	})
}

// In another Region than the provider's: the policy is there, not in the
// provider's Region.
func TestAccRegistryPolicy_region(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "the registry of another Region, shared on moto with the identity tests")
	config := b.Config(`
resource "ecr_registry_policy" "test" {
  region = "` + acctest.OtherRegion + `"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::210987654321:root" }, Action = ["ecr:ReplicateImage"], Resource = "*" }]
  })
}
`)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(testAccCheckRegistryPolicyExists(b), func(*terraform.State) error {
				if _, err := ecr.FindRegistryPolicy(acctest.Context(), b.Client); !ecr.IsNotFound(err) {
					return fmt.Errorf("policy in the provider's Region: %v, want none", err)
				}
				return nil
			}),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValueAt(testAccRegistryPolicyAddr, "region", knownvalue.StringExact(acctest.OtherRegion)),
			},
		}},
	})
}

// Under REGISTRY_POLICY_SCOPE V1 ECR rejects an action outside the three
// V1 allows; the error says so and names the action.
func TestAccRegistryPolicy_scopeV1(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no account settings")
	if _, err := b.Client.PutAccountSetting(acctest.Context(), &awsecr.PutAccountSettingInput{
		Name: aws.String("REGISTRY_POLICY_SCOPE"), Value: aws.String("V1")}); err != nil {
		t.Fatal(err)
	}
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{
			{
				Config: testAccRegistryPolicyConfig_basic(b, "ecr:ReplicateImage", "ecr:BatchGetImage"),
				// Terraform wraps the detail: any space may be a line break.
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)creating ECR Registry Policy.*REGISTRY_POLICY_SCOPE account setting is V1.*`+
					`may grant only ecr:ReplicateImage, ecr:BatchImportUpstreamImage, ecr:CreateRepository.*`+
					`also names: ecr:BatchGetImage.*switch the registry to V2`, " ", `\s+`)),
			},
			{
				Config: testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(2)...),
				Check:  testAccCheckRegistryPolicyExists(b),
			},
		},
	})
}

// Bad input fails at plan time, naming the attribute.
func TestAccRegistryPolicy_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	raw := func(policy string) string {
		return b.Config("resource \"ecr_registry_policy\" \"test\" {\n  policy = <<EOT\n" + policy + "\nEOT\n}\n")
	}
	testAccSingletonTest(t, b, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: raw(`{"Version": "2012-10-17", "Statement": [`), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Invalid JSON.*with ecr_registry_policy.test.*policy`)},
			{Config: raw(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:ReplicateImage"}]}`),
				PlanOnly: true, ExpectError: regexp.MustCompile(`Invalid IAM policy document`)},
			{Config: b.Config(`
resource "ecr_registry_policy" "test" {
  region = "nowhere"
  policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
`), PlanOnly: true, ExpectError: regexp.MustCompile(`must be an AWS Region name`)},
		},
	})
}

// While a new registry policy stays invisible to its first reads (ECR is
// eventually consistent), create and update wait until reads return it, so
// the refresh after each apply plans nothing; destroy waits until it is gone.
func TestAccRegistryPolicy_eventualConsistency(t *testing.T) {
	const lagReads = 3
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "consistency lag fault")
	b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "registry_policy", LagReads: lagReads})
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_registry_policy", "id", findRegistryPolicy),
		Steps: []resource.TestStep{
			{
				Config: testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(1)...),
				Check: resource.ComposeTestCheckFunc(testAccCheckRegistryPolicyExists(b), func(*terraform.State) error {
					var hidden int
					for _, c := range b.Emulator.Calls() {
						if c.Op == "GetRegistryPolicy" && c.ErrorCode == "RegistryPolicyNotFoundException" {
							hidden++
						}
					}
					if hidden < lagReads {
						return fmt.Errorf("%d GetRegistryPolicy calls did not find the new policy, want at least %d", hidden, lagReads)
					}
					return nil
				}),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{
				Config:           testAccRegistryPolicyConfig_basic(b, testAccRegistryPolicyActions(2)...),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRegistryPolicyAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRegistryPolicyAddr, "policy", knownvalue.StringExact(
						testAccRegistryPolicyText(b, testAccRegistryPolicyActions(2)...))),
				},
			},
		},
	})
}
