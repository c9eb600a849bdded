package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	tfecr "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const (
	exclusionAddr          = "ecr_pull_time_update_exclusion.test"
	testExclusionPrincipal = "arn:aws:iam::123456789012:role/image-scanner"
	// A role name may contain `@`: imported as `arn@region`.
	testExclusionPrincipalAt = "arn:aws:iam::123456789012:user/ops/scanner@example.com"
)

// testAccExclusionBackend is the backend of an exclusion test: the
// emulator (moto has no pull-time update exclusions).
func testAccExclusionBackend(t *testing.T) *acctest.Backend {
	t.Helper()
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no pull-time update exclusions")
	return b
}

func testAccCheckExclusionExists(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckExists(b, exclusionAddr, "principal_arn", tfecr.FindPullTimeUpdateExclusionByARN, nil)
}

func testAccCheckExclusionDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckDestroy(b, "ecr_pull_time_update_exclusion", "principal_arn", tfecr.FindPullTimeUpdateExclusionByARN)
}

func testAccExclusionConfig(principal string) string {
	return fmt.Sprintf(`
resource "ecr_pull_time_update_exclusion" "test" {
  principal_arn = %q
}
`, principal)
}

// TestAccPullTimeUpdateExclusion_basic: create, import (a user whose name
// has an `@`, so `arn@region`), then another principal replaces it.
func TestAccPullTimeUpdateExclusion_basic(t *testing.T) {
	b := testAccExclusionBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckExclusionDestroy(b),
		Steps: []resource.TestStep{
			{
				Config:           b.Config(testAccExclusionConfig(testExclusionPrincipalAt)),
				Check:            testAccCheckExclusionExists(b),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(exclusionAddr, "id", knownvalue.StringExact(testExclusionPrincipalAt)),
					stateValueAt(exclusionAddr, "region", knownvalue.StringExact(b.Region)),
				},
			},
			{
				ResourceName:                         exclusionAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        testExclusionPrincipalAt + "@" + b.Region,
				ImportStateVerifyIdentifierAttribute: "principal_arn",
			},
			{
				Config:           b.Config(testAccExclusionConfig(testExclusionPrincipal)),
				Check:            testAccCheckExclusionExists(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(exclusionAddr, plancheck.ResourceActionDestroyBeforeCreate),
			},
			{
				ResourceName:                         exclusionAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        testExclusionPrincipal,
				ImportStateVerifyIdentifierAttribute: "principal_arn",
			},
		},
	})
}

func TestAccPullTimeUpdateExclusion_disappears(t *testing.T) {
	b := testAccExclusionBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckExclusionDestroy(b),
		Steps: []resource.TestStep{testAccStepDisappears(b.Config(testAccExclusionConfig(testExclusionPrincipal)), exclusionAddr,
			testAccCheckExclusionExists(b), func() error {
				_, err := b.Client.DeregisterPullTimeUpdateExclusion(acctest.Context(),
					&awsecr.DeregisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(testExclusionPrincipal)})
				return err
			})},
	})
}

// TestAccPullTimeUpdateExclusion_validation: only IAM users and roles.
func TestAccPullTimeUpdateExclusion_validation(t *testing.T) {
	b := testAccExclusionBackend(t)
	var steps []resource.TestStep
	for _, principal := range []string{
		"arn:aws:iam::123456789012:group/admins",
		"arn:aws:sts::123456789012:assumed-role/scanner/session",
		"arn:aws:iam::123456789012:root",
		"scanner",
	} {
		steps = append(steps, resource.TestStep{Config: b.Config(testAccExclusionConfig(principal)), PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)principal_arn.*must be the ARN of an IAM user or role`)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// TestAccPullTimeUpdateExclusionsDataSource_basic lists the exclusions.
func TestAccPullTimeUpdateExclusionsDataSource_basic(t *testing.T) {
	b := testAccExclusionBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckExclusionDestroy(b),
		Steps: []resource.TestStep{{
			Config: b.Config(testAccExclusionConfig(testExclusionPrincipal) + fmt.Sprintf(`
resource "ecr_pull_time_update_exclusion" "other" {
  principal_arn = %q
}

data "ecr_pull_time_update_exclusions" "all" {
  depends_on = [ecr_pull_time_update_exclusion.test, ecr_pull_time_update_exclusion.other]
}
`, testExclusionPrincipalAt)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ecr_pull_time_update_exclusions.all", tfjsonpath.New("principal_arns"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(testExclusionPrincipal), knownvalue.StringExact(testExclusionPrincipalAt)})),
			},
		}},
	})
}

// TestAccPullTimeUpdateExclusionList: every exclusion, with identities and
// the state an import reads.
func TestAccPullTimeUpdateExclusionList(t *testing.T) {
	b := testAccExclusionBackend(t)
	identity := map[string]knownvalue.Check{
		"principal_arn": knownvalue.StringExact(testExclusionPrincipal),
		"account_id":    knownvalue.StringExact(b.AccountID),
		"region":        knownvalue.StringExact(b.Region),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckExclusionDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccExclusionConfig(testExclusionPrincipal))},
			{
				Query: true,
				Config: `
list "ecr_pull_time_update_exclusion" "all" {
  provider         = ecr
  include_resource = true
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("ecr_pull_time_update_exclusion.all", 1),
					querycheck.ExpectIdentity("ecr_pull_time_update_exclusion.all", identity),
				},
			},
		},
	})
}
