package ecr_test

import (
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const imageTagAddr = "ecr_image_tag.test"

func testAccCheckImageTagExists(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckExists(b, imageTagAddr, "id", ecr.FindImageTagByID, nil)
}

func testAccCheckImageTagDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckDestroy(b, "ecr_image_tag", "id", ecr.FindImageTagByID)
}

// testAccImageTagRepository is a repository with images v1 and v2 pushed
// by its step's check; extra is more of the repository's arguments.
func testAccImageTagRepository(rName, extra string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name         = %[1]q
  force_delete = true
  %[2]s
}
`, rName, extra)
}

// testAccImageTagPush pushes v1 and v2 and records their digests.
func testAccImageTagPush(b *acctest.Backend, rName string, digests map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, tag := range []string{"v1", "v2"} {
			d, err := b.PushImage(rName, tag)
			if err != nil {
				return err
			}
			digests[tag] = d
		}
		return nil
	}
}

// testAccImageTagIs checks that tag is on the image of digests[want].
func testAccImageTagIs(b *acctest.Backend, rName, tag string, digests map[string]string, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		img, err := ecr.FindImageTagByID(acctest.Context(), b.Client, rName+":"+tag)
		if err != nil {
			return err
		}
		if got := aws.ToString(img.ImageDigest); got != digests[want] {
			return fmt.Errorf("tag %s is on %s, want %s (%s)", tag, got, want, digests[want])
		}
		return nil
	}
}

// testAccImageTagMove moves tag onto the image of digests[to] out of band.
func testAccImageTagMove(b *acctest.Backend, rName, tag string, digests map[string]string, to string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := b.Client.BatchGetImage(acctest.Context(), &awsecr.BatchGetImageInput{RepositoryName: aws.String(rName),
			ImageIds:           []awstypes.ImageIdentifier{{ImageDigest: aws.String(digests[to])}},
			AcceptedMediaTypes: []string{"application/vnd.docker.distribution.manifest.v2+json"}})
		if err != nil {
			return err
		}
		_, err = b.Client.PutImage(acctest.Context(), &awsecr.PutImageInput{RepositoryName: aws.String(rName),
			ImageManifest: got.Images[0].ImageManifest, ImageTag: aws.String(tag)})
		return err
	}
}

// TestAccImageTag_basic promotes v1 to prod by digest, imports it, moves
// prod to v2 by source tag (an update in place), then moves the tag back
// outside Terraform: the plan puts it where the configuration says.
func TestAccImageTag_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-tag")
	digests := map[string]string{}
	repo := testAccImageTagRepository(rName, "")
	byDigest := repo + `
data "ecr_image" "v1" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}

resource "ecr_image_tag" "test" {
  repository    = ecr_repository.test.name
  tag           = "prod"
  source_digest = data.ecr_image.v1.image_digest
}
`
	byTag := repo + `
resource "ecr_image_tag" "test" {
  repository = ecr_repository.test.name
  tag        = "prod"
  source_tag = "v2"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckImageTagDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccImageTagPush(b, rName, digests)},
			{
				Config:           b.Config(byDigest),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageTagAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(imageTagAddr, "id", knownvalue.StringExact(rName+":prod")),
					stateValueAt(imageTagAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(imageTagAddr, "region", knownvalue.StringExact(b.Region)),
					stateValueAt(imageTagAddr, "image_digest", knownvalue.StringFunc(func(v string) error {
						if v != digests["v1"] {
							return fmt.Errorf("image_digest %s, want v1's %s", v, digests["v1"])
						}
						return nil
					})),
				},
				Check: resource.ComposeTestCheckFunc(testAccCheckImageTagExists(b), testAccImageTagIs(b, rName, "prod", digests, "v1"),
					testAccImageTagIs(b, rName, "v1", digests, "v1")),
			},
			{ResourceName: imageTagAddr, ImportState: true, ImportStateVerify: true},
			{
				Config:           b.Config(byTag),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageTagAddr, plancheck.ResourceActionUpdate),
				Check:            testAccImageTagIs(b, rName, "prod", digests, "v2"),
			},
			{
				// Moved back outside Terraform: the refresh sees it, the
				// plan moves it again.
				Config:             b.Config(byTag),
				Check:              testAccImageTagMove(b, rName, "prod", digests, "v1"),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(imageTagAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(imageTagAddr, tfjsonpath.New("image_digest"), knownvalue.StringFunc(func(v string) error {
						if v != digests["v2"] {
							return fmt.Errorf("planned image_digest %s, want v2's", v)
						}
						return nil
					})),
				}},
			},
			{
				Config:           b.Config(byTag),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageTagAddr, plancheck.ResourceActionUpdate),
				Check:            testAccImageTagIs(b, rName, "prod", digests, "v2"),
			},
			{
				// Without the resource, the tag goes; the image stays (v2).
				Config: b.Config(repo),
				Check: resource.ComposeTestCheckFunc(testAccImageTagIs(b, rName, "v2", digests, "v2"), func(*terraform.State) error {
					if _, err := ecr.FindImageTagByID(acctest.Context(), b.Client, rName+":prod"); !ecr.IsNotFound(err) {
						return fmt.Errorf("tag prod after destroy: %w, want not found", err)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccImageTag_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-tag")
	digests := map[string]string{}
	repo := testAccImageTagRepository(rName, "")
	config := b.Config(repo + `
resource "ecr_image_tag" "test" {
  repository = ecr_repository.test.name
  tag        = "prod"
  source_tag = "v1"
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckImageTagDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccImageTagPush(b, rName, digests)},
			testAccStepDisappears(config, imageTagAddr, testAccCheckImageTagExists(b), func() error {
				_, err := b.Client.BatchDeleteImage(acctest.Context(), &awsecr.BatchDeleteImageInput{RepositoryName: aws.String(rName),
					ImageIds: []awstypes.ImageIdentifier{{ImageTag: aws.String("prod")}}})
				return err
			}),
		},
	})
}

// TestAccImageTag_immutable promotes under IMMUTABLE_WITH_EXCLUSION: a tag
// matching the exclusion filter moves, another does not, with an error
// that says why and what to do; destroying a tag moved outside Terraform
// leaves it.
func TestAccImageTag_immutable(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "tag immutability: moto 5.2 does not refuse a retag in an immutable repository")
	rName := acctest.RandomName("tf-acc-tag")
	digests := map[string]string{}
	repo := testAccImageTagRepository(rName, `image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  image_tag_mutability_exclusion_filter {
    filter      = "latest*"
    filter_type = "WILDCARD"
  }`)
	tags := func(latest, release string) string {
		return b.Config(repo + fmt.Sprintf(`
resource "ecr_image_tag" "test" {
  repository = ecr_repository.test.name
  tag        = "latest"
  source_tag = %[1]q
}

resource "ecr_image_tag" "release" {
  repository = ecr_repository.test.name
  tag        = "release"
  source_tag = %[2]q
}
`, latest, release))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckImageTagDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccImageTagPush(b, rName, digests)},
			{Config: tags("v1", "v1"), Check: resource.ComposeTestCheckFunc(
				testAccImageTagIs(b, rName, "latest", digests, "v1"), testAccImageTagIs(b, rName, "release", digests, "v1"))},
			{
				Config:           tags("v2", "v1"),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageTagAddr, plancheck.ResourceActionUpdate),
				Check:            testAccImageTagIs(b, rName, "latest", digests, "v2"),
			},
			{
				Config: tags("v2", "v2"),
				ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)tag "release" is already on another image in repository `+rName+
					`.*IMMUTABLE_WITH_EXCLUSION and the tag matches none of its exclusion filters \(latest\*\).*Use a new tag`, " ", `\s+`)),
			},
			{
				// latest moved outside Terraform (allowed: it matches the
				// filter); destroying its resource leaves it.
				Config: tags("v2", "v1"),
				Check:  testAccImageTagMove(b, rName, "latest", digests, "v1"),
				// The refresh sees latest on v1: the plan moves it back.
				ExpectNonEmptyPlan: true,
			},
			{
				Config: b.Config(repo + `
resource "ecr_image_tag" "release" {
  repository = ecr_repository.test.name
  tag        = "release"
  source_tag = "v1"
}
`),
				Check: testAccImageTagIs(b, rName, "latest", digests, "v1"),
			},
		},
	})
}

func TestAccImageTag_badInput(t *testing.T) {
	b := acctest.NewBackend(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ body, want string }{
		{`source_tag = "v1"
  source_digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"`, `(?s)Invalid Attribute Combination`},
		{``, `(?s)Exactly one of these attributes must be configured`},
		{`source_tag = ".v1"`, `(?s)source_tag.*must be an image tag`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      b.Config(fmt.Sprintf("resource \"ecr_image_tag\" \"test\" {\n  repository = \"repo\"\n  tag = \"prod\"\n  %s\n}\n", tc.body)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	// The source does not exist: an apply error naming it.
	steps = append(steps, resource.TestStep{
		Config: b.Config(testAccImageTagRepository("tf-acc-tag-missing", "") + `
resource "ecr_image_tag" "test" {
  repository = ecr_repository.test.name
  tag        = "prod"
  source_tag = "nope"
}
`),
		ExpectError: regexp.MustCompile(`(?s)creating ECR Image Tag \(tf-acc-tag-missing:prod\).*finding the source image: image tf-acc-tag-missing:nope not found`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

// TestAccImageTag_region tags an image of a repository in another Region
// than the provider's; import takes `<repository>:<tag>@<region>`.
func TestAccImageTag_region(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireLocal(t, "creates repositories in two Regions")
	rName := acctest.RandomName("tf-acc-tag")
	other := acctest.OtherRegion
	repo := fmt.Sprintf(`
resource "ecr_repository" "test" {
  name         = %[1]q
  region       = %[2]q
  force_delete = true
}
`, rName, other)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckImageTagDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: func(*terraform.State) error {
				_, err := (&acctest.Backend{Client: b.ClientIn(other)}).PushImage(rName, "v1")
				return err
			}},
			{
				Config: b.Config(repo + fmt.Sprintf(`
resource "ecr_image_tag" "test" {
  repository = ecr_repository.test.name
  region     = %[1]q
  tag        = "prod"
  source_tag = "v1"
}
`, other)),
				ConfigPlanChecks:  expectActionThenEmptyPlan(imageTagAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{stateValueAt(imageTagAddr, "region", knownvalue.StringExact(other))},
				Check: resource.ComposeTestCheckFunc(testAccCheckImageTagExists(b), func(*terraform.State) error {
					if _, err := ecr.FindImageTagByID(acctest.Context(), b.Client, rName+":prod"); !ecr.IsNotFound(err) {
						return fmt.Errorf("tag in the provider's Region: %w, want not found", err)
					}
					return nil
				}),
			},
			{
				ResourceName: imageTagAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: rName + ":prod@" + other,
				// Imported by digest: the source becomes the image's digest.
				ImportStateVerifyIgnore: []string{"source_tag", "source_digest"},
			},
		},
	})
}
