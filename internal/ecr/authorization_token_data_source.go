package ecr

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewAuthorizationTokenDataSource is the ecr_authorization_token data source.
func NewAuthorizationTokenDataSource() datasource.DataSource { return &authorizationTokenDataSource{} }

type authorizationTokenDataSource struct {
	framework.DataSourceBase
}

func (d *authorizationTokenDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authorization_token"
}

// authorizationTokenDescriptions describe the attributes the data source
// and the ephemeral resource share.
var authorizationTokenDescriptions = map[string]string{
	"authorization_token": "Base64 of `<user_name>:<password>`, as `docker login` stores it. Sensitive.",
	"expires_at":          "When the token expires (RFC 3339), 12 hours after it was issued.",
	"password":            "Password to log in to the registry with (`docker login --password-stdin`). Sensitive.",
	"proxy_endpoint":      "Registry endpoint to log in to, `https://<registry_id>.dkr.ecr.<region>.<domain>`.",
	"region":              regionDescription,
	"registry_id":         "Registry (account) id, 12 digits, whose endpoint the token is for; defaults to the caller's. The token itself is valid for every registry the caller's IAM permissions reach.",
	"user_name":           "User name to log in with (`AWS`).",
}

func (d *authorizationTokenDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	desc := authorizationTokenDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: "Gets a registry login (`GetAuthorizationToken`), like `aws_ecr_authorization_token` of the hashicorp/aws " +
			"provider. The password is stored, marked sensitive, in the state; prefer the `ecr_authorization_token` " +
			"ephemeral resource (Terraform 1.10+), which never stores it.",
		Attributes: map[string]schema.Attribute{
			"authorization_token": schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: desc["authorization_token"]},
			"expires_at":          schema.StringAttribute{Computed: true, MarkdownDescription: desc["expires_at"]},
			"id":                  schema.StringAttribute{Computed: true, MarkdownDescription: "The Region."},
			"password":            schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: desc["password"]},
			"proxy_endpoint":      schema.StringAttribute{Computed: true, MarkdownDescription: desc["proxy_endpoint"]},
			"region":              dataSourceRegionAttribute(),
			"registry_id": schema.StringAttribute{Optional: true, Validators: registryIDValidators(),
				MarkdownDescription: desc["registry_id"]},
			"user_name": schema.StringAttribute{Computed: true, MarkdownDescription: desc["user_name"]},
		},
	}
}

func (d *authorizationTokenDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config authorizationTokenDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data := config.authorizationTokenModel
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	token, err := findAuthorizationToken(ctx, d.Meta.ClientIn(data.Region.ValueString()), data.RegistryID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("reading ECR Authorization Token", err.Error())
		return
	}
	if err := data.flatten(token); err != nil {
		resp.Diagnostics.AddError("reading ECR Authorization Token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &authorizationTokenDataSourceModel{authorizationTokenModel: data, ID: data.Region})...)
}

type authorizationTokenDataSourceModel struct {
	authorizationTokenModel
	ID types.String `tfsdk:"id"`
}

// authorizationTokenModel is the ephemeral resource's model; the data
// source adds an id.
type authorizationTokenModel struct {
	AuthorizationToken types.String `tfsdk:"authorization_token"`
	ExpiresAt          types.String `tfsdk:"expires_at"`
	Password           types.String `tfsdk:"password"`
	ProxyEndpoint      types.String `tfsdk:"proxy_endpoint"`
	Region             types.String `tfsdk:"region"`
	RegistryID         types.String `tfsdk:"registry_id"`
	UserName           types.String `tfsdk:"user_name"`
}

// flatten fills the login from ECR's authorization data; the token is
// base64 of user:password.
func (m *authorizationTokenModel) flatten(data *awstypes.AuthorizationData) error {
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(data.AuthorizationToken))
	if err != nil {
		return fmt.Errorf("the authorization token is not base64: %w", err)
	}
	user, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return fmt.Errorf("the authorization token does not decode to <user>:<password>")
	}
	m.AuthorizationToken = types.StringPointerValue(data.AuthorizationToken)
	m.ExpiresAt = rfc3339(data.ExpiresAt)
	m.Password = types.StringValue(password)
	m.ProxyEndpoint = types.StringPointerValue(data.ProxyEndpoint)
	m.UserName = types.StringValue(user)
	return nil
}

// findAuthorizationToken gets a login for a registry ("" for the caller's).
func findAuthorizationToken(ctx context.Context, client *ecr.Client, registryID string) (*awstypes.AuthorizationData, error) {
	input := &ecr.GetAuthorizationTokenInput{}
	if registryID != "" {
		// Deprecated by ECR for the token (valid for every registry), but
		// it still selects the proxy endpoint returned.
		input.RegistryIds = []string{registryID} //nolint:staticcheck // see above
	}
	out, err := client.GetAuthorizationToken(ctx, input)
	if err != nil {
		return nil, err
	}
	if len(out.AuthorizationData) == 0 {
		return nil, &notFoundError{what: "authorization data"}
	}
	return &out.AuthorizationData[0], nil
}
