package ecr_test

// Plan-time validation: each mistake is one clear error naming the
// attribute, before any API call.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestAccValidation_planTime(t *testing.T) {
	b := acctest.NewBackend(t)
	manyTags := func(n int) string {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "    k%02d = \"v\"\n", i)
		}
		return sb.String()
	}
	repo := func(body string) string {
		return fmt.Sprintf("resource \"ecr_repository\" \"test\" {\n  name = \"tf-acc-validation\"\n%s\n}\n", body)
	}
	tests := []struct {
		name   string
		config string
		want   string // regexp; (?s) is added
	}{
		{"kms_key with AES256", repo(`  encryption_configuration {
    encryption_type = "AES256"
    kms_key         = "alias/mine"
  }`), `kms_key needs KMS encryption.*kms_key\s+=.*kms_key is set but encryption_type is\s+"AES256"`},
		{"kms_key with the default encryption type", repo(`  encryption_configuration {
    kms_key = "alias/mine"
  }`), `kms_key is set but encryption_type is\s+"AES256"`},
		{"empty tag key", repo(`  tags = { "" = "v" }`), `tags.*length must be between 1 and 128`},
		{"too many tags", repo("  tags = {\n" + manyTags(51) + "  }"), `Attribute tags map must contain at most 50 elements, got: 51`},
		{"tag key too long", repo(`  tags = { "` + strings.Repeat("k", 129) + `" = "v" }`), `tags.*length must be between 1 and 128, got: 129`},
		{"tag value too long", repo(`  tags = { k = "` + strings.Repeat("v", 257) + `" }`), `tags\["k"\].*length must be at most 256, got: 257`},
		{"aws: tag key", repo(`  tags = { "aws:owner" = "me" }`), `tags.*must not start with\s+.aws:.`},
		{"AWS: tag key", repo(`  tags = { "AWS:owner" = "me" }`), `tags.*must not start with\s+.aws:.`},
		{"too many tags with default_tags", `
provider "ecr" {
  alias = "tagged"
}
` + repo("  tags = {\n"+manyTags(50)+"  }"), ``}, // replaced below
		{"data source: empty name", `
data "ecr_repository" "test" {
  name = ""
}
`, `Attribute name string length must be between 2 and 256, got: 0`},
		{"data source: registry_id not 12 digits", `
data "ecr_repository" "test" {
  name        = "tf-acc-validation"
  registry_id = "12345"
}
`, `Attribute registry_id must be a registry id, the 12-digit AWS account id`},
		{"lifecycle policy missing selection", `
resource "ecr_lifecycle_policy" "test" {
  repository = "tf-acc-validation"
  policy     = jsonencode({ rules = [{ rulePriority = 1, action = { type = "expire" } }] })
}
`, `rule 1 \(priority 1\):.*selection`},
	}
	var steps []resource.TestStep
	for _, tc := range tests {
		config := b.Config(tc.config)
		if strings.HasPrefix(tc.name, "too many tags with default_tags") {
			config = b.ProviderConfigWith("  default_tags {\n    tags = { team = \"platform\" }\n  }\n") + repo("  tags = {\n"+manyTags(50)+"  }")
			tc.want = `Too many tags.*tags = {.*default_tags the resource would have 51 tags`
		}
		steps = append(steps, resource.TestStep{
			Config:      config,
			PlanOnly:    true,
			ExpectError: wrapped(tc.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// One error per mistake: a rule priority of 0 in the document data source
// is reported by the attribute's validator only, not a second time by the
// document check; a short policy missing a property is told what is
// missing, not its length.
func TestAccValidation_lifecycleOneErrorEach(t *testing.T) {
	b := acctest.NewBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: b.Config(`
data "ecr_lifecycle_policy_document" "test" {
  rule {
    priority = 0
    selection {
      tag_status   = "untagged"
      count_type   = "imageCountMoreThan"
      count_number = 1
    }
  }
}
`),
				PlanOnly: true,
				// Exactly one error: no other "Error" before or after it.
				ExpectError: regexp.MustCompile(`(?s)exit status 1[^E]*Error: Invalid Attribute Value[^E]*priority value must be at least 1, got: 0[^E]*$`),
			},
			{
				Config: b.Config(`
resource "ecr_lifecycle_policy" "test" {
  repository = "tf-acc-validation"
  policy     = jsonencode({ rules = [{ rulePriority = 1, action = { type = "expire" } }] })
}
`),
				PlanOnly:    true,
				ExpectError: wrapped(`rule 1 \(priority 1\): Lifecycle policy validation failure: object has missing required properties \(\["selection"\]\)`),
			},
		},
	})
}

// wrapped compiles a pattern whose spaces match any whitespace: Terraform
// wraps long messages.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}
