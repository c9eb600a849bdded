package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const testAccLifecyclePolicyAddr = "ecr_lifecycle_policy.test"

// testAccLifecyclePolicy: versions 1 and 2 expire untagged images after 14
// and 30 days.
var testAccLifecyclePolicy = testAccPolicy[awsecr.GetLifecyclePolicyOutput]{
	typeName: "ecr_lifecycle_policy",
	prefix:   "tf-acc-lifecycle",
	config: func(rName string, version int) string {
		return testAccLifecyclePolicyConfig_basic(rName, testAccLifecyclePolicyDays(version))
	},
	text: func(version int) string { return testAccLifecyclePolicyText(testAccLifecyclePolicyDays(version)) },
	find: ecr.FindLifecyclePolicyByName,
	delete: func(b *acctest.Backend, rName string) error {
		_, err := b.Client.DeleteLifecyclePolicy(acctest.Context(), &awsecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(rName)})
		return err
	},
	lagKind:      "lifecycle_policy",
	getOp:        "GetLifecyclePolicy",
	notFoundCode: "LifecyclePolicyNotFoundException",
}

func testAccLifecyclePolicyDays(version int) int { return map[int]int{1: 14, 2: 30}[version] }

func TestAccLifecyclePolicy_basic(t *testing.T) {
	testAccLifecyclePolicy.run(t, testAccLifecyclePolicy.basicSteps)
}

func TestAccLifecyclePolicy_disappears(t *testing.T) {
	testAccLifecyclePolicy.run(t, testAccLifecyclePolicy.disappearsSteps)
}

func TestAccLifecyclePolicy_disappearsRepository(t *testing.T) {
	testAccLifecyclePolicy.run(t, testAccLifecyclePolicy.disappearsRepositorySteps)
}

func TestAccLifecyclePolicy_eventualConsistency(t *testing.T) {
	testAccLifecyclePolicy.runEventualConsistency(t)
}

func TestAccLifecyclePolicy_invalid(t *testing.T) {
	testAccLifecyclePolicy.run(t, func(b *acctest.Backend, rName string) []resource.TestStep {
		return []resource.TestStep{
			{
				Config:      b.Config(testAccPolicyConfig_raw("ecr_lifecycle_policy", rName, `{"rules": [`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid JSON`),
			},
			{
				// The second rule lacks countUnit.
				Config: b.Config(testAccPolicyConfig_raw("ecr_lifecycle_policy", rName, `{"rules":[
  {"rulePriority":10,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},
  {"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":14},"action":{"type":"expire"}}
]}`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`rule 2 \(priority 20\): selection.countUnit`),
			},
		}
	})
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
