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

const templateAddr = "ecr_repository_creation_template.test"

// testAccTemplateBackend is the backend of a creation template test: the
// emulator (moto has no repository creation templates).
func testAccTemplateBackend(t *testing.T) *acctest.Backend {
	t.Helper()
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no repository creation templates")
	return b
}

func testAccCheckTemplateExists(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckExists(b, templateAddr, "prefix", tfecr.FindRepositoryCreationTemplateByPrefix, nil)
}

func testAccCheckTemplateDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckDestroy(b, "ecr_repository_creation_template", "prefix", tfecr.FindRepositoryCreationTemplateByPrefix)
}

func templateStateValue(attr string, check knownvalue.Check) statecheck.StateCheck {
	return stateValueAt(templateAddr, attr, check)
}

// TestAccRepositoryCreationTemplate_basic: a minimal template, import, then
// every setting added in place, changed in place (policies given in
// another but equivalent form plan nothing), and removed in place.
func TestAccRepositoryCreationTemplate_basic(t *testing.T) {
	b := testAccTemplateBackend(t)
	rName := acctest.RandomName("tf-acc-rct")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTemplateDestroy(b),
		Steps: []resource.TestStep{
			{
				Config:           b.Config(testAccTemplateConfig_minimal(rName)),
				Check:            testAccCheckTemplateExists(b),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					templateStateValue("id", knownvalue.StringExact(rName)),
					templateStateValue("prefix", knownvalue.StringExact(rName)),
					templateStateValue("applied_for", knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("PULL_THROUGH_CACHE")})),
					templateStateValue("image_tag_mutability", knownvalue.StringExact("MUTABLE")),
					templateStateValue("encryption_configuration", knownvalue.ListSizeExact(0)),
					templateStateValue("lifecycle_policy", knownvalue.Null()),
					templateStateValue("repository_policy", knownvalue.Null()),
					templateStateValue("resource_tags", knownvalue.Null()),
					templateStateValue("registry_id", knownvalue.StringExact(b.AccountID)),
				},
			},
			{
				ResourceName:                         templateAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        rName,
				ImportStateVerifyIdentifierAttribute: "prefix",
			},
			{
				Config:           b.Config(testAccTemplateConfig_full(rName, "prod", 5)),
				Check:            testAccCheckTemplateExists(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(templateAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					templateStateValue("applied_for", knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("PULL_THROUGH_CACHE"), knownvalue.StringExact("REPLICATION"), knownvalue.StringExact("CREATE_ON_PUSH")})),
					templateStateValue("description", knownvalue.StringExact("team templates")),
					templateStateValue("image_tag_mutability", knownvalue.StringExact("IMMUTABLE_WITH_EXCLUSION")),
					templateStateValue("encryption_configuration", knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"encryption_type": knownvalue.StringExact("KMS"),
						"kms_key":         knownvalue.StringExact("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
					})})),
					templateStateValue("resource_tags", mapExact(map[string]string{"team": "prod"})),
					templateStateValue("custom_role_arn", knownvalue.StringExact(testPTCRole)),
				},
			},
			{
				// The same policies as a heredoc in another order: no change.
				Config:             b.Config(testAccTemplateConfig_fullHeredoc(rName)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				Config:           b.Config(testAccTemplateConfig_full(rName, "dev", 9)),
				ConfigPlanChecks: expectActionThenEmptyPlan(templateAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					templateStateValue("resource_tags", mapExact(map[string]string{"team": "dev"})),
				},
			},
			{
				Config:           b.Config(testAccTemplateConfig_minimal(rName)),
				ConfigPlanChecks: expectActionThenEmptyPlan(templateAddr, plancheck.ResourceActionUpdate),
				Check: func(*terraform.State) error {
					tpl, err := tfecr.FindRepositoryCreationTemplateByPrefix(acctest.Context(), b.Client, rName)
					if err != nil {
						return err
					}
					if aws.ToString(tpl.LifecyclePolicy) != "" || aws.ToString(tpl.RepositoryPolicy) != "" || len(tpl.ResourceTags) != 0 ||
						aws.ToString(tpl.Description) != "" || aws.ToString(tpl.CustomRoleArn) != "" || tpl.EncryptionConfiguration.EncryptionType != "AES256" {
						return fmt.Errorf("settings left after removing them: %+v", tpl)
					}
					return nil
				},
			},
		},
	})
}

// TestAccRepositoryCreationTemplate_root: the ROOT template, in another
// Region; import by `ROOT@region`.
func TestAccRepositoryCreationTemplate_root(t *testing.T) {
	b := testAccTemplateBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTemplateDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(fmt.Sprintf(`
resource "ecr_repository_creation_template" "test" {
  prefix      = "ROOT"
  applied_for = ["REPLICATION"]
  region      = %q
}
`, acctest.OtherRegion)),
				Check:            testAccCheckTemplateExists(b),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{
				ResourceName:                         templateAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        "ROOT@" + acctest.OtherRegion,
				ImportStateVerifyIdentifierAttribute: "prefix",
			},
		},
	})
}

func TestAccRepositoryCreationTemplate_disappears(t *testing.T) {
	b := testAccTemplateBackend(t)
	rName := acctest.RandomName("tf-acc-rct")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTemplateDestroy(b),
		Steps: []resource.TestStep{testAccStepDisappears(b.Config(testAccTemplateConfig_minimal(rName)), templateAddr,
			testAccCheckTemplateExists(b), func() error {
				_, err := b.Client.DeleteRepositoryCreationTemplate(acctest.Context(),
					&awsecr.DeleteRepositoryCreationTemplateInput{Prefix: aws.String(rName)})
				return err
			})},
	})
}

// TestAccRepositoryCreationTemplate_validation: bad input fails the plan
// with an error naming the attribute (or the lifecycle rule).
func TestAccRepositoryCreationTemplate_validation(t *testing.T) {
	b := testAccTemplateBackend(t)
	tpl := func(body string) string {
		return b.Config(`
resource "ecr_repository_creation_template" "test" {
  prefix = "team"
` + body + `
}
`)
	}
	var steps []resource.TestStep
	for _, c := range []struct{ body, want string }{
		{`applied_for = []`, `(?s)applied_for.*at least 1`},
		{`applied_for = ["PUSH"]`, `(?s)applied_for.*PULL_THROUGH_CACHE`},
		{`applied_for = ["REPLICATION"]
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"`, `(?s)Missing exclusion filter`},
		{`applied_for = ["REPLICATION"]
  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }`, `(?s)Exclusion filter not allowed`},
		{`applied_for = ["REPLICATION"]
  lifecycle_policy = jsonencode({ rules = [{ rulePriority = 1, selection = { tagStatus = "tagged", countType = "imageCountMoreThan", countNumber = 1 }, action = { type = "expire" } }] })`,
			`(?s)lifecycle_policy.*rule 1 \(priority 1\)`},
		{`applied_for = ["REPLICATION"]
  repository_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Maybe", Principal = "*", Action = "ecr:*" }] })`,
			`(?s)repository_policy`},
		{`applied_for = ["REPLICATION"]
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "alias/mine"
  }`, `(?s)kms_key.*ARN of a KMS key`},
		{`applied_for = ["REPLICATION"]
  description = "` + fmt.Sprintf("%0300d", 0) + `"`, `(?s)description.*256`},
	} {
		steps = append(steps, resource.TestStep{Config: tpl(c.body), PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	steps = append(steps, resource.TestStep{
		Config: b.Config(`
resource "ecr_repository_creation_template" "test" {
  prefix      = "Not_A_Prefix"
  applied_for = ["REPLICATION"]
}
`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)prefix.*must be ` + "`ROOT`"),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// TestAccRepositoryCreationTemplateDataSource_basic: the singular data
// source reads what the resource manages, the plural one every template.
func TestAccRepositoryCreationTemplateDataSource_basic(t *testing.T) {
	b := testAccTemplateBackend(t)
	rName := acctest.RandomName("tf-acc-rct")
	ds := "data.ecr_repository_creation_template.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"prefix", "applied_for", "description", "image_tag_mutability",
		"image_tag_mutability_exclusion_filter", "resource_tags", "custom_role_arn", "registry_id", "region"} {
		checks = append(checks, statecheck.CompareValuePairs(templateAddr, tfjsonpath.New(attr), ds, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("lifecycle_policy"), knownvalue.NotNull()),
		statecheck.ExpectKnownValue(ds, tfjsonpath.New("encryption_configuration").AtSliceIndex(0).AtMapKey("encryption_type"), knownvalue.StringExact("KMS")),
		statecheck.ExpectKnownValue("data.ecr_repository_creation_templates.all", tfjsonpath.New("prefixes"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ROOT"), knownvalue.StringExact(rName)})),
		statecheck.ExpectKnownValue("data.ecr_repository_creation_templates.all", tfjsonpath.New("repository_creation_templates").AtSliceIndex(0).AtMapKey("encryption_configuration"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
				"encryption_type": knownvalue.StringExact("AES256"), "kms_key": knownvalue.Null()})})),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTemplateDestroy(b),
		Steps: []resource.TestStep{{
			Config: b.Config(testAccTemplateConfig_full(rName, "prod", 5) + `
resource "ecr_repository_creation_template" "root" {
  prefix      = "ROOT"
  applied_for = ["CREATE_ON_PUSH"]
}

data "ecr_repository_creation_template" "test" {
  prefix = ecr_repository_creation_template.test.prefix
}

data "ecr_repository_creation_templates" "all" {
  depends_on = [ecr_repository_creation_template.test, ecr_repository_creation_template.root]
}
`),
			ConfigStateChecks: checks,
		}},
	})
}

func testAccTemplateConfig_minimal(rName string) string {
	return fmt.Sprintf(`
resource "ecr_repository_creation_template" "test" {
  prefix      = %[1]q
  applied_for = ["PULL_THROUGH_CACHE"]
}
`, rName)
}

// testAccTemplateConfig_full sets everything; team and keep vary.
func testAccTemplateConfig_full(rName, team string, keep int) string {
	return fmt.Sprintf(`
resource "ecr_repository_creation_template" "test" {
  prefix               = %[1]q
  applied_for          = ["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"]
  description          = "team templates"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  custom_role_arn      = %[4]q
  resource_tags        = { team = %[2]q }

  image_tag_mutability_exclusion_filter {
    filter      = "latest*"
    filter_type = "WILDCARD"
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  lifecycle_policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep a few"
      selection    = { tagStatus = "tagged", tagPrefixList = ["v", "release"], countType = "imageCountMoreThan", countNumber = %[3]d }
      action       = { type = "expire" }
    }]
  })

  repository_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "pull"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
`, rName, team, keep, testPTCRole)
}

// testAccTemplateConfig_fullHeredoc is testAccTemplateConfig_full(rName,
// "prod", 5) with both policies as heredocs in another order.
func testAccTemplateConfig_fullHeredoc(rName string) string {
	return fmt.Sprintf(`
resource "ecr_repository_creation_template" "test" {
  prefix               = %[1]q
  applied_for          = ["CREATE_ON_PUSH", "REPLICATION", "PULL_THROUGH_CACHE"]
  description          = "team templates"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  custom_role_arn      = %[2]q
  resource_tags        = { team = "prod" }

  image_tag_mutability_exclusion_filter {
    filter      = "latest*"
    filter_type = "WILDCARD"
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  lifecycle_policy = <<EOT
{"rules": [{"action": {"type": "expire"}, "selection": {"countNumber": 5, "countType": "imageCountMoreThan",
  "tagPrefixList": ["release", "v"], "tagStatus": "tagged"}, "description": "keep a few", "rulePriority": 1}]}
EOT

  repository_policy = <<EOT
{
  "Statement": [{"Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], "Principal": "*", "Effect": "Allow", "Sid": "pull"}],
  "Version": "2012-10-17"
}
EOT
}
`, rName, testPTCRole)
}
