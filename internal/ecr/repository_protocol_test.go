package ecr_test

// Protocol-level tests of what Terraform 1.11 cannot drive: resource
// identity (Terraform 1.12+) and moving state from hashicorp/aws (needs
// that provider). They call the provider server's tfprotov6 methods
// in-process, as Terraform would.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
)

// protoProvider is a provider server and its schemas.
type protoProvider struct {
	srv      tfprotov6.ProviderServer
	schemas  *tfprotov6.GetProviderSchemaResponse
	ids      *tfprotov6.GetResourceIdentitySchemasResponse
	state    tftypes.Type // ecr_repository state
	identity tftypes.Type // ecr_repository identity
}

// newProtoProvider returns a provider server configured for b; with b nil
// it is not configured (schemas and state moves need no configuration).
func newProtoProvider(t *testing.T, b *acctest.Backend) *protoProvider {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if b != nil {
		resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
			TerraformVersion: "1.12.0",
			Config:           &tfprotov6.DynamicValue{JSON: b.ProviderConfigJSON()},
		})
		if err != nil {
			t.Fatal(err)
		}
		requireNoDiags(t, resp.Diagnostics)
	}
	return &protoProvider{
		srv:      srv,
		schemas:  schemas,
		ids:      ids,
		state:    schemas.ResourceSchemas["ecr_repository"].ValueType(),
		identity: ids.IdentitySchemas["ecr_repository"].ValueType(),
	}
}

// resourceType is the state type of a resource type.
func (p *protoProvider) resourceType(typeName string) tftypes.Object {
	return p.schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
}

// identityType is the identity type of a resource type.
func (p *protoProvider) identityType(typeName string) tftypes.Object {
	return p.ids.IdentitySchemas[typeName].ValueType().(tftypes.Object)
}

func mustDynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

func (p *protoProvider) identityData(t *testing.T, name, account, region string) *tfprotov6.ResourceIdentityData {
	t.Helper()
	str := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	dv := mustDynamicValue(t, p.identity, tftypes.NewValue(p.identity, map[string]tftypes.Value{
		"name": str(name), "account_id": str(account), "region": str(region),
	}))
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// decodeStrings decodes an object's string attributes (others are skipped).
func decodeStrings(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	t.Helper()
	if dv == nil {
		t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, a := range attrs {
		var s string
		if a.Type().Is(tftypes.String) && a.IsKnown() && !a.IsNull() {
			if err := a.As(&s); err != nil {
				t.Fatal(err)
			}
			out[k] = s
		}
	}
	return out
}

func requireNoDiags(t *testing.T, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("unexpected error: %s: %s", d.Summary, d.Detail)
		}
	}
}

func requireError(t *testing.T, diags []*tfprotov6.Diagnostic, want string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError && strings.Contains(d.Summary+" "+d.Detail, want) {
			return
		}
	}
	t.Fatalf("want an error containing %q, got %v", want, diags)
}

func TestRepositoryIdentity_import(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	ctx := context.Background()
	name := acctest.RandomName("proto-repo")
	if _, err := b.Client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name),
		ImageTagMutability: awstypes.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	p := newProtoProvider(t, b)

	imp, err := p.srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "ecr_repository",
		Identity: p.identityData(t, name, b.AccountID, b.Region),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, imp.Diagnostics)
	if len(imp.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
	}
	got := imp.ImportedResources[0]
	if s := decodeStrings(t, p.state, got.State); s["name"] != name || s["id"] != name {
		t.Errorf("imported state name/id = %q/%q, want %q", s["name"], s["id"], name)
	}

	read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName:        "ecr_repository",
		CurrentState:    got.State,
		CurrentIdentity: got.Identity,
		Private:         got.Private,
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, read.Diagnostics)
	state := decodeStrings(t, p.state, read.NewState)
	if state["image_tag_mutability"] != "IMMUTABLE" || state["registry_id"] != b.AccountID {
		t.Errorf("read state = %v", state)
	}
	if read.NewIdentity == nil {
		t.Fatal("read returned no identity")
	}
	wantID := map[string]string{"name": name, "account_id": b.AccountID, "region": b.Region}
	if id := decodeStrings(t, p.identity, read.NewIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
		t.Errorf("identity = %v, want %v", id, wantID)
	}

	// Refreshing with the stored identity keeps it (an identity change is an error).
	again, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "ecr_repository", CurrentState: read.NewState, CurrentIdentity: read.NewIdentity,
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, again.Diagnostics)
}

func TestRepositoryIdentity_importOtherScope(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range []struct{ account, region, want string }{
		{"", "eu-west-1", `region "eu-west-1" is not the provider's region`},
		{"111122223333", "", `account "111122223333" is not the provider's account`},
	} {
		resp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
			TypeName: "ecr_repository",
			Identity: p.identityData(t, "some-repo", tc.account, tc.region),
		})
		if err != nil {
			t.Fatal(err)
		}
		requireError(t, resp.Diagnostics, tc.want)
	}
}

// awsV6RepositoryState is a state of aws_ecr_repository as hashicorp/aws v6
// writes it (schema version 0): blocks as lists, defaults spelled out.
const awsV6RepositoryState = `{
  "arn": "arn:aws:ecr:us-west-2:123456789012:repository/%[1]s",
  "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
  "force_delete": true,
  "id": "%[1]s",
  "image_scanning_configuration": [{"scan_on_push": false}],
  "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
  "image_tag_mutability_exclusion_filter": [{"filter": "latest", "filter_type": "WILDCARD"}],
  "name": "%[1]s",
  "region": "%[2]s",
  "registry_id": "123456789012",
  "repository_url": "123456789012.dkr.ecr.us-west-2.amazonaws.com/%[1]s",
  "tags": {"env": "test"},
  "tags_all": {"env": "test", "team": "platform"},
  "timeouts": {"delete": "30m"}
}`

func TestRepositoryMoveState_fromAWS(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	ctx := context.Background()
	name := acctest.RandomName("moved-repo")
	move := func(typeName, region string) *tfprotov6.MoveResourceStateResponse {
		resp, err := p.srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
			SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
			SourceTypeName:        typeName,
			SourceSchemaVersion:   0,
			SourceState:           &tfprotov6.RawState{JSON: []byte(fmt.Sprintf(awsV6RepositoryState, name, region))},
			TargetTypeName:        "ecr_repository",
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	resp := move("aws_ecr_repository", acctest.Region)
	requireNoDiags(t, resp.Diagnostics)
	v, err := resp.TargetState.Unmarshal(p.state)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[string]tftypes.Value{
		"name":                 tftypes.NewValue(tftypes.String, name),
		"id":                   tftypes.NewValue(tftypes.String, name),
		"force_delete":         tftypes.NewValue(tftypes.Bool, true),
		"image_tag_mutability": tftypes.NewValue(tftypes.String, "IMMUTABLE_WITH_EXCLUSION"),
		// ECR's defaults, which hashicorp/aws always stores, are dropped:
		// a configuration without these blocks plans no change.
		"encryption_configuration":     tftypes.NewValue(p.state.(tftypes.Object).AttributeTypes["encryption_configuration"], []tftypes.Value{}),
		"image_scanning_configuration": tftypes.NewValue(p.state.(tftypes.Object).AttributeTypes["image_scanning_configuration"], []tftypes.Value{}),
	} {
		if !attrs[attr].Equal(want) {
			t.Errorf("%s = %s, want %s", attr, attrs[attr], want)
		}
	}
	for attr, want := range map[string]string{
		"image_tag_mutability_exclusion_filter": `[{"filter":"latest","filter_type":"WILDCARD"}]`,
		"tags":                                  `{"env":"test"}`,
		"tags_all":                              `{"env":"test","team":"platform"}`,
		"timeouts":                              `{"create":null,"delete":"30m","update":null}`,
	} {
		if got := jsonOf(t, attrs[attr]); got != want {
			t.Errorf("%s = %s, want %s", attr, got, want)
		}
	}

	wantID := map[string]string{"name": name, "account_id": acctest.AccountID, "region": acctest.Region}
	if id := decodeStrings(t, p.identity, resp.TargetIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
		t.Errorf("identity = %v, want %v", id, wantID)
	}

	// Moved from another region: the first refresh refuses it rather than
	// finding nothing and planning a new repository here.
	other := move("aws_ecr_repository", "eu-west-1")
	requireNoDiags(t, other.Diagnostics)
	read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: "ecr_repository", CurrentState: other.TargetState, CurrentIdentity: other.TargetIdentity,
	})
	if err != nil {
		t.Fatal(err)
	}
	requireError(t, read.Diagnostics, `region "eu-west-1" is not the provider's region`)

	requireError(t, move("aws_ecr_lifecycle_policy_x", acctest.Region).Diagnostics, "") // no mover for it
}

// jsonOf renders a value compactly as JSON for comparisons.
func jsonOf(t *testing.T, v tftypes.Value) string {
	t.Helper()
	var b strings.Builder
	var render func(v tftypes.Value)
	render = func(v tftypes.Value) {
		switch {
		case v.IsNull():
			b.WriteString("null")
		case v.Type().Is(tftypes.String):
			var s string
			_ = v.As(&s)
			fmt.Fprintf(&b, "%q", s)
		case v.Type().Is(tftypes.List{}):
			var l []tftypes.Value
			_ = v.As(&l)
			b.WriteString("[")
			for i, e := range l {
				if i > 0 {
					b.WriteString(",")
				}
				render(e)
			}
			b.WriteString("]")
		default: // objects and maps, keys sorted
			var m map[string]tftypes.Value
			if err := v.As(&m); err != nil {
				t.Fatalf("render %s: %v", v, err)
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b.WriteString("{")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "%q:", k)
				render(m[k])
			}
			b.WriteString("}")
		}
	}
	render(v)
	return b.String()
}
