package ecr_test

// Resource identity, import and the state move from hashicorp/aws, for
// every resource type, at the protocol level: the provider server's
// tfprotov6 methods called in-process, as Terraform would. Terraform 1.11
// (the local CLI) has no identity, and moves need hashicorp/aws.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// testIdentityType is one resource type in the identity tests.
type testIdentityType struct {
	typeName, awsType string
	key               string // the identity's key attribute, also in state
	// create makes the object named name out of band.
	create func(ctx context.Context, client *awsecr.Client, name string) error
	// read checks the state a Read returns for an object create made.
	read func(t *testing.T, state map[string]string)
	// awsState is a hashicorp/aws v6 state (schema version 0) of the object
	// name in region, as raw JSON.
	awsState func(name, region string) string
	// moved checks the state moved from awsState.
	moved func(t *testing.T, p *protoProvider, name string, attrs map[string]tftypes.Value)
	// keyOf, when set, is the key of the object create makes for name
	// (ecr_image_tag: `<name>:prod`); otherwise the key is name.
	keyOf func(name string) string
}

// keyFor is the key of the object tc.create makes for name.
func (tc testIdentityType) keyFor(name string) string {
	if tc.keyOf == nil {
		return name
	}
	return tc.keyOf(name)
}

func testIdentityCreateRepository(ctx context.Context, client *awsecr.Client, name string) error {
	_, err := client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(name),
		ImageTagMutability: awstypes.ImageTagMutabilityImmutable})
	return err
}

// testIdentityPolicyAWSState is the state of a policy as hashicorp/aws v6 writes it.
func testIdentityPolicyAWSState(policy string) func(name, region string) string {
	return func(name, region string) string {
		return fmt.Sprintf(`{"id":%q,"policy":%q,"region":%q,"registry_id":%q,"repository":%q}`,
			name, policy, region, acctest.AccountID, name)
	}
}

func testIdentityPolicyMoved(policy string) func(*testing.T, *protoProvider, string, map[string]tftypes.Value) {
	return func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
		t.Helper()
		for k, v := range map[string]string{"id": name, "repository": name, "registry_id": acctest.AccountID, "policy": policy} {
			if got := jsonOf(t, attrs[k]); got != fmt.Sprintf("%q", v) {
				t.Errorf("moved %s = %s, want %q", k, got, v)
			}
		}
		// hashicorp/aws has no timeouts for these types: the block is
		// absent (null), and the defaults apply.
		if timeouts, ok := attrs["timeouts"]; !ok || !timeouts.IsNull() {
			t.Errorf("moved timeouts = %v, want null", timeouts)
		}
	}
}

func testIdentityPolicyRead(t *testing.T, state map[string]string) {
	t.Helper()
	if state["registry_id"] != acctest.AccountID || state["policy"] == "" {
		t.Errorf("state after read = %v", state)
	}
}

// awsV6RepositoryState is a state of aws_ecr_repository as hashicorp/aws v6
// writes it (schema version 0): blocks as lists, defaults spelled out.
const awsV6RepositoryState = `{
  "arn": "arn:aws:ecr:%[2]s:123456789012:repository/%[1]s",
  "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
  "force_delete": true,
  "id": "%[1]s",
  "image_scanning_configuration": [{"scan_on_push": false}],
  "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
  "image_tag_mutability_exclusion_filter": [{"filter": "latest", "filter_type": "WILDCARD"}],
  "name": "%[1]s",
  "region": "%[2]s",
  "registry_id": "123456789012",
  "repository_url": "123456789012.dkr.ecr.%[2]s.amazonaws.com/%[1]s",
  "tags": {"env": "test"},
  "tags_all": {"env": "test", "team": "platform"},
  "timeouts": {"delete": "30m"}
}`

var testIdentityTypes = []testIdentityType{
	{
		typeName: "ecr_repository", awsType: "aws_ecr_repository", key: "name",
		create: testIdentityCreateRepository,
		read: func(t *testing.T, state map[string]string) {
			if state["image_tag_mutability"] != "IMMUTABLE" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string { return fmt.Sprintf(awsV6RepositoryState, name, region) },
		moved: func(t *testing.T, p *protoProvider, name string, attrs map[string]tftypes.Value) {
			typ := p.resourceType("ecr_repository")
			for attr, want := range map[string]tftypes.Value{
				"name":                 tftypes.NewValue(tftypes.String, name),
				"id":                   tftypes.NewValue(tftypes.String, name),
				"force_delete":         tftypes.NewValue(tftypes.Bool, true),
				"image_tag_mutability": tftypes.NewValue(tftypes.String, "IMMUTABLE_WITH_EXCLUSION"),
				// ECR's defaults, which hashicorp/aws always stores, are dropped:
				// a configuration without these blocks plans no change.
				"encryption_configuration":     tftypes.NewValue(typ.AttributeTypes["encryption_configuration"], []tftypes.Value{}),
				"image_scanning_configuration": tftypes.NewValue(typ.AttributeTypes["image_scanning_configuration"], []tftypes.Value{}),
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
		},
	},
	{
		typeName: "ecr_repository_policy", awsType: "aws_ecr_repository_policy", key: "repository",
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			if err := testIdentityCreateRepository(ctx, client, name); err != nil {
				return err
			}
			_, err := client.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(testPolicyCompact)})
			return err
		},
		read:     testIdentityPolicyRead,
		awsState: testIdentityPolicyAWSState(testPolicyCompact),
		moved:    testIdentityPolicyMoved(testPolicyCompact),
	},
	{
		typeName: "ecr_lifecycle_policy", awsType: "aws_ecr_lifecycle_policy", key: "repository",
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			if err := testIdentityCreateRepository(ctx, client, name); err != nil {
				return err
			}
			_, err := client.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(testLifecycleTwoRules)})
			return err
		},
		read:     testIdentityPolicyRead,
		awsState: testIdentityPolicyAWSState(testLifecycleTwoRules),
		moved:    testIdentityPolicyMoved(testLifecycleTwoRules),
	},
	{
		// No hashicorp/aws type to move from.
		typeName: "ecr_image_tag", key: "id",
		keyOf: func(name string) string { return name + ":prod" },
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			if _, err := client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
				return err
			}
			_, err := (&acctest.Backend{Client: client}).PushImage(name, "prod")
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["tag"] != "prod" || state["image_digest"] == "" || state["source_digest"] != state["image_digest"] ||
				state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
	},
}

// Every resource type has an identity: its key (required for import),
// account_id and region (optional).
func TestResourceIdentity_schema(t *testing.T) {
	t.Parallel()
	p := newProtoProvider(t, nil)
	if got, want := len(p.ids.IdentitySchemas), len(testIdentityTypes); got != want {
		t.Errorf("%d resource types have an identity, the table has %d", got, want)
	}
	for _, tc := range testIdentityTypes {
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
		want := map[string]string{tc.key: "required", "account_id": "optional", "region": "optional"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s identity attributes %v, want %v", tc.typeName, got, want)
		}
	}
}

// importAndRead imports with req, then reads what was imported: the state
// and identity after the Read.
func (p *protoProvider) importAndRead(t *testing.T, req *tfprotov6.ImportResourceStateRequest) *tfprotov6.ReadResourceResponse {
	t.Helper()
	ctx := context.Background()
	imp, err := p.srv.ImportResourceState(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, imp.Diagnostics)
	if len(imp.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
	}
	ir := imp.ImportedResources[0]
	read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: req.TypeName, CurrentState: ir.State, CurrentIdentity: ir.Identity, Private: ir.Private})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, read.Diagnostics)
	if read.NewIdentity == nil {
		t.Fatal("read returned no identity")
	}
	return read
}

// Import by identity and by import ID (`key` and `key@region`), in the
// provider's Region and in another: the Read after it finds the object in
// its Region, and the identity names account and Region. A refresh with
// the stored identity keeps it (an identity change is an error).
func TestResourceIdentity_import(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		for _, region := range []string{b.Region, acctest.OtherRegion} {
			t.Run(tc.typeName+"/"+region, func(t *testing.T) {
				name := acctest.RandomName("tf-proto-identity")
				if err := tc.create(ctx, testAccClient(b, region), name); err != nil {
					t.Fatal(err)
				}
				key := tc.keyFor(name)
				importID := key + "@" + region
				idRegion := region
				if region == b.Region {
					importID, idRegion = key, "" // the provider's Region by default
				}
				for how, req := range map[string]*tfprotov6.ImportResourceStateRequest{
					"identity":  {TypeName: tc.typeName, Identity: p.identityData(t, tc.typeName, tc.key, key, b.AccountID, idRegion)},
					"import ID": {TypeName: tc.typeName, ID: importID},
				} {
					read := p.importAndRead(t, req)
					state := decodeStrings(t, p.resourceType(tc.typeName), read.NewState)
					if state[tc.key] != key || state["id"] != key || state["region"] != region {
						t.Errorf("by %s: state %s/id/region = %q/%q/%q, want %q/%q/%q", how, tc.key,
							state[tc.key], state["id"], state["region"], key, key, region)
					}
					tc.read(t, state)
					wantID := map[string]string{tc.key: key, "account_id": b.AccountID, "region": region}
					if id := decodeStrings(t, p.identityType(tc.typeName), read.NewIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
						t.Errorf("by %s: identity = %v, want %v", how, id, wantID)
					}
					again, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
						TypeName: tc.typeName, CurrentState: read.NewState, CurrentIdentity: read.NewIdentity,
					})
					if err != nil {
						t.Fatal(err)
					}
					requireNoDiags(t, again.Diagnostics)
				}
			})
		}
	}
}

// An identity of another account is refused: the provider's credentials
// cannot reach it. So are import IDs that name no object.
func TestResourceIdentity_importRefused(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		for _, c := range []struct {
			req  *tfprotov6.ImportResourceStateRequest
			want string
		}{
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName,
				Identity: p.identityData(t, tc.typeName, tc.key, "some-repo", "111122223333", "")},
				`account "111122223333" is not the provider's account`},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName,
				Identity: p.identityData(t, tc.typeName, tc.key, "some-repo", "111122223333", acctest.OtherRegion)},
				"Resource identity in another account"},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName, ID: "Not_A_Repository"}, "is not a repository name"},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName, ID: "some-repo@nowhere"}, `"nowhere" is not an AWS Region`},
		} {
			resp, err := p.srv.ImportResourceState(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			requireError(t, resp.Diagnostics, c.want)
		}
	}
}

// A Read that finds the object gone removes it, and still returns an
// identity when Terraform kept none (Terraform before 1.12): the framework
// requires one.
func TestResourceIdentity_readGone(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		typ := p.resourceType(tc.typeName)
		attrs := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			attrs[name] = tftypes.NewValue(at, nil)
		}
		gone := tc.keyFor("gone-repo")
		attrs[tc.key] = tftypes.NewValue(tftypes.String, gone)
		attrs["id"] = tftypes.NewValue(tftypes.String, gone)
		state := mustDynamicValue(t, typ, tftypes.NewValue(typ, attrs))
		read, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: tc.typeName, CurrentState: &state})
		if err != nil {
			t.Fatal(err)
		}
		requireNoDiags(t, read.Diagnostics)
		if v, err := read.NewState.Unmarshal(typ); err != nil || !v.IsNull() {
			t.Errorf("%s: state after reading a gone object = %v, %v; want null", tc.typeName, v, err)
		}
		if id := decodeStrings(t, p.identityType(tc.typeName), read.NewIdentity.IdentityData); id[tc.key] != gone {
			t.Errorf("%s: identity of a gone object = %v", tc.typeName, id)
		}
	}
}

// State moved from hashicorp/aws v6 (a `moved` block across providers)
// keeps its Region: the first Read looks there.
func TestResourceMoveState_fromAWS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	move := func(t *testing.T, sourceType, targetType, raw string) *tfprotov6.MoveResourceStateResponse {
		t.Helper()
		resp, err := p.srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
			SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
			SourceTypeName:        sourceType,
			SourceSchemaVersion:   0,
			SourceState:           &tfprotov6.RawState{JSON: []byte(raw)},
			TargetTypeName:        targetType,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, tc := range testIdentityTypes {
		if tc.awsType == "" {
			continue // nothing to move from
		}
		t.Run(tc.typeName, func(t *testing.T) {
			for _, region := range []string{b.Region, acctest.OtherRegion} {
				name := acctest.RandomName("moved")
				resp := move(t, tc.awsType, tc.typeName, tc.awsState(name, region))
				requireNoDiags(t, resp.Diagnostics)
				attrs := attributes(t, p.resourceType(tc.typeName), resp.TargetState)
				tc.moved(t, p, name, attrs)
				if got := jsonOf(t, attrs["region"]); got != fmt.Sprintf("%q", region) {
					t.Errorf("moved region = %s, want %q", got, region)
				}
				if resp.TargetIdentity == nil {
					t.Fatal("no identity after the move")
				}
				wantID := map[string]string{tc.key: name, "account_id": acctest.AccountID, "region": region}
				if id := decodeStrings(t, p.identityType(tc.typeName), resp.TargetIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
					t.Errorf("moved identity = %v, want %v", id, wantID)
				}

				// The first refresh reads the object in the moved Region.
				if err := tc.create(ctx, testAccClient(b, region), name); err != nil {
					t.Fatal(err)
				}
				read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
					TypeName: tc.typeName, CurrentState: resp.TargetState, CurrentIdentity: resp.TargetIdentity,
				})
				if err != nil {
					t.Fatal(err)
				}
				requireNoDiags(t, read.Diagnostics)
				if s := decodeStrings(t, p.resourceType(tc.typeName), read.NewState); s[tc.key] != name || s["region"] != region {
					t.Errorf("read after the move in %s: state %v", region, s)
				}
			}

			// hashicorp/aws v5 has no region: the provider's applies, and
			// the first Read sets the identity.
			v5 := strings.Replace(tc.awsState("v5-repo", b.Region), `"region": "`+b.Region+`",`, "", 1)
			v5 = strings.Replace(v5, `"region":"`+b.Region+`",`, "", 1)
			resp := move(t, tc.awsType, tc.typeName, v5)
			requireNoDiags(t, resp.Diagnostics)
			if r := attributes(t, p.resourceType(tc.typeName), resp.TargetState)["region"]; !r.IsNull() {
				t.Errorf("region moved from a v5 state = %s, want null", r)
			}

			// Another source type is not moved.
			requireError(t, move(t, "aws_ecr_registry_policy", tc.typeName, tc.awsState("other", b.Region)).Diagnostics, "")
			// A state hashicorp/aws could not have written is refused with one wording.
			requireError(t, move(t, tc.awsType, tc.typeName, `{"repository": ["x"], "name": ["x"]}`).Diagnostics, "Unable to move "+tc.awsType)
		})
	}
}
