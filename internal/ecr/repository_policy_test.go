package ecr_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

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
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const testAccRepositoryPolicyAddr = "ecr_repository_policy.test"

// testAccRepositoryPolicyText is what jsonencode writes for the policy of
// testAccRepositoryPolicyConfig_basic (compact, keys sorted).
func testAccRepositoryPolicyText(actions ...string) string {
	return fmt.Sprintf(`{"Statement":[{"Action":["%s"],"Effect":"Allow","Principal":"*","Sid":"pull"}],"Version":"2012-10-17"}`,
		strings.Join(actions, `","`))
}

func TestAccRepositoryPolicy_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryPolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				Check:  testAccCheckRepositoryPolicyExists(b, testAccRepositoryPolicyAddr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("id"), knownvalue.StringExact(rName)),
					statecheck.ExpectKnownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("repository"), knownvalue.StringExact(rName)),
					statecheck.ExpectKnownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("registry_id"), knownvalue.StringExact(acctest.AccountID)),
					// The configured text stays although ECR stores it reformatted.
					statecheck.ExpectKnownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("policy"),
						knownvalue.StringExact(testAccRepositoryPolicyText("ecr:BatchGetImage"))),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      testAccRepositoryPolicyAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")),
				Check:  testAccCheckRepositoryPolicyExists(b, testAccRepositoryPolicyAddr),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccRepositoryPolicyAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("policy"),
						knownvalue.StringExact(testAccRepositoryPolicyText("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))),
				},
			},
			{
				// The same policy written by hand: Terraform compares the
				// configuration with state as text, so this is an in-place
				// update; afterwards ECR's reformatted copy is no change.
				Config: b.Config(testAccRepositoryPolicyConfig_reordered(rName)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccRepositoryPolicyAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccRepositoryPolicy_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryPolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				Check: resource.ComposeTestCheckFunc(
					testAccCheckRepositoryPolicyExists(b, testAccRepositoryPolicyAddr),
					func(*terraform.State) error {
						_, err := b.Client.DeleteRepositoryPolicy(acctest.Context(), &awsecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(rName)})
						return err
					},
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccRepositoryPolicyAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

func TestAccRepositoryPolicy_disappearsRepository(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryPolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				Check: resource.ComposeTestCheckFunc(
					testAccCheckRepositoryPolicyExists(b, testAccRepositoryPolicyAddr),
					func(*terraform.State) error {
						_, err := b.Client.DeleteRepository(acctest.Context(), &awsecr.DeleteRepositoryInput{RepositoryName: aws.String(rName), Force: true})
						return err
					},
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccRepositoryPolicyAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// IAM propagation: ECR rejects a policy naming a principal IAM does not know
// yet with "Invalid repository policy provided"; the provider retries.
func TestAccRepositoryPolicy_iamPropagationRetry(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	b.Emulator.Faults().MustAdd(testAccIAMPropagationFault(3))
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryPolicyDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				Check: resource.ComposeTestCheckFunc(
					testAccCheckRepositoryPolicyExists(b, testAccRepositoryPolicyAddr),
					func(*terraform.State) error {
						var failed, ok int
						for _, c := range b.Emulator.Calls() {
							if c.Op != "SetRepositoryPolicy" {
								continue
							}
							if c.ErrorCode == "" {
								ok++
							} else {
								failed++
							}
						}
						if failed != 3 || ok != 1 {
							return fmt.Errorf("SetRepositoryPolicy: %d rejected and %d accepted calls, want 3 and 1", failed, ok)
						}
						return nil
					},
				),
			},
		},
	})
}

// The retry is bounded. Not parallel: it shortens the package-wide retry
// timeout, and parallel tests only start once sequential ones are done.
func TestAccRepositoryPolicy_iamPropagationTimeout(t *testing.T) {
	old := *ecr.IAMPropagationTimeout
	*ecr.IAMPropagationTimeout = 500 * time.Millisecond
	t.Cleanup(func() { *ecr.IAMPropagationTimeout = old })

	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	b.Emulator.Faults().MustAdd(testAccIAMPropagationFault(0))
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				ExpectError: regexp.MustCompile(`Invalid repository policy provided`),
			},
		},
	})
}

func TestAccRepositoryPolicy_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo-policy")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      b.Config(testAccRepositoryPolicyConfig_raw(rName, `{"Version": "2012-10-17", "Statement": [`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid JSON`),
			},
			{
				Config: b.Config(testAccRepositoryPolicyConfig_raw(rName,
					`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:BatchGetImage"}]}`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid IAM policy document`),
			},
			{
				Config: b.Config(`
resource "ecr_repository_policy" "test" {
  repository = "Not_A_Repository"
  policy     = jsonencode({ Version = "2012-10-17", Statement = [] })
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must be a repository name`),
			},
		},
	})
}

func testAccIAMPropagationFault(count int) emulator.Fault {
	return emulator.Fault{
		Op:        "SetRepositoryPolicy",
		Action:    emulator.ActionError,
		ErrorType: "InvalidParameterException",
		Message:   "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
		Count:     count,
	}
}

func testAccCheckRepositoryPolicyExists(b *acctest.Backend, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not found in state", addr)
		}
		_, err := ecr.FindRepositoryPolicyByName(context.Background(), b.Client, rs.Primary.Attributes["repository"])
		return err
	}
}

func testAccCheckRepositoryPolicyDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "ecr_repository_policy" {
				continue
			}
			_, err := ecr.FindRepositoryPolicyByName(context.Background(), b.Client, rs.Primary.Attributes["repository"])
			if ecr.IsPolicyNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("ECR Repository Policy %s still exists", rs.Primary.ID)
		}
		return nil
	}
}

func testAccRepositoryPolicyConfig_basic(rName string, actions ...string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_repository_policy" "test" {
  repository = ecr_repository.test.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "pull"
      Effect    = "Allow"
      Principal = "*"
      Action    = [%[2]s]
    }]
  })
}
`, rName, `"`+strings.Join(actions, `", "`)+`"`)
}

// testAccRepositoryPolicyConfig_reordered is the policy of
// testAccRepositoryPolicyConfig_basic with two actions, written by hand
// with another key and action order.
func testAccRepositoryPolicyConfig_reordered(rName string) string {
	return testAccRepositoryPolicyConfig_raw(rName, `{
  "Statement": [ {
    "Action": [ "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage" ],
    "Principal": "*", "Effect": "Allow", "Sid": "pull"
  } ],
  "Version": "2012-10-17"
}`)
}

func testAccRepositoryPolicyConfig_raw(rName, policy string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_repository_policy" "test" {
  repository = ecr_repository.test.name
  policy     = <<EOT
%[2]s
EOT
}
`, rName, policy)
}
