package ecr

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

var (
	_ resource.ResourceWithConfigure   = (*repositoryPolicyResource)(nil)
	_ resource.ResourceWithImportState = (*repositoryPolicyResource)(nil)
	_ resource.ResourceWithIdentity    = (*repositoryPolicyResource)(nil)
	_ resource.ResourceWithMoveState   = (*repositoryPolicyResource)(nil)
)

// iamPropagationTimeout bounds the retries of SetRepositoryPolicy while IAM
// has not yet propagated a principal the policy names. A variable so that
// tests can shorten it.
var iamPropagationTimeout = 2 * time.Minute

// repositoryPolicyMaxLength is the longest policyText SetRepositoryPolicy accepts.
const repositoryPolicyMaxLength = 10240

// NewRepositoryPolicyResource returns the ecr_repository_policy resource.
func NewRepositoryPolicyResource() resource.Resource {
	return &repositoryPolicyResource{}
}

type repositoryPolicyResource struct {
	framework.ResourceBase
}

func (r *repositoryPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_policy"
}

func (r *repositoryPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages the repository policy (resource-based IAM policy) of an ECR repository. " +
			"A repository has at most one policy; this resource owns it whole.",
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
				CustomType: iamPolicyType{},
				Required:   true,
				MarkdownDescription: "The policy document as JSON, for example from `jsonencode` or the `aws_iam_policy_document` data source. " +
					"It is checked at plan time. ECR stores the policy reformatted; a policy that grants the same is not a change.",
				Validators: []validator.String{stringvalidator.LengthAtMost(repositoryPolicyMaxLength)},
			},
			"registry_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Registry (AWS account) id of the repository.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *repositoryPolicyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = repositoryIdentitySchema()
}

func (r *repositoryPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan repositoryPolicyResourceModel
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

func (r *repositoryPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state repositoryPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkRepositoryIdentity(ctx, r.Meta, req.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)

	out, err := findRepositoryPolicyByName(ctx, r.Meta.Client, name)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR Repository Policy not found, removing from state", map[string]any{"error": err.Error()})
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a removed resource
		// (Terraform before 1.12 does not store it, so it is null here).
		resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository Policy (%s)", name), err.Error())
		return
	}

	state.ID = types.StringValue(name)
	state.Repository = types.StringValue(aws.ToString(out.RepositoryName))
	state.RegistryID = types.StringValue(aws.ToString(out.RegistryId))
	// The framework keeps the prior value when this one is equivalent
	// (iamPolicyValue.StringSemanticEquals); after an import there is no
	// prior value, and the normalised form matches a jsonencode'd config.
	state.Policy = newIAMPolicyValue(normalizeJSON(aws.ToString(out.PolicyText)))

	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
}

func (r *repositoryPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan repositoryPolicyResourceModel
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

func (r *repositoryPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state repositoryPolicyResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, "deleting ECR Repository Policy")

	_, err := r.Meta.Client.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(name)})
	if isRepositoryNotFound(err) || isRepositoryPolicyNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Repository Policy (%s)", name), err.Error())
	}
}

func (r *repositoryPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importRepositoryScoped(ctx, r.Meta, req, resp)
}

func (r *repositoryPolicyResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{
		moveFromAWS("aws_ecr_repository_policy", func(src awsRepositoryScopedPolicyModel) any {
			return &repositoryPolicyResourceModel{
				ID:         src.Repository,
				Repository: src.Repository,
				Policy:     iamPolicyValue{StringValue: src.Policy},
				RegistryID: src.RegistryID,
			}
		}),
	}
}

// put sets the policy (create and update) and fills the computed values
// of plan.
func (r *repositoryPolicyResource) put(ctx context.Context, plan *repositoryPolicyResourceModel, identity *tfsdk.ResourceIdentity, verb string) diag.Diagnostics {
	var diags diag.Diagnostics
	name := plan.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, verb+" ECR Repository Policy")

	out, err := setRepositoryPolicy(ctx, r.Meta.Client, &ecr.SetRepositoryPolicyInput{
		RepositoryName: aws.String(name),
		PolicyText:     aws.String(plan.Policy.ValueString()),
	})
	if err != nil {
		diags.AddError(fmt.Sprintf("%s ECR Repository Policy (%s)", verb, name), err.Error())
		return diags
	}
	plan.ID = types.StringValue(name)
	plan.RegistryID = types.StringValue(aws.ToString(out.RegistryId))
	diags.Append(setRepositoryIdentity(ctx, r.Meta, identity, name, aws.ToString(out.RegistryId))...)
	return diags
}

// setRepositoryPolicy calls SetRepositoryPolicy, retrying while ECR rejects
// the policy because IAM has not yet propagated a principal it names (ECR
// answers that with the same error as for an invalid policy, which the plan
// has already ruled out).
func setRepositoryPolicy(ctx context.Context, client *ecr.Client, input *ecr.SetRepositoryPolicyInput) (*ecr.SetRepositoryPolicyOutput, error) {
	var (
		out *ecr.SetRepositoryPolicyOutput
		err error
	)
	poll(ctx, iamPropagationTimeout, func() bool {
		out, err = client.SetRepositoryPolicy(ctx, input)
		if isIAMPropagationError(err) {
			tflog.Debug(ctx, "ECR rejected the repository policy, retrying for IAM propagation", map[string]any{"error": err.Error()})
			return false
		}
		return true
	})
	return out, err
}

// isIAMPropagationError reports whether err is the InvalidParameterException
// ECR returns for a policy naming a principal IAM does not know (yet).
func isIAMPropagationError(err error) bool {
	var e *awstypes.InvalidParameterException
	return errors.As(err, &e) && strings.Contains(e.ErrorMessage(), "Invalid repository policy provided")
}

// isRepositoryPolicyNotFound reports whether err is ECR's RepositoryPolicyNotFoundException.
func isRepositoryPolicyNotFound(err error) bool {
	var e *awstypes.RepositoryPolicyNotFoundException
	return errors.As(err, &e)
}

// findRepositoryPolicyByName returns the policy of a repository of the
// caller's registry, or a notFoundError when the repository or its policy
// does not exist.
func findRepositoryPolicyByName(ctx context.Context, client *ecr.Client, name string) (*ecr.GetRepositoryPolicyOutput, error) {
	what := fmt.Sprintf("ECR Repository Policy (%s)", name)
	out, err := client.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(name)})
	if isRepositoryNotFound(err) || isRepositoryPolicyNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.PolicyText) == "" {
		return nil, &notFoundError{what: what}
	}
	return out, nil
}

type repositoryPolicyResourceModel struct {
	ID         types.String   `tfsdk:"id"`
	Repository types.String   `tfsdk:"repository"`
	Policy     iamPolicyValue `tfsdk:"policy"`
	RegistryID types.String   `tfsdk:"registry_id"`
}
