package ecr_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const testAccReplicationConfigurationAddr = "ecr_replication_configuration.test"

func findReplicationConfiguration(ctx context.Context, client *awsecr.Client, _ string) (*awsecr.DescribeRegistryOutput, error) {
	return ecr.FindReplicationConfiguration(ctx, client)
}

// testAccCheckReplicationRules checks the rules ECR has, each rendered as
// "dest,dest|filter,filter|delete" (delete: "", "true" or "false").
func testAccCheckReplicationRules(b *acctest.Backend, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := b.Client.DescribeRegistry(acctest.Context(), &awsecr.DescribeRegistryInput{})
		if err != nil {
			return err
		}
		var got []string
		for _, r := range out.ReplicationConfiguration.Rules {
			var dests, filters []string
			for _, d := range r.Destinations {
				dests = append(dests, aws.ToString(d.Region)+":"+aws.ToString(d.RegistryId))
			}
			for _, f := range r.RepositoryFilters {
				filters = append(filters, aws.ToString(f.Filter))
			}
			del := ""
			if r.DeleteReplication != nil {
				del = fmt.Sprint(r.DeleteReplication.Enabled)
			}
			got = append(got, strings.Join(dests, ",")+"|"+strings.Join(filters, ",")+"|"+del)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("replication rules = %q, want %q", got, want)
		}
		return nil
	}
}

// testAccReplicationConfigurationConfig is one rule replicating the
// repositories starting with filter to us-east-1 of the same account.
func testAccReplicationConfigurationConfig(b *acctest.Backend, filter string) string {
	return b.Config(fmt.Sprintf(`
resource "ecr_replication_configuration" "test" {
  replication_configuration {
    rule {
      destination {
        region      = "us-east-1"
        registry_id = %[1]q
      }
      repository_filter {
        filter      = %[2]q
        filter_type = "PREFIX_MATCH"
      }
    }
  }
}
`, b.AccountID, filter))
}

func TestAccReplicationConfiguration_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_replication_configuration", "id", findReplicationConfiguration),
		Steps: []resource.TestStep{
			{
				Config: testAccReplicationConfigurationConfig(b, "app"),
				Check:  testAccCheckReplicationRules(b, "us-east-1:"+b.AccountID+"|app|"),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccReplicationConfigurationAddr, "id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccReplicationConfigurationAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{ResourceName: testAccReplicationConfigurationAddr, ImportState: true, ImportStateVerify: true},
			{
				Config:           testAccReplicationConfigurationConfig(b, "team"),
				Check:            testAccCheckReplicationRules(b, "us-east-1:"+b.AccountID+"|team|"),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccReplicationConfigurationAddr, plancheck.ResourceActionUpdate),
			},
		},
	})
}

// Several rules, destinations and filters, and delete_replication (ECR's
// deleteReplication), switched on and off in place.
func TestAccReplicationConfiguration_deleteReplication(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto allows one rule and has no deleteReplication")
	config := func(enabled string) string {
		return b.Config(fmt.Sprintf(`
resource "ecr_replication_configuration" "test" {
  replication_configuration {
    rule {
      destination {
        region      = "us-east-1"
        registry_id = %[1]q
      }
      destination {
        region      = "eu-west-1"
        registry_id = "210987654321"
      }
      repository_filter {
        filter      = "app"
        filter_type = "PREFIX_MATCH"
      }
      repository_filter {
        filter      = "team/"
        filter_type = "PREFIX_MATCH"
      }
      %[2]s
    }
    rule {
      destination {
        region      = "ap-southeast-2"
        registry_id = %[1]q
      }
    }
  }
}
`, b.AccountID, enabled))
	}
	dests := "us-east-1:" + b.AccountID + ",eu-west-1:210987654321|app,team/|"
	other := "ap-southeast-2:" + b.AccountID + "||"
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_replication_configuration", "id", findReplicationConfiguration),
		Steps: []resource.TestStep{
			{
				Config:           config("delete_replication {\n enabled = true\n}"),
				Check:            testAccCheckReplicationRules(b, dests+"true", other),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccReplicationConfigurationAddr, "replication_configuration", knownvalue.ListSizeExact(1)),
				},
			},
			{ResourceName: testAccReplicationConfigurationAddr, ImportState: true, ImportStateVerify: true},
			{
				Config:           config("delete_replication {\n enabled = false\n}"),
				Check:            testAccCheckReplicationRules(b, dests+"false", other),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccReplicationConfigurationAddr, plancheck.ResourceActionUpdate),
			},
			{
				Config:           config(""),
				Check:            testAccCheckReplicationRules(b, dests, other),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccReplicationConfigurationAddr, plancheck.ResourceActionUpdate),
			},
		},
	})
}

func TestAccReplicationConfiguration_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_replication_configuration", "id", findReplicationConfiguration),
		Steps: []resource.TestStep{testAccStepDisappears(testAccReplicationConfigurationConfig(b, "app"),
			testAccReplicationConfigurationAddr, testAccCheckExists(b, testAccReplicationConfigurationAddr, "id", findReplicationConfiguration, nil),
			func() error {
				_, err := b.Client.PutReplicationConfiguration(acctest.Context(), &awsecr.PutReplicationConfigurationInput{
					ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{}}})
				return err
			})},
	})
}

func TestAccReplicationConfiguration_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	rule := func(destination, filter string) string {
		return b.Config(fmt.Sprintf(`
resource "ecr_replication_configuration" "test" {
  replication_configuration {
    rule {
      %s
      %s
    }
  }
}
`, destination, filter))
	}
	dest := `destination {
        region      = "us-east-1"
        registry_id = "123456789012"
      }`
	testAccSingletonTest(t, b, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: rule(dest, `repository_filter {
        filter      = "app"
        filter_type = "WILDCARD"
      }`), PlanOnly: true, ExpectError: expectWrapped(`filter_type.*value must be one of`)},
			{Config: rule(dest, `repository_filter {
        filter      = "App*"
        filter_type = "PREFIX_MATCH"
      }`), PlanOnly: true, ExpectError: expectWrapped(`filter.*must be a repository name prefix`)},
			{Config: rule(`destination {
        region      = "us-east-1"
        registry_id = "1234"
      }`, ""), PlanOnly: true, ExpectError: expectWrapped(`registry_id.*must be a registry id`)},
			{Config: rule("", ""), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)destination`)},
			{Config: b.Config(`
resource "ecr_replication_configuration" "test" {
  replication_configuration {
` + strings.Repeat("    rule {\n      "+dest+"\n    }\n", 11) + `
  }
}
`), PlanOnly: true, ExpectError: expectWrapped(`rule.*(at most|between 1 and) 10`)},
		},
	})
}
