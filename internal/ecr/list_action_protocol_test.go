package ecr_test

// Protocol-level tests of the list resources and the action: they call the
// provider server in-process, so they run under every CLI (the CLI tests
// of these features need Terraform 1.14 and skip on older ones).

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// TestRepositoryList_protocol: the results of a list request, with the
// repository's state as an import reads it, and Limit honoured.
func TestRepositoryList_protocol(t *testing.T) {
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	ctx := context.Background()
	for _, n := range []string{"team/a", "team/b", "other"} {
		if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	const other = "eu-west-1"
	if _, err := b.ClientIn(other).CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("team/z")}); err != nil {
		t.Fatal(err)
	}
	typ := p.schemas.ListResourceSchemas["ecr_repository"].ValueType()
	config := func(region string) tfprotov6.DynamicValue {
		r := tftypes.NewValue(tftypes.String, nil)
		if region != "" {
			r = tftypes.NewValue(tftypes.String, region)
		}
		return mustDynamicValue(t, typ, tftypes.NewValue(typ, map[string]tftypes.Value{
			"name_prefix": tftypes.NewValue(tftypes.String, "team/"),
			"region":      r,
			"tags":        tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, nil),
		}))
	}
	// terraform-plugin-go v0.31 has these methods only on the (deprecated)
	// extension interfaces.
	list := p.srv.(tfprotov6.ProviderServerWithListResource) //nolint:staticcheck // see above
	for _, tc := range []struct {
		region string // "": the provider's
		limit  int64
		want   []string
	}{{"", 0, []string{"team/a", "team/b"}}, {"", 1, []string{"team/a"}}, {other, 0, []string{"team/z"}}} {
		cfg := config(tc.region)
		region := cmp.Or(tc.region, b.Region)
		stream, err := list.ListResource(ctx, &tfprotov6.ListResourceRequest{TypeName: "ecr_repository", Config: &cfg,
			IncludeResource: true, Limit: tc.limit})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for r := range stream.Results {
			requireNoDiags(t, r.Diagnostics)
			got = append(got, r.DisplayName)
			id := decodeStrings(t, p.identityType("ecr_repository"), r.Identity.IdentityData)
			if id["name"] != r.DisplayName || id["account_id"] != b.AccountID || id["region"] != region {
				t.Errorf("%s: identity %v", r.DisplayName, id)
			}
			state := decodeStrings(t, p.resourceType("ecr_repository"), r.Resource)
			if state["name"] != r.DisplayName || state["id"] != r.DisplayName || state["image_tag_mutability"] != "MUTABLE" || state["region"] != region ||
				!strings.HasSuffix(state["arn"], ":repository/"+r.DisplayName) {
				t.Errorf("%s: state %v", r.DisplayName, state)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("region %q, limit %d: results %v, want %v", tc.region, tc.limit, got, tc.want)
		}
	}
}

// TestLifecyclePolicyPreviewAction_protocol: the action's progress events
// name each image the policy would expire, then the counts.
func TestLifecyclePolicyPreviewAction_protocol(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccPreviewNeedsEmulator)
	p := newProtoProvider(t, b)
	ctx := context.Background()
	if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("svc")}); err != nil {
		t.Fatal(err)
	}
	digests := testAccPreviewImages(t, b, "svc")
	typ := p.schemas.ActionSchemas["ecr_lifecycle_policy_preview"].Schema.ValueType()
	cfg := mustDynamicValue(t, typ, tftypes.NewValue(typ, map[string]tftypes.Value{
		"repository": tftypes.NewValue(tftypes.String, "svc"),
		"policy":     tftypes.NewValue(tftypes.String, testAccPreviewPolicy(1)),
		"region":     tftypes.NewValue(tftypes.String, nil),
		"timeout":    tftypes.NewValue(tftypes.String, "1m"),
	}))
	actions := p.srv.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // InvokeAction is only there in v0.31
	stream, err := actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{
		ActionType: "ecr_lifecycle_policy_preview", Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	var messages []string
	for e := range stream.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			messages = append(messages, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			requireNoDiags(t, ev.Diagnostics)
		}
	}
	out := strings.Join(messages, "\n")
	expectPreview(t, out, "svc", "the given lifecycle policy", []string{digests["v1"], digests["v2"]}, digests["v3"], 2)
}
