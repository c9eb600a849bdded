package ecr_test

// The ecr_lifecycle_policy_preview action through the CLI (Terraform 1.14+;
// OpenTofu has no actions yet): its progress messages appear only in the
// CLI's output, which terraform-plugin-testing does not show, so these
// tests drive the CLI themselves.

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// testAccPreviewPolicy keeps the newest `keep` images tagged v*.
func testAccPreviewPolicy(keep int) string {
	return fmt.Sprintf(`{"rules":[{"rulePriority":1,"description":"keep %[1]d","selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":%[1]d},"action":{"type":"expire"}}]}`, keep)
}

// testAccPreviewImages pushes v1, v2, v3 (in that order) and returns their
// digests by tag.
func testAccPreviewImages(t *testing.T, b *acctest.Backend, repository string) map[string]string {
	t.Helper()
	digests := map[string]string{}
	for _, tag := range []string{"v1", "v2", "v3"} {
		if err := putImage(b, repository, tag); err != nil {
			t.Fatal(err)
		}
		out, err := b.Client.DescribeImages(acctest.Context(), &awsecr.DescribeImagesInput{
			RepositoryName: aws.String(repository), ImageIds: []awstypes.ImageIdentifier{{ImageTag: aws.String(tag)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		digests[tag] = aws.ToString(out.ImageDetails[0].ImageDigest)
	}
	return digests
}

// testAccPreviewNeedsEmulator: moto has no lifecycle policy preview.
const testAccPreviewNeedsEmulator = "lifecycle policy preview: moto 5.2 answers StartLifecyclePolicyPreview and GetLifecyclePolicyPreview with 500"

// TestAccLifecyclePolicyPreviewAction_trigger: an action_trigger runs the
// preview after the lifecycle policy is created, and its messages name
// each image the policy would expire; -invoke runs it on demand with
// another policy; nothing is deleted.
func TestAccLifecyclePolicyPreviewAction_trigger(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccPreviewNeedsEmulator)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	rName := acctest.RandomName("tf-acc-preview")
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	digests := testAccPreviewImages(t, b, rName)

	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(fmt.Sprintf(`
resource "ecr_lifecycle_policy" "test" {
  repository = %[1]q
  policy     = %[2]q

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.ecr_lifecycle_policy_preview.test]
    }
  }
}

action "ecr_lifecycle_policy_preview" "test" {
  config {
    repository = ecr_lifecycle_policy.test.repository
  }
}

action "ecr_lifecycle_policy_preview" "keep_two" {
  config {
    repository = %[1]q
    policy     = %[3]q
    timeout    = "2m"
  }
}
`, rName, testAccPreviewPolicy(1), testAccPreviewPolicy(2)))

	out := cli.MustRun("apply", "-input=false", "-auto-approve")
	expectPreview(t, out, rName, "its lifecycle policy", []string{digests["v1"], digests["v2"]}, digests["v3"], 2)
	cli.ExpectEmptyPlan()

	out = cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_lifecycle_policy_preview.keep_two")
	expectPreview(t, out, rName, "the given lifecycle policy", []string{digests["v1"]}, digests["v2"], 1)

	// A preview changes nothing.
	images, err := b.Client.ListImages(acctest.Context(), &awsecr.ListImagesInput{RepositoryName: aws.String(rName)})
	if err != nil {
		t.Fatal(err)
	}
	if len(images.ImageIds) != 3 {
		t.Errorf("%d images after the previews, want the 3 pushed", len(images.ImageIds))
	}
}

// expectPreview checks the action's messages in the CLI output: it started,
// names each expiring digest with its rule, not the kept one, and counts.
func expectPreview(t *testing.T, out, repository, what string, expiring []string, kept string, n int) {
	t.Helper()
	for _, want := range []string{
		repository + ": started a preview of " + what,
		fmt.Sprintf("%s: preview complete: %d image(s) would expire, none moved to another storage class (%d result(s))", repository, n, n),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	for _, d := range expiring {
		if !regexp.MustCompile(`rule 1 would expire ` + regexp.QuoteMeta(d) + ` \(tags: v\d; pushed `).MatchString(out) {
			t.Errorf("the output does not say that rule 1 would expire %s", d)
		}
	}
	if strings.Contains(out, "would expire "+kept) {
		t.Errorf("the output says that %s, which the policy keeps, would expire", kept)
	}
}

// TestAccLifecyclePolicyPreviewAction_errors: invoking the preview on a
// repository without a lifecycle policy, and without one in `policy`,
// fails with what to do; an invalid `policy` fails before anything runs.
func TestAccLifecyclePolicyPreviewAction_errors(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccPreviewNeedsEmulator)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	rName := acctest.RandomName("tf-acc-preview")
	if _, err := b.Client.CreateRepository(context.Background(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	// One configuration each: Terraform validates every action of the
	// configuration, whichever is invoked.
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(fmt.Sprintf(`
action "ecr_lifecycle_policy_preview" "none" {
  config {
    repository = %[1]q
  }
}
`, rName))
	out, err := cli.Run("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_lifecycle_policy_preview.none")
	if err == nil || !strings.Contains(out, "The repository has no lifecycle policy") {
		t.Errorf("invoking the preview without a policy: want the error that says so, got %v", err)
	}
	cli.WriteConfig(fmt.Sprintf(`
action "ecr_lifecycle_policy_preview" "invalid" {
  config {
    repository = %[1]q
    policy     = jsonencode({ rules = [{ rulePriority = 1, description = "expire every image, whatever its age and its tags", selection = { tagStatus = "any" }, action = { type = "expire" } }] })
  }
}
`, rName))
	out, err = cli.Run("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_lifecycle_policy_preview.invalid")
	if err == nil || strings.Contains(out, "started a preview") || !strings.Contains(out, "rule 1 (priority 1)") {
		t.Errorf("invoking the preview with an invalid policy: want a validation error naming the rule, got %v", err)
	}
}
