package ecr_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// Equivalent JSON plans no change: the useStateWhenEquivalent plan
// modifier of every JSON document attribute.

func TestUseStateWhenEquivalent(t *testing.T) {
	t.Parallel()
	const (
		iamState  = `{"Statement":[{"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow","Principal":"*"}],"Version":"2012-10-17"}`
		iamSame   = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Principal\": \"*\", \"Effect\": \"Allow\",\n    \"Action\": [\"ecr:GetDownloadUrlForLayer\", \"ecr:BatchGetImage\"]}]\n}"
		iamOther  = `{"Statement":[{"Action":"ecr:BatchGetImage","Effect":"Allow","Principal":"*"}],"Version":"2012-10-17"}`
		lifeState = testLifecycleTwoRules
	)
	lifeSame := `{"rules":[` +
		`{"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
		`{"rulePriority":10,"description":"keep 5 prod","selection":{"tagStatus":"tagged","tagPrefixList":["release","prod"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`
	lifeOther := strings.Replace(testLifecycleTwoRules, `"countNumber":14`, `"countNumber":15`, 1)

	null, unknown := types.StringNull(), types.StringUnknown()
	str := types.StringValue
	cases := []struct {
		name                string
		lifecycle           bool
		state, config, plan types.String
		want                types.String
	}{
		{"equivalent: plans the state", false, str(iamState), str(iamSame), str(iamSame), str(iamState)},
		{"equivalent lifecycle: plans the state", true, str(lifeState), str(lifeSame), str(lifeSame), str(lifeState)},
		{"a real change stays", false, str(iamState), str(iamOther), str(iamOther), str(iamOther)},
		{"a real lifecycle change stays", true, str(lifeState), str(lifeOther), str(lifeOther), str(lifeOther)},
		{"the same text", false, str(iamState), str(iamState), str(iamState), str(iamState)},
		{"create: no state", false, null, str(iamSame), str(iamSame), str(iamSame)},
		{"unknown configuration", false, str(iamState), unknown, unknown, unknown},
		{"destroy: null plan", false, str(iamState), null, null, null},
		{"not JSON is a change", false, str(iamState), str("{"), str("{"), str("{")},
		// An IAM policy is not a lifecycle policy: the kinds do not mix.
		{"the lifecycle kind on IAM texts", true, str(iamState), str(iamSame), str(iamSame), str(iamSame)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.StringRequest{StateValue: tc.state, ConfigValue: tc.config, PlanValue: tc.plan}
			resp := planmodifier.StringResponse{PlanValue: tc.plan}
			ecr.UseStateWhenEquivalent(tc.lifecycle).PlanModifyString(context.Background(), req, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("diagnostics: %v", resp.Diagnostics)
			}
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}

// Every JSON document attribute of every resource, now and later, plans
// the prior state's text when the configured one is equivalent.
func TestJSONDocumentAttributesUseStateWhenEquivalent(t *testing.T) {
	t.Parallel()
	attrs := ecr.JSONDocumentAttributes(context.Background())
	for _, want := range []string{"ecr_repository_policy.policy", "ecr_lifecycle_policy.policy", "ecr_registry_policy.policy"} {
		if _, ok := attrs[want]; !ok {
			t.Errorf("%s is not a JSON document attribute (found %v)", want, attrs)
		}
	}
	for at, ok := range attrs {
		if !ok {
			t.Errorf("%s has no useStateWhenEquivalent plan modifier of its document kind", at)
		}
	}
}

// testAccJSONDocument is a JSON document attribute (the `policy` of a
// repository-scoped policy resource) for the equivalent-spellings tests.
// The documents are HCL expressions.
type testAccJSONDocument[T any] struct {
	typeName string // "ecr_repository_policy"
	find     finder[T]
	prefix   string // of the random repository names
	base     string // written with jsonencode
	baseText string // what jsonencode writes for base
	changed  string // base with a real change
	// changedText is what jsonencode writes for changed.
	changedText string
	// spellings are base written otherwise, by name (part of HCL and
	// repository names: lower case, digits and '_').
	spellings []testAccSpelling
}

type testAccSpelling struct{ name, expr string }

// testAccJSONPhase is what a step's configuration does with the policies.
type testAccJSONPhase int

const (
	jsonPhaseCreate testAccJSONPhase = iota // a = base, b = the spelling
	jsonPhaseSwap                           // a = the spelling, b = base
	jsonPhaseForget                         // the policies removed from state, kept in ECR
	jsonPhaseImport                         // jsonPhaseSwap with import blocks for every policy
	jsonPhaseChange                         // a = changed, b = base
)

// config is, for every spelling s, two repositories and their policies:
// a_s created from base and b_s from s. (No for_each: plugin-testing's
// import steps cannot address its instances.)
func (d testAccJSONDocument[T]) config(b *acctest.Backend, rName string, phase testAccJSONPhase) string {
	var hcl strings.Builder
	fmt.Fprintf(&hcl, "locals {\n  base    = %s\n  changed = %s\n", d.base, d.changed)
	for _, s := range d.spellings {
		fmt.Fprintf(&hcl, "  %s = %s\n", s.name, s.expr)
	}
	hcl.WriteString("}\n")
	for _, s := range d.spellings {
		policies := map[string]string{"a": "local.base", "b": "local." + s.name}
		switch phase {
		case jsonPhaseSwap, jsonPhaseImport:
			policies = map[string]string{"a": "local." + s.name, "b": "local.base"}
		case jsonPhaseChange:
			policies = map[string]string{"a": "local.changed", "b": "local.base"}
		}
		for _, side := range []string{"a", "b"} {
			name := side + "_" + s.name
			fmt.Fprintf(&hcl, `
resource "ecr_repository" %[1]q {
  name = %[2]q
}
`, name, d.repositoryName(rName, side, s.name))
			if phase == jsonPhaseForget {
				fmt.Fprintf(&hcl, `
removed {
  from = %[1]s.%[2]s
  lifecycle {
    destroy = false
  }
}
`, d.typeName, name)
				continue
			}
			fmt.Fprintf(&hcl, `
resource %[1]q %[2]q {
  repository = ecr_repository.%[2]s.name
  policy     = %[3]s
}
`, d.typeName, name, policies[side])
			if phase == jsonPhaseImport {
				fmt.Fprintf(&hcl, `
import {
  to = %[1]s.%[2]s
  id = %[3]q
}
`, d.typeName, name, d.repositoryName(rName, side, s.name))
			}
		}
	}
	return b.Config(hcl.String())
}

func (d testAccJSONDocument[T]) repositoryName(rName, side, spelling string) string {
	return rName + "-" + side + "-" + spelling
}

func (d testAccJSONDocument[T]) addr(side, spelling string) string {
	return d.typeName + "." + side + "_" + spelling
}

// statePolicies checks the policy text in state of every a.
func (d testAccJSONDocument[T]) statePolicies(text string) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for _, s := range d.spellings {
		checks = append(checks, statecheck.ExpectKnownValue(d.addr("a", s.name), tfjsonpath.New("policy"), knownvalue.StringExact(text)))
	}
	return checks
}

// run: every spelling is no change against state written by the other
// spelling, after create and after an import (import blocks); a real
// change still plans an update.
func (d testAccJSONDocument[T]) run(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName(d.prefix)
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	steps := []resource.TestStep{
		{
			Config:            d.config(b, rName, jsonPhaseCreate),
			ConfigStateChecks: d.statePolicies(d.baseText),
		},
		{
			// After create: the state of a holds base, of b the spelling.
			Config:            d.config(b, rName, jsonPhaseSwap),
			ConfigPlanChecks:  empty,
			ConfigStateChecks: d.statePolicies(d.baseText),
		},
		{Config: d.config(b, rName, jsonPhaseForget)},
		{
			// After import: the state holds ECR's text, normalised.
			Config:           d.config(b, rName, jsonPhaseImport),
			ConfigPlanChecks: empty,
		},
	}
	// `terraform import` then a plan makes the same provider calls as an
	// import block (import, read, plan with the imported state). A
	// plugin-testing import step with ImportStatePersist fails under
	// OpenTofu 1.12 ("Inconsistent dependency lock file": the reattached
	// provider is missing from the lock file), so the blocks stand for it.
	changes := []plancheck.PlanCheck{}
	for _, s := range d.spellings {
		changes = append(changes,
			plancheck.ExpectResourceAction(d.addr("a", s.name), plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction(d.addr("b", s.name), plancheck.ResourceActionNoop))
	}
	steps = append(steps,
		resource.TestStep{
			// A real change, still written with jsonencode, is an update.
			Config:            d.config(b, rName, jsonPhaseChange),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: changes},
			ConfigStateChecks: d.statePolicies(d.changedText),
		},
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, d.typeName, "repository", d.find),
		Steps:                    steps,
	})
}

func TestAccRepositoryPolicy_equivalentSpellings(t *testing.T) {
	testAccRepositoryPolicyDocument.run(t)
}

func TestAccLifecyclePolicy_equivalentSpellings(t *testing.T) {
	testAccLifecyclePolicyDocument.run(t)
}

// testAccRepositoryPolicyDocument: two statements, one with lists of two
// principals and two actions, one with a single principal and action
// written as strings.
var testAccRepositoryPolicyDocument = testAccJSONDocument[awsecr.GetRepositoryPolicyOutput]{
	typeName: "ecr_repository_policy",
	find:     ecr.FindRepositoryPolicyByName,
	prefix:   "tf-acc-policy-eq",
	base:     testAccIAMDocument(`["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]`, `["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]`, `"arn:aws:iam::333333333333:root"`, `"ecr:ListImages"`, false),
	baseText: `{"Statement":[` +
		`{"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},"Sid":"pull"},` +
		`{"Action":"ecr:ListImages","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Sid":"list"}],"Version":"2012-10-17"}`,
	changed: testAccIAMDocument(`["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]`, `["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]`, `"arn:aws:iam::333333333333:root"`, `"ecr:ListImages"`, false),
	changedText: `{"Statement":[` +
		`{"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},"Sid":"pull"},` +
		`{"Action":"ecr:ListImages","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Sid":"list"}],"Version":"2012-10-17"}`,
	spellings: []testAccSpelling{
		{"heredoc", `<<-EOT
      {"Statement": [ {"Action": [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ],
          "Principal": {"AWS": [ "arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root" ]},
          "Effect": "Allow", "Sid": "pull"},
        {"Sid": "list", "Action": "ecr:ListImages", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Effect": "Allow"} ],
       "Version": "2012-10-17"}
    EOT`},
		// As GetRepositoryPolicy returns it (Jackson's pretty printer).
		{"ecr_format", `<<-EOT
      {
        "Version" : "2012-10-17",
        "Statement" : [ {
          "Sid" : "pull",
          "Effect" : "Allow",
          "Principal" : {
            "AWS" : [ "arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root" ]
          },
          "Action" : [ "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]
        }, {
          "Sid" : "list",
          "Effect" : "Allow",
          "Principal" : {
            "AWS" : "arn:aws:iam::333333333333:root"
          },
          "Action" : "ecr:ListImages"
        } ]
      }
    EOT`},
		{"principal_order", testAccIAMDocument(`["arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:root"]`, `["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]`, `"arn:aws:iam::333333333333:root"`, `"ecr:ListImages"`, false)},
		{"action_order", testAccIAMDocument(`["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]`, `["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]`, `"arn:aws:iam::333333333333:root"`, `"ecr:ListImages"`, false)},
		{"one_element_lists", testAccIAMDocument(`["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]`, `["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]`, `["arn:aws:iam::333333333333:root"]`, `["ecr:ListImages"]`, false)},
		{"statement_order", testAccIAMDocument(`["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]`, `["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]`, `"arn:aws:iam::333333333333:root"`, `"ecr:ListImages"`, true)},
	},
}

// testAccIAMDocument is a jsonencode expression of a policy with a "pull"
// statement (principals and actions as given, HCL) and a "list" one; with
// reversed, "list" comes first.
func testAccIAMDocument(pullPrincipals, pullActions, listPrincipals, listActions string, reversed bool) string {
	pull := fmt.Sprintf(`{
        Sid       = "pull"
        Effect    = "Allow"
        Principal = { AWS = %s }
        Action    = %s
      }`, pullPrincipals, pullActions)
	list := fmt.Sprintf(`{
        Sid       = "list"
        Effect    = "Allow"
        Principal = { AWS = %s }
        Action    = %s
      }`, listPrincipals, listActions)
	if reversed {
		pull, list = list, pull
	}
	return fmt.Sprintf(`jsonencode({
      Version   = "2012-10-17"
      Statement = [
      %s,
      %s,
      ]
    })`, pull, list)
}

// testAccLifecyclePolicyDocument: a rule with a tag prefix list, one with
// a tag pattern list, one for untagged images.
var testAccLifecyclePolicyDocument = testAccJSONDocument[awsecr.GetLifecyclePolicyOutput]{
	typeName: "ecr_lifecycle_policy",
	find:     ecr.FindLifecyclePolicyByName,
	prefix:   "tf-acc-lifecycle-eq",
	base:     testAccLifecycleDocument([3]int{0, 1, 2}, `["v", "release-"]`, `["*-rc*", "*-beta*"]`, "", 14),
	baseText: testAccLifecycleText(14),
	changed:  testAccLifecycleDocument([3]int{0, 1, 2}, `["v", "release-"]`, `["*-rc*", "*-beta*"]`, "", 30),
	// Thirty days instead of fourteen.
	changedText: testAccLifecycleText(30),
	spellings: []testAccSpelling{
		{"heredoc", `<<-EOT
      { "rules": [
          { "selection": { "countNumber": 5, "tagPrefixList": [ "v", "release-" ], "countType": "imageCountMoreThan", "tagStatus": "tagged" },
            "action": { "type": "expire" }, "description": "keep the last 5 releases", "rulePriority": 10 },
          { "rulePriority": 20, "action": { "type": "expire" },
            "selection": { "tagStatus": "tagged", "countUnit": "days", "countType": "sinceImagePushed", "countNumber": 7, "tagPatternList": [ "*-rc*", "*-beta*" ] } },
          { "action": { "type": "expire" }, "rulePriority": 30,
            "selection": { "countNumber": 14, "countUnit": "days", "countType": "sinceImagePushed", "tagStatus": "untagged" } } ] }
    EOT`},
		{"rule_order", testAccLifecycleDocument([3]int{2, 0, 1}, `["v", "release-"]`, `["*-rc*", "*-beta*"]`, "", 14)},
		{"prefix_order", testAccLifecycleDocument([3]int{0, 1, 2}, `["release-", "v"]`, `["*-rc*", "*-beta*"]`, "", 14)},
		{"pattern_order", testAccLifecycleDocument([3]int{0, 1, 2}, `["v", "release-"]`, `["*-beta*", "*-rc*"]`, "", 14)},
		// An empty list says the same as none.
		{"empty_list", testAccLifecycleDocument([3]int{0, 1, 2}, `["v", "release-"]`, `["*-rc*", "*-beta*"]`, "tagPrefixList = []", 14)},
	},
}

// testAccLifecycleDocument is a jsonencode expression of a lifecycle
// policy of three rules, in the given order; untaggedExtra is added to the
// selection of the untagged rule, which expires after days.
func testAccLifecycleDocument(order [3]int, prefixes, patterns, untaggedExtra string, days int) string {
	rules := [3]string{
		fmt.Sprintf(`{
          rulePriority = 10
          description  = "keep the last 5 releases"
          selection    = { tagStatus = "tagged", tagPrefixList = %s, countType = "imageCountMoreThan", countNumber = 5 }
          action       = { type = "expire" }
        }`, prefixes),
		fmt.Sprintf(`{
          rulePriority = 20
          selection    = { tagStatus = "tagged", tagPatternList = %s, countType = "sinceImagePushed", countUnit = "days", countNumber = 7 }
          action       = { type = "expire" }
        }`, patterns),
		fmt.Sprintf(`{
          rulePriority = 30
          selection = {
            tagStatus   = "untagged"
            countType   = "sinceImagePushed"
            countUnit   = "days"
            countNumber = %d
            %s
          }
          action = { type = "expire" }
        }`, days, untaggedExtra),
	}
	return fmt.Sprintf(`jsonencode({
      rules = [
        %s,
        %s,
        %s,
      ]
    })`, rules[order[0]], rules[order[1]], rules[order[2]])
}

// testAccLifecycleText is what jsonencode writes for the base document.
func testAccLifecycleText(days int) string {
	return `{"rules":[` +
		`{"action":{"type":"expire"},"description":"keep the last 5 releases","rulePriority":10,"selection":{"countNumber":5,"countType":"imageCountMoreThan","tagPrefixList":["v","release-"],"tagStatus":"tagged"}},` +
		`{"action":{"type":"expire"},"rulePriority":20,"selection":{"countNumber":7,"countType":"sinceImagePushed","countUnit":"days","tagPatternList":["*-rc*","*-beta*"],"tagStatus":"tagged"}},` +
		fmt.Sprintf(`{"action":{"type":"expire"},"rulePriority":30,"selection":{"countNumber":%d,"countType":"sinceImagePushed","countUnit":"days","tagStatus":"untagged"}}]}`, days)
}

// A policy unknown until apply plans an update; at apply, when it turns
// out equivalent to the state's, the state's text is kept (Terraform
// accepts a final plan that fills in an unknown with the prior value).
func TestAccRepositoryPolicy_equivalentUnknownUntilApply(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-policy-unknown")
	text := `{"Statement":[{"Action":["ecr:BatchGetImage"],"Effect":"Allow","Principal":"*","Sid":"pull"}],"Version":"2012-10-17"}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, "ecr_repository_policy", "repository", ecr.FindRepositoryPolicyByName),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryPolicyConfig_unknownSid(rName, "1", `["ecr:BatchGetImage"]`)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRepositoryPolicyAddr, "policy", knownvalue.StringExact(text)),
				},
			},
			{
				// The Sid is unknown until terraform_data is replaced; the
				// action, now a string, means the same.
				Config: b.Config(testAccRepositoryPolicyConfig_unknownSid(rName, "2", `"ecr:BatchGetImage"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccRepositoryPolicyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(testAccRepositoryPolicyAddr, tfjsonpath.New("policy")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccRepositoryPolicyAddr, "policy", knownvalue.StringExact(text)),
				},
			},
		},
	})
}

// testAccRepositoryPolicyConfig_unknownSid is a policy whose Sid comes
// from terraform_data, replaced (its output unknown) when trigger changes.
func testAccRepositoryPolicyConfig_unknownSid(rName, trigger, action string) string {
	return fmt.Sprintf(`
resource "terraform_data" "sid" {
  input            = "pull"
  triggers_replace = [%[2]q]
}

resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_repository_policy" "test" {
  repository = ecr_repository.test.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = terraform_data.sid.output, Effect = "Allow", Principal = "*", Action = %[3]s }]
  })
}
`, rName, trigger, action)
}
