package ecr_test

// Check and step builders every entity's acceptance tests share.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
)

// finder is an entity's finder as exported for the tests: the object a key
// (the value of a resource's key attribute) names, or a not-found error.
type finder[T any] func(ctx context.Context, client *awsecr.Client, key string) (*T, error)

// testAccCheckExists fails unless find finds the object of the resource at
// addr, named by its attribute keyAttr. With v not nil it stores the object.
func testAccCheckExists[T any](b *acctest.Backend, addr, keyAttr string, find finder[T], v *T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not found in state", addr)
		}
		out, err := find(acctest.Context(), testAccClient(b, rs.Primary.Attributes["region"]), rs.Primary.Attributes[keyAttr])
		if err != nil {
			return err
		}
		if v != nil {
			*v = *out
		}
		return nil
	}
}

// testAccCheckDestroy is a CheckDestroy: it fails while find still finds
// the object of any resource of typeName (named by its attribute keyAttr).
func testAccCheckDestroy[T any](b *acctest.Backend, typeName, keyAttr string, find finder[T]) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typeName {
				continue
			}
			key := rs.Primary.Attributes[keyAttr]
			_, err := find(acctest.Context(), testAccClient(b, rs.Primary.Attributes["region"]), key)
			if ecr.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("%s %s still exists", typeName, key)
		}
		return nil
	}
}

// testAccClient is the backend's client for a resource's region (its
// `region` attribute; empty for the provider's).
func testAccClient(b *acctest.Backend, region string) *awsecr.Client {
	if region == "" || region == b.Region {
		return b.Client
	}
	return b.ClientIn(region)
}

// testAccStepDisappears applies config, then destroy deletes out of band
// what the apply created: the refresh must notice, and plan to create the
// resource at addr again.
func testAccStepDisappears(config, addr string, exists resource.TestCheckFunc, destroy func() error) resource.TestStep {
	return resource.TestStep{
		Config: config,
		Check: resource.ComposeTestCheckFunc(exists, func(*terraform.State) error {
			return destroy()
		}),
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		},
	}
}

// stateValueAt checks the value of attr of the resource at addr.
func stateValueAt(addr, attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check)
}

// expectActionAt checks that the plan does action to the resource at addr.
func expectActionAt(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}}
}

// expectEmptyPlanAfterApply checks that the refresh after the apply plans
// nothing.
func expectEmptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// expectActionThenEmptyPlan checks that the plan does action to the
// resource at addr, and that the refresh after the apply plans nothing.
func expectActionThenEmptyPlan(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	checks := expectActionAt(addr, action)
	checks.PostApplyPostRefresh = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	return checks
}

// ---- calling the provider server directly (tfprotov6), as Terraform would ----

// protoProvider is a provider server and its schemas.
type protoProvider struct {
	srv     tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
	ids     *tfprotov6.GetResourceIdentitySchemasResponse
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
	return &protoProvider{srv: srv, schemas: schemas, ids: ids}
}

// resourceType is the state type of a resource type.
func (p *protoProvider) resourceType(typeName string) tftypes.Object {
	return p.schemas.ResourceSchemas[typeName].ValueType().(tftypes.Object)
}

// identityType is the identity type of a resource type.
func (p *protoProvider) identityType(typeName string) tftypes.Object {
	return p.ids.IdentitySchemas[typeName].ValueType().(tftypes.Object)
}

// optionalString is a string value, null when s is "".
func optionalString(s string) tftypes.Value {
	if s == "" {
		return tftypes.NewValue(tftypes.String, nil)
	}
	return tftypes.NewValue(tftypes.String, s)
}

// invokeAction invokes actionType through the protocol with the given
// configuration values and returns its progress messages and its error
// diagnostics.
func (p *protoProvider) invokeAction(t *testing.T, actionType string, values map[string]tftypes.Value) (messages, errs []string) {
	t.Helper()
	typ := p.schemas.ActionSchemas[actionType].Schema.ValueType()
	cfg := mustDynamicValue(t, typ, tftypes.NewValue(typ, values))
	actions := p.srv.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // InvokeAction is only there in v0.31
	stream, err := actions.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	for e := range stream.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			messages = append(messages, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			for _, d := range ev.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, d.Summary+": "+d.Detail)
				}
			}
		}
	}
	return messages, errs
}

func mustDynamicValue(t *testing.T, typ tftypes.Type, v tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

// identityData is an identity of typeName: its key attribute key ("" for a
// singleton, which has none), account and region; empty values are null.
func (p *protoProvider) identityData(t *testing.T, typeName, key, value, account, region string) *tfprotov6.ResourceIdentityData {
	t.Helper()
	str := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	typ := p.identityType(typeName)
	attrs := map[string]tftypes.Value{"account_id": str(account), "region": str(region)}
	if key != "" { // a singleton's identity has no key
		attrs[key] = str(value)
	}
	dv := mustDynamicValue(t, typ, tftypes.NewValue(typ, attrs))
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

// attributes decodes an object value into its attributes.
func attributes(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
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
	return attrs
}

// decodeStrings decodes an object's string attributes (others are skipped).
func decodeStrings(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, a := range attributes(t, typ, dv) {
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

func mapExact(m map[string]string) knownvalue.Check {
	checks := map[string]knownvalue.Check{}
	for k, v := range m {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// testAccPutImage pushes a small image, unique per tag, with its blobs.
func testAccPutImage(b *acctest.Backend, repository, tag string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		return putImage(b, repository, tag)
	}
}

// putImage pushes a small image, unique per tag, with its blobs (ECR refuses
// a manifest whose layers were not uploaded).
func putImage(b *acctest.Backend, repository, tag string) error {
	_, err := b.PushImage(repository, tag)
	return err
}

// testAccProviderConfigTags is the backend's provider block with
// default_tags and ignore_tags.
func testAccProviderConfigTags(b *acctest.Backend, defaultTags, ignoreKey string) string {
	return b.ProviderConfigWith(fmt.Sprintf(`
  default_tags {
    tags = %[1]s
  }
  ignore_tags {
    keys = [%[2]q]
  }`, defaultTags, ignoreKey))
}
