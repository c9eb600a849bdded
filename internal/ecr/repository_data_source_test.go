package ecr_test

import (
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const repositoryDataSourceAddr = "data.ecr_repository.test"

func TestAccRepositoryDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	var checks []statecheck.StateCheck
	for _, attr := range []string{"arn", "id", "name", "registry_id", "repository_url", "image_tag_mutability",
		"image_tag_mutability_exclusion_filter", "image_scanning_configuration", "tags"} {
		checks = append(checks, statecheck.CompareValuePairs(repositoryDataSourceAddr, tfjsonpath.New(attr),
			repositoryAddr, tfjsonpath.New(attr), compare.ValuesSame()))
	}
	checks = append(checks,
		statecheck.ExpectKnownValue(repositoryDataSourceAddr, tfjsonpath.New("encryption_configuration"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.ObjectExact(map[string]knownvalue.Check{"encryption_type": knownvalue.StringExact("AES256"), "kms_key": knownvalue.Null()}),
		})),
		statecheck.ExpectKnownValue(repositoryDataSourceAddr, tfjsonpath.New("most_recent_image_tags"), knownvalue.Null()),
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{{
			Config: b.Config(fmt.Sprintf(`
resource "ecr_repository" "test" {
  name                 = %[1]q
  image_tag_mutability = "MUTABLE_WITH_EXCLUSION"
  tags                 = { env = "test" }

  image_tag_mutability_exclusion_filter {
    filter      = "release-*"
    filter_type = "WILDCARD"
  }
  image_scanning_configuration {
    scan_on_push = true
  }
}

data "ecr_repository" "test" {
  name = ecr_repository.test.name
}
`, rName)),
			ConfigStateChecks: checks,
			// Without include_most_recent_image_tags no image is listed (hashicorp/aws #47871).
			Check: func(*terraform.State) error {
				if b.Emulator == nil {
					return nil // moto keeps no call log
				}
				if n := b.Emulator.CallCounts()["DescribeImages"]; n != 0 {
					return fmt.Errorf("DescribeImages called %d times for a plain read, want 0", n)
				}
				return nil
			},
		}},
	})
}

// TestAccRepositoryDataSource_mostRecentImageTags opts into the image
// lookup and gets the tags of the image pushed last.
func TestAccRepositoryDataSource_mostRecentImageTags(t *testing.T) {
	// Each emulator timestamp is a second after the previous one, so the
	// push order is unambiguous.
	b := acctest.NewBackend(t, emulator.WithClock(&tickClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
	rName := acctest.RandomName("tf-acc-repo")
	resourceConfig := fmt.Sprintf(`
resource "ecr_repository" "test" {
  name         = %[1]q
  force_delete = true
}
`, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(resourceConfig + `
data "ecr_repository" "test" {
  name                           = ecr_repository.test.name
  include_most_recent_image_tags = true
}
`),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(repositoryDataSourceAddr,
					tfjsonpath.New("most_recent_image_tags"), knownvalue.ListSizeExact(0))},
				Check: resource.ComposeTestCheckFunc(testAccPutImage(b, rName, "v1"), testAccPutImage(b, rName, "v2")),
			},
			{
				Config: b.Config(resourceConfig + `
data "ecr_repository" "test" {
  name                           = ecr_repository.test.name
  registry_id                    = ecr_repository.test.registry_id
  include_most_recent_image_tags = true
}
`),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(repositoryDataSourceAddr,
					tfjsonpath.New("most_recent_image_tags"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v2")}))},
				Check: func(*terraform.State) error {
					if b.Emulator != nil && b.Emulator.CallCounts()["DescribeImages"] == 0 {
						return fmt.Errorf("include_most_recent_image_tags = true made no DescribeImages call")
					}
					return nil
				},
			},
		},
	})
}

func TestAccRepositoryDataSource_notFound(t *testing.T) {
	b := acctest.NewBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      b.Config(`data "ecr_repository" "test" { name = "does-not-exist" }`),
			ExpectError: regexp.MustCompile(`(?s)reading ECR Repository \(does-not-exist\).*not found`),
		}},
	})
}

// tickClock is an emulator clock that advances a second per reading.
type tickClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}
