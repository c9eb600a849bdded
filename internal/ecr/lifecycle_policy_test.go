package ecr_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const testAccLifecyclePolicyAddr = "ecr_lifecycle_policy.test"

func TestAccLifecyclePolicy_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-lifecycle")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckLifecyclePolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccLifecyclePolicyConfig_basic(rName, 14)),
				Check:  testAccCheckLifecyclePolicyExists(b, testAccLifecyclePolicyAddr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccLifecyclePolicyAddr, tfjsonpath.New("id"), knownvalue.StringExact(rName)),
					statecheck.ExpectKnownValue(testAccLifecyclePolicyAddr, tfjsonpath.New("repository"), knownvalue.StringExact(rName)),
					statecheck.ExpectKnownValue(testAccLifecyclePolicyAddr, tfjsonpath.New("registry_id"), knownvalue.StringExact(acctest.AccountID)),
					statecheck.ExpectKnownValue(testAccLifecyclePolicyAddr, tfjsonpath.New("policy"), knownvalue.StringExact(testAccLifecyclePolicyText(14))),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      testAccLifecyclePolicyAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// A policy change is applied in place (hashicorp/aws replaces).
				Config: b.Config(testAccLifecyclePolicyConfig_basic(rName, 30)),
				Check:  testAccCheckLifecyclePolicyExists(b, testAccLifecyclePolicyAddr),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccLifecyclePolicyAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccLifecyclePolicyAddr, tfjsonpath.New("policy"), knownvalue.StringExact(testAccLifecyclePolicyText(30))),
				},
			},
		},
	})
}

func TestAccLifecyclePolicy_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-lifecycle")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckLifecyclePolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccLifecyclePolicyConfig_basic(rName, 14)),
				Check: resource.ComposeTestCheckFunc(
					testAccCheckLifecyclePolicyExists(b, testAccLifecyclePolicyAddr),
					func(*terraform.State) error {
						_, err := b.Client.DeleteLifecyclePolicy(acctest.Context(), &awsecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(rName)})
						return err
					},
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccLifecyclePolicyAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccLifecyclePolicy_disappearsRepository(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-lifecycle")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckLifecyclePolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccLifecyclePolicyConfig_basic(rName, 14)),
				Check: resource.ComposeTestCheckFunc(
					testAccCheckLifecyclePolicyExists(b, testAccLifecyclePolicyAddr),
					func(*terraform.State) error {
						_, err := b.Client.DeleteRepository(acctest.Context(), &awsecr.DeleteRepositoryInput{RepositoryName: aws.String(rName), Force: true})
						return err
					},
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccLifecyclePolicyAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccLifecyclePolicy_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-lifecycle")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      b.Config(testAccLifecyclePolicyConfig_raw(rName, `{"rules": [`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid JSON`),
			},
			{
				// The second rule lacks countUnit.
				Config: b.Config(testAccLifecyclePolicyConfig_raw(rName, `{"rules":[
  {"rulePriority":10,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},
  {"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":14},"action":{"type":"expire"}}
]}`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`rule 2 \(priority 20\): selection.countUnit`),
			},
		},
	})
}

func testAccCheckLifecyclePolicyExists(b *acctest.Backend, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not found in state", addr)
		}
		_, err := ecr.FindLifecyclePolicyByName(context.Background(), b.Client, rs.Primary.Attributes["repository"])
		return err
	}
}

func testAccCheckLifecyclePolicyDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "ecr_lifecycle_policy" {
				continue
			}
			_, err := ecr.FindLifecyclePolicyByName(context.Background(), b.Client, rs.Primary.Attributes["repository"])
			if ecr.IsPolicyNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("ECR Lifecycle Policy %s still exists", rs.Primary.ID)
		}
		return nil
	}
}

// testAccLifecyclePolicyText is what jsonencode writes for the policy of
// testAccLifecyclePolicyConfig_basic.
func testAccLifecyclePolicyText(days int) string {
	return fmt.Sprintf(`{"rules":[`+
		`{"action":{"type":"expire"},"description":"keep the last 5 releases","rulePriority":10,"selection":{"countNumber":5,"countType":"imageCountMoreThan","tagPrefixList":["v"],"tagStatus":"tagged"}},`+
		`{"action":{"type":"expire"},"rulePriority":20,"selection":{"countNumber":%d,"countType":"sinceImagePushed","countUnit":"days","tagStatus":"untagged"}}]}`, days)
}

func testAccLifecyclePolicyConfig_basic(rName string, days int) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 10
        description  = "keep the last 5 releases"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["v"]
          countType     = "imageCountMoreThan"
          countNumber   = 5
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 20
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = %[2]d
        }
        action = { type = "expire" }
      },
    ]
  })
}
`, rName, days)
}

func testAccLifecyclePolicyConfig_raw(rName, policy string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy     = <<EOT
%[2]s
EOT
}
`, rName, policy)
}
