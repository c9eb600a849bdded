package ecr

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// This file holds what the two repository-scoped policy resources
// (ecr_repository_policy, ecr_lifecycle_policy) share: the repository name
// validation, the resource identity (repository + account_id + region), and
// the state move from hashicorp/aws.

// policyRepositoryNamePattern is ECR's RepositoryName pattern.
var policyRepositoryNamePattern = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)

// policyRepositoryNameValidators validate the `repository` argument.
func policyRepositoryNameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(2, 256),
		stringvalidator.RegexMatches(policyRepositoryNamePattern,
			"must be a repository name: lowercase letters, digits and the separators . _ __ - and /, starting and ending with a letter or digit"),
	}
}

// repositoryIdentityModel is the identity of a repository-scoped resource.
type repositoryIdentityModel struct {
	Repository types.String `tfsdk:"repository"`
	AccountID  types.String `tfsdk:"account_id"`
	Region     types.String `tfsdk:"region"`
}

func repositoryIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"repository": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Name of the repository.",
			},
			"account_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "AWS account id of the registry; defaults to the provider's account.",
			},
			"region": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "AWS Region of the registry; defaults to the provider's Region.",
			},
		},
	}
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
	if r := id.Region.ValueString(); r != "" && r != meta.Region {
		diags.AddAttributeError(path.Root("region"), "Resource identity in another Region",
			fmt.Sprintf("The resource identity names Region %q, but the provider is configured for %q. Use a provider configuration for that Region.", r, meta.Region))
	}
	if a := id.AccountID.ValueString(); a != "" {
		account, err := meta.AccountID(ctx)
		if err != nil {
			diags.AddError("reading the provider's account id", err.Error())
			return diags
		}
		if a != account {
			diags.AddAttributeError(path.Root("account_id"), "Resource identity in another account",
				fmt.Sprintf("The resource identity names account %q, but the provider's credentials belong to account %q.", a, account))
		}
	}
	return diags
}

// importRepositoryScoped imports by repository name (the import ID) or by
// identity, and sets `repository` and `id`.
func importRepositoryScoped(ctx context.Context, meta *framework.Meta, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if name == "" {
		resp.Diagnostics.Append(checkRepositoryIdentity(ctx, meta, req.Identity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		var id repositoryIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		if resp.Diagnostics.HasError() {
			return
		}
		name = id.Repository.ValueString()
	}
	if !policyRepositoryNamePattern.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("%q is not a repository name; import by the name of the repository the policy belongs to.", name))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("repository"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
}

// ---- moving state from hashicorp/aws ----

// awsProviderAddress is the source address of hashicorp/aws.
const awsProviderAddress = "registry.terraform.io/hashicorp/aws"

// awsRepositoryScopedPolicyModel is the state hashicorp/aws v6 writes for
// aws_ecr_repository_policy and aws_ecr_lifecycle_policy.
type awsRepositoryScopedPolicyModel struct {
	ID         types.String `tfsdk:"id"`
	Policy     types.String `tfsdk:"policy"`
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
	Repository types.String `tfsdk:"repository"`
}

func awsRepositoryScopedPolicySchema() *schema.Schema {
	return &schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{Computed: true},
			"policy":      schema.StringAttribute{Required: true},
			"region":      schema.StringAttribute{Optional: true, Computed: true},
			"registry_id": schema.StringAttribute{Computed: true},
			"repository":  schema.StringAttribute{Required: true},
		},
	}
}

// moveFromAWS returns the state mover from the hashicorp/aws resource type
// sourceType. build turns the source state into this provider's state.
func moveFromAWS(sourceType string, build func(src awsRepositoryScopedPolicyModel) any) resource.StateMover {
	return resource.StateMover{
		SourceSchema: awsRepositoryScopedPolicySchema(),
		StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
			if req.SourceTypeName != sourceType || req.SourceProviderAddress != awsProviderAddress {
				return // not ours: the framework tries the next mover
			}
			if req.SourceState == nil {
				resp.Diagnostics.AddError("Unable to move "+sourceType,
					"The source state could not be read with the hashicorp/aws v6 schema of "+sourceType+".")
				return
			}
			var src awsRepositoryScopedPolicyModel
			resp.Diagnostics.Append(req.SourceState.Get(ctx, &src)...)
			if resp.Diagnostics.HasError() {
				return
			}
			if src.Repository.ValueString() == "" {
				src.Repository = src.ID
			}
			resp.Diagnostics.Append(resp.TargetState.Set(ctx, build(src))...)
			// With region and account known, the identity lets the first
			// refresh refuse a provider configured for another registry;
			// otherwise Read fills the identity in.
			if resp.TargetIdentity != nil && src.Region.ValueString() != "" && src.RegistryID.ValueString() != "" {
				resp.Diagnostics.Append(resp.TargetIdentity.Set(ctx, repositoryIdentityModel{
					Repository: src.Repository,
					AccountID:  src.RegistryID,
					Region:     src.Region,
				})...)
			}
		},
	}
}
