package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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

// This file holds the resource that serves every policy ECR keeps per
// repository (ecr_repository_policy, ecr_lifecycle_policy): one JSON
// document that one call replaces whole, read and deleted by repository
// name. Each policy describes itself with a repositoryScopedPolicy in its
// own file; the resource, its identity (repository + account_id + region),
// import and the state move from hashicorp/aws are here.
//
// A write (create or update) is bounded by the `timeouts` block: it covers
// the retries of the put on errors the policy calls transient, and the wait
// until reads return the policy just written (ECR is eventually
// consistent), so that the refresh after an apply agrees with its state.

var (
	_ resource.ResourceWithConfigure   = (*repositoryScopedPolicyResource[iamPolicyDocument])(nil)
	_ resource.ResourceWithImportState = (*repositoryScopedPolicyResource[iamPolicyDocument])(nil)
	_ resource.ResourceWithIdentity    = (*repositoryScopedPolicyResource[iamPolicyDocument])(nil)
	_ resource.ResourceWithMoveState   = (*repositoryScopedPolicyResource[iamPolicyDocument])(nil)
	_ resource.ResourceWithModifyPlan  = (*repositoryScopedPolicyResource[iamPolicyDocument])(nil)
)

// repositoryScopedPolicy describes a policy of a repository whose document
// is of kind K.
type repositoryScopedPolicy[K documentKind] struct {
	typeName          string // after the provider's name: "_repository_policy"
	awsType           string // the hashicorp/aws type a `moved` block may come from
	what              string // in diagnostics and logs: "ECR Repository Policy"
	description       string // of the resource
	policyDescription string // of the `policy` argument
	policyValidators  []validator.String

	// put writes the policy and returns the registry id ECR reports.
	put func(ctx context.Context, client *ecr.Client, repository, text string) (registryID *string, err error)
	// retryPut, when set, reports whether an error of put is transient:
	// put is then retried until the create or update timeout.
	retryPut func(error) bool
	// retryPutReason says in the timeouts' documentation and in logs what
	// the retries wait for ("IAM to propagate a principal the policy names").
	retryPutReason string
	// find returns the policy (the entity's finder); a notFoundError when
	// the repository or its policy does not exist.
	find func(ctx context.Context, client *ecr.Client, repository string) (repositoryScopedPolicyOutput, error)
	// delete deletes the policy; its error as the API returned it.
	delete func(ctx context.Context, client *ecr.Client, repository string) error
	// isPolicyNotFound reports whether an error is the API's "no policy".
	isPolicyNotFound func(error) bool
}

// repositoryScopedPolicyOutput is what a Get call returns, whatever the policy.
type repositoryScopedPolicyOutput struct {
	repositoryName, registryID, text *string
}

// newRepositoryScopedPolicyResource returns the resource for policy p.
func newRepositoryScopedPolicyResource[K documentKind](p repositoryScopedPolicy[K]) resource.Resource {
	return &repositoryScopedPolicyResource[K]{policy: p}
}

type repositoryScopedPolicyResource[K documentKind] struct {
	framework.ResourceBase
	policy repositoryScopedPolicy[K]
}

type repositoryScopedPolicyModel[K documentKind] struct {
	ID         types.String         `tfsdk:"id"`
	Repository types.String         `tfsdk:"repository"`
	Policy     jsonDocumentValue[K] `tfsdk:"policy"`
	Region     types.String         `tfsdk:"region"`
	RegistryID types.String         `tfsdk:"registry_id"`
	Timeouts   timeouts.Value       `tfsdk:"timeouts"`
}

// Defaults of the timeouts.
const (
	policyWriteTimeout  = 2 * time.Minute
	policyDeleteTimeout = 2 * time.Minute
)

func (r *repositoryScopedPolicyResource[K]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.policy.typeName
}

func (r *repositoryScopedPolicyResource[K]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: r.policy.description,
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
				Validators:          repositoryNameValidators(),
			},
			"policy": schema.StringAttribute{
				CustomType:          jsonDocumentType[K]{},
				Required:            true,
				MarkdownDescription: r.policy.policyDescription,
				Validators:          r.policy.policyValidators,
				PlanModifiers:       []planmodifier.String{useStateWhenEquivalent[K]()},
			},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Registry (AWS account) id of the repository.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": r.timeouts().block(ctx),
		},
	}
}

// timeouts are the resource's timeouts: a write covers the retries of the
// put on errors the policy calls transient, and the wait until reads
// return the policy just written.
func (r *repositoryScopedPolicyResource[K]) timeouts() operationTimeouts {
	waits := "the wait until ECR returns the new policy on reads (ECR is eventually consistent)"
	if r.policy.retryPutReason != "" {
		waits = "the retries while waiting for " + r.policy.retryPutReason + ", and " + waits
	}
	return operationTimeouts{create: policyWriteTimeout, update: policyWriteTimeout, delete: policyDeleteTimeout,
		createWaits: waits, updateWaits: waits, waits: "the wait until ECR no longer returns the policy on reads"}
}

// ModifyPlan plans region.
func (r *repositoryScopedPolicyResource[K]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
}

func (r *repositoryScopedPolicyResource[K]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan repositoryScopedPolicyModel[K]
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, policyWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.put(ctx, &plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "creating")
}

func (r *repositoryScopedPolicyResource[K]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state repositoryScopedPolicyModel[K]
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "repository")...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))

	out, err := r.policy.find(ctx, r.Meta.ClientIn(state.Region.ValueString()), name)
	if isNotFound(err) {
		tflog.Warn(ctx, r.policy.what+" not found, removing from state", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "repository", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading %s (%s)", r.policy.what, name), err.Error())
		return
	}
	state.flatten(out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "repository", state.identity())...)
}

func (r *repositoryScopedPolicyResource[K]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan repositoryScopedPolicyModel[K]
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, policyWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.put(ctx, &plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "updating")
}

func (r *repositoryScopedPolicyResource[K]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state repositoryScopedPolicyModel[K]
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, policyDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, "deleting "+r.policy.what)

	client := r.Meta.ClientIn(state.Region.ValueString())
	err := deleteAndWait(ctx, timeout, func(ctx context.Context) error {
		return r.policy.delete(ctx, client, name)
	}, func(err error) bool {
		return isRepositoryNotFound(err) || r.policy.isPolicyNotFound(err)
	}, func(ctx context.Context) (repositoryScopedPolicyOutput, error) {
		return r.policy.find(ctx, client, name)
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting %s (%s)", r.policy.what, name), err.Error())
	}
}

// put writes the planned policy (create and update: one call replaces the
// policy), records it with its computed values in state, and waits until
// reads return it; all of it within timeout.
func (r *repositoryScopedPolicyResource[K]) put(ctx context.Context, plan *repositoryScopedPolicyModel[K], timeout time.Duration,
	state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, verb string) {
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	name := plan.Repository.ValueString()
	text := plan.Policy.ValueString()
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, verb+" "+r.policy.what, map[string]any{"timeout": timeout.String()})

	registryID, err := r.write(ctx, client, name, text, timeout)
	if err != nil {
		diags.AddError(fmt.Sprintf("%s %s (%s)", verb, r.policy.what, name), err.Error())
		return
	}
	plan.ID = types.StringValue(name)
	plan.RegistryID = types.StringValue(aws.ToString(registryID))
	diags.Append(setIdentity(ctx, identity, "repository", plan.identity())...)
	if diags.HasError() {
		return
	}
	// The policy is written: record it before waiting, so that a failed
	// wait leaves it in state (a new one tainted) instead of orphaning it.
	diags.Append(state.Set(ctx, plan)...)
	if diags.HasError() {
		return
	}

	if err := r.waitReadable(ctx, client, name, text, time.Until(deadline)); err != nil {
		diags.AddError(fmt.Sprintf("reading %s (%s) after %s it", r.policy.what, name, verb), err.Error())
	}
}

// write calls put until it succeeds, retrying the errors the policy calls
// transient until timeout.
func (r *repositoryScopedPolicyResource[K]) write(ctx context.Context, client *ecr.Client, name, text string, timeout time.Duration) (*string, error) {
	return waitUntil(ctx, timeout, func(ctx context.Context) (*string, error) {
		registryID, err := r.policy.put(ctx, client, name, text)
		if err != nil && r.policy.retryPut != nil && r.policy.retryPut(err) {
			tflog.Debug(ctx, "retrying "+r.policy.what+" while waiting for "+r.policy.retryPutReason,
				map[string]any{"error": err.Error()})
			return nil, &transientError{err}
		}
		return registryID, err
	}, found)
}

// waitReadable waits until the finder returns a policy equivalent to text
// (the one just written). Until then a read may find no policy (a new one)
// or the one it replaced (an update): either would contradict the state at
// the next refresh.
func (r *repositoryScopedPolicyResource[K]) waitReadable(ctx context.Context, client *ecr.Client, name, text string, timeout time.Duration) error {
	var kind K
	_, err := waitUntil(ctx, timeout, func(ctx context.Context) (repositoryScopedPolicyOutput, error) {
		return r.policy.find(ctx, client, name)
	}, func(out repositoryScopedPolicyOutput, err error) bool {
		return err == nil && kind.equivalent(text, aws.ToString(out.text))
	})
	return err
}

// ---- identity, import and moving state from hashicorp/aws ----

func (r *repositoryScopedPolicyResource[K]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("repository", "Name of the repository.")
}

// ImportState imports by repository name (the import ID, `name@region` for
// another Region than the provider's) or by identity.
func (r *repositoryScopedPolicyResource[K]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "repository", validRepositoryName, req, resp)
}

// awsRepositoryScopedPolicyModel is the state hashicorp/aws writes for
// aws_ecr_repository_policy and aws_ecr_lifecycle_policy.
type awsRepositoryScopedPolicyModel struct {
	ID         types.String `tfsdk:"id"`
	Policy     types.String `tfsdk:"policy"`
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
	Repository types.String `tfsdk:"repository"`
}

// MoveState takes over the policy's hashicorp/aws type.
func (r *repositoryScopedPolicyResource[K]) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS(r.policy.awsType, "repository", schema.Schema{
		Attributes: map[string]schema.Attribute{"id": str, "policy": str, "region": str, "registry_id": str, "repository": str},
	}, func(_ context.Context, src *awsRepositoryScopedPolicyModel) (any, identityModel, diag.Diagnostics) {
		if src.Repository.ValueString() == "" {
			src.Repository = src.ID
		}
		m := &repositoryScopedPolicyModel[K]{
			ID:         src.Repository,
			Repository: src.Repository,
			Policy:     jsonDocumentValue[K]{StringValue: src.Policy},
			Region:     src.Region,
			RegistryID: src.RegistryID,
			// hashicorp/aws has no timeouts for these types: the defaults apply.
			Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")},
		}
		return m, m.identity(), nil
	})}
}

// ---- model ----

// identity is the resource identity of the policy.
func (m *repositoryScopedPolicyModel[K]) identity() identityModel {
	return identityModel{Key: m.Repository.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// flatten sets the model from the policy read from ECR.
func (m *repositoryScopedPolicyModel[K]) flatten(out repositoryScopedPolicyOutput) {
	m.ID = types.StringPointerValue(out.repositoryName)
	m.Repository = types.StringPointerValue(out.repositoryName)
	m.RegistryID = types.StringPointerValue(out.registryID)
	// The framework keeps the prior value when this one is equivalent
	// (jsonDocumentValue.StringSemanticEquals); after an import there is no
	// prior value, and the normalised form matches a jsonencode'd config.
	m.Policy = newJSONDocumentValue[K](normalizeJSON(aws.ToString(out.text)))
}

// findRepositoryScopedPolicy turns the result of a Get call into the
// finders' answer: a notFoundError when the repository or its policy does
// not exist or the policy is empty.
func findRepositoryScopedPolicy[T any](what string, out *T, err error, isPolicyNotFound func(error) bool, text func(*T) *string) (*T, error) {
	if isRepositoryNotFound(err) || isPolicyNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(text(out)) == "" {
		return nil, &notFoundError{what: what}
	}
	return out, nil
}
