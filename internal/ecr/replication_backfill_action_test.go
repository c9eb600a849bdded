package ecr_test

// The ecr_replication_backfill action: through the protocol (progress
// events, errors; runs under every CLI) and through the CLI (Terraform
// 1.14+; OpenTofu has no actions yet, so under tofu these skip by version
// as the other action tests do).

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// testAccBackfillNeedsEmulator: moto has no replication backfills.
const testAccBackfillNeedsEmulator = "replication backfill: moto 5.2 does not implement StartReplicationBackfill"

// testAccBackfillOtherAccount is a destination account without a registry
// policy: replication to it fails.
const testAccBackfillOtherAccount = "210987654321"

// invokeReplicationBackfill invokes ecr_replication_backfill through the
// protocol towards region and registryID ("": the default) and returns its
// progress messages and its error diagnostics.
func invokeReplicationBackfill(t *testing.T, p *protoProvider, region, registryID string) (messages, errs []string) {
	t.Helper()
	typ := p.schemas.ActionSchemas["ecr_replication_backfill"].Schema.ValueType().(tftypes.Object)
	return p.invokeAction(t, "ecr_replication_backfill", map[string]tftypes.Value{
		"destination": tftypes.NewValue(typ.AttributeTypes["destination"], map[string]tftypes.Value{
			"region": optionalString(region), "registry_id": optionalString(registryID)}),
		"region": optionalString(""), "timeout": optionalString("1m"),
	})
}

// testAccBackfillConfigure puts a replication configuration with one rule
// towards dests ("region/account").
func testAccBackfillConfigure(t *testing.T, b *acctest.Backend, dests ...string) {
	t.Helper()
	var rule awstypes.ReplicationRule
	for _, d := range dests {
		region, account, _ := strings.Cut(d, "/")
		rule.Destinations = append(rule.Destinations, awstypes.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)})
	}
	if _, err := b.Client.PutReplicationConfiguration(acctest.Context(), &awsecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{rule}}}); err != nil {
		t.Fatal(err)
	}
}

// testAccBackfillTags returns the tags the repository has in region, or
// nil when the repository does not exist there.
func testAccBackfillTags(t *testing.T, b *acctest.Backend, region, repository string) []string {
	t.Helper()
	out, err := b.ClientIn(region).DescribeImages(acctest.Context(), &awsecr.DescribeImagesInput{RepositoryName: aws.String(repository)})
	if _, ok := errors.AsType[*awstypes.RepositoryNotFoundException](err); ok {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	tags := []string{}
	for _, d := range out.ImageDetails {
		tags = append(tags, d.ImageTags...)
	}
	slices.Sort(tags)
	return tags
}

// TestReplicationBackfillAction_protocol: images pushed before the
// replication configuration reach the destination through the action,
// which reports its progress; a destination in another account without a
// registry policy fails, listing the images; a destination the
// configuration lacks is refused before anything starts, naming those it
// has.
func TestReplicationBackfillAction_protocol(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccBackfillNeedsEmulator)
	p := newProtoProvider(t, b)
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String("svc")}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1", "v2"} {
		if err := putImage(b, "svc", tag); err != nil {
			t.Fatal(err)
		}
	}
	testAccBackfillConfigure(t, b, "us-east-1/"+b.AccountID, "eu-west-1/"+testAccBackfillOtherAccount)
	if tags := testAccBackfillTags(t, b, "us-east-1", "svc"); tags != nil {
		t.Fatalf("before the backfill, us-east-1 has svc with %v", tags)
	}

	messages, errs := invokeReplicationBackfill(t, p, "us-east-1", "")
	out := strings.Join(messages, "\n")
	if len(errs) > 0 || !regexp.MustCompile(`replication backfill \S+ to us-east-1 \(`+b.AccountID+`\): started`).MatchString(out) ||
		!regexp.MustCompile(`replication backfill \S+: COMPLETE: 2 of 2 images replicated`).MatchString(out) {
		t.Fatalf("backfill to us-east-1: messages %q, errors %q", out, errs)
	}
	if tags := testAccBackfillTags(t, b, "us-east-1", "svc"); !slices.Equal(tags, []string{"v1", "v2"}) {
		t.Errorf("after the backfill, us-east-1 has svc with %v, want v1 and v2", tags)
	}

	messages, errs = invokeReplicationBackfill(t, p, "eu-west-1", testAccBackfillOtherAccount)
	if len(errs) != 1 {
		t.Fatalf("backfill to another account: messages %q, errors %q", messages, errs)
	}
	for _, want := range []string{"ended FAILED (ACCESS_DENIED): 0 of 2 images replicated, 2 failed (ACCESS_DENIED)",
		"svc:v1@" + acctest.ImageDigest("v1") + ": ACCESS_DENIED", "svc:v2@" + acctest.ImageDigest("v2") + ": ACCESS_DENIED",
		"allows ecr:ReplicateImage"} {
		if !strings.Contains(errs[0], want) {
			t.Errorf("the error lacks %q:\n%s", want, errs[0])
		}
	}

	_, errs = invokeReplicationBackfill(t, p, "ap-south-1", "")
	if want := "ap-south-1 (" + b.AccountID + ") is not a destination of the registry's replication configuration, which has us-east-1 (" +
		b.AccountID + "), eu-west-1 (" + testAccBackfillOtherAccount + ")"; len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("unconfigured destination: errors %q, want %q", errs, want)
	}
	list, err := b.Client.ListReplicationBackfills(acctest.Context(), &awsecr.ListReplicationBackfillsInput{})
	if err != nil || len(list.Backfills) != 2 {
		t.Errorf("backfills after the refusal: %+v, %v; want the two started before", list, err)
	}
}

// TestReplicationBackfillAction_limits: the action refuses to start while a
// backfill to the same Region is in progress, and while ten are, saying
// what to do (the emulator's backfills last an hour here).
func TestReplicationBackfillAction_limits(t *testing.T) {
	b := acctest.NewBackend(t, emulator.WithTransitionDelay(time.Hour))
	b.RequireEmulator(t, testAccBackfillNeedsEmulator)
	p := newProtoProvider(t, b)
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
		"eu-north-1", "ap-south-1", "ap-northeast-1", "ap-southeast-2"}
	var dests []string
	for _, r := range regions {
		dests = append(dests, r+"/"+b.AccountID)
	}
	testAccBackfillConfigure(t, b, dests...)
	start := func(region string) string {
		t.Helper()
		out, err := b.Client.StartReplicationBackfill(acctest.Context(), &awsecr.StartReplicationBackfillInput{
			Destination: &awstypes.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(b.AccountID)}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ReplicationBackfillId)
	}
	id := start("us-east-1")
	_, errs := invokeReplicationBackfill(t, p, "us-east-1", b.AccountID)
	if want := "replication backfill " + id + " to us-east-1 is PREPARING: ECR runs one backfill per destination Region at a time"; len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("backfill in progress: errors %q, want %q", errs, want)
	}
	for _, r := range regions[1:10] {
		start(r)
	}
	_, errs = invokeReplicationBackfill(t, p, regions[10], b.AccountID)
	if want := "the registry has 10 replication backfills in progress, ECR's limit"; len(errs) != 1 || !strings.Contains(errs[0], want) {
		t.Errorf("ten in progress: errors %q, want %q", errs, want)
	}
}

// testAccReplicationBackfillConfig replicates the whole registry to
// us-east-1 of the same account and backfills it once the configuration is
// created; destination is the action's destination block.
func testAccReplicationBackfillConfig(b *acctest.Backend, destination string) string {
	return fmt.Sprintf(`
resource "ecr_replication_configuration" "test" {
  replication_configuration {
    rule {
      destination {
        region      = "us-east-1"
        registry_id = %[1]q
      }
    }
  }

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.ecr_replication_backfill.test]
    }
  }
}

action "ecr_replication_backfill" "test" {
  config {
    destination {
%[2]s
    }
    timeout = "2m"
  }
}
`, b.AccountID, destination)
}

// TestAccReplicationBackfillAction_trigger: an image pushed before any
// replication configuration is not replicated by it; the action, triggered
// after the configuration is created, replicates it (its progress in the
// CLI's output), and -invoke runs it again on demand.
func TestAccReplicationBackfillAction_trigger(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccBackfillNeedsEmulator)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	rName := acctest.RandomName("tf-acc-backfill")
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PushImage(rName, "v1"); err != nil {
		t.Fatal(err)
	}
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(testAccReplicationBackfillConfig(b, `      region = "us-east-1"`))
	out := cli.MustRun("apply", "-input=false", "-auto-approve")
	if !regexp.MustCompile(`replication backfill \S+: COMPLETE: 1 of 1 images replicated`).MatchString(out) {
		t.Errorf("the output lacks the backfill's progress:\n%s", out)
	}
	if tags := testAccBackfillTags(t, b, "us-east-1", rName); !slices.Equal(tags, []string{"v1"}) {
		t.Errorf("after the backfill, us-east-1 has %s with tags %v, want v1", rName, tags)
	}
	cli.ExpectEmptyPlan()

	// On demand, with an image pushed since (replicated by the
	// configuration anyway): both are reported.
	if _, err := b.PushImage(rName, "v2"); err != nil {
		t.Fatal(err)
	}
	out = cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_replication_backfill.test")
	if !regexp.MustCompile(`replication backfill \S+: COMPLETE: 2 of 2 images replicated`).MatchString(out) {
		t.Errorf("the output of -invoke lacks the backfill's progress:\n%s", out)
	}
}

// TestAccReplicationBackfillAction_errors: a destination the configuration
// lacks fails the apply that triggers the action, naming the configured
// one; a malformed registry_id fails the plan, naming the attribute.
func TestAccReplicationBackfillAction_errors(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccBackfillNeedsEmulator)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   skipBelowQuery, // actions need Terraform 1.14, as list resources
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			out, err := b.Client.DescribeRegistry(acctest.Context(), &awsecr.DescribeRegistryInput{})
			if err != nil {
				return err
			}
			if n := len(out.ReplicationConfiguration.Rules); n > 0 {
				return fmt.Errorf("the replication configuration still has %d rule(s)", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccReplicationBackfillConfig(b, `      region      = "us-east-1"
      registry_id = "12345"`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)destination\.registry_id must be a registry id, the 12-digit AWS\s+account id`),
			},
			{
				Config: b.Config(testAccReplicationBackfillConfig(b, `      region = "eu-west-1"`)),
				ExpectError: regexp.MustCompile(`(?s)eu-west-1 \(` + b.AccountID + `\) is not a destination of the\s+registry's\s+replication\s+configuration,\s+which\s+has\s+us-east-1\s+\(` +
					b.AccountID + `\)`),
			},
		},
	})
}
