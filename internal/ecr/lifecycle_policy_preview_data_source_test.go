package ecr_test

import (
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const previewDataAddr = "data.ecr_lifecycle_policy_preview.test"

// shiftClock is the wall clock moved forward by a settable offset: the
// emulator's "now" for tests of rules that count days.
type shiftClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *shiftClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// previewResult checks one result of the data source.
func previewResult(tag, action string, priority int64, target string) knownvalue.Check {
	var targetCheck knownvalue.Check = knownvalue.Null()
	if target != "" {
		targetCheck = knownvalue.StringExact(target)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"action_type":           knownvalue.StringExact(action),
		"applied_rule_priority": knownvalue.Int64Exact(priority),
		"image_digest":          knownvalue.StringExact(acctest.ImageDigest(tag)),
		"image_pushed_at":       knownvalue.NotNull(),
		"image_tags":            knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(tag)}),
		"storage_class":         knownvalue.StringExact("STANDARD"),
		"target_storage_class":  targetCheck,
	})
}

// previewSummary checks the data source's summary.
func previewSummary(expiring int64, transitioning map[string]int64) knownvalue.Check {
	counts := map[string]knownvalue.Check{}
	for k, n := range transitioning {
		counts[k] = knownvalue.Int64Exact(n)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"expiring_image_total_count":       knownvalue.Int64Exact(expiring),
		"transitioning_image_total_counts": knownvalue.MapExact(counts),
	})
}

// testAccPushImages pushes images tagged tags, in that order.
func testAccPushImages(b *acctest.Backend, repository string, tags ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, tag := range tags {
			if err := putImage(b, repository, tag); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestAccLifecyclePolicyPreviewDataSource_basic previews the repository's
// lifecycle policy (keep the newest v* image), then another policy given
// in `policy` (keep two): each lists exactly the images it would expire,
// and nothing is deleted.
func TestAccLifecyclePolicyPreviewDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccPreviewNeedsEmulator)
	rName := acctest.RandomName("tf-acc-preview")
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccPushImages(b, rName, "v1", "v2", "v3")},
			{
				Config: b.Config(repo + fmt.Sprintf(`
resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy     = %[1]q
}

data "ecr_lifecycle_policy_preview" "test" {
  repository = ecr_lifecycle_policy.test.repository
  timeout    = "1m"
}
`, testAccPreviewPolicy(1))),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(previewDataAddr, "id", knownvalue.StringExact(rName)),
					stateValueAt(previewDataAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(previewDataAddr, "region", knownvalue.StringExact(b.Region)),
					stateValueAt(previewDataAddr, "status", knownvalue.StringExact("COMPLETE")),
					stateValueAt(previewDataAddr, "results", knownvalue.SetExact([]knownvalue.Check{
						previewResult("v1", "EXPIRE", 1, ""), previewResult("v2", "EXPIRE", 1, "")})),
					stateValueAt(previewDataAddr, "summary", previewSummary(2, nil)),
				},
			},
			{
				Config: b.Config(repo + fmt.Sprintf(`
data "ecr_lifecycle_policy_preview" "test" {
  repository  = ecr_repository.test.name
  registry_id = %[2]q
  policy      = %[1]q
}
`, testAccPreviewPolicy(2), b.AccountID)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(previewDataAddr, "results", knownvalue.ListExact([]knownvalue.Check{previewResult("v1", "EXPIRE", 1, "")})),
					stateValueAt(previewDataAddr, "summary", previewSummary(1, nil)),
				},
				Check: testAccImageCount(b, rName, 3),
			},
		},
	})
}

// testAccImageCount checks that a repository has n images.
func testAccImageCount(b *acctest.Backend, repository string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := b.Client.ListImages(acctest.Context(), &awsecr.ListImagesInput{RepositoryName: aws.String(repository)})
		if err != nil {
			return err
		}
		if len(out.ImageIds) != n {
			return fmt.Errorf("%s has %d images, want %d", repository, len(out.ImageIds), n)
		}
		return nil
	}
}

// TestAccLifecyclePolicyPreviewDataSource_archive: two days after the
// pushes, a policy that expires v1 and archives the rest lists both kinds
// of result and counts them; tag_status narrows the results, not the
// summary.
func TestAccLifecyclePolicyPreviewDataSource_archive(t *testing.T) {
	clock := &shiftClock{}
	b := acctest.NewBackend(t, emulator.WithClock(clock))
	b.RequireEmulator(t, testAccPreviewNeedsEmulator+"; moves the emulator's clock")
	rName := acctest.RandomName("tf-acc-preview")
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	policy := `{"rules":[` +
		`{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v1"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},` +
		`{"rulePriority":2,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"transition","targetStorageClass":"archive"}}]}`
	config := func(tagStatus string) string {
		return b.Config(repo + fmt.Sprintf(`
data "ecr_lifecycle_policy_preview" "test" {
  repository = ecr_repository.test.name
  policy     = %[1]q
  tag_status = %[2]q
}
`, policy, tagStatus))
	}
	summary := stateValueAt(previewDataAddr, "summary", previewSummary(1, map[string]int64{"ARCHIVE": 2}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: func(s *terraform.State) error {
				err := testAccPushImages(b, rName, "v1", "v2", "v3")(s)
				clock.advance(48 * time.Hour)
				return err
			}},
			{
				Config: config("ANY"),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(previewDataAddr, "results", knownvalue.ListExact([]knownvalue.Check{
						previewResult("v1", "EXPIRE", 1, ""),
						previewResult("v2", "TRANSITION", 2, "ARCHIVE"),
						previewResult("v3", "TRANSITION", 2, "ARCHIVE"),
					})),
					summary,
				},
			},
			{
				Config:            config("UNTAGGED"),
				ConfigStateChecks: []statecheck.StateCheck{stateValueAt(previewDataAddr, "results", knownvalue.ListExact(nil)), summary},
				Check:             testAccImageCount(b, rName, 3),
			},
		},
	})
}

// TestAccLifecyclePolicyPreviewDataSource_errors: without a lifecycle
// policy on the repository nor in `policy`, the read fails naming the
// repository and saying what to do; an invalid `policy` fails at plan,
// naming the attribute and the rule; so does a bad timeout.
func TestAccLifecyclePolicyPreviewDataSource_errors(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccPreviewNeedsEmulator)
	rName := acctest.RandomName("tf-acc-preview")
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(`
data "ecr_lifecycle_policy_preview" "test" {
  repository = "repo"
  policy     = jsonencode({ rules = [{ rulePriority = 1, description = "expire every image", selection = { tagStatus = "any" }, action = { type = "expire" } }] })
}
`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid lifecycle policy.*with data.ecr_lifecycle_policy_preview.test.*policy.*rule 1 \(priority 1\)`),
			},
			{
				Config:      b.Config(`data "ecr_lifecycle_policy_preview" "test" {` + "\n" + `repository = "repo"` + "\n" + `timeout = "soon"` + "\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)timeout must be a positive duration`),
			},
			{Config: b.Config(repo)},
			{
				Config: b.Config(repo + `
data "ecr_lifecycle_policy_preview" "test" {
  repository = ecr_repository.test.name
}
`),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)previewing the lifecycle policy of ECR Repository \(%s\).*`+
					`The repository has no lifecycle policy:\s+give\s+one\s+in\s+the\s+data\s+source's\s+.policy.\s+argument`, regexp.QuoteMeta(rName))),
			},
		},
	})
}
