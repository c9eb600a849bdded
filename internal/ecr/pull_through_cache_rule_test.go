package ecr_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

const pullThroughCacheRuleAddr = "ecr_pull_through_cache_rule.test"

// Secrets and a role the emulator accepts (it cannot check that they exist).
const (
	testPTCCredential1 = "arn:aws:secretsmanager:us-west-2:123456789012:secret:ecr-pullthroughcache/docker-hub-a1b2c3"
	testPTCCredential2 = "arn:aws:secretsmanager:us-west-2:123456789012:secret:ecr-pullthroughcache/docker-hub-rotated"
	testPTCRole        = "arn:aws:iam::123456789012:role/ecr-pull-through-cache"
)

// testAccPullThroughCacheRuleBackend is the backend of a pull-through
// cache test: the emulator (moto has no pull-through cache, and real AWS
// would need the secrets and roles these tests name).
func testAccPullThroughCacheRuleBackend(t *testing.T) *acctest.Backend {
	t.Helper()
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no pull-through cache rules; the tests name secrets and roles that exist only in a fake")
	return b
}

// testAccPullThroughCacheRuleName is a random prefix of at most 30 characters.
func testAccPullThroughCacheRuleName() string { return acctest.RandomName("tf-ptc") }

func testAccCheckPullThroughCacheRuleExists(b *acctest.Backend, addr string) resource.TestCheckFunc {
	return testAccCheckExists(b, addr, "ecr_repository_prefix", tfecr.FindPullThroughCacheRuleByPrefix, nil)
}

func testAccCheckPullThroughCacheRuleDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckDestroy(b, "ecr_pull_through_cache_rule", "ecr_repository_prefix", tfecr.FindPullThroughCacheRuleByPrefix)
}

func ptcStateValue(attr string, check knownvalue.Check) statecheck.StateCheck {
	return stateValueAt(pullThroughCacheRuleAddr, attr, check)
}

// TestAccPullThroughCacheRule_basic: a Docker Hub rule (upstream derived
// from the URL), import by prefix, the credential rotated in place, and a
// new upstream prefix replacing the rule.
func TestAccPullThroughCacheRule_basic(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rName := testAccPullThroughCacheRuleName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccPullThroughCacheRuleConfig_dockerHub(rName, testPTCCredential1, "")),
				Check:  testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("id", knownvalue.StringExact(rName)),
					ptcStateValue("ecr_repository_prefix", knownvalue.StringExact(rName)),
					ptcStateValue("upstream_registry_url", knownvalue.StringExact("registry-1.docker.io")),
					ptcStateValue("upstream_registry", knownvalue.StringExact("docker-hub")),
					ptcStateValue("upstream_repository_prefix", knownvalue.StringExact("ROOT")),
					ptcStateValue("credential_arn", knownvalue.StringExact(testPTCCredential1)),
					ptcStateValue("custom_role_arn", knownvalue.Null()),
					ptcStateValue("registry_id", knownvalue.StringExact(b.AccountID)),
					ptcStateValue("region", knownvalue.StringExact(b.Region)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						// The plan knows the upstream ECR will derive.
						plancheck.ExpectKnownValue(pullThroughCacheRuleAddr, tfjsonpath.New("upstream_registry"), knownvalue.StringExact("docker-hub")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:                         pullThroughCacheRuleAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        rName,
				ImportStateVerifyIdentifierAttribute: "ecr_repository_prefix",
			},
			{
				Config:           b.Config(testAccPullThroughCacheRuleConfig_dockerHub(rName, testPTCCredential2, "")),
				Check:            testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("credential_arn", knownvalue.StringExact(testPTCCredential2)),
				},
			},
			{
				Config:           b.Config(testAccPullThroughCacheRuleConfig_dockerHub(rName, testPTCCredential2, "library")),
				Check:            testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("upstream_repository_prefix", knownvalue.StringExact("library")),
				},
			},
		},
	})
}

// TestAccPullThroughCacheRule_customRole: an ECR upstream with a role,
// which a change updates in place. Removing the role, the rule's only
// credential, replaces the rule: ECR refuses an update to "no credential
// and no role".
func TestAccPullThroughCacheRule_customRole(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rName := testAccPullThroughCacheRuleName()
	upstream := fmt.Sprintf("111122223333.dkr.ecr.%s.amazonaws.com", b.Region)
	otherRole := "arn:aws:iam::123456789012:role/ecr-ptc-other"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccPullThroughCacheRuleConfig_ecr(rName, upstream, testPTCRole)),
				Check: resource.ComposeTestCheckFunc(testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
					testAccCheckPullThroughCacheRuleCredentials(b, rName, "", testPTCRole, false)),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("upstream_registry", knownvalue.StringExact("ecr")),
					ptcStateValue("custom_role_arn", knownvalue.StringExact(testPTCRole)),
					ptcStateValue("credential_arn", knownvalue.Null()),
				},
			},
			{
				Config:           b.Config(testAccPullThroughCacheRuleConfig_ecr(rName, upstream, otherRole)),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionUpdate),
				Check:            testAccCheckPullThroughCacheRuleCredentials(b, rName, "", otherRole, false),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("custom_role_arn", knownvalue.StringExact(otherRole)),
				},
			},
			{
				Config:           b.Config(testAccPullThroughCacheRuleConfig_ecr(rName, upstream, "")),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("custom_role_arn", knownvalue.Null()),
					ptcStateValue("credential_arn", knownvalue.Null()),
				},
				Check: testAccCheckPullThroughCacheRuleCredentials(b, rName, "", "", true),
			},
		},
	})
}

// TestAccPullThroughCacheRule_credentialAndRole: a Docker Hub rule with a
// credential and a role. Changing the credential, then removing the role
// while the credential stays, update the rule in place.
func TestAccPullThroughCacheRule_credentialAndRole(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rName := testAccPullThroughCacheRuleName()
	config := func(credential, role string) string {
		r := ""
		if role != "" {
			r = fmt.Sprintf("custom_role_arn = %q", role)
		}
		return b.Config(fmt.Sprintf(`
resource "ecr_pull_through_cache_rule" "test" {
  ecr_repository_prefix = %[1]q
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = %[2]q
  %[3]s
}
`, rName, credential, r))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{
			{
				Config:           config(testPTCCredential1, testPTCRole),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				Check:            testAccCheckPullThroughCacheRuleCredentials(b, rName, testPTCCredential1, testPTCRole, false),
			},
			{
				Config:           config(testPTCCredential2, testPTCRole),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionUpdate),
				Check:            testAccCheckPullThroughCacheRuleCredentials(b, rName, testPTCCredential2, testPTCRole, false),
			},
			{
				Config:           config(testPTCCredential2, ""),
				ConfigPlanChecks: expectActionThenEmptyPlan(pullThroughCacheRuleAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("credential_arn", knownvalue.StringExact(testPTCCredential2)),
					ptcStateValue("custom_role_arn", knownvalue.Null()),
				},
				Check: testAccCheckPullThroughCacheRuleCredentials(b, rName, testPTCCredential2, "", false),
			},
		},
	})
}

// testAccCheckPullThroughCacheRuleCredentials checks, through the API, the
// credential and role of the rule, and whether the step re-created it
// (called DeletePullThroughCacheRule and CreatePullThroughCacheRule, no
// UpdatePullThroughCacheRule) or not. It empties the emulator's call log
// for the next step.
func testAccCheckPullThroughCacheRuleCredentials(b *acctest.Backend, prefix, credential, role string, recreated bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		rule, err := tfecr.FindPullThroughCacheRuleByPrefix(acctest.Context(), b.Client, prefix)
		if err != nil {
			return err
		}
		if c, r := aws.ToString(rule.CredentialArn), aws.ToString(rule.CustomRoleArn); c != credential || r != role {
			return fmt.Errorf("the rule has credential %q and role %q, want %q and %q", c, r, credential, role)
		}
		counts := b.Emulator.CallCounts()
		b.Emulator.ResetCalls()
		deleted, updated := counts["DeletePullThroughCacheRule"] > 0, counts["UpdatePullThroughCacheRule"] > 0
		if deleted != recreated || recreated && updated {
			return fmt.Errorf("deleted %t and updated %t the rule, want re-created %t (calls: %v)", deleted, updated, recreated, counts)
		}
		return nil
	}
}

// TestAccPullThroughCacheRule_root: the ROOT rule of a registry, in
// another Region than the provider's; import by `ROOT@region`.
func TestAccPullThroughCacheRule_root(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(fmt.Sprintf(`
resource "ecr_pull_through_cache_rule" "test" {
  ecr_repository_prefix = "ROOT"
  upstream_registry_url = "public.ecr.aws"
  region                = %q
}
`, acctest.OtherRegion)),
				Check:            testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					ptcStateValue("upstream_registry", knownvalue.StringExact("ecr-public")),
					ptcStateValue("region", knownvalue.StringExact(acctest.OtherRegion)),
				},
			},
			{
				ResourceName:                         pullThroughCacheRuleAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        "ROOT@" + acctest.OtherRegion,
				ImportStateVerifyIdentifierAttribute: "ecr_repository_prefix",
			},
		},
	})
}

func TestAccPullThroughCacheRule_disappears(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rName := testAccPullThroughCacheRuleName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{testAccStepDisappears(
			b.Config(testAccPullThroughCacheRuleConfig_dockerHub(rName, testPTCCredential1, "")), pullThroughCacheRuleAddr,
			testAccCheckPullThroughCacheRuleExists(b, pullThroughCacheRuleAddr),
			func() error {
				_, err := b.Client.DeletePullThroughCacheRule(acctest.Context(),
					&awsecr.DeletePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(rName)})
				return err
			})},
	})
}

// TestAccPullThroughCacheRule_validation: bad input fails the plan with an
// error naming the attribute, before any call.
func TestAccPullThroughCacheRule_validation(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rule := func(body string) string {
		return b.Config(`
resource "ecr_pull_through_cache_rule" "test" {
` + body + `
}
`)
	}
	var steps []resource.TestStep
	for _, c := range []struct{ body, want string }{
		{`ecr_repository_prefix = "hub"
  upstream_registry_url = "registry-1.docker.io"`, `(?s)Missing credential.*"docker-hub".*needs credentials.*set credential_arn`},
		{`ecr_repository_prefix = "gh"
  upstream_registry_url = "ghcr.io"
  credential_arn        = "arn:aws:secretsmanager:us-west-2:123456789012:secret:github-token-abcdef"`,
			`(?s)credential_arn.*ecr-pullthroughcache/`},
		{`ecr_repository_prefix = "k8s"
  upstream_registry_url = "registry.k8s.io"
  credential_arn        = "` + testPTCCredential1 + `"`, `(?s)credential_arn.*"k8s".*takes no credential_arn`},
		{`ecr_repository_prefix      = "ROOT"
  upstream_registry_url      = "public.ecr.aws"
  upstream_repository_prefix = "library"`, `(?s)upstream_repository_prefix.*only be set when ecr_repository_prefix`},
		{`ecr_repository_prefix = "x"
  upstream_registry_url = "public.ecr.aws"`, `(?s)ecr_repository_prefix.*2 and 30`},
		{`ecr_repository_prefix = "Upper"
  upstream_registry_url = "public.ecr.aws"`, `(?s)ecr_repository_prefix.*must be ` + "`ROOT`"},
		{`ecr_repository_prefix = "mine"
  upstream_registry_url = "registry.example.com"`, `(?s)upstream_registry_url.*not an upstream registry ECR supports`},
		{`ecr_repository_prefix = "mine"
  upstream_registry_url = "quay.io"
  upstream_registry     = "k8s"`, `(?s)upstream_registry.*"k8s", but upstream_registry_url "quay.io" is "quay"`},
		{`ecr_repository_prefix = "mine"
  upstream_registry_url = "public.ecr.aws"
  custom_role_arn       = "arn:aws:iam::123456789012:user/someone"`, `(?s)custom_role_arn.*IAM role`},
	} {
		steps = append(steps, resource.TestStep{Config: rule(c.body), PlanOnly: true, ExpectError: regexp.MustCompile(c.want)})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
	for _, c := range b.Emulator.Calls() {
		if c.Op == "CreatePullThroughCacheRule" {
			t.Errorf("a plan that failed validation called %s", c.Op)
		}
	}
}

// TestAccPullThroughCacheRuleDataSource_basic: the singular data source
// reads what the resource manages, the plural one every rule.
func TestAccPullThroughCacheRuleDataSource_basic(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	rName := testAccPullThroughCacheRuleName()
	ds := "data.ecr_pull_through_cache_rule.test"
	var checks []statecheck.StateCheck
	for _, attr := range []string{"ecr_repository_prefix", "upstream_registry_url", "upstream_registry", "credential_arn",
		"custom_role_arn", "upstream_repository_prefix", "registry_id", "region"} {
		checks = append(checks, statecheck.CompareValuePairs(pullThroughCacheRuleAddr, tfjsonpath.New(attr), ds,
			tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks,
		statecheck.ExpectKnownValue("data.ecr_pull_through_cache_rules.all", tfjsonpath.New("ecr_repository_prefixes"),
			knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ROOT"), knownvalue.StringExact(rName)})),
		statecheck.ExpectKnownValue("data.ecr_pull_through_cache_rules.all", tfjsonpath.New("pull_through_cache_rules"),
			knownvalue.ListPartial(map[int]knownvalue.Check{
				0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"ecr_repository_prefix": knownvalue.StringExact("ROOT"),
					"upstream_registry":     knownvalue.StringExact("quay"),
					"credential_arn":        knownvalue.Null(),
				}),
				1: knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"ecr_repository_prefix": knownvalue.StringExact(rName),
					"upstream_registry":     knownvalue.StringExact("docker-hub"),
					"credential_arn":        knownvalue.StringExact(testPTCCredential1),
				}),
			})),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{{
			Config: b.Config(testAccPullThroughCacheRuleConfig_dockerHub(rName, testPTCCredential1, "") + `
resource "ecr_pull_through_cache_rule" "root" {
  ecr_repository_prefix = "ROOT"
  upstream_registry_url = "quay.io"
}

data "ecr_pull_through_cache_rule" "test" {
  ecr_repository_prefix = ecr_pull_through_cache_rule.test.ecr_repository_prefix
}

data "ecr_pull_through_cache_rules" "all" {
  depends_on = [ecr_pull_through_cache_rule.test, ecr_pull_through_cache_rule.root]
}
`),
			ConfigStateChecks: checks,
		}},
	})
}

// The upstream is derived from the URL as ECR does.
func TestUpstreamRegistryOf(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]awstypes.UpstreamRegistry{
		"public.ecr.aws":        awstypes.UpstreamRegistryEcrPublic,
		"registry-1.docker.io":  awstypes.UpstreamRegistryDockerHub,
		"https://ghcr.io":       awstypes.UpstreamRegistryGitHubContainerRegistry,
		"registry.gitlab.com":   awstypes.UpstreamRegistryGitLabContainerRegistry,
		"registry.k8s.io":       awstypes.UpstreamRegistryK8s,
		"quay.io":               awstypes.UpstreamRegistryQuay,
		"cgr.dev":               awstypes.UpstreamRegistryChainguard,
		"myregistry.azurecr.io": awstypes.UpstreamRegistryAzureContainerRegistry,
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com": awstypes.UpstreamRegistryEcr,
		"registry.example.com":                         "",
	} {
		got, ok := tfecr.UpstreamRegistryOf(url)
		if got != want || ok != (want != "") {
			t.Errorf("upstreamRegistryOf(%q) = %q, %t; want %q", url, got, ok, want)
		}
	}
}

func testAccPullThroughCacheRuleConfig_dockerHub(rName, credential, upstreamPrefix string) string {
	up := ""
	if upstreamPrefix != "" {
		up = fmt.Sprintf("upstream_repository_prefix = %q", upstreamPrefix)
	}
	return fmt.Sprintf(`
resource "ecr_pull_through_cache_rule" "test" {
  ecr_repository_prefix = %[1]q
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = %[2]q
  %[3]s
}
`, rName, credential, up)
}

func testAccPullThroughCacheRuleConfig_ecr(rName, upstream, role string) string {
	r := ""
	if role != "" {
		r = fmt.Sprintf("custom_role_arn = %q", role)
	}
	return fmt.Sprintf(`
resource "ecr_pull_through_cache_rule" "test" {
  ecr_repository_prefix = %[1]q
  upstream_registry_url = %[2]q
  %[3]s
}
`, rName, upstream, r)
}

// Removing credential_arn or custom_role_arn replaces the rule when the
// other is not set, since ECR cannot update a rule to have neither. The
// plan modifiers are called directly: no configuration reaches the
// credential's case, as the upstreams that take a credential require one.
func TestPullThroughCacheRuleCredentialRemovalReplaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var sresp fwresource.SchemaResponse
	tfecr.NewPullThroughCacheRuleResource().Schema(ctx, fwresource.SchemaRequest{}, &sresp)
	sch := sresp.Schema
	objType := sch.Type().TerraformType(ctx).(tftypes.Object)
	// value is a rule whose attributes are null but the given ones; the
	// string "?" is unknown.
	value := func(attrs map[string]string) tftypes.Value {
		vals := map[string]tftypes.Value{}
		for name, typ := range objType.AttributeTypes {
			vals[name] = tftypes.NewValue(typ, nil)
		}
		for name, v := range attrs {
			if v == "?" {
				vals[name] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
			} else {
				vals[name] = tftypes.NewValue(tftypes.String, v)
			}
		}
		return tftypes.NewValue(objType, vals)
	}
	const cred, role = testPTCCredential1, testPTCRole
	cases := []struct {
		name, attr  string
		state, plan map[string]string
		want        bool
	}{
		{"credential removed, no role", "credential_arn",
			map[string]string{"credential_arn": cred}, map[string]string{}, true},
		{"credential removed, role stays", "credential_arn",
			map[string]string{"credential_arn": cred, "custom_role_arn": role}, map[string]string{"custom_role_arn": role}, false},
		{"credential removed, role to come", "credential_arn",
			map[string]string{"credential_arn": cred}, map[string]string{"custom_role_arn": "?"}, false},
		{"credential changed", "credential_arn",
			map[string]string{"credential_arn": cred}, map[string]string{"credential_arn": testPTCCredential2}, false},
		{"credential added", "credential_arn",
			map[string]string{"custom_role_arn": role}, map[string]string{"credential_arn": cred, "custom_role_arn": role}, false},
		{"role removed, no credential", "custom_role_arn",
			map[string]string{"custom_role_arn": role}, map[string]string{}, true},
		{"role removed, credential stays", "custom_role_arn",
			map[string]string{"credential_arn": cred, "custom_role_arn": role}, map[string]string{"credential_arn": cred}, false},
		{"role and credential removed", "custom_role_arn",
			map[string]string{"credential_arn": cred, "custom_role_arn": role}, map[string]string{}, true},
		{"role changed", "custom_role_arn",
			map[string]string{"custom_role_arn": role}, map[string]string{"custom_role_arn": role + "-2"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			attr := sch.Attributes[tc.attr].(schema.StringAttribute)
			if len(attr.PlanModifiers) != 1 {
				t.Fatalf("%s has %d plan modifiers, want 1", tc.attr, len(attr.PlanModifiers))
			}
			state := tfsdk.State{Schema: sch, Raw: value(tc.state)}
			plan := tfsdk.Plan{Schema: sch, Raw: value(tc.plan)}
			var stateValue, planValue types.String
			if d := state.GetAttribute(ctx, path.Root(tc.attr), &stateValue); d.HasError() {
				t.Fatal(d)
			}
			if d := plan.GetAttribute(ctx, path.Root(tc.attr), &planValue); d.HasError() {
				t.Fatal(d)
			}
			req := planmodifier.StringRequest{Path: path.Root(tc.attr), State: state, Plan: plan,
				Config: tfsdk.Config{Schema: sch, Raw: value(tc.plan)}, StateValue: stateValue, PlanValue: planValue, ConfigValue: planValue}
			resp := planmodifier.StringResponse{PlanValue: planValue}
			attr.PlanModifiers[0].PlanModifyString(ctx, req, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if resp.RequiresReplace != tc.want {
				t.Errorf("RequiresReplace = %t, want %t", resp.RequiresReplace, tc.want)
			}
		})
	}
}
