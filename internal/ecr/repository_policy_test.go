package ecr_test

import (
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

const testAccRepositoryPolicyAddr = "ecr_repository_policy.test"

// testAccRepositoryPolicyText is what jsonencode writes for the policy of
// testAccRepositoryPolicyConfig_basic (compact, keys sorted).
func testAccRepositoryPolicyText(actions ...string) string {
	return fmt.Sprintf(`{"Statement":[{"Action":["%s"],"Effect":"Allow","Principal":"*","Sid":"pull"}],"Version":"2012-10-17"}`,
		strings.Join(actions, `","`))
}

// testAccRepositoryPolicy: version 1 allows ecr:BatchGetImage, version 2
// also ecr:GetDownloadUrlForLayer.
var testAccRepositoryPolicy = testAccPolicy[awsecr.GetRepositoryPolicyOutput]{
	typeName: "ecr_repository_policy",
	prefix:   "tf-acc-repo-policy",
	config: func(rName string, version int) string {
		return testAccRepositoryPolicyConfig_basic(rName, testAccRepositoryPolicyActions(version)...)
	},
	text: func(version int) string {
		return testAccRepositoryPolicyText(testAccRepositoryPolicyActions(version)...)
	},
	find: ecr.FindRepositoryPolicyByName,
	delete: func(b *acctest.Backend, rName string) error {
		_, err := b.Client.DeleteRepositoryPolicy(acctest.Context(), &awsecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(rName)})
		return err
	},
	lagKind:      "repository_policy",
	getOp:        "GetRepositoryPolicy",
	notFoundCode: "RepositoryPolicyNotFoundException",
}

func testAccRepositoryPolicyActions(version int) []string {
	return []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}[:version]
}

func TestAccRepositoryPolicy_basic(t *testing.T) {
	testAccRepositoryPolicy.run(t, func(b *acctest.Backend, rName string) []resource.TestStep {
		return append(testAccRepositoryPolicy.basicSteps(b, rName), resource.TestStep{
			// The same policy written by hand with another key and action
			// order is no change: the plan keeps the text in state.
			Config:           b.Config(testAccRepositoryPolicyConfig_reordered(rName)),
			ConfigPlanChecks: expectActionThenEmptyPlan(testAccRepositoryPolicyAddr, plancheck.ResourceActionNoop),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValueAt(testAccRepositoryPolicyAddr, "policy", knownvalue.StringExact(testAccRepositoryPolicy.text(2))),
			},
		})
	})
}

func TestAccRepositoryPolicy_disappears(t *testing.T) {
	testAccRepositoryPolicy.run(t, testAccRepositoryPolicy.disappearsSteps)
}

func TestAccRepositoryPolicy_disappearsRepository(t *testing.T) {
	testAccRepositoryPolicy.run(t, testAccRepositoryPolicy.disappearsRepositorySteps)
}

func TestAccRepositoryPolicy_eventualConsistency(t *testing.T) {
	testAccRepositoryPolicy.runEventualConsistency(t)
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
		CheckDestroy:             testAccCheckDestroy(b, "ecr_repository_policy", "repository", ecr.FindRepositoryPolicyByName),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_basic(rName, "ecr:BatchGetImage")),
				Check: resource.ComposeTestCheckFunc(
					testAccRepositoryPolicy.checkExists(b),
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

// The retry is bounded by the create timeout; once IAM has caught up, the
// next apply creates the policy.
func TestAccRepositoryPolicy_iamPropagationTimeout(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	b.Emulator.Faults().MustAdd(testAccIAMPropagationFault(0))
	rName := acctest.RandomName("tf-acc-repo-policy")
	config := b.Config(testAccRepositoryPolicyConfig_timeouts(rName, "1s"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, "ecr_repository_policy", "repository", ecr.FindRepositoryPolicyByName),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)creating ECR Repository Policy.*Invalid repository policy provided`),
			},
			{
				PreConfig: func() {
					// Within one second the backoff (100ms, doubling) makes
					// at most 4 calls; the 2m default would make about 30.
					rejected := b.Emulator.CallCounts()["SetRepositoryPolicy"]
					if rejected < 1 || rejected > 4 {
						t.Fatalf("SetRepositoryPolicy called %d times within the 1s create timeout, want 1 to 4", rejected)
					}
					b.Emulator.Faults().Clear()
				},
				Config:           config,
				Check:            testAccRepositoryPolicy.checkExists(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccRepositoryPolicyAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRepositoryPolicyAddr, "timeouts", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"create": knownvalue.StringExact("1s"),
						"update": knownvalue.Null(),
						"delete": knownvalue.Null(),
					})),
				},
			},
		},
	})
}

func TestAccRepositoryPolicy_invalid(t *testing.T) {
	testAccRepositoryPolicy.run(t, func(b *acctest.Backend, rName string) []resource.TestStep {
		return []resource.TestStep{
			{
				Config:      b.Config(testAccPolicyConfig_raw("ecr_repository_policy", rName, `{"Version": "2012-10-17", "Statement": [`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid JSON`),
			},
			{
				Config: b.Config(testAccPolicyConfig_raw("ecr_repository_policy", rName,
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
		}
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

// testAccRepositoryPolicyConfig_timeouts is testAccRepositoryPolicyConfig_basic
// with a create timeout.
func testAccRepositoryPolicyConfig_timeouts(rName, create string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_repository_policy" "test" {
  repository = ecr_repository.test.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "pull", Effect = "Allow", Principal = "*", Action = ["ecr:BatchGetImage"] }]
  })

  timeouts {
    create = %[2]q
  }
}
`, rName, create)
}

// testAccRepositoryPolicyConfig_reordered is the policy of
// testAccRepositoryPolicyConfig_basic with two actions, written by hand
// with another key and action order.
func testAccRepositoryPolicyConfig_reordered(rName string) string {
	return testAccPolicyConfig_raw("ecr_repository_policy", rName, `{
  "Statement": [ {
    "Action": [ "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage" ],
    "Principal": "*", "Effect": "Allow", "Sid": "pull"
  } ],
  "Version": "2012-10-17"
}`)
}
