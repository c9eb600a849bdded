package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// TestMain pins TF_ACC_TERRAFORM_PATH to a local terraform so that
// resource.UnitTest never downloads one. (acctest.TestMain does the same
// for the resource packages; this package cannot import acctest, which
// imports it.)
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "provider tests need terraform on PATH or TF_ACC_TERRAFORM_PATH:", err)
			os.Exit(1)
		}
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", p)
	}
	os.Exit(m.Run())
}

// testProvider is the provider plus a data source and a resource that read
// the account id, so that configurations exercise the real Configure.
type testProvider struct{ ecrProvider }

func (p *testProvider) DataSources(ctx context.Context) []func() datasource.DataSource {
	return append(p.ecrProvider.DataSources(ctx), func() datasource.DataSource { return &callerDataSource{} })
}

func (p *testProvider) Resources(ctx context.Context) []func() resource.Resource {
	return append(p.ecrProvider.Resources(ctx), func() resource.Resource { return &callerResource{} })
}

func testFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	var p provider.Provider = &testProvider{ecrProvider{version: "test", backoff: noBackoff{}}}
	return map[string]func() (tfprotov6.ProviderServer, error){"ecr": providerserver.NewProtocol6WithError(p)}
}

type callerModel struct {
	AccountID types.String `tfsdk:"account_id"`
	Region    types.String `tfsdk:"region"`
}

// setCaller reads the caller through meta into state: the Read of the
// data source and the Create of the resource.
func setCaller(ctx context.Context, meta *framework.Meta, state *tfsdk.State, diags *diag.Diagnostics) {
	id, err := meta.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the caller", err.Error())
		return
	}
	m := callerModel{AccountID: types.StringValue(id), Region: types.StringValue(meta.Region)}
	diags.Append(state.Set(ctx, &m)...)
}

type callerDataSource struct{ framework.DataSourceBase }

func (d *callerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_test_caller"
}

func (d *callerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{Attributes: map[string]dschema.Attribute{
		"account_id": dschema.StringAttribute{Computed: true},
		"region":     dschema.StringAttribute{Computed: true},
	}}
}

func (d *callerDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	setCaller(ctx, d.Meta, &resp.State, &resp.Diagnostics)
}

type callerResource struct{ framework.ResourceBase }

func (r *callerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_test_caller"
}

func (r *callerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Attributes: map[string]rschema.Attribute{
		"account_id": rschema.StringAttribute{Computed: true},
		"region":     rschema.StringAttribute{Computed: true},
	}}
}

func (r *callerResource) Create(ctx context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	setCaller(ctx, r.Meta, &resp.State, &resp.Diagnostics)
}

func (r *callerResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *callerResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}

func (r *callerResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// providerBlock renders a provider block; an empty url leaves out the
// endpoints block.
func providerBlock(url, extra string) string {
	endpoints := ""
	if url != "" {
		endpoints = fmt.Sprintf("endpoints {\n    ecr = %q\n  }", url)
	}
	return fmt.Sprintf(`
provider "ecr" {
  region     = "us-west-2"
  access_key = "AKIDPROVIDERTEST"
  secret_key = "provider-test-secret"
  %[1]s
  %[2]s
}
`, endpoints, extra)
}

func TestProvider_configure(t *testing.T) {
	isolateEnv(t)
	_, srv := startEmulator(t, nil)
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testFactories(),
		Steps: []tfresource.TestStep{{
			Config: providerBlock(srv.URL, `
  max_retries = 5
  retry_mode  = "adaptive"
  default_tags {
    tags = { team = "platform" }
  }
  ignore_tags {
    key_prefixes = ["kubernetes.io/"]
  }`) + `data "ecr_test_caller" "me" {}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ecr_test_caller.me", tfjsonpath.New("account_id"), knownvalue.StringExact(emulator.DefaultAccount)),
				statecheck.ExpectKnownValue("data.ecr_test_caller.me", tfjsonpath.New("region"), knownvalue.StringExact("us-west-2")),
			},
		}},
	})
}

// Plan-time validation: each bad value is one error naming its setting,
// before anything is called.
func TestProvider_validation(t *testing.T) {
	isolateEnv(t)
	tests := []struct {
		name, extra string
		want        *regexp.Regexp
	}{
		{"duration", `assume_role {
    role_arn = "arn:aws:iam::123456789012:role/x"
    duration = "2d"
  }`, regexp.MustCompile(`Invalid assume_role\[0\]\.duration`)},
		{"duration range", `assume_role {
    role_arn = "arn:aws:iam::123456789012:role/x"
    duration = "13h"
  }`, regexp.MustCompile(`(?s)Invalid assume_role\[0\]\.duration.*15m to 12h`)},
		{"role_arn", `assume_role {
    role_arn = "deployer"
  }`, regexp.MustCompile(`Invalid assume_role\[0\]\.role_arn`)},
		{"retry_mode", `retry_mode = "sometimes"`, regexp.MustCompile(`(?s)retry_mode.*standard`)},
		{"max_retries", `max_retries = -1`, regexp.MustCompile(`(?s)max_retries.*at least 0`)},
		{"http_proxy", `http_proxy = "proxy.example.com:3128"`, regexp.MustCompile(`Invalid http_proxy`)},
		{"endpoint", `endpoints {
    ecr = "localhost:5000"
  }`, regexp.MustCompile(`Invalid endpoints\[\d\]\.ecr`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tfresource.UnitTest(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testFactories(),
				Steps: []tfresource.TestStep{{
					Config:      providerBlock("", tc.extra) + `data "ecr_test_caller" "me" {}`,
					ExpectError: tc.want,
					PlanOnly:    true,
				}},
			})
		})
	}
}

func TestProvider_accessKeyWithoutSecretKey(t *testing.T) {
	isolateEnv(t)
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testFactories(),
		Steps: []tfresource.TestStep{{
			Config: `
provider "ecr" {
  region     = "us-west-2"
  access_key = "AKIDPROVIDERTEST"
}
data "ecr_test_caller" "me" {}`,
			ExpectError: regexp.MustCompile(`(?s)secret_key`),
		}},
	})
}

func TestProvider_noRegion(t *testing.T) {
	isolateEnv(t)
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testFactories(),
		Steps: []tfresource.TestStep{{
			Config: `
provider "ecr" {
  access_key = "AKIDPROVIDERTEST"
  secret_key = "provider-test-secret"
}
data "ecr_test_caller" "me" {}`,
			ExpectError: regexp.MustCompile(`(?s)No AWS Region configured.*AWS_REGION`),
		}},
	})
}

// The region comes from another resource, so it is unknown while planning:
// Configure must not fail then, and the apply uses the final value.
func TestProvider_unknownRegionDuringPlan(t *testing.T) {
	isolateEnv(t)
	_, srv := startEmulator(t, nil)
	tfresource.UnitTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testFactories(),
		Steps: []tfresource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "region" {
  input = "eu-north-1"
}
provider "ecr" {
  region     = terraform_data.region.output
  access_key = "AKIDPROVIDERTEST"
  secret_key = "provider-test-secret"
  endpoints {
    ecr = %[1]q
  }
}
resource "ecr_test_caller" "me" {}
`, srv.URL),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("ecr_test_caller.me", tfjsonpath.New("region"), knownvalue.StringExact("eu-north-1")),
				statecheck.ExpectKnownValue("ecr_test_caller.me", tfjsonpath.New("account_id"), knownvalue.StringExact(emulator.DefaultAccount)),
			},
		}},
	})
}
