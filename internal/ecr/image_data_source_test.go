package ecr_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// stringAt checks a string against a value known only once an earlier
// step has run (a digest pushed by a check).
func stringAt(p *string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		if v != *p {
			return fmt.Errorf("got %q, want %q", v, *p)
		}
		return nil
	})
}

// digestsAt checks the image_digest of each element of a list of images.
func digestsAt(ps ...*string) knownvalue.Check {
	var checks []knownvalue.Check
	for _, p := range ps {
		checks = append(checks, digestAt(p))
	}
	return knownvalue.ListExact(checks)
}

// digestAt checks the image_digest of an image object.
func digestAt(p *string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{"image_digest": stringAt(p)})
}

// digestOneOf checks that the image_digest of an image object is one of
// several values.
func digestOneOf(ps ...*string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{"image_digest": knownvalue.StringFunc(func(v string) error {
		for _, p := range ps {
			if v == *p {
				return nil
			}
		}
		return fmt.Errorf("digest %q is none of the expected ones", v)
	})})
}

const testAccImageRepositoryConfig = `
resource "ecr_repository" "test" {
  name         = %[1]q
  force_delete = true
}
`

// TestAccImageDataSource_scenario pushes a single-platform image, then a
// multi-platform image with a signature and an SBOM referring to it, and
// reads them every way: most_recent picks the index (not a child, not the
// newer signature or SBOM), by tag, by digest, and the listings with their
// filters.
func TestAccImageDataSource_scenario(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "pushes through the registry protocol")
	rName := acctest.RandomName("tf-acc-image")
	var old, index, child0, child1, sig, sbom string
	push := func(*terraform.State) error {
		var err error
		if old, err = b.PushImage(rName, "v0"); err != nil {
			return err
		}
		time.Sleep(10 * time.Millisecond) // the index is pushed after v0
		mp, err := b.PushMultiPlatform(rName, "v1")
		if err != nil {
			return err
		}
		index, child0, child1, sig, sbom = mp.Index, mp.Children[0], mp.Children[1], mp.Signature, mp.SBOM
		return nil
	}
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	uriPrefix := fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s@", b.AccountID, b.Region, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: push},
			{
				Config: b.Config(repo + `
data "ecr_image" "latest" {
  repository_name = ecr_repository.test.name
  most_recent     = true
}
data "ecr_image" "by_tag" {
  repository_name = ecr_repository.test.name
  image_tag       = "v0"
}
data "ecr_image" "by_digest" {
  repository_name = ecr_repository.test.name
  registry_id     = ecr_repository.test.registry_id
  image_digest    = data.ecr_image.latest.image_digest
}
data "ecr_images" "all" {
  repository_name = ecr_repository.test.name
}
data "ecr_images" "with_artifacts" {
  repository_name   = ecr_repository.test.name
  include_artifacts = true
}
data "ecr_images" "tagged_v" {
  repository_name = ecr_repository.test.name
  tag_status      = "TAGGED"
  tag_pattern     = "v*"
  max_results     = 1
}
data "ecr_images" "untagged" {
  repository_name = ecr_repository.test.name
  tag_status      = "UNTAGGED"
  tag_prefix      = "v"
}
data "ecr_images" "future" {
  repository_name = ecr_repository.test.name
  pushed_after    = "2999-01-01T00:00:00Z"
}
data "ecr_images" "archived" {
  repository_name = ecr_repository.test.name
  image_status    = "ARCHIVED"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("data.ecr_image.latest", "image_digest", stringAt(&index)),
					stateValueAt("data.ecr_image.latest", "id", stringAt(&index)),
					stateValueAt("data.ecr_image.latest", "image_tags", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1")})),
					stateValueAt("data.ecr_image.latest", "image_manifest_media_type", knownvalue.StringExact("application/vnd.oci.image.index.v1+json")),
					stateValueAt("data.ecr_image.latest", "artifact_media_type", knownvalue.Null()),
					stateValueAt("data.ecr_image.latest", "subject_manifest_digest", knownvalue.Null()),
					stateValueAt("data.ecr_image.latest", "image_status", knownvalue.StringExact("ACTIVE")),
					stateValueAt("data.ecr_image.latest", "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt("data.ecr_image.latest", "image_uri", knownvalue.StringFunc(func(v string) error {
						if v != uriPrefix+index {
							return fmt.Errorf("image_uri %q, want %q", v, uriPrefix+index)
						}
						return nil
					})),
					stateValueAt("data.ecr_image.latest", "last_archived_at", knownvalue.Null()),
					stateValueAt("data.ecr_image.latest", "image_pushed_at", knownvalue.Int64Func(func(v int64) error {
						if d := time.Since(time.Unix(v, 0)); d < 0 || d > time.Hour {
							return fmt.Errorf("image_pushed_at %d is not a recent epoch time", v)
						}
						return nil
					})),
					stateValueAt("data.ecr_image.by_tag", "image_digest", stringAt(&old)),
					stateValueAt("data.ecr_image.by_tag", "image_manifest_media_type", knownvalue.StringExact("application/vnd.docker.distribution.manifest.v2+json")),
					stateValueAt("data.ecr_image.by_tag", "artifact_media_type", knownvalue.StringExact("application/vnd.docker.container.image.v1+json")),
					stateValueAt("data.ecr_image.by_tag", "image_size_in_bytes", knownvalue.Int64Func(func(v int64) error {
						if v <= 0 {
							return fmt.Errorf("size %d", v)
						}
						return nil
					})),
					stateValueAt("data.ecr_image.by_digest", "image_tags", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("v1")})),
					// Default: the artifacts are left out; newest first.
					stateValueAt("data.ecr_images.all", "images", knownvalue.ListExact([]knownvalue.Check{
						digestAt(&index), digestOneOf(&child0, &child1), digestOneOf(&child0, &child1), digestAt(&old)})),
					stateValueAt("data.ecr_images.with_artifacts", "images", knownvalue.ListExact([]knownvalue.Check{
						digestAt(&sbom), digestAt(&sig), digestAt(&index), digestOneOf(&child0, &child1), digestOneOf(&child0, &child1), digestAt(&old)})),
					stateValueAt("data.ecr_images.tagged_v", "images", digestsAt(&index)),
					stateValueAt("data.ecr_images.untagged", "images", knownvalue.ListExact([]knownvalue.Check{})),
					stateValueAt("data.ecr_images.future", "images", knownvalue.ListExact([]knownvalue.Check{})),
					stateValueAt("data.ecr_images.archived", "images", knownvalue.ListExact([]knownvalue.Check{})),
					stateValueAt("data.ecr_images.all", "registry_id", knownvalue.StringExact(b.AccountID)),
				},
			},
		},
	})
}

func TestAccImageDataSource_notFound(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-image")
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	digest := "sha256:" + strings.Repeat("ab", 32)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo)},
			{
				Config: b.Config(repo + `
data "ecr_image" "test" {
  repository_name = ecr_repository.test.name
  image_tag       = "nope"
}
`),
				ExpectError: regexp.MustCompile(`(?s)reading ECR Image \(` + rName + `:nope\).*image ` + rName + `:nope not found`),
			},
			{
				Config: b.Config(repo + fmt.Sprintf(`
data "ecr_image" "test" {
  repository_name = ecr_repository.test.name
  image_digest    = %q
}
`, digest)),
				ExpectError: regexp.MustCompile(`(?s)` + rName + `@` + digest + `.*not found`),
			},
			{
				Config: b.Config(repo + `
data "ecr_image" "test" {
  repository_name = ecr_repository.test.name
  most_recent     = true
}
`),
				ExpectError: regexp.MustCompile(`(?s)most recent ECR Image of ` + rName + `.*no ACTIVE image`),
			},
		},
	})
}

func TestAccImageDataSource_badInput(t *testing.T) {
	b := acctest.NewBackend(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ body, want string }{
		{`image_tag = "v1"
  most_recent = true`, `(?s)Invalid Attribute Combination.*most_recent`},
		{``, `(?s)At least one of these attributes must be configured`},
		{`image_digest = "latest"`, `(?s)image_digest.*must be an image digest`},
		{`image_tag = "-bad"`, `(?s)image_tag.*must be an image tag`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      b.Config(fmt.Sprintf("data \"ecr_image\" \"test\" {\n  repository_name = \"repo\"\n  %s\n}\n", tc.body)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

func TestAccImagesDataSource_badInput(t *testing.T) {
	b := acctest.NewBackend(t)
	var steps []resource.TestStep
	for _, tc := range []struct{ body, want string }{
		{`pushed_after = "yesterday"`, `(?s)pushed_after.*RFC 3339`},
		{`tag_status = "SOME"`, `(?s)tag_status.*value must be one of`},
		{`image_status = "COLD"`, `(?s)image_status.*value must be one of`},
		{`max_results = 0`, `(?s)max_results.*at least 1`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      b.Config(fmt.Sprintf("data \"ecr_images\" \"test\" {\n  repository_name = \"repo\"\n  %s\n}\n", tc.body)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

func TestIsArtifact(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0", 64)
	for _, tc := range []struct {
		name string
		img  awstypes.ImageDetail
		want bool
	}{
		{"docker image", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.docker.container.image.v1+json")}, false},
		{"oci image", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.oci.image.config.v1+json"), ImageTags: []string{"v1"}}, false},
		{"index", awstypes.ImageDetail{ImageManifestMediaType: aws.String("application/vnd.oci.image.index.v1+json")}, false},
		{"referrer", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.oci.image.config.v1+json"), SubjectManifestDigest: aws.String(digest)}, true},
		{"in-toto attestation", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.in-toto+json")}, true},
		{"soci index", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.amazon.soci.index.v1+json")}, true},
		{"cosign tag", awstypes.ImageDetail{ArtifactMediaType: aws.String("application/vnd.oci.image.config.v1+json"), ImageTags: []string{"sha256-" + strings.Repeat("0", 64) + ".sig"}}, true},
	} {
		if got := ecr.IsArtifact(&tc.img); got != tc.want {
			t.Errorf("%s: IsArtifact = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSortNewestFirst: on equal push times the index comes first (it lists
// the others), so most_recent picks it.
func TestSortNewestFirst(t *testing.T) {
	at := func(s int) *time.Time { v := time.Unix(int64(s), 0); return &v }
	images := []awstypes.ImageDetail{
		{ImageDigest: aws.String("sha256:a"), ImagePushedAt: at(1)},
		{ImageDigest: aws.String("sha256:c"), ImagePushedAt: at(2)},
		{ImageDigest: aws.String("sha256:d"), ImagePushedAt: at(2), ImageManifestMediaType: aws.String("application/vnd.docker.distribution.manifest.list.v2+json")},
		{ImageDigest: aws.String("sha256:b"), ImagePushedAt: at(2)},
	}
	ecr.SortNewestFirst(images)
	var got []string
	for _, img := range images {
		got = append(got, aws.ToString(img.ImageDigest))
	}
	if want := []string{"sha256:d", "sha256:b", "sha256:c", "sha256:a"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}
