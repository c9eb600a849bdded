package ecr

import (
	"context"
	"fmt"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// checkIdentityScope rejects an identity (from an import block, state or
// a moved block) of another Region or account than the provider's: this
// provider configuration cannot reach it. Empty values are not checked.
// Shared by every resource whose identity has region and account_id.
func checkIdentityScope(ctx context.Context, meta *framework.Meta, region, account string) diag.Diagnostics {
	var diags diag.Diagnostics
	if meta == nil {
		return diags // not configured yet
	}
	if region != "" && region != meta.Region {
		diags.AddAttributeError(path.Root("region"), "Resource identity in another Region",
			fmt.Sprintf("The identity's region %q is not the provider's region %q. Use a provider configuration for that Region.",
				region, meta.Region))
	}
	if account != "" {
		own, err := meta.AccountID(ctx)
		switch {
		case err != nil:
			diags.AddError("reading the provider's account id", err.Error())
		case account != own:
			diags.AddAttributeError(path.Root("account_id"), "Resource identity in another account",
				fmt.Sprintf("The identity's account %q is not the provider's account %q: the provider's credentials belong to another account.",
					account, own))
		}
	}
	return diags
}

// repositoryIdentityModel is the identity of a repository-scoped resource.
type repositoryIdentityModel struct {
	Repository types.String `tfsdk:"repository"`
	AccountID  types.String `tfsdk:"account_id"`
	Region     types.String `tfsdk:"region"`
}

// setRepositoryIdentity records the identity of a repository-scoped object.
// registryID is the registry the API reported (the account id).
func setRepositoryIdentity(ctx context.Context, meta *framework.Meta, identity *tfsdk.ResourceIdentity, repository, registryID string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	var region string
	if meta != nil {
		region = meta.Region
	}
	return identity.Set(ctx, repositoryIdentityModel{
		Repository: types.StringValue(repository),
		AccountID:  types.StringValue(registryID),
		Region:     types.StringValue(region),
	})
}

// checkRepositoryIdentity refuses an identity (from an import block or from
// state) that names another account or Region than the provider's: the
// provider can only reach its own registry.
func checkRepositoryIdentity(ctx context.Context, meta *framework.Meta, identity *tfsdk.ResourceIdentity) diag.Diagnostics {
	var diags diag.Diagnostics
	if identity == nil || identity.Raw.IsNull() || meta == nil {
		return diags
	}
	var id repositoryIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(checkIdentityScope(ctx, meta, id.Region.ValueString(), id.AccountID.ValueString())...)
	return diags
}
