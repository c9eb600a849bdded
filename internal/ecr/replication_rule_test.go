package ecr_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const testAccReplicationRuleAddr = "ecr_replication_rule.test"

// testAccReplicationRuleRegions are destinations of distinct rules (not
// the backend's Region, which is the source).
var testAccReplicationRuleRegions = []string{"us-east-1", "us-east-2", "eu-west-1", "eu-west-2", "eu-central-1",
	"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1"}

// testAccReplicationRuleID is the id of the rule replicating filter (none:
// "") to region of the backend's account.
func testAccReplicationRuleID(b *acctest.Backend, region, filter string) string {
	id := fmt.Sprintf(`{"destinations":[{"region":%q,"registryId":%q}]`, region, b.AccountID)
	if filter != "" {
		id += fmt.Sprintf(`,"repositoryFilters":[%q]`, filter)
	}
	return id + "}"
}

// testAccCheckReplicationRuleIDs checks that the registry's rules are
// exactly want (ids, in any order).
func testAccCheckReplicationRuleIDs(b *acctest.Backend, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := b.Client.DescribeRegistry(acctest.Context(), &awsecr.DescribeRegistryInput{})
		if err != nil {
			return err
		}
		got := map[string]bool{}
		for _, r := range out.ReplicationConfiguration.Rules {
			var filters []string
			for _, f := range r.RepositoryFilters {
				filters = append(filters, aws.ToString(f.Filter))
			}
			got[testAccReplicationRuleID(b, aws.ToString(r.Destinations[0].Region), strings.Join(filters, ","))] = true
		}
		wantSet := map[string]bool{}
		for _, w := range want {
			wantSet[w] = true
		}
		if fmt.Sprint(got) != fmt.Sprint(wantSet) {
			return fmt.Errorf("replication rules = %v, want %v", got, wantSet)
		}
		return nil
	}
}

func testAccReplicationRuleConfig(b *acctest.Backend, region, filter, timeout string) string {
	extra := ""
	if filter != "" {
		extra += fmt.Sprintf("  repository_filter {\n    filter      = %q\n    filter_type = \"PREFIX_MATCH\"\n  }\n", filter)
	}
	if timeout != "" {
		extra += fmt.Sprintf("  timeouts {\n    create = %q\n  }\n", timeout)
	}
	return b.Config(fmt.Sprintf(`
resource "ecr_replication_rule" "test" {
  destination {
    region      = %q
    registry_id = %q
  }
%s}
`, region, b.AccountID, extra))
}

// testAccPutReplicationRules sets the registry's rules out of band.
func testAccPutReplicationRules(b *acctest.Backend, regions ...string) error {
	rules := []awstypes.ReplicationRule{}
	for _, r := range regions {
		rules = append(rules, awstypes.ReplicationRule{Destinations: []awstypes.ReplicationDestination{
			{Region: aws.String(r), RegistryId: aws.String(b.AccountID)}}})
	}
	_, err := b.Client.PutReplicationConfiguration(acctest.Context(), &awsecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: rules}})
	return err
}

// Create, import, a change of the rule replaces it, a change of the
// timeouts is in place; a rule added out of band is kept throughout and
// after destroy.
func TestAccReplicationRule_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto allows one replication rule")
	other := testAccReplicationRuleID(b, "sa-east-1", "")
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckReplicationRuleIDs(b, other),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if err := testAccPutReplicationRules(b, "sa-east-1"); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccReplicationRuleConfig(b, "us-east-1", "app", ""),
				Check:  testAccCheckReplicationRuleIDs(b, other, testAccReplicationRuleID(b, "us-east-1", "app")),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccReplicationRuleAddr, "id", knownvalue.StringExact(testAccReplicationRuleID(b, "us-east-1", "app"))),
					stateValueAt(testAccReplicationRuleAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{ResourceName: testAccReplicationRuleAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Any JSON of the rule imports it; the id becomes the canonical one.
				ResourceName: testAccReplicationRuleAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts"},
				ImportStateId: fmt.Sprintf(`{ "repositoryFilters": ["app"], "destinations": [ {"registryId": %q, "region": "us-east-1"} ] }@%s`,
					b.AccountID, b.Region),
			},
			{
				Config:           testAccReplicationRuleConfig(b, "us-east-1", "team", ""),
				Check:            testAccCheckReplicationRuleIDs(b, other, testAccReplicationRuleID(b, "us-east-1", "team")),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccReplicationRuleAddr, plancheck.ResourceActionReplace),
			},
			{
				Config:           testAccReplicationRuleConfig(b, "us-east-1", "team", "5m"),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccReplicationRuleAddr, plancheck.ResourceActionUpdate),
			},
		},
	})
}

func TestAccReplicationRule_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckReplicationRuleIDs(b),
		Steps: []resource.TestStep{testAccStepDisappears(testAccReplicationRuleConfig(b, "us-east-1", "", ""),
			testAccReplicationRuleAddr, testAccCheckReplicationRuleIDs(b, testAccReplicationRuleID(b, "us-east-1", "")),
			func() error { return testAccPutReplicationRules(b) })},
	})
}

// Ten rules (ECR's maximum) from two provider aliases, applied at once:
// every rule is there afterwards, and destroy removes them all.
func TestAccReplicationRule_concurrent(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto allows one replication rule")
	var config strings.Builder
	config.WriteString(b.ProviderConfigWith(`alias = "a"`))
	config.WriteString(b.ProviderConfigWith(`alias = "b"`))
	var want []string
	for i, region := range testAccReplicationRuleRegions {
		alias := "a"
		if i%2 == 1 {
			alias = "b"
		}
		fmt.Fprintf(&config, `
resource "ecr_replication_rule" "r%[1]d" {
  provider = ecr.%[2]s
  destination {
    region      = %[3]q
    registry_id = %[4]q
  }
}
`, i, alias, region, b.AccountID)
		want = append(want, testAccReplicationRuleID(b, region, ""))
	}
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckReplicationRuleIDs(b),
		Steps: []resource.TestStep{{
			Config:           config.String(),
			Check:            testAccCheckReplicationRuleIDs(b, want...),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
		}},
	})
}

func TestAccReplicationRule_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: testAccReplicationRuleConfig(b, "us-east-1", "App*", ""), PlanOnly: true,
				ExpectError: expectWrapped(`filter.*must be a repository name prefix`)},
			{Config: b.Config(`
resource "ecr_replication_rule" "test" {
  destination {
    region      = "us-east-1"
    registry_id = "12345"
  }
}
`), PlanOnly: true, ExpectError: regexp.MustCompile(`must be a registry id`)},
		},
	})
}

// Another process writing the configuration at the same time (no lock
// shared with it): its writes drop the rule, and the rule writes again,
// keeping the other's rule, until the configuration holds both.
//
// Deterministic, not a race against the clock: the other writer watches
// the emulator's count of PutReplicationConfiguration calls and answers
// each of the rule's first `clobbers` writes at once with its own rule set
// (read before ours was added), while every DescribeRegistry is held back
// a second, so each of those writes is gone before the rule reads again.
// Each clobber restores exactly the configuration the rule's write
// replaced, which reads like a stale read: the rule waits 1 s, 2 s, 4 s
// before writing again, so the test takes some 20 s.
func TestAccReplicationRule_competingWriter(t *testing.T) {
	const clobbers = 3
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "the other writer watches the emulator's call counts")
	ours := testAccReplicationRuleID(b, "us-east-1", "app")
	other := testAccReplicationRuleID(b, "sa-east-1", "")
	done := make(chan error, 1)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckReplicationRuleIDs(b, other),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := testAccPutReplicationRules(b, "sa-east-1"); err != nil {
					t.Fatal(err)
				}
				b.Emulator.Faults().MustAdd(emulator.Fault{Op: "DescribeRegistry", Action: emulator.ActionLatency, Latency: time.Second})
				writes := func() int { return b.Emulator.CallCounts()["PutReplicationConfiguration"] }
				go func() {
					deadline := time.Now().Add(2 * time.Minute)
					for seen, last := 0, writes(); seen < clobbers; time.Sleep(2 * time.Millisecond) {
						if time.Now().After(deadline) {
							done <- fmt.Errorf("the rule wrote %d times in two minutes, want at least %d", seen, clobbers+1)
							return
						}
						if writes() == last {
							continue
						}
						seen++
						if err := testAccPutReplicationRules(b, "sa-east-1"); err != nil {
							done <- err
							return
						}
						last = writes()
					}
					done <- nil
				}()
			},
			Config: testAccReplicationRuleConfig(b, "us-east-1", "app", ""),
			Check: resource.ComposeTestCheckFunc(
				func(*terraform.State) error { return <-done },
				testAccCheckReplicationRuleIDs(b, other, ours),
				func(*terraform.State) error {
					if n := b.Emulator.CallCounts()["PutReplicationConfiguration"]; n < 2*clobbers+2 {
						return fmt.Errorf("%d writes of the configuration, want at least %d (the other writer's %d and the rule's %d)", n, 2*clobbers+2, clobbers+1, clobbers+1)
					}
					return nil
				},
			),
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
		}},
	})
}
