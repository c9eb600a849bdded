// Package provider is the ecr provider: its schema and Configure.
package provider

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	ecrres "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/functions"
)

// New returns the provider factory for a version (set at build time).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ecrProvider{version: version} }
}

type ecrProvider struct {
	version string
	// backoff replaces the retryer's exponential backoff; tests set it so
	// that retried calls do not sleep for seconds. nil in production.
	backoff retry.BackoffDelayer
}

var (
	_ provider.ProviderWithConfigValidators   = (*ecrProvider)(nil)
	_ provider.ProviderWithListResources      = (*ecrProvider)(nil)
	_ provider.ProviderWithActions            = (*ecrProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*ecrProvider)(nil)
	_ provider.ProviderWithFunctions          = (*ecrProvider)(nil)
)

func (p *ecrProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ecr"
	resp.Version = p.version
}

func (p *ecrProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *ecrProvider) ConfigValidators(_ context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.RequiredTogether(path.MatchRoot("access_key"), path.MatchRoot("secret_key")),
	}
}

func (p *ecrProvider) Resources(_ context.Context) []func() resource.Resource {
	return ecrres.Resources()
}

func (p *ecrProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return ecrres.DataSources()
}

func (p *ecrProvider) ListResources(_ context.Context) []func() list.ListResource {
	return ecrres.ListResources()
}

func (p *ecrProvider) Actions(_ context.Context) []func() action.Action {
	return ecrres.Actions()
}

func (p *ecrProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return ecrres.EphemeralResources()
}

func (p *ecrProvider) Functions(_ context.Context) []func() function.Function {
	return functions.All()
}

func (p *ecrProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.Config.Raw.IsFullyKnown() {
		if req.ClientCapabilities.DeferralAllowed {
			tflog.Info(ctx, "provider configuration has unknown values; deferring")
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		// Terraform configures the provider again with known values before
		// apply; until then unknown settings are treated as unset.
		tflog.Info(ctx, "provider configuration has unknown values; treating them as unset for this plan")
	}
	c := configurer{version: p.version, terraformVersion: req.TerraformVersion, backoff: p.backoff,
		partial: !req.Config.Raw.IsFullyKnown()}
	meta, diags := c.configure(ctx, &m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = meta
	resp.DataSourceData = meta
	resp.EphemeralResourceData = meta
	resp.ListResourceData = meta
	resp.ActionData = meta
}

// ---- model ----

type providerModel struct {
	Region                 types.String `tfsdk:"region"`
	Profile                types.String `tfsdk:"profile"`
	AccessKey              types.String `tfsdk:"access_key"`
	SecretKey              types.String `tfsdk:"secret_key"`
	Token                  types.String `tfsdk:"token"`
	SharedConfigFiles      types.List   `tfsdk:"shared_config_files"`
	SharedCredentialsFiles types.List   `tfsdk:"shared_credentials_files"`
	AssumeRole             types.List   `tfsdk:"assume_role"` // of assumeRoleModel
	Endpoints              types.List   `tfsdk:"endpoints"`   // of endpointsModel
	MaxRetries             types.Int64  `tfsdk:"max_retries"`
	RetryMode              types.String `tfsdk:"retry_mode"`
	DefaultTags            types.List   `tfsdk:"default_tags"` // of defaultTagsModel
	IgnoreTags             types.List   `tfsdk:"ignore_tags"`  // of ignoreTagsModel
	CustomCABundle         types.String `tfsdk:"custom_ca_bundle"`
	Insecure               types.Bool   `tfsdk:"insecure"`
	HTTPProxy              types.String `tfsdk:"http_proxy"`
}

type assumeRoleModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
	Policy      types.String `tfsdk:"policy"`
}

type endpointsModel struct {
	ECR types.String `tfsdk:"ecr"`
	STS types.String `tfsdk:"sts"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type ignoreTagsModel struct {
	Keys        types.Set `tfsdk:"keys"`
	KeyPrefixes types.Set `tfsdk:"key_prefixes"`
}

func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Manages Amazon ECR, the private container registry. Settings have the same names and " +
			"meaning as in the `hashicorp/aws` provider, and every standard `AWS_*` environment variable works.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{Optional: true, Validators: []validator.String{knownRegion()},
				MarkdownDescription: "AWS Region of the registry, e.g. `us-west-2`. Can also be set with the `AWS_REGION` " +
					"or `AWS_DEFAULT_REGION` environment variables, or come from the `region` of the profile in the shared configuration file."},
			"profile": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Named profile of the shared configuration and credentials files. Can also be set with `AWS_PROFILE`."},
			"access_key": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "AWS access key id. Requires `secret_key`. Can also be set with `AWS_ACCESS_KEY_ID`."},
			"secret_key": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "AWS secret access key. Requires `access_key`. Can also be set with `AWS_SECRET_ACCESS_KEY`."},
			"token": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Session token of temporary credentials, used with `access_key` and `secret_key`. " +
					"Can also be set with `AWS_SESSION_TOKEN`."},
			"shared_config_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Paths of shared configuration files (default `~/.aws/config`). " +
					"Can also be set with `AWS_CONFIG_FILE`."},
			"shared_credentials_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Paths of shared credentials files (default `~/.aws/credentials`). " +
					"Can also be set with `AWS_SHARED_CREDENTIALS_FILE`."},
			"max_retries": schema.Int64Attribute{Optional: true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
				MarkdownDescription: "Maximum number of attempts of an API call that is throttled or fails transiently (an endpoint that cannot be reached is tried twice at most); " +
					"the delay between attempts grows exponentially. `0` or unset means the default, " +
					"`AWS_MAX_ATTEMPTS` or the profile's `max_attempts` if set, else 25."},
			"retry_mode": schema.StringAttribute{Optional: true,
				Validators: []validator.String{stringvalidator.OneOf("standard", "adaptive")},
				MarkdownDescription: "Retry mode of the AWS SDK: `standard` or `adaptive`. Can also be set with " +
					"`AWS_RETRY_MODE` or the profile's `retry_mode`."},
			"custom_ca_bundle": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Path of a PEM file of the certificate authorities to trust for the API endpoints, " +
					"instead of the system's (as in the AWS SDK). Can also be set with `AWS_CA_BUNDLE`."},
			"insecure": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Skip TLS certificate verification of the API endpoints. Only for test endpoints. Default `false`."},
			"http_proxy": schema.StringAttribute{Optional: true,
				Validators: []validator.String{proxyURL()},
				MarkdownDescription: "URL of a proxy (`http://` or `https://`) for every API call, HTTP and HTTPS. " +
					"Unset means the `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` environment variables apply."},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				MarkdownDescription: "Role to assume with STS `AssumeRole`, using the credentials configured above. " +
					"Several blocks chain roles: each is assumed with the credentials of the one before.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{Optional: true, Validators: []validator.String{roleARN()},
						MarkdownDescription: "ARN of the role to assume. When empty the block is ignored."},
					"session_name": schema.StringAttribute{Optional: true,
						Validators: []validator.String{
							stringvalidator.LengthBetween(2, 64),
							stringvalidator.RegexMatches(sessionNamePattern, "must contain only letters, digits and =,.@-_"),
						},
						MarkdownDescription: "Session name of the assumed role (2–64 characters)."},
					"external_id": schema.StringAttribute{Optional: true,
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
						MarkdownDescription: "External id that the role's trust policy requires."},
					"duration": schema.StringAttribute{Optional: true, Validators: []validator.String{sessionDuration()},
						MarkdownDescription: "Duration of the role session, a Go duration between `15m` and `12h`, e.g. `1h`. " +
							"Default `15m`."},
					"policy": schema.StringAttribute{Optional: true,
						MarkdownDescription: "IAM policy JSON that further restricts the permissions of the session."},
				}},
			},
			"endpoints": schema.ListNestedBlock{
				MarkdownDescription: "Custom service endpoints, e.g. a local ECR emulator. The environment variables " +
					"`AWS_ENDPOINT_URL_ECR`, `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL` work too.",
				Validators: []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"ecr": schema.StringAttribute{Optional: true, Validators: []validator.String{endpointURL()},
						MarkdownDescription: "ECR API endpoint URL, e.g. `http://127.0.0.1:5000`."},
					"sts": schema.StringAttribute{Optional: true, Validators: []validator.String{endpointURL()},
						MarkdownDescription: "STS endpoint URL, used by `assume_role`."},
				}},
			},
			"default_tags": schema.ListNestedBlock{
				MarkdownDescription: "Tags added to every taggable resource of this provider; a resource's own `tags` win.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType, Validators: ecrres.TagsValidators(),
						MarkdownDescription: "Tags to add to every resource (ECR's limits on tags apply)."},
				}},
			},
			"ignore_tags": schema.ListNestedBlock{
				MarkdownDescription: "Tags the provider leaves alone on every resource (managed outside Terraform).",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"keys": schema.SetAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Exact tag keys to ignore."},
					"key_prefixes": schema.SetAttribute{Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Tag key prefixes to ignore."},
				}},
			},
		},
	}
}
