package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// The document's JSON for testAccLifecyclePolicyDocumentDataSourceConfig:
// the archive fields (storageClass, targetStorageClass) are written, and an
// omitted action is expire.
const testAccLifecyclePolicyDocumentJSON = `{
  "rules": [
    {
      "rulePriority": 1,
      "description": "archive images nobody pulled for 120 days",
      "selection": {
        "tagStatus": "any",
        "storageClass": "standard",
        "countType": "sinceImagePulled",
        "countUnit": "days",
        "countNumber": 120
      },
      "action": {
        "type": "transition",
        "targetStorageClass": "archive"
      }
    },
    {
      "rulePriority": 2,
      "selection": {
        "tagStatus": "tagged",
        "tagPatternList": [
          "release-*"
        ],
        "storageClass": "archive",
        "countType": "sinceImageTransitioned",
        "countUnit": "days",
        "countNumber": 365
      },
      "action": {
        "type": "expire"
      }
    }
  ]
}`

func TestAccLifecyclePolicyDocumentDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "archive storage class: moto rejects transition rules")
	rName := acctest.RandomName("tf-acc-lifecycle-doc")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, "ecr_lifecycle_policy", "repository", ecr.FindLifecyclePolicyByName),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccLifecyclePolicyDocumentDataSourceConfig(rName)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ecr_lifecycle_policy_document.test", tfjsonpath.New("json"),
						knownvalue.StringExact(testAccLifecyclePolicyDocumentJSON)),
					statecheck.CompareValuePairs(
						"data.ecr_lifecycle_policy_document.test", tfjsonpath.New("json"),
						testAccLifecyclePolicyAddr, tfjsonpath.New("policy"),
						compare.ValuesSame()),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
		},
	})
}

func TestAccLifecyclePolicyDocumentDataSource_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// transition without target_storage_class, caught at plan time.
				Config: b.Config(`
data "ecr_lifecycle_policy_document" "test" {
  rule {
    priority = 5
    selection {
      tag_status   = "untagged"
      count_type   = "sinceImagePushed"
      count_unit   = "days"
      count_number = 30
    }
    action {
      type = "transition"
    }
  }
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`rule 1 \(priority 5\): action.targetStorageClass`),
			},
		},
	})
}

func testAccLifecyclePolicyDocumentDataSourceConfig(rName string) string {
	return fmt.Sprintf(`
data "ecr_lifecycle_policy_document" "test" {
  rule {
    priority    = 1
    description = "archive images nobody pulled for 120 days"
    selection {
      tag_status    = "any"
      storage_class = "standard"
      count_type    = "sinceImagePulled"
      count_unit    = "days"
      count_number  = 120
    }
    action {
      type                 = "transition"
      target_storage_class = "archive"
    }
  }

  rule {
    priority = 2
    selection {
      tag_status       = "tagged"
      tag_pattern_list = ["release-*"]
      storage_class    = "archive"
      count_type       = "sinceImageTransitioned"
      count_unit       = "days"
      count_number     = 365
    }
  }
}

resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy     = data.ecr_lifecycle_policy_document.test.json
}
`, rName)
}
