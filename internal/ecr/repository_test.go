package ecr_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	tfecr "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const repositoryAddr = "ecr_repository.test"

func TestAccRepository_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	var repo awstypes.Repository
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryConfig_basic(rName)),
				Check:  testAccCheckRepositoryExists(b, repositoryAddr, &repo),
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("id", knownvalue.StringExact(rName)),
					repositoryStateValue("name", knownvalue.StringExact(rName)),
					repositoryStateValue("arn", knownvalue.StringExact(fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", b.Region, b.AccountID, rName))),
					repositoryStateValue("registry_id", knownvalue.StringExact(b.AccountID)),
					repositoryStateValue("repository_url", knownvalue.StringRegexp(regexp.MustCompile(
						fmt.Sprintf(`^%s\.dkr\.ecr\.%s\.[a-z.]+/%s$`, b.AccountID, b.Region, regexp.QuoteMeta(rName))))),
					repositoryStateValue("image_tag_mutability", knownvalue.StringExact("MUTABLE")),
					repositoryStateValue("force_delete", knownvalue.Bool(false)),
					repositoryStateValue("encryption_configuration", knownvalue.ListSizeExact(0)),
					repositoryStateValue("image_scanning_configuration", knownvalue.ListSizeExact(0)),
					repositoryStateValue("image_tag_mutability_exclusion_filter", knownvalue.ListSizeExact(0)),
					repositoryStateValue("tags", knownvalue.Null()),
					repositoryStateValue("tags_all", knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
			},
			{
				ResourceName:                         repositoryAddr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateId:                        rName,
				ImportStateVerifyIdentifierAttribute: "name",
			},
			{
				ResourceName:    repositoryAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   rName,
			},
			{
				Config:   b.Config(testAccRepositoryConfig_basic(rName)),
				PlanOnly: true, // no drift after refresh
			},
		},
	})
}

func TestAccRepository_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	var repo awstypes.Repository
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{testAccStepDisappears(b.Config(testAccRepositoryConfig_basic(rName)), repositoryAddr,
			testAccCheckRepositoryExists(b, repositoryAddr, &repo), testAccRepositoryDelete(b, rName))},
	})
}

// testAccRepositoryConfig_updated sets every in-place argument.
func testAccRepositoryConfig_updated(rName string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name                 = %[1]q
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  force_delete         = true

  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }
  image_tag_mutability_exclusion_filter {
    filter      = "dev-*"
    filter_type = "WILDCARD"
  }

  image_scanning_configuration {
    scan_on_push = true
  }
}
`, rName)
}

// TestAccRepository_update changes every in-place argument, then goes back
// to the defaults.
func TestAccRepository_update(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	keepScanning := b.Config(testAccRepositoryConfig_body(rName, `image_scanning_configuration {
    scan_on_push = true
  }`))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccRepositoryConfig_basic(rName))},
			{
				Config:           b.Config(testAccRepositoryConfig_updated(rName)),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("image_tag_mutability", knownvalue.StringExact("IMMUTABLE_WITH_EXCLUSION")),
					repositoryStateValue("image_tag_mutability_exclusion_filter", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"filter": knownvalue.StringExact("latest"), "filter_type": knownvalue.StringExact("WILDCARD")}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{"filter": knownvalue.StringExact("dev-*"), "filter_type": knownvalue.StringExact("WILDCARD")}),
					})),
					repositoryStateValue("image_scanning_configuration", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"scan_on_push": knownvalue.Bool(true)}),
					})),
					repositoryStateValue("force_delete", knownvalue.Bool(true)),
				},
				Check: testAccCheckRepository(b, rName, func(repo *awstypes.Repository) error {
					if repo.ImageTagMutability != awstypes.ImageTagMutabilityImmutableWithExclusion || len(repo.ImageTagMutabilityExclusionFilters) != 2 ||
						!repo.ImageScanningConfiguration.ScanOnPush {
						return fmt.Errorf("repository not updated: %+v", repo)
					}
					return nil
				}),
			},
			{
				ResourceName:      repositoryAddr,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateId:     rName,
				// force_delete only exists in Terraform state.
				ImportStateVerifyIgnore:              []string{"force_delete"},
				ImportStateVerifyIdentifierAttribute: "name",
			},
			{
				// Back to the defaults, keeping scan on push.
				Config:           keepScanning,
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("image_tag_mutability", knownvalue.StringExact("MUTABLE")),
					repositoryStateValue("image_tag_mutability_exclusion_filter", knownvalue.ListSizeExact(0)),
					repositoryStateValue("force_delete", knownvalue.Bool(false)),
				},
			},
			{Config: keepScanning, PlanOnly: true},
		},
	})
}

// TestAccRepository_removeScanningConfiguration: removing the
// image_scanning_configuration block turns scan on push off and converges
// (hashicorp/aws #47132).
func TestAccRepository_removeScanningConfiguration(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto keeps scanOnPush=true when a request omits it")
	rName := acctest.RandomName("tf-acc-repo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccRepositoryConfig_updated(rName))},
			{
				Config:           b.Config(testAccRepositoryConfig_basic(rName)),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("image_scanning_configuration", knownvalue.ListSizeExact(0)),
					repositoryStateValue("image_tag_mutability", knownvalue.StringExact("MUTABLE")),
					repositoryStateValue("image_tag_mutability_exclusion_filter", knownvalue.ListSizeExact(0)),
				},
				Check: testAccCheckRepository(b, rName, func(repo *awstypes.Repository) error {
					if repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush {
						return fmt.Errorf("scan on push still on: %+v", repo.ImageScanningConfiguration)
					}
					return nil
				}),
			},
			{Config: b.Config(testAccRepositoryConfig_basic(rName)), PlanOnly: true},
		},
	})
}

func TestAccRepository_tags(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	config := func(tags string) string {
		return testAccProviderConfigTags(b, `{ team = "platform", shared = "default" }`, "managed-elsewhere") + fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
  tags = %[2]s
}
`, rName, tags)
	}
	tagsChecks := func(tags, all map[string]string) []statecheck.StateCheck {
		return []statecheck.StateCheck{repositoryStateValue("tags", mapExact(tags)), repositoryStateValue("tags_all", mapExact(all))}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: config(`{ env = "test", shared = "mine" }`),
				ConfigStateChecks: tagsChecks(map[string]string{"env": "test", "shared": "mine"},
					map[string]string{"env": "test", "shared": "mine", "team": "platform"}),
				// A tag someone else manages appears out of band; ignore_tags hides it.
				Check: func(s *terraform.State) error {
					_, err := b.Client.TagResource(acctest.Context(), &awsecr.TagResourceInput{
						ResourceArn: aws.String(s.RootModule().Resources[repositoryAddr].Primary.Attributes["arn"]),
						Tags:        []awstypes.Tag{{Key: aws.String("managed-elsewhere"), Value: aws.String("x")}},
					})
					return err
				},
			},
			{Config: config(`{ env = "test", shared = "mine" }`), PlanOnly: true},
			{
				Config:           config(`{ env = "prod" }`),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: tagsChecks(map[string]string{"env": "prod"},
					map[string]string{"env": "prod", "shared": "default", "team": "platform"}),
				Check: func(s *terraform.State) error {
					out, err := b.Client.ListTagsForResource(acctest.Context(), &awsecr.ListTagsForResourceInput{
						ResourceArn: aws.String(s.RootModule().Resources[repositoryAddr].Primary.Attributes["arn"]),
					})
					if err != nil {
						return err
					}
					got := map[string]string{}
					for _, t := range out.Tags {
						got[aws.ToString(t.Key)] = aws.ToString(t.Value)
					}
					want := map[string]string{"env": "prod", "shared": "default", "team": "platform", "managed-elsewhere": "x"}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("remote tags = %v, want %v (the ignored tag must be left alone)", got, want)
					}
					return nil
				},
			},
			{Config: config(`{ env = "prod" }`), PlanOnly: true},
			{
				// A key both in tags and in ignore_tags (hashicorp/aws diffs on
				// every plan): not set on the repository, kept in state as
				// configured, and the next plan is empty.
				Config:           config(`{ env = "prod", "managed-elsewhere" = "mine" }`),
				ConfigPlanChecks: expectActionThenEmptyPlan(repositoryAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: tagsChecks(map[string]string{"env": "prod", "managed-elsewhere": "mine"},
					map[string]string{"env": "prod", "shared": "default", "team": "platform"}),
				Check: func(s *terraform.State) error {
					got, err := tfecr.ListTags(acctest.Context(), b.Client, s.RootModule().Resources[repositoryAddr].Primary.Attributes["arn"])
					if err != nil {
						return err
					}
					if got["managed-elsewhere"] != "x" {
						return fmt.Errorf("remote tags = %v: the ignored tag must be left as it was (x)", got)
					}
					return nil
				},
			},
			{Config: config(`{ env = "prod", "managed-elsewhere" = "mine" }`), PlanOnly: true},
		},
	})
}

// TestAccRepository_encryption: the encryption configuration cannot change
// in place, but the same KMS key given as id or ARN, or an explicit default
// block, is no change.
func TestAccRepository_encryption(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireLocal(t, "the KMS key is made up")
	rName := acctest.RandomName("tf-acc-repo")
	const keyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyARN := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", b.Region, b.AccountID, keyID)
	config := func(block string) string { return b.Config(testAccRepositoryConfig_body(rName, block)) }
	kms := func(key string) string {
		return fmt.Sprintf(`encryption_configuration {
    encryption_type = "KMS"
    kms_key         = %q
  }`, key)
	}
	aes := `encryption_configuration {
    encryption_type = "AES256"
  }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: config("")},
			{Config: config(aes), ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate)},
			{Config: config(aes), PlanOnly: true},
			{Config: config(""), ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate)},
			{
				Config:           config(kms(keyID)),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{repositoryStateValue("encryption_configuration", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"encryption_type": knownvalue.StringExact("KMS"), "kms_key": knownvalue.StringExact(keyID)}),
				}))},
			},
			{Config: config(kms(keyID)), PlanOnly: true},
			{Config: config(kms(keyARN)), ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate)},
			{Config: config(kms(keyARN)), PlanOnly: true},
			{Config: config(kms("arn:aws:kms:us-west-2:123456789012:key/other")), ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionDestroyBeforeCreate)},
		},
	})
}

func TestAccRepository_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	config := func(body string) string { return b.Config(testAccRepositoryConfig_body(rName, body)) }
	filter := func(f string) string {
		return fmt.Sprintf(`image_tag_mutability_exclusion_filter {
    filter      = %q
    filter_type = "WILDCARD"
  }`, f)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ config, err string }{
		{config(`image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"`), `Missing exclusion filter`},
		{config(`image_tag_mutability = "IMMUTABLE"` + "\n" + filter("latest")), `(?s)Exclusion filter not allowed.*not\s+"IMMUTABLE"`},
		{config(filter("latest")), `(?s)Exclusion filter not allowed.*not\s+"MUTABLE"`},
		{config(`image_tag_mutability = "MUTABLE_WITH_EXCLUSION"` + "\n" + filter("bad/tag")), `(?s)filter.*must contain only`},
		{config(`image_tag_mutability = "SOMETIMES"`), `(?s)image_tag_mutability.*value must be one of`},
		{b.Config(`resource "ecr_repository" "test" { name = "Upper-Case" }`), `(?s)name.*must be lowercase`},
		{b.Config(`resource "ecr_repository" "test" { name = "a" }`), `(?s)name.*length must be between 2 and 256`},
	} {
		steps = append(steps, resource.TestStep{Config: tc.config, PlanOnly: true, ExpectError: regexp.MustCompile(tc.err)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

func TestAccRepository_forceDelete(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{{
			Config: b.Config(testAccRepositoryConfig_body(rName, "force_delete = true")),
			Check:  testAccPutImage(b, rName, "v1"),
		}},
	})
}

// TestAccRepository_deleteNonEmpty: destroying a repository with images
// fails with a message that counts them and says what to do; after
// force_delete = true is applied, the destroy succeeds.
func TestAccRepository_deleteNonEmpty(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: b.Config(testAccRepositoryConfig_basic(rName)),
				Check:  resource.ComposeTestCheckFunc(testAccPutImage(b, rName, "v1"), testAccPutImage(b, rName, "v2")),
			},
			{
				Config:      b.Config(""),
				ExpectError: regexp.MustCompile(`(?s)still contains 2 image\(s\).*set force_delete = true.*and apply`),
			},
			{
				Config:           b.Config(testAccRepositoryConfig_body(rName, "force_delete = true")),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
			},
		},
	})
}

// TestAccRepository_eventualConsistency: a new repository that stays
// invisible for a few reads is waited for, not reported as an error.
func TestAccRepository_eventualConsistency(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "consistency lag fault")
	b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: 3})
	rName := acctest.RandomName("tf-acc-repo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{{
			Config:            b.Config(testAccRepositoryConfig_basic(rName)),
			ConfigStateChecks: []statecheck.StateCheck{repositoryStateValue("name", knownvalue.StringExact(rName))},
			Check: func(*terraform.State) error {
				var notFound int
				for _, c := range b.Emulator.Calls() {
					if c.Op == "DescribeRepositories" && c.ErrorCode == "RepositoryNotFoundException" {
						notFound++
					}
				}
				if notFound == 0 {
					return fmt.Errorf("the lag fault hid nothing: the test proves nothing")
				}
				return nil
			},
		}},
	})
}

// ---- helpers ----

func testAccRepositoryConfig_basic(rName string) string {
	return testAccRepositoryConfig_body(rName, "")
}

// testAccRepositoryConfig_body is a repository with more arguments and
// blocks in its body.
func testAccRepositoryConfig_body(rName, body string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
  %[2]s
}
`, rName, body)
}

// repositoryStateValue checks an attribute of ecr_repository.test.
func repositoryStateValue(attr string, check knownvalue.Check) statecheck.StateCheck {
	return stateValueAt(repositoryAddr, attr, check)
}

// repositoryExpectAction checks what the plan does to ecr_repository.test.
func repositoryExpectAction(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return expectActionAt(repositoryAddr, action)
}

func testAccCheckRepositoryExists(b *acctest.Backend, addr string, v *awstypes.Repository) resource.TestCheckFunc {
	return testAccCheckExists(b, addr, "name", tfecr.FindRepositoryByName, v)
}

// testAccCheckRepository checks the repository name as ECR reports it.
func testAccCheckRepository(b *acctest.Backend, name string, check func(*awstypes.Repository) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		repo, err := tfecr.FindRepositoryByName(acctest.Context(), b.Client, name)
		if err != nil {
			return err
		}
		return check(repo)
	}
}

func testAccCheckRepositoryDestroy(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckDestroy(b, "ecr_repository", "name", tfecr.FindRepositoryByName)
}

// TestAccRepository_unknownDefaultTags: a default tag whose value is only
// known after another resource is applied leaves tags_all unknown in the
// plan, and the apply tags the repository with its final value.
func TestAccRepository_unknownDefaultTags(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	config := `
resource "terraform_data" "owner" {
  input = "team-a"
}
` + b.ProviderConfigWith(`
  default_tags {
    tags = { owner = terraform_data.owner.output }
  }`) + testAccRepositoryConfig_body(rName, `tags = { env = "test" }`)
	testAccRepositoryUnknownTags(t, b, config,
		map[string]string{"env": "test"},
		map[string]string{"env": "test", "owner": "team-a"})
}

// TestAccRepository_unknownTagValue: a tag whose value is only known after
// another resource is applied leaves tags_all unknown in the plan.
func TestAccRepository_unknownTagValue(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-repo")
	config := testAccProviderConfigTags(b, `{ team = "platform" }`, "managed-elsewhere") + `
resource "terraform_data" "commit" {
  input = "abc123"
}
` + testAccRepositoryConfig_body(rName, `tags = { commit = terraform_data.commit.output }`)
	testAccRepositoryUnknownTags(t, b, config,
		map[string]string{"commit": "abc123"},
		map[string]string{"commit": "abc123", "team": "platform"})
}

// testAccRepositoryUnknownTags applies a configuration whose tags or default
// tags are only known after another resource is applied: tags_all must be
// planned unknown, end up as wantTagsAll, and the next plan must be empty.
func testAccRepositoryUnknownTags(t *testing.T, b *acctest.Backend, config string, wantTags, wantTagsAll map[string]string) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(repositoryAddr, tfjsonpath.New("tags_all")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("tags", mapExact(wantTags)),
					repositoryStateValue("tags_all", mapExact(wantTagsAll)),
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
}

// TestAccRepository_updateWithoutRead: an update records what it planned;
// it does not read the repository back after its writes.
func TestAccRepository_updateWithoutRead(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "call log")
	rName := acctest.RandomName("tf-acc-repo")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(testAccRepositoryConfig_basic(rName))},
			{
				Config: b.Config(testAccRepositoryConfig_body(rName, `image_tag_mutability = "IMMUTABLE"
  tags = { env = "test" }`)),
				ConfigPlanChecks: repositoryExpectAction(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					repositoryStateValue("image_tag_mutability", knownvalue.StringExact("IMMUTABLE")),
					repositoryStateValue("tags_all", mapExact(map[string]string{"env": "test"})),
				},
				Check: func(*terraform.State) error {
					calls := b.Emulator.Calls()
					first := slices.IndexFunc(calls, func(c emulator.Call) bool { return c.Op == "PutImageTagMutability" })
					if first < 0 {
						return errors.New("no PutImageTagMutability call: the update did not run")
					}
					for _, c := range calls[first:] {
						if c.Op == "DescribeRepositories" {
							return errors.New("the update read the repository back after writing it")
						}
					}
					return nil
				},
			},
			{Config: b.Config(testAccRepositoryConfig_body(rName, `image_tag_mutability = "IMMUTABLE"
  tags = { env = "test" }`)), PlanOnly: true},
		},
	})
}

// testAccRepositoryDelete deletes a repository out of band, with its
// images and policies.
func testAccRepositoryDelete(b *acctest.Backend, name string) func() error {
	return func() error {
		_, err := b.Client.DeleteRepository(acctest.Context(), &awsecr.DeleteRepositoryInput{RepositoryName: &name, Force: true})
		return err
	}
}
