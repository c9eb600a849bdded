package ecr_test

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

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

// testAccRegionThird is a third Region, where a repository moves.
const testAccRegionThird = "eu-central-1"

// One provider block manages repositories and policies in two Regions
// (each resource's `region` overrides the provider's): the same name in
// both is two repositories, each policy lands in its own Region only, the
// data sources read the other Region, and a `region` unknown until apply
// is planned as unknown. Import takes `name@region`. Setting `region` to
// the provider's is no change; another Region replaces the repository.
func TestAccRegion_twoRegions(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireLocal(t, "creates repositories in three Regions")
	rName := acctest.RandomName("tf-acc-region")
	other := acctest.OtherRegion
	inRegion := func(region string) func(*terraform.State) error {
		return func(*terraform.State) error {
			_, err := tfecr.FindRepositoryByName(acctest.Context(), testAccClient(b, region), rName)
			return err
		}
	}
	notInRegion := func(region string) func(*terraform.State) error {
		return func(*terraform.State) error {
			_, err := tfecr.FindRepositoryByName(acctest.Context(), testAccClient(b, region), rName)
			if !tfecr.IsNotFound(err) {
				return fmt.Errorf("repository %s in %s: %w, want not found", rName, region, err)
			}
			return nil
		}
	}
	policyOnlyIn := func(region, notIn string) func(*terraform.State) error {
		return func(*terraform.State) error {
			if _, err := tfecr.FindLifecyclePolicyByName(acctest.Context(), testAccClient(b, region), rName); err != nil {
				return err
			}
			if _, err := tfecr.FindLifecyclePolicyByName(acctest.Context(), testAccClient(b, notIn), rName); !tfecr.IsNotFound(err) {
				return errors.New("the lifecycle policy is also in " + notIn)
			}
			return nil
		}
	}
	arn := func(region string) knownvalue.Check {
		return knownvalue.StringExact(fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, b.AccountID, rName))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckRepositoryDestroy(b),
			testAccCheckDestroy(b, "ecr_lifecycle_policy", "repository", tfecr.FindLifecyclePolicyByName),
			testAccCheckDestroy(b, "ecr_repository_policy", "repository", tfecr.FindRepositoryPolicyByName)),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRegionConfig(rName, "", other)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("ecr_repository.home", tfjsonpath.New("region"), knownvalue.StringExact(b.Region)),
					plancheck.ExpectKnownValue("ecr_repository.other", tfjsonpath.New("region"), knownvalue.StringExact(other)),
					plancheck.ExpectUnknownValue("ecr_lifecycle_policy.other", tfjsonpath.New("region")),
				}},
				Check: resource.ComposeTestCheckFunc(inRegion(b.Region), inRegion(other), notInRegion(testAccRegionThird),
					policyOnlyIn(other, b.Region),
					testAccCheckExists(b, "ecr_repository_policy.other", "repository", tfecr.FindRepositoryPolicyByName, nil)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("ecr_repository.home", "region", knownvalue.StringExact(b.Region)),
					stateValueAt("ecr_repository.home", "arn", arn(b.Region)),
					stateValueAt("ecr_repository.other", "arn", arn(other)),
					stateValueAt("ecr_repository.other", "repository_url", knownvalue.StringRegexp(regexp.MustCompile(`\.dkr\.ecr\.`+other+`\.`))),
					stateValueAt("ecr_lifecycle_policy.other", "region", knownvalue.StringExact(other)),
					stateValueAt("ecr_repository_policy.other", "region", knownvalue.StringExact(other)),
					statecheck.CompareValuePairs("data.ecr_repository.other", tfjsonpath.New("arn"),
						"ecr_repository.other", tfjsonpath.New("arn"), compare.ValuesSame()),
					stateValueAt("data.ecr_repository.other", "region", knownvalue.StringExact(other)),
					stateValueAt("data.ecr_repositories.other", "names", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(rName)})),
					stateValueAt("data.ecr_repositories.other", "id", knownvalue.StringExact(other)),
				},
			},
			{
				ResourceName: "ecr_repository.other", ImportState: true, ImportStateVerify: true,
				ImportStateId: rName + "@" + other, ImportStateVerifyIdentifierAttribute: "arn", // home has the same name
			},
			{
				ResourceName: "ecr_lifecycle_policy.other", ImportState: true, ImportStateVerify: true,
				ImportStateId: rName + "@" + other, ImportStateVerifyIdentifierAttribute: "repository",
			},
			{
				// The provider's Region spelled out is no change.
				Config:           b.Config(testAccRegionConfig(rName, b.Region, other)),
				ConfigPlanChecks: expectActionThenEmptyPlan("ecr_repository.home", plancheck.ResourceActionNoop),
			},
			{
				// Another Region is another repository: replaced.
				Config:           b.Config(testAccRegionConfig(rName, testAccRegionThird, other)),
				ConfigPlanChecks: expectActionThenEmptyPlan("ecr_repository.home", plancheck.ResourceActionDestroyBeforeCreate),
				Check:            resource.ComposeTestCheckFunc(inRegion(testAccRegionThird), notInRegion(b.Region), inRegion(other)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("ecr_repository.home", "arn", arn(testAccRegionThird)),
				},
			},
		},
	})
}

// testAccRegionConfig is a repository named rName in the provider's Region
// (homeRegion empty) or homeRegion, and one of the same name in other with
// both policies, whose `region` the lifecycle policy knows only at apply.
func testAccRegionConfig(rName, homeRegion, other string) string {
	home := ""
	if homeRegion != "" {
		home = fmt.Sprintf("region = %q", homeRegion)
	}
	return fmt.Sprintf(`
resource "ecr_repository" "home" {
  name = %[1]q
  %[2]s
}

resource "ecr_repository" "other" {
  name   = %[1]q
  region = %[3]q
}

resource "terraform_data" "region" {
  input = ecr_repository.other.region
}

resource "ecr_lifecycle_policy" "other" {
  repository = ecr_repository.other.name
  region     = terraform_data.region.output
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
      action       = { type = "expire" }
    }]
  })
}

resource "ecr_repository_policy" "other" {
  repository = ecr_repository.other.name
  region     = ecr_repository.other.region
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "pull", Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
  })
}

data "ecr_repository" "other" {
  name   = ecr_repository.other.name
  region = %[3]q
}

data "ecr_repositories" "other" {
  region      = ecr_repository.other.region
  name_prefix = %[1]q
}
`, rName, home, other)
}
