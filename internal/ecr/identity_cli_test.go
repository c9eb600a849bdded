package ecr_test

// Resource identity and import by identity through the CLI (Terraform
// 1.12+ and OpenTofu 1.12; older CLIs skip by version): the identity each
// resource records, `import { identity = {...} }`, and configuration
// generated from an import block that then applies with an empty plan.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// identityCase is one resource type's identity test.
type identityCase struct {
	typeName string
	nameAttr string // the identity attribute naming the repository
	config   func(rName string) string
}

var identityCases = []identityCase{
	{"ecr_repository", "name", func(rName string) string {
		return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name                 = %[1]q
  image_tag_mutability = "IMMUTABLE"
  tags                 = { team = "a" }
  image_scanning_configuration {
    scan_on_push = true
  }
}
`, rName)
	}},
	{"ecr_repository_policy", "repository", func(rName string) string {
		return testAccRepositoryConfig_basic(rName) + fmt.Sprintf(`
resource "ecr_repository_policy" "test" {
  repository = ecr_repository.test.name
  policy     = %[1]q
}
`, testPolicyCompact)
	}},
	{"ecr_lifecycle_policy", "repository", func(rName string) string {
		return testAccRepositoryConfig_basic(rName) + fmt.Sprintf(`
resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  # jsonencode's key order: an import compares its read policy with the
  # configuration as text (issue 7 section 0 makes that semantic).
  policy = jsonencode(jsondecode(%[1]q))
}
`, testLifecycleTwoRules)
	}},
}

// TestAccIdentity_import: each resource records its identity, and imports
// with an import block by identity and by ID, also generating its
// configuration (plugin-testing's GenerateConfig: the plan of the
// generated configuration must be a no-op import).
func TestAccIdentity_import(t *testing.T) {
	for _, tc := range identityCases {
		t.Run(tc.typeName, func(t *testing.T) {
			b := acctest.NewBackend(t)
			rName := acctest.RandomName("tf-acc-identity")
			addr := tc.typeName + ".test"
			config := b.Config(tc.config(rName))
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckRepositoryDestroy(b),
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectIdentity(addr, repositoryIdentity(b, tc.nameAttr, rName)),
						},
					},
					{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
					{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, GenerateConfig: true},
					{ResourceName: addr, ImportState: true, ImportStateKind: resource.ImportBlockWithID, ImportStateId: rName, GenerateConfig: true},
				},
			})
		})
	}
}

// TestAccIdentity_generateConfigCLI imports what exists outside Terraform
// with import blocks that give only the identity's required attribute (or
// all of it), generates the configuration with `plan
// -generate-config-out`, applies it, and expects the next plan to be empty
// and the state to carry each identity.
func TestAccIdentity_generateConfigCLI(t *testing.T) {
	b := acctest.NewBackend(t)
	acctest.SkipBelowTerraform(t, tfversion.Version1_12_0)
	t.Parallel()
	rName := acctest.RandomName("tf-acc-genconfig")
	ctx := acctest.Context()

	// What a user finds in the registry, made without Terraform.
	_, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{
		RepositoryName:             aws.String(rName),
		ImageTagMutability:         awstypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &awstypes.ImageScanningConfiguration{ScanOnPush: true},
		Tags:                       []awstypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Whitespace and key order unlike what Terraform writes.
	policy := strings.ReplaceAll(testPolicyCompact, ",", ", ")
	if _, err := b.Client.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: aws.String(rName), PolicyText: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: aws.String(rName), LifecyclePolicyText: aws.String(testLifecycleTwoRules)}); err != nil {
		t.Fatal(err)
	}

	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(fmt.Sprintf(`
import {
  to       = ecr_repository.imported
  identity = { name = %[1]q }
}
import {
  to       = ecr_repository_policy.imported
  identity = { repository = %[1]q, account_id = %[2]q, region = %[3]q }
}
import {
  to       = ecr_lifecycle_policy.imported
  identity = { repository = %[1]q }
}
`, rName, b.AccountID, b.Region))

	cli.MustRun("plan", "-input=false", "-generate-config-out=generated.tf")
	generated := cli.ReadFile("generated.tf")
	for _, want := range []string{
		`resource "ecr_repository" "imported"`, `resource "ecr_repository_policy" "imported"`,
		`resource "ecr_lifecycle_policy" "imported"`, `image_tag_mutability`, `scan_on_push`,
	} {
		if !strings.Contains(generated, want) {
			t.Errorf("generated.tf lacks %s", want)
		}
	}
	out := cli.MustRun("apply", "-input=false", "-auto-approve")
	if !regexp.MustCompile(`3 imported, 0 added, 0 changed, 0 destroyed`).MatchString(out) {
		t.Errorf("the apply did more or less than import the three resources")
	}
	cli.ExpectEmptyPlan()

	// The state records each resource's full identity.
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address  string         `json:"address"`
					Identity map[string]any `json:"identity"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(cli.JSON("show", "-json"), &state); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	want := map[string]map[string]any{
		"ecr_repository.imported":        {"name": rName, "account_id": b.AccountID, "region": b.Region},
		"ecr_repository_policy.imported": {"repository": rName, "account_id": b.AccountID, "region": b.Region},
		"ecr_lifecycle_policy.imported":  {"repository": rName, "account_id": b.AccountID, "region": b.Region},
	}
	for _, r := range state.Values.RootModule.Resources {
		if w, ok := want[r.Address]; ok {
			if fmt.Sprint(r.Identity) != fmt.Sprint(w) {
				t.Errorf("%s: identity %v, want %v", r.Address, r.Identity, w)
			}
			delete(want, r.Address)
		}
	}
	for addr := range want {
		t.Errorf("%s is not in the state", addr)
	}
}
