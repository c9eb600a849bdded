package ecr_test

// Protocol-level tests of resource identity and of the state move from
// hashicorp/aws: Terraform 1.11 (the local CLI) supports neither identity
// nor import by identity, so these call the provider server directly.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

var testPolicyResourceTypes = []struct {
	typeName, awsType string
	policy            string
}{
	{"ecr_repository_policy", "aws_ecr_repository_policy", testPolicyCompact},
	{"ecr_lifecycle_policy", "aws_ecr_lifecycle_policy", testLifecycleTwoRules},
}

func TestPolicyResources_identitySchema(t *testing.T) {
	t.Parallel()
	p := newProtoProvider(t, nil)
	for _, tc := range testPolicyResourceTypes {
		s, ok := p.ids.IdentitySchemas[tc.typeName]
		if !ok {
			t.Fatalf("%s has no identity schema", tc.typeName)
		}
		got := map[string]string{}
		for _, a := range s.IdentityAttributes {
			switch {
			case a.RequiredForImport:
				got[a.Name] = "required"
			case a.OptionalForImport:
				got[a.Name] = "optional"
			}
		}
		want := map[string]string{"repository": "required", "account_id": "optional", "region": "optional"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s identity %s: %q, want %q", tc.typeName, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s identity attributes %v, want %v", tc.typeName, got, want)
		}
	}
}

// Import by identity, then Read: the state names the repository and the
// identity gets the account and Region.
func TestPolicyResources_importByIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testPolicyResourceTypes {
		t.Run(tc.typeName, func(t *testing.T) {
			rName := acctest.RandomName("tf-proto-identity")
			if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.typeName == "ecr_repository_policy" {
				_, err = b.Client.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: aws.String(rName), PolicyText: aws.String(tc.policy)})
			} else {
				_, err = b.Client.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: aws.String(rName), LifecyclePolicyText: aws.String(tc.policy)})
			}
			if err != nil {
				t.Fatal(err)
			}
			idType := p.identityType(tc.typeName)
			identity := func(account, region string) *tfprotov6.ResourceIdentityData {
				v := map[string]tftypes.Value{
					"repository": tftypes.NewValue(tftypes.String, rName),
					"account_id": tftypes.NewValue(tftypes.String, nil),
					"region":     tftypes.NewValue(tftypes.String, nil),
				}
				if account != "" {
					v["account_id"] = tftypes.NewValue(tftypes.String, account)
				}
				if region != "" {
					v["region"] = tftypes.NewValue(tftypes.String, region)
				}
				dv := mustDynamicValue(t, idType, tftypes.NewValue(idType, v))
				return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
			}

			// Another Region or account is refused.
			for _, bad := range []*tfprotov6.ResourceIdentityData{identity("", "eu-west-1"), identity("111122223333", "")} {
				resp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName, Identity: bad})
				if err != nil {
					t.Fatal(err)
				}
				requireError(t, resp.Diagnostics, "Resource identity in another")
			}

			imp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
				TypeName: tc.typeName, Identity: identity(b.AccountID, b.Region)})
			if err != nil {
				t.Fatal(err)
			}
			requireNoDiags(t, imp.Diagnostics)
			if len(imp.ImportedResources) != 1 {
				t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
			}
			ir := imp.ImportedResources[0]
			if got := decodeStrings(t, p.resourceType(tc.typeName), ir.State)["repository"]; got != rName {
				t.Fatalf("imported repository %q, want %q", got, rName)
			}

			read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
				TypeName: tc.typeName, CurrentState: ir.State, CurrentIdentity: ir.Identity, Private: ir.Private})
			if err != nil {
				t.Fatal(err)
			}
			requireNoDiags(t, read.Diagnostics)
			state := decodeStrings(t, p.resourceType(tc.typeName), read.NewState)
			if state["id"] != rName || state["registry_id"] != b.AccountID || state["policy"] == "" {
				t.Errorf("state after read = %v", state)
			}
			if read.NewIdentity == nil {
				t.Fatal("no identity after read")
			}
			id := decodeStrings(t, idType, read.NewIdentity.IdentityData)
			want := map[string]string{"repository": rName, "account_id": b.AccountID, "region": b.Region}
			for k, v := range want {
				if id[k] != v {
					t.Errorf("identity %s = %q, want %q", k, id[k], v)
				}
			}
		})
	}
}

// State moved from hashicorp/aws v6 (a `moved` block across providers).
func TestPolicyResources_moveState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProtoProvider(t, nil)
	for _, tc := range testPolicyResourceTypes {
		t.Run(tc.typeName, func(t *testing.T) {
			policyJSON := strings.ReplaceAll(tc.policy, `"`, `\"`)
			raw := `{"id":"my-repo","policy":"` + policyJSON + `","region":"us-west-2","registry_id":"123456789012","repository":"my-repo"}`
			resp, err := p.srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
				SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
				SourceTypeName:        tc.awsType,
				SourceSchemaVersion:   0,
				SourceState:           &tfprotov6.RawState{JSON: []byte(raw)},
				TargetTypeName:        tc.typeName,
			})
			if err != nil {
				t.Fatal(err)
			}
			requireNoDiags(t, resp.Diagnostics)
			got := decodeStrings(t, p.resourceType(tc.typeName), resp.TargetState)
			want := map[string]string{"id": "my-repo", "repository": "my-repo", "registry_id": "123456789012", "policy": tc.policy}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("moved %s = %q, want %q", k, got[k], v)
				}
			}
			// hashicorp/aws has no timeouts for these types: the block is
			// absent (null), and the defaults apply.
			moved, err := resp.TargetState.Unmarshal(p.resourceType(tc.typeName))
			if err != nil {
				t.Fatal(err)
			}
			var attrs map[string]tftypes.Value
			if err := moved.As(&attrs); err != nil {
				t.Fatal(err)
			}
			if timeouts, ok := attrs["timeouts"]; !ok || !timeouts.IsNull() {
				t.Errorf("moved timeouts = %v, want null", timeouts)
			}
			if resp.TargetIdentity == nil {
				t.Fatal("no identity after the move")
			}
			id := decodeStrings(t, p.identityType(tc.typeName), resp.TargetIdentity.IdentityData)
			if id["repository"] != "my-repo" || id["account_id"] != "123456789012" || id["region"] != "us-west-2" {
				t.Errorf("moved identity = %v", id)
			}

			// Another source type is not moved.
			other, err := p.srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
				SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
				SourceTypeName:        "aws_ecr_registry_policy",
				SourceState:           &tfprotov6.RawState{JSON: []byte(raw)},
				TargetTypeName:        tc.typeName,
			})
			if err != nil {
				t.Fatal(err)
			}
			requireError(t, other.Diagnostics, "") // no mover for it
		})
	}
}
