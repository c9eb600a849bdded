package ecr

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewAuthorizationTokenEphemeralResource is the ecr_authorization_token
// ephemeral resource.
func NewAuthorizationTokenEphemeralResource() ephemeral.EphemeralResource {
	return &authorizationTokenEphemeralResource{}
}

type authorizationTokenEphemeralResource struct {
	framework.EphemeralResourceBase
}

func (e *authorizationTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_authorization_token"
}

func (e *authorizationTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	desc := authorizationTokenDescriptions
	resp.Schema = schema.Schema{
		MarkdownDescription: "Gets a registry login (`GetAuthorizationToken`) that Terraform never stores, in the plan or the state " +
			"(Terraform 1.10+, OpenTofu 1.11+): pass it to a provider that pushes or pulls images (docker, helm) or to a " +
			"write-only argument. Unlike the hashicorp/aws ephemeral resource, it takes `registry_id` and `region`.",
		Attributes: map[string]schema.Attribute{
			"authorization_token": schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: desc["authorization_token"]},
			"expires_at":          schema.StringAttribute{Computed: true, MarkdownDescription: desc["expires_at"]},
			"password":            schema.StringAttribute{Computed: true, Sensitive: true, MarkdownDescription: desc["password"]},
			"proxy_endpoint":      schema.StringAttribute{Computed: true, MarkdownDescription: desc["proxy_endpoint"]},
			"region": schema.StringAttribute{Optional: true, Computed: true, Validators: regionValidators(),
				MarkdownDescription: desc["region"]},
			"registry_id": schema.StringAttribute{Optional: true, Validators: registryIDValidators(),
				MarkdownDescription: desc["registry_id"]},
			"user_name": schema.StringAttribute{Computed: true, MarkdownDescription: desc["user_name"]},
		},
	}
}

func (e *authorizationTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var data authorizationTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(e.Meta, data.Region))
	token, err := findAuthorizationToken(ctx, e.Meta.ClientIn(data.Region.ValueString()), data.RegistryID.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("opening ECR Authorization Token", err.Error())
		return
	}
	if err := data.flatten(token); err != nil {
		resp.Diagnostics.AddError("opening ECR Authorization Token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &data)...)
}
