package ecr_test

// Reliability of the registry-level types (one configuration of each per
// registry, or objects kept by the registry) under throttling, 5xx
// answers, eventual consistency and lost create answers.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// testAccFaultsRegistryKinds are the emulator's registry-level lag kinds.
var testAccFaultsRegistryKinds = []string{
	"registry_policy", "replication_configuration", "scanning_configuration", "signing_configuration",
	"pull_through_cache_rule", "repository_creation_template", "account_setting", "pull_time_update_exclusion",
}

// testAccFaultsAccountSettings are the settings the configuration puts,
// with the values it puts and ECR's defaults.
var testAccFaultsAccountSettings = map[string][2]string{
	"BLOB_MOUNTING":           {"ENABLED", "DISABLED"},
	"REGISTRY_POLICY_SCOPE":   {"V1", "V2"},
	"BASIC_SCAN_TYPE_VERSION": {"CLAIR", "AWS_NATIVE"},
}

// TestAccFaults_registryLevel applies, re-plans, changes in place and
// destroys one configuration holding every registry-level type — registry
// policy, scanning and signing configurations, 10 replication rules, 20
// creation templates, 10 pull through cache rules, account settings and
// pull time update exclusions — while about a quarter of all calls are
// throttled or fail with a 5xx, and every write of a registry-level kind
// is read as before it for a while. It must all succeed, the plan after
// each apply be empty, and destroy leave every setting at ECR's default
// (read through the API once the faults are cleared).
func TestAccFaults_registryLevel(t *testing.T) {
	const (
		rules      = 10
		templates  = 20
		caches     = 10
		exclusions = 5
		share      = 0.25
		seed       = 20261206
	)
	b := acctest.NewBackend(t, emulator.WithFaultSeed(seed))
	b.RequireEmulator(t, "fault injection and consistency lag")
	t.Logf("fault seed %d", seed)
	p := 1 - math.Pow(1-share, 1.0/float64(len(testAccFaultsTransient)))
	for _, action := range slices.Sorted(maps.Keys(testAccFaultsTransient)) {
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: action, Probability: p})
	}
	for _, kind := range testAccFaultsRegistryKinds {
		b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: kind, LagReads: 2, LagFor: 500 * time.Millisecond})
	}
	start := time.Now()
	var applied time.Time

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			all := testAccFaultsSummarize(b.Emulator.Calls())
			t.Logf("apply+plans+destroy: %s in %s (destroy and its refresh %s)",
				all, time.Since(start).Round(time.Millisecond), time.Since(applied).Round(time.Millisecond))
			if err := all.check(len(testAccFaultsTransient)); err != nil {
				return err
			}
			if err := testAccFaultsCheckStale(b); err != nil {
				return err
			}
			b.Emulator.Faults().Clear()
			return testAccFaultsCheckRegistryDefaults(b)
		},
		Steps: []resource.TestStep{{
			Config: b.Config(testAccFaultsConfig_registry(b, 1, rules, templates, caches, exclusions)),
			Check: func(*terraform.State) error {
				applied = time.Now()
				st := testAccFaultsSummarize(b.Emulator.Calls())
				t.Logf("apply: %s in %s", st, applied.Sub(start).Round(time.Millisecond))
				if err := st.check(1); err != nil {
					return err
				}
				if err := testAccFaultsCheckStale(b); err != nil {
					return err
				}
				// What ECR holds, read with the transient faults still on
				// (the SDK retries them) but past the lag: each write was
				// waited for.
				return testAccFaultsCheckRegistryApplied(b, 1, rules, templates, caches, exclusions)
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}, {
			// Every singleton, template and pull through cache rule
			// changes in place (replication rules and exclusions are
			// identified by their content: they stay).
			Config: b.Config(testAccFaultsConfig_registry(b, 2, rules, templates, caches, exclusions)),
			Check: func(*terraform.State) error {
				t.Logf("update: done in %s", time.Since(applied).Round(time.Millisecond))
				return testAccFaultsCheckRegistryApplied(b, 2, rules, templates, caches, exclusions)
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ecr_registry_policy.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("ecr_registry_scanning_configuration.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("ecr_signing_configuration.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("ecr_repository_creation_template.test[0]", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("ecr_pull_through_cache_rule.test[0]", plancheck.ResourceActionUpdate),
					testAccFaultsExpectChanges(3 + templates + caches),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// TestAccFaults_lostRegistryCreateAnswers: half of the answers of
// CreateRepositoryCreationTemplate and CreatePullThroughCacheRule are lost
// after the object was created (a 500 or a dropped connection), so the
// SDK's retries answer "already exists". Each object is adopted: the apply
// succeeds, the plan after it is empty, and destroy leaves nothing.
func TestAccFaults_lostRegistryCreateAnswers(t *testing.T) {
	const (
		templates = 20
		caches    = 10
		seed      = 20261207
	)
	b := acctest.NewBackend(t, emulator.WithFaultSeed(seed))
	b.RequireEmulator(t, "fault injection")
	t.Logf("fault seed %d", seed)
	// Two rules per operation tried in turn, each firing with probability
	// p, lose an answer with probability 1-(1-p)^2 = 0.5.
	p := 1 - math.Sqrt(0.5)
	creates := []string{"CreateRepositoryCreationTemplate", "CreatePullThroughCacheRule"}
	for _, op := range creates {
		for _, action := range []emulator.FaultAction{emulator.ActionServerError, emulator.ActionDrop} {
			b.Emulator.Faults().MustAdd(emulator.Fault{Op: op, Action: action, Probability: p, After: true})
		}
	}
	start := time.Now()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			st := testAccFaultsSummarize(b.Emulator.Calls())
			t.Logf("apply+plan+destroy: %s in %s", st, time.Since(start).Round(time.Millisecond))
			b.Emulator.Faults().Clear()
			return testAccFaultsCheckRegistryDefaults(b)
		},
		Steps: []resource.TestStep{{
			Config: b.Config(testAccFaultsConfig_registryObjects(1, templates, caches)),
			Check: func(*terraform.State) error {
				calls := b.Emulator.Calls()
				lost, exists := map[string]int{}, map[string]int{}
				for _, c := range calls {
					if !slices.Contains(creates, c.Op) {
						continue
					}
					if c.Fault != "" {
						lost[c.Op]++
					}
					if strings.HasSuffix(c.ErrorCode, "AlreadyExistsException") {
						exists[c.Op]++
					}
				}
				t.Logf("apply: %s in %s; answers lost %v, retries answered already exists %v",
					testAccFaultsSummarize(calls), time.Since(start).Round(time.Millisecond), lost, exists)
				for _, op := range creates {
					if exists[op] == 0 {
						return fmt.Errorf("no retried %s answered already exists: the test proves nothing", op)
					}
				}
				return testAccFaultsCheckRegistryObjects(b, templates, caches)
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// testAccFaultsCheckStale proves the lag applied: some read of each kind
// the configuration writes saw a write not yet.
func testAccFaultsCheckStale(b *acctest.Backend) error {
	var none []string
	for _, kind := range testAccFaultsRegistryKinds {
		if hidden, old := b.Emulator.Faults().StaleReads(kind); hidden+old == 0 {
			none = append(none, kind)
		}
	}
	if len(none) > 0 {
		return fmt.Errorf("no stale read of %v: the lag did not apply", none)
	}
	return nil
}

// testAccFaultsCheckRegistryApplied reads through the API what the
// configuration of testAccFaultsConfig_registry put in the registry.
func testAccFaultsCheckRegistryApplied(b *acctest.Backend, v, rules, templates, caches, exclusions int) error {
	ctx := context.Background()
	c := testAccFaultsPatientClient(b)
	policy, err := c.GetRegistryPolicy(ctx, &awsecr.GetRegistryPolicyInput{})
	if err != nil {
		return fmt.Errorf("registry policy: %w", err)
	}
	if sid := fmt.Sprintf(`"replicate%d"`, v); !strings.Contains(aws.ToString(policy.PolicyText), sid) {
		return fmt.Errorf("registry policy %s has no statement %s", aws.ToString(policy.PolicyText), sid)
	}
	scan, err := c.GetRegistryScanningConfiguration(ctx, &awsecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		return err
	}
	if sc := scan.ScanningConfiguration; sc.ScanType != awstypes.ScanTypeEnhanced || len(sc.Rules) != 1 ||
		len(sc.Rules[0].RepositoryFilters) != 1 || aws.ToString(sc.Rules[0].RepositoryFilters[0].Filter) != fmt.Sprintf("prod%d-*", v) {
		return fmt.Errorf("scanning configuration %s with rules %+v, want ENHANCED with one rule for prod%d-*", sc.ScanType, sc.Rules, v)
	}
	signing, err := c.GetSigningConfiguration(ctx, &awsecr.GetSigningConfigurationInput{})
	if err != nil {
		return fmt.Errorf("signing configuration: %w", err)
	}
	if r := signing.SigningConfiguration.Rules; len(r) != 1 || !strings.HasSuffix(aws.ToString(r[0].SigningProfileArn), fmt.Sprintf("/release_signer%d", v)) {
		return fmt.Errorf("signing rules %+v, want one with release_signer%d", r, v)
	}
	reg, err := c.DescribeRegistry(ctx, &awsecr.DescribeRegistryInput{})
	if err != nil {
		return err
	}
	if n := len(reg.ReplicationConfiguration.Rules); n != rules {
		return fmt.Errorf("%d replication rules, want %d", n, rules)
	}
	for name, values := range testAccFaultsAccountSettings {
		out, err := c.GetAccountSetting(ctx, &awsecr.GetAccountSettingInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		if got := aws.ToString(out.Value); got != values[0] {
			return fmt.Errorf("account setting %s is %s, want %s", name, got, values[0])
		}
	}
	excl, err := c.ListPullTimeUpdateExclusions(ctx, &awsecr.ListPullTimeUpdateExclusionsInput{})
	if err != nil {
		return err
	}
	if n := len(excl.PullTimeUpdateExclusions); n != exclusions {
		return fmt.Errorf("%d pull time update exclusions, want %d", n, exclusions)
	}
	if err := testAccFaultsCheckRegistryObjects(b, templates, caches); err != nil {
		return err
	}
	// The changes of version 2: each template's description, each pull
	// through cache rule's role.
	tp := awsecr.NewDescribeRepositoryCreationTemplatesPaginator(c, &awsecr.DescribeRepositoryCreationTemplatesInput{})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.RepositoryCreationTemplates {
			if d := aws.ToString(t.Description); !strings.HasSuffix(d, fmt.Sprintf(" v%d", v)) {
				return fmt.Errorf("template %s has description %q, want version %d", aws.ToString(t.Prefix), d, v)
			}
		}
	}
	cp := awsecr.NewDescribePullThroughCacheRulesPaginator(c, &awsecr.DescribePullThroughCacheRulesInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.PullThroughCacheRules {
			if role := aws.ToString(r.CustomRoleArn); (role != "") != (v == 2) {
				return fmt.Errorf("pull through cache rule %s has custom role %q in version %d", aws.ToString(r.EcrRepositoryPrefix), role, v)
			}
		}
	}
	return nil
}

// testAccFaultsCheckRegistryObjects checks that the registry holds exactly
// the creation templates and pull through cache rules of the
// configuration.
func testAccFaultsCheckRegistryObjects(b *acctest.Backend, templates, caches int) error {
	gotTemplates, gotCaches, err := testAccFaultsRegistryObjects(b)
	if err != nil {
		return err
	}
	var wantTemplates, wantCaches []string
	for i := range templates {
		wantTemplates = append(wantTemplates, fmt.Sprintf("team%02d", i))
	}
	for i := range caches {
		wantCaches = append(wantCaches, fmt.Sprintf("cache%02d", i))
	}
	if !slices.Equal(gotTemplates, wantTemplates) || !slices.Equal(gotCaches, wantCaches) {
		return fmt.Errorf("templates %v and pull through cache rules %v; want %v and %v", gotTemplates, gotCaches, wantTemplates, wantCaches)
	}
	return nil
}

// testAccFaultsRegistryObjects lists the prefixes of the registry's
// creation templates and pull through cache rules, sorted.
func testAccFaultsRegistryObjects(b *acctest.Backend) (templates, caches []string, err error) {
	ctx := context.Background()
	c := testAccFaultsPatientClient(b)
	tp := awsecr.NewDescribeRepositoryCreationTemplatesPaginator(c, &awsecr.DescribeRepositoryCreationTemplatesInput{})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range page.RepositoryCreationTemplates {
			templates = append(templates, aws.ToString(t.Prefix))
		}
	}
	cp := awsecr.NewDescribePullThroughCacheRulesPaginator(c, &awsecr.DescribePullThroughCacheRulesInput{})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range page.PullThroughCacheRules {
			caches = append(caches, aws.ToString(r.EcrRepositoryPrefix))
		}
	}
	slices.Sort(templates)
	slices.Sort(caches)
	return templates, caches, nil
}

// testAccFaultsPatientClient is the test's client with as many attempts as
// the provider's (25), for reads while the transient faults are on: with
// the SDK's default 3, one read in about 60 would fail for good.
func testAccFaultsPatientClient(b *acctest.Backend) *awsecr.Client {
	return awsecr.New(b.Client.Options(), func(o *awsecr.Options) { o.RetryMaxAttempts = 25 })
}

// testAccFaultsCheckRegistryDefaults proves through the API that the
// registry is back where a new one starts: no registry policy, signing
// configuration, template, pull through cache rule or exclusion, no
// replication rule, BASIC scanning without rules, and every account
// setting at its default.
func testAccFaultsCheckRegistryDefaults(b *acctest.Backend) error {
	ctx := context.Background()
	var problems []error
	_, err := b.Client.GetRegistryPolicy(ctx, &awsecr.GetRegistryPolicyInput{})
	problems = append(problems, testAccFaultsExpectNotFound[*awstypes.RegistryPolicyNotFoundException]("registry policy", err))
	_, err = b.Client.GetSigningConfiguration(ctx, &awsecr.GetSigningConfigurationInput{})
	problems = append(problems, testAccFaultsExpectNotFound[*awstypes.SigningConfigurationNotFoundException]("signing configuration", err))
	if scan, err := b.Client.GetRegistryScanningConfiguration(ctx, &awsecr.GetRegistryScanningConfigurationInput{}); err != nil {
		problems = append(problems, err)
	} else if sc := scan.ScanningConfiguration; sc.ScanType != awstypes.ScanTypeBasic || len(sc.Rules) != 0 {
		problems = append(problems, fmt.Errorf("scanning configuration %s with %d rules, want BASIC with none", sc.ScanType, len(sc.Rules)))
	}
	if reg, err := b.Client.DescribeRegistry(ctx, &awsecr.DescribeRegistryInput{}); err != nil {
		problems = append(problems, err)
	} else if n := len(reg.ReplicationConfiguration.Rules); n != 0 {
		problems = append(problems, fmt.Errorf("%d replication rules left", n))
	}
	for _, name := range slices.Sorted(maps.Keys(testAccFaultsAccountSettings)) {
		out, err := b.Client.GetAccountSetting(ctx, &awsecr.GetAccountSettingInput{Name: aws.String(name)})
		if err != nil {
			problems = append(problems, err)
		} else if got, want := aws.ToString(out.Value), testAccFaultsAccountSettings[name][1]; got != want {
			problems = append(problems, fmt.Errorf("account setting %s is %s, want the default %s", name, got, want))
		}
	}
	if excl, err := b.Client.ListPullTimeUpdateExclusions(ctx, &awsecr.ListPullTimeUpdateExclusionsInput{}); err != nil {
		problems = append(problems, err)
	} else if len(excl.PullTimeUpdateExclusions) != 0 {
		problems = append(problems, fmt.Errorf("pull time update exclusions left: %v", excl.PullTimeUpdateExclusions))
	}
	if templates, caches, err := testAccFaultsRegistryObjects(b); err != nil {
		problems = append(problems, err)
	} else if len(templates)+len(caches) > 0 {
		problems = append(problems, fmt.Errorf("creation templates %v and pull through cache rules %v left", templates, caches))
	}
	return errors.Join(problems...)
}

// testAccFaultsExpectNotFound is nil when err is the not-found error E.
func testAccFaultsExpectNotFound[E error](what string, err error) error {
	switch {
	case err == nil:
		return fmt.Errorf("%s still exists", what)
	case !errors.As(err, new(E)):
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}

// testAccFaultsConfig_registry is one configuration of every
// registry-level type: the singletons, rules replication rules, exclusions
// pull time update exclusions, the account settings, and the objects of
// testAccFaultsConfig_registryObjects. Version v 2 changes the singletons,
// templates and pull through cache rules in place.
func testAccFaultsConfig_registry(b *acctest.Backend, v, rules, templates, caches, exclusions int) string {
	var settings strings.Builder
	for _, name := range slices.Sorted(maps.Keys(testAccFaultsAccountSettings)) {
		fmt.Fprintf(&settings, `
resource "ecr_account_setting" %[1]q {
  name  = %[2]q
  value = %[3]q
}
`, strings.ToLower(name), name, testAccFaultsAccountSettings[name][0])
	}
	return fmt.Sprintf(`
# Under REGISTRY_POLICY_SCOPE V1 (put below) too, a registry policy may
# grant these actions.
resource "ecr_registry_policy" "test" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "replicate%[7]d"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::210987654321:root" }
      Action    = ["ecr:CreateRepository", "ecr:ReplicateImage"]
      Resource  = "arn:aws:ecr:%[1]s:%[2]s:repository/*"
    }]
  })
}

resource "ecr_registry_scanning_configuration" "test" {
  scan_type = "ENHANCED"
  rule {
    scan_frequency = "CONTINUOUS_SCAN"
    repository_filter {
      filter      = "prod%[7]d-*"
      filter_type = "WILDCARD"
    }
  }
}

resource "ecr_signing_configuration" "test" {
  rule {
    signing_profile_arn = "arn:aws:signer:%[1]s:%[2]s:/signing-profiles/release_signer%[7]d"
  }
}

resource "ecr_replication_rule" "test" {
  count = %[3]d
  destination {
    region      = "eu-central-1"
    registry_id = %[2]q
  }
  repository_filter {
    filter      = format("team%%02d/", count.index)
    filter_type = "PREFIX_MATCH"
  }
}

resource "ecr_pull_time_update_exclusion" "test" {
  count         = %[4]d
  principal_arn = format("arn:aws:iam::%[2]s:role/ci-%%02d", count.index)
}
%[5]s%[6]s`, b.Region, b.AccountID, rules, exclusions, settings.String(), testAccFaultsConfig_registryObjects(v, templates, caches), v)
}

// testAccFaultsConfig_registryObjects is n creation templates (team00,
// ...) and m pull through cache rules (cache00, ...); version v 2 changes
// the templates' description and gives the rules a custom role.
func testAccFaultsConfig_registryObjects(v, templates, caches int) string {
	role := ""
	if v == 2 {
		role = `custom_role_arn       = "arn:aws:iam::` + acctest.AccountID + `:role/pull-through"`
	}
	return fmt.Sprintf(`
resource "ecr_repository_creation_template" "test" {
  count                = %[1]d
  prefix               = format("team%%02d", count.index)
  description          = format("team %%d v%[3]d", count.index)
  applied_for          = ["REPLICATION", "PULL_THROUGH_CACHE"]
  image_tag_mutability = "IMMUTABLE"
  resource_tags = {
    team = format("team%%02d", count.index)
  }
}

resource "ecr_pull_through_cache_rule" "test" {
  count                 = %[2]d
  ecr_repository_prefix = format("cache%%02d", count.index)
  upstream_registry_url = "public.ecr.aws"
  %[4]s
}
`, templates, caches, v, role)
}
