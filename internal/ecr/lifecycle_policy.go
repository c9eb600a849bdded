package ecr

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

var (
	_ resource.ResourceWithConfigure   = (*lifecyclePolicyResource)(nil)
	_ resource.ResourceWithImportState = (*lifecyclePolicyResource)(nil)
	_ resource.ResourceWithIdentity    = (*lifecyclePolicyResource)(nil)
	_ resource.ResourceWithMoveState   = (*lifecyclePolicyResource)(nil)
)

// NewLifecyclePolicyResource returns the ecr_lifecycle_policy resource.
func NewLifecyclePolicyResource() resource.Resource {
	return &lifecyclePolicyResource{}
}

type lifecyclePolicyResource struct {
	framework.ResourceBase
}

func (r *lifecyclePolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_lifecycle_policy"
}

func (r *lifecyclePolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the lifecycle policy of an ECR repository: rules that expire images or move them " +
			"to the archive storage class. A change of the policy is applied in place (PutLifecyclePolicy), " +
			"so the repository is never without a policy.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Name of the repository (the same as `repository`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"repository": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the repository the policy applies to. Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          policyRepositoryNameValidators(),
			},
			"policy": schema.StringAttribute{
				CustomType: lifecyclePolicyType{},
				Required:   true,
				MarkdownDescription: "The lifecycle policy as JSON, for example from `jsonencode` or the " +
					"`ecr_lifecycle_policy_document` data source. It is validated at plan time as ECR does, and an error " +
					"names the rule (`rule 2 (priority 20): ...`). Rule order, the order of tag lists, empty lists and the " +
					"spelling of numbers are not changes; any other difference, including in properties the provider does " +
					"not know, is.",
			},
			"registry_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Registry (AWS account) id of the repository.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *lifecyclePolicyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = repositoryIdentitySchema()
}

func (r *lifecyclePolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan lifecyclePolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.put(ctx, &plan, resp.Identity, "creating")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *lifecyclePolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state lifecyclePolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkRepositoryIdentity(ctx, r.Meta, req.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)

	out, err := findLifecyclePolicyByName(ctx, r.Meta.Client, name)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR Lifecycle Policy not found, removing from state", map[string]any{"error": err.Error()})
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a removed resource
		// (Terraform before 1.12 does not store it, so it is null here).
		resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Lifecycle Policy (%s)", name), err.Error())
		return
	}

	state.ID = types.StringValue(name)
	state.Repository = types.StringValue(aws.ToString(out.RepositoryName))
	state.RegistryID = types.StringValue(aws.ToString(out.RegistryId))
	// The framework keeps the prior value when this one is equivalent
	// (lifecyclePolicyValue.StringSemanticEquals).
	state.Policy = newLifecyclePolicyValue(normalizeJSON(aws.ToString(out.LifecyclePolicyText)))

	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
}

func (r *lifecyclePolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan lifecyclePolicyResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.put(ctx, &plan, resp.Identity, "updating")...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *lifecyclePolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state lifecyclePolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, "deleting ECR Lifecycle Policy")

	_, err := r.Meta.Client.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(name)})
	if isRepositoryNotFound(err) || isLifecyclePolicyNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Lifecycle Policy (%s)", name), err.Error())
	}
}

func (r *lifecyclePolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importRepositoryScoped(ctx, r.Meta, req, resp)
}

func (r *lifecyclePolicyResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{
		moveFromAWS("aws_ecr_lifecycle_policy", func(src awsRepositoryScopedPolicyModel) any {
			return &lifecyclePolicyResourceModel{
				ID:         src.Repository,
				Repository: src.Repository,
				Policy:     lifecyclePolicyValue{StringValue: src.Policy},
				RegistryID: src.RegistryID,
			}
		}),
	}
}

// put writes the policy (create and update: PutLifecyclePolicy replaces
// the policy in one call) and fills the computed values of plan.
func (r *lifecyclePolicyResource) put(ctx context.Context, plan *lifecyclePolicyResourceModel, identity *tfsdk.ResourceIdentity, verb string) diag.Diagnostics {
	var diags diag.Diagnostics
	name := plan.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, verb+" ECR Lifecycle Policy")

	out, err := r.Meta.Client.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{
		RepositoryName:      aws.String(name),
		LifecyclePolicyText: aws.String(plan.Policy.ValueString()),
	})
	if err != nil {
		diags.AddError(fmt.Sprintf("%s ECR Lifecycle Policy (%s)", verb, name), err.Error())
		return diags
	}
	plan.ID = types.StringValue(name)
	plan.RegistryID = types.StringValue(aws.ToString(out.RegistryId))
	diags.Append(setRepositoryIdentity(ctx, r.Meta, identity, name, aws.ToString(out.RegistryId))...)
	return diags
}

// isLifecyclePolicyNotFound reports whether err is ECR's LifecyclePolicyNotFoundException.
func isLifecyclePolicyNotFound(err error) bool {
	var e *awstypes.LifecyclePolicyNotFoundException
	return errors.As(err, &e)
}

// findLifecyclePolicyByName returns the lifecycle policy of a repository of
// the caller's registry, or a notFoundError when the repository or its
// policy does not exist.
func findLifecyclePolicyByName(ctx context.Context, client *ecr.Client, name string) (*ecr.GetLifecyclePolicyOutput, error) {
	what := fmt.Sprintf("ECR Lifecycle Policy (%s)", name)
	out, err := client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
	if isRepositoryNotFound(err) || isLifecyclePolicyNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.LifecyclePolicyText) == "" {
		return nil, &notFoundError{what: what}
	}
	return out, nil
}

type lifecyclePolicyResourceModel struct {
	ID         types.String         `tfsdk:"id"`
	Repository types.String         `tfsdk:"repository"`
	Policy     lifecyclePolicyValue `tfsdk:"policy"`
	RegistryID types.String         `tfsdk:"registry_id"`
}
