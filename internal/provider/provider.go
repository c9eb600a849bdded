// Package provider is the ecr provider: its schema and Configure.
package provider

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	ecrres "github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// New returns the provider factory for a version (set at build time).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ecrProvider{version: version} }
}

type ecrProvider struct {
	version string
}

func (p *ecrProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ecr"
	resp.Version = p.version
}

func (p *ecrProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *ecrProvider) Resources(_ context.Context) []func() resource.Resource {
	return ecrres.Resources()
}

func (p *ecrProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return ecrres.DataSources()
}

func (p *ecrProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	meta, diags := configure(ctx, p.version, req.TerraformVersion, &m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = meta
	resp.DataSourceData = meta
	resp.EphemeralResourceData = meta
}

// ---- model ----

type providerModel struct {
	Region                 types.String       `tfsdk:"region"`
	Profile                types.String       `tfsdk:"profile"`
	AccessKey              types.String       `tfsdk:"access_key"`
	SecretKey              types.String       `tfsdk:"secret_key"`
	Token                  types.String       `tfsdk:"token"`
	SharedConfigFiles      types.List         `tfsdk:"shared_config_files"`
	SharedCredentialsFiles types.List         `tfsdk:"shared_credentials_files"`
	AssumeRole             []assumeRoleModel  `tfsdk:"assume_role"`
	Endpoints              []endpointsModel   `tfsdk:"endpoints"`
	MaxRetries             types.Int64        `tfsdk:"max_retries"`
	RetryMode              types.String       `tfsdk:"retry_mode"`
	DefaultTags            []defaultTagsModel `tfsdk:"default_tags"`
	IgnoreTags             []ignoreTagsModel  `tfsdk:"ignore_tags"`
	CustomCABundle         types.String       `tfsdk:"custom_ca_bundle"`
	Insecure               types.Bool         `tfsdk:"insecure"`
	HTTPProxy              types.String       `tfsdk:"http_proxy"`
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
		Description: "Manages Amazon ECR (the private container registry). Settings have the same names and meaning as in the hashicorp/aws provider.",
		Attributes: map[string]schema.Attribute{
			"region":     schema.StringAttribute{Optional: true, Description: "AWS Region of the registry. Can also be set with AWS_REGION or AWS_DEFAULT_REGION, or come from the profile."},
			"profile":    schema.StringAttribute{Optional: true, Description: "Named profile of the shared configuration and credentials files. Can also be set with AWS_PROFILE."},
			"access_key": schema.StringAttribute{Optional: true, Sensitive: true, Description: "AWS access key id. Can also be set with AWS_ACCESS_KEY_ID."},
			"secret_key": schema.StringAttribute{Optional: true, Sensitive: true, Description: "AWS secret access key. Can also be set with AWS_SECRET_ACCESS_KEY."},
			"token":      schema.StringAttribute{Optional: true, Sensitive: true, Description: "Session token for temporary credentials. Can also be set with AWS_SESSION_TOKEN."},
			"shared_config_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Description: "Paths of shared configuration files (default ~/.aws/config). Can also be set with AWS_CONFIG_FILE."},
			"shared_credentials_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Description: "Paths of shared credentials files (default ~/.aws/credentials). Can also be set with AWS_SHARED_CREDENTIALS_FILE."},
			"max_retries": schema.Int64Attribute{Optional: true,
				Description: "Maximum number of attempts of a throttled or failed API call (the SDK's standard retryer; default 25)."},
			"retry_mode": schema.StringAttribute{Optional: true,
				Description: "`standard` or `adaptive`. Can also be set with AWS_RETRY_MODE."},
			"custom_ca_bundle": schema.StringAttribute{Optional: true,
				Description: "Path of a PEM file of certificate authorities to trust. Can also be set with AWS_CA_BUNDLE."},
			"insecure": schema.BoolAttribute{Optional: true,
				Description: "Skip TLS verification of the API endpoints (for test endpoints only)."},
			"http_proxy": schema.StringAttribute{Optional: true,
				Description: "URL of an HTTP proxy for API calls. Defaults to the HTTP_PROXY/HTTPS_PROXY environment variables."},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.ListNestedBlock{
				Description: "Role to assume (STS AssumeRole) with the configured credentials.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"role_arn":     schema.StringAttribute{Optional: true, Description: "ARN of the role to assume."},
					"session_name": schema.StringAttribute{Optional: true, Description: "Session name."},
					"external_id":  schema.StringAttribute{Optional: true, Description: "External id the role's trust policy requires."},
					"duration":     schema.StringAttribute{Optional: true, Description: "Session duration, e.g. `1h` (15m to 12h)."},
					"policy":       schema.StringAttribute{Optional: true, Description: "IAM policy JSON that further restricts the session."},
				}},
			},
			"endpoints": schema.ListNestedBlock{
				Description: "Custom service endpoints, e.g. a local ECR emulator. AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL_STS work too.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"ecr": schema.StringAttribute{Optional: true, Description: "ECR API endpoint URL."},
					"sts": schema.StringAttribute{Optional: true, Description: "STS endpoint URL (used by assume_role)."},
				}},
			},
			"default_tags": schema.ListNestedBlock{
				Description: "Tags applied to every taggable resource of this provider.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType, Description: "Tags to add."},
				}},
			},
			"ignore_tags": schema.ListNestedBlock{
				Description: "Tags the provider ignores on every resource (managed elsewhere).",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"keys":         schema.SetAttribute{Optional: true, ElementType: types.StringType, Description: "Exact tag keys to ignore."},
					"key_prefixes": schema.SetAttribute{Optional: true, ElementType: types.StringType, Description: "Tag key prefixes to ignore."},
				}},
			},
		},
	}
}

// configure builds the client. Minimal version; see config.go.
func configure(ctx context.Context, version, tfVersion string, m *providerModel) (*framework.Meta, diag.Diagnostics) {
	var diags diag.Diagnostics
	opts := []func(*config.LoadOptions) error{}
	if r := m.Region.ValueString(); r != "" {
		opts = append(opts, config.WithRegion(r))
	}
	if ak := m.AccessKey.ValueString(); ak != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, m.SecretKey.ValueString(), m.Token.ValueString())))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		diags.AddError("loading AWS configuration", err.Error())
		return nil, diags
	}
	var endpoint string
	if len(m.Endpoints) > 0 {
		endpoint = m.Endpoints[0].ECR.ValueString()
	}
	client := ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	meta := &framework.Meta{Client: client, Region: cfg.Region, DefaultTags: map[string]string{}}
	if len(m.DefaultTags) > 0 && !m.DefaultTags[0].Tags.IsNull() {
		diags.Append(m.DefaultTags[0].Tags.ElementsAs(ctx, &meta.DefaultTags, false)...)
	}
	if len(m.IgnoreTags) > 0 {
		diags.Append(m.IgnoreTags[0].Keys.ElementsAs(ctx, &meta.IgnoreTags.Keys, false)...)
		diags.Append(m.IgnoreTags[0].KeyPrefixes.ElementsAs(ctx, &meta.IgnoreTags.KeyPrefixes, false)...)
	}
	_, _ = version, tfVersion
	return meta, diags
}
