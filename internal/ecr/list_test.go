package ecr_test

// Acceptance tests of the list resources (`terraform query`, Terraform
// 1.14+; OpenTofu has none yet): they skip by version on older CLIs and run
// under terraform 1.16 in CI.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	tfecr "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// skipBelowQuery skips a test of list resources on CLIs without them.
var skipBelowQuery = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// repositoryIdentity is the expected identity of a repository or of a
// repository-scoped policy (nameAttr "name" or "repository").
func repositoryIdentity(b *acctest.Backend, nameAttr, name string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{
		nameAttr:     knownvalue.StringExact(name),
		"account_id": knownvalue.StringExact(b.AccountID),
		"region":     knownvalue.StringExact(b.Region),
	}
}

// TestAccRepositoryList_filters: name_prefix and tags narrow the results,
// every result carries the repository's identity, and include_resource
// returns the state an import reads.
func TestAccRepositoryList_filters(t *testing.T) {
	b := acctest.NewBackend(t)
	prefix := acctest.RandomName("tf-acc-list")
	other := acctest.RandomName("tf-acc-other")
	nameA, nameB := prefix+"/a", prefix+"/b"
	config := b.Config(fmt.Sprintf(`
resource "ecr_repository" "a" {
  name = %[1]q
  tags = { team = "a", env = "prod" }
}
resource "ecr_repository" "b" {
  name                 = %[2]q
  image_tag_mutability = "IMMUTABLE"
  tags                 = { team = "b" }
}
resource "ecr_repository" "other" {
  name = %[3]q
  tags = { team = "a" }
}
`, nameA, nameB, other))
	query := fmt.Sprintf(`
list "ecr_repository" "prefix" {
  provider = ecr
  config {
    name_prefix = %[1]q
  }
}
list "ecr_repository" "team_a" {
  provider = ecr
  config {
    tags = { team = "a" }
  }
}
list "ecr_repository" "both" {
  provider         = ecr
  include_resource = true
  config {
    name_prefix = %[1]q
    tags        = { team = "a" }
  }
}
list "ecr_repository" "all" {
  provider = ecr
}
`, prefix+"/")
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Query:  true,
				Config: query,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("ecr_repository.all", 3),
					querycheck.ExpectLength("ecr_repository.prefix", 2),
					querycheck.ExpectIdentity("ecr_repository.prefix", repositoryIdentity(b, "name", nameA)),
					querycheck.ExpectIdentity("ecr_repository.prefix", repositoryIdentity(b, "name", nameB)),
					querycheck.ExpectLength("ecr_repository.team_a", 2),
					querycheck.ExpectIdentity("ecr_repository.team_a", repositoryIdentity(b, "name", nameA)),
					querycheck.ExpectIdentity("ecr_repository.team_a", repositoryIdentity(b, "name", other)),
					querycheck.ExpectLength("ecr_repository.both", 1),
					querycheck.ExpectResourceDisplayName("ecr_repository.both",
						queryfilter.ByResourceIdentity(repositoryIdentity(b, "name", nameA)), knownvalue.StringExact(nameA)),
					querycheck.ExpectResourceKnownValues("ecr_repository.both",
						queryfilter.ByResourceIdentity(repositoryIdentity(b, "name", nameA)), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(nameA)},
							{Path: tfjsonpath.New("arn"), KnownValue: knownvalue.StringExact(
								fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", b.Region, b.AccountID, nameA))},
							{Path: tfjsonpath.New("image_tag_mutability"), KnownValue: knownvalue.StringExact("MUTABLE")},
							{Path: tfjsonpath.New("tags"), KnownValue: mapExact(map[string]string{"team": "a", "env": "prod"})},
							{Path: tfjsonpath.New("force_delete"), KnownValue: knownvalue.Bool(false)},
						}),
				},
			},
		},
	})
}

// TestAccRepositoryScopedPolicyList: the policy list resources return one
// result per repository that has such a policy, and include_resource
// returns the policy as an import reads it.
func TestAccRepositoryScopedPolicyList(t *testing.T) {
	b := acctest.NewBackend(t)
	prefix := acctest.RandomName("tf-acc-plist")
	withBoth, withPolicy, withNone := prefix+"/both", prefix+"/policy", prefix+"/none"
	config := b.Config(fmt.Sprintf(`
resource "ecr_repository" "both" {
  name = %[1]q
}
resource "ecr_repository" "policy" {
  name = %[2]q
}
resource "ecr_repository" "none" {
  name = %[3]q
}
resource "ecr_repository_policy" "both" {
  repository = ecr_repository.both.name
  policy     = %[4]q
}
resource "ecr_repository_policy" "policy" {
  repository = ecr_repository.policy.name
  policy     = %[4]q
}
resource "ecr_lifecycle_policy" "both" {
  repository = ecr_repository.both.name
  policy     = %[5]q
}
`, withBoth, withPolicy, withNone, testPolicyCompact, testLifecycleTwoRules))
	query := fmt.Sprintf(`
list "ecr_repository_policy" "all" {
  provider         = ecr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}
list "ecr_lifecycle_policy" "all" {
  provider         = ecr
  include_resource = true
}
list "ecr_repository_policy" "none" {
  provider = ecr
  config {
    name_prefix = %[2]q
  }
}
`, prefix+"/", withNone)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Query:  true,
				Config: query,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("ecr_repository_policy.all", 2),
					querycheck.ExpectIdentity("ecr_repository_policy.all", repositoryIdentity(b, "repository", withBoth)),
					querycheck.ExpectIdentity("ecr_repository_policy.all", repositoryIdentity(b, "repository", withPolicy)),
					querycheck.ExpectResourceKnownValues("ecr_repository_policy.all",
						queryfilter.ByResourceIdentity(repositoryIdentity(b, "repository", withPolicy)), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("repository"), KnownValue: knownvalue.StringExact(withPolicy)},
							{Path: tfjsonpath.New("registry_id"), KnownValue: knownvalue.StringExact(b.AccountID)},
							{Path: tfjsonpath.New("policy"), KnownValue: knownvalue.StringFunc(equivalentIAMPolicy(testPolicyCompact))},
						}),
					querycheck.ExpectLength("ecr_lifecycle_policy.all", 1),
					querycheck.ExpectIdentity("ecr_lifecycle_policy.all", repositoryIdentity(b, "repository", withBoth)),
					querycheck.ExpectResourceKnownValues("ecr_lifecycle_policy.all",
						queryfilter.ByResourceIdentity(repositoryIdentity(b, "repository", withBoth)), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("repository"), KnownValue: knownvalue.StringExact(withBoth)},
							{Path: tfjsonpath.New("policy"), KnownValue: knownvalue.StringFunc(equivalentLifecyclePolicy(testLifecycleTwoRules))},
						}),
					querycheck.ExpectLength("ecr_repository_policy.none", 0),
				},
			},
		},
	})
}

// equivalentIAMPolicy checks that a policy in state grants what want does.
func equivalentIAMPolicy(want string) func(string) error {
	return func(got string) error {
		if !tfecr.IAMPoliciesEquivalent(want, got) {
			return fmt.Errorf("policy %s is not equivalent to %s", got, want)
		}
		return nil
	}
}

// equivalentLifecyclePolicy checks that a lifecycle policy in state means
// what want does.
func equivalentLifecyclePolicy(want string) func(string) error {
	return func(got string) error {
		if !tfecr.LifecyclePoliciesEquivalent(want, got) {
			return fmt.Errorf("lifecycle policy %s is not equivalent to %s", got, want)
		}
		return nil
	}
}

// TestAccRepositoryList_generateConfigCLI: `terraform query
// -generate-config-out` turns the results of list blocks with
// include_resource into resource and import blocks, which apply as imports
// with an empty plan after.
func TestAccRepositoryList_generateConfigCLI(t *testing.T) {
	b := acctest.NewBackend(t)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	prefix := acctest.RandomName("tf-acc-query")
	ctx := acctest.Context()
	for _, name := range []string{prefix + "/a", prefix + "/b"} {
		if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{
			RepositoryName: aws.String(name),
			Tags:           []awstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Client.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{
			RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(testLifecycleTwoRules),
		}); err != nil {
			t.Fatal(err)
		}
	}
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig("")
	cli.WriteFile("find.tfquery.hcl", fmt.Sprintf(`
list "ecr_repository" "team_a" {
  provider         = ecr
  include_resource = true
  config {
    name_prefix = %[1]q
    tags        = { team = "a" }
  }
}
list "ecr_lifecycle_policy" "team_a" {
  provider         = ecr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}
`, prefix+"/"))
	cli.MustRun("query", "-generate-config-out=generated.tf")
	generated := cli.ReadFile("generated.tf")
	if n := strings.Count(generated, "import {"); n != 4 {
		t.Errorf("generated.tf has %d import blocks, want 4 (2 repositories, 2 lifecycle policies)", n)
	}
	out := cli.MustRun("apply", "-input=false", "-auto-approve")
	if !strings.Contains(out, "4 imported, 0 added, 0 changed, 0 destroyed") {
		t.Errorf("the apply did more or less than import the four resources")
	}
	cli.ExpectEmptyPlan()
}

// TestAccPullThroughCacheRuleList: every rule of the registry, or those of
// one upstream, with identities, and with include_resource the state an
// import reads.
func TestAccPullThroughCacheRuleList(t *testing.T) {
	b := testAccPullThroughCacheRuleBackend(t)
	hub := testAccPullThroughCacheRuleName()
	identity := func(prefix string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"ecr_repository_prefix": knownvalue.StringExact(prefix),
			"account_id":            knownvalue.StringExact(b.AccountID),
			"region":                knownvalue.StringExact(b.Region),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckPullThroughCacheRuleDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccPullThroughCacheRuleConfig_dockerHub(hub, testPTCCredential1, "") + `
resource "ecr_pull_through_cache_rule" "quay" {
  ecr_repository_prefix = "quay"
  upstream_registry_url = "quay.io"
}
`)},
			{
				Query: true,
				Config: `
list "ecr_pull_through_cache_rule" "all" {
  provider = ecr
}
list "ecr_pull_through_cache_rule" "hub" {
  provider         = ecr
  include_resource = true
  config {
    upstream_registry = "docker-hub"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("ecr_pull_through_cache_rule.all", 2),
					querycheck.ExpectIdentity("ecr_pull_through_cache_rule.all", identity(hub)),
					querycheck.ExpectIdentity("ecr_pull_through_cache_rule.all", identity("quay")),
					querycheck.ExpectLength("ecr_pull_through_cache_rule.hub", 1),
					querycheck.ExpectResourceDisplayName("ecr_pull_through_cache_rule.hub",
						queryfilter.ByResourceIdentity(identity(hub)), knownvalue.StringExact(hub)),
					querycheck.ExpectResourceKnownValues("ecr_pull_through_cache_rule.hub",
						queryfilter.ByResourceIdentity(identity(hub)), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("upstream_registry_url"), KnownValue: knownvalue.StringExact("registry-1.docker.io")},
							{Path: tfjsonpath.New("credential_arn"), KnownValue: knownvalue.StringExact(testPTCCredential1)},
							{Path: tfjsonpath.New("upstream_repository_prefix"), KnownValue: knownvalue.StringExact("ROOT")},
						}),
				},
			},
		},
	})
}

// TestAccRepositoryCreationTemplateList: every template, or those applied
// for one purpose, with identities, and with include_resource the state an
// import reads.
func TestAccRepositoryCreationTemplateList(t *testing.T) {
	b := testAccTemplateBackend(t)
	rName := acctest.RandomName("tf-acc-rct")
	identity := func(prefix string) map[string]knownvalue.Check {
		return map[string]knownvalue.Check{
			"prefix":     knownvalue.StringExact(prefix),
			"account_id": knownvalue.StringExact(b.AccountID),
			"region":     knownvalue.StringExact(b.Region),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckTemplateDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccTemplateConfig_minimal(rName) + `
resource "ecr_repository_creation_template" "root" {
  prefix      = "ROOT"
  applied_for = ["REPLICATION"]
  description = "everything else"
}
`)},
			{
				Query: true,
				Config: `
list "ecr_repository_creation_template" "all" {
  provider = ecr
}
list "ecr_repository_creation_template" "replication" {
  provider         = ecr
  include_resource = true
  config {
    applied_for = "REPLICATION"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("ecr_repository_creation_template.all", 2),
					querycheck.ExpectIdentity("ecr_repository_creation_template.all", identity(rName)),
					querycheck.ExpectIdentity("ecr_repository_creation_template.all", identity("ROOT")),
					querycheck.ExpectLength("ecr_repository_creation_template.replication", 1),
					querycheck.ExpectResourceKnownValues("ecr_repository_creation_template.replication",
						queryfilter.ByResourceIdentity(identity("ROOT")), []querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("description"), KnownValue: knownvalue.StringExact("everything else")},
							{Path: tfjsonpath.New("image_tag_mutability"), KnownValue: knownvalue.StringExact("MUTABLE")},
							{Path: tfjsonpath.New("registry_id"), KnownValue: knownvalue.StringExact(b.AccountID)},
						}),
				},
			},
		},
	})
}
