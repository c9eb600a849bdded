package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
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
			},
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
		createWaits: waits, updateWaits: waits}
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
	resp.Diagnostics.Append(checkRepositoryIdentity(ctx, r.Meta, req.Identity)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)

	out, err := r.policy.find(ctx, r.Meta.Client, name)
	if isNotFound(err) {
		tflog.Warn(ctx, r.policy.what+" not found, removing from state", map[string]any{"error": err.Error()})
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a removed resource
		// (Terraform before 1.12 does not store it, so it is null here).
		resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading %s (%s)", r.policy.what, name), err.Error())
		return
	}

	state.ID = types.StringValue(name)
	state.Repository = types.StringValue(aws.ToString(out.repositoryName))
	state.RegistryID = types.StringValue(aws.ToString(out.registryID))
	// The framework keeps the prior value when this one is equivalent
	// (jsonDocumentValue.StringSemanticEquals); after an import there is no
	// prior value, and the normalised form matches a jsonencode'd config.
	state.Policy = newJSONDocumentValue[K](normalizeJSON(aws.ToString(out.text)))

	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setRepositoryIdentity(ctx, r.Meta, resp.Identity, name, state.RegistryID.ValueString())...)
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

	err := r.policy.delete(ctx, r.Meta.Client, name)
	if isRepositoryNotFound(err) || r.policy.isPolicyNotFound(err) {
		return
	}
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
	ctx = tflog.SetField(ctx, "repository_name", name)
	tflog.Debug(ctx, verb+" "+r.policy.what, map[string]any{"timeout": timeout.String()})

	registryID, err := r.write(ctx, name, text, timeout)
	if err != nil {
		diags.AddError(fmt.Sprintf("%s %s (%s)", verb, r.policy.what, name), err.Error())
		return
	}
	plan.ID = types.StringValue(name)
	plan.RegistryID = types.StringValue(aws.ToString(registryID))
	diags.Append(setRepositoryIdentity(ctx, r.Meta, identity, name, aws.ToString(registryID))...)
	if diags.HasError() {
		return
	}
	// The policy is written: record it before waiting, so that a failed
	// wait leaves it in state (a new one tainted) instead of orphaning it.
	diags.Append(state.Set(ctx, plan)...)
	if diags.HasError() {
		return
	}

	if err := r.waitReadable(ctx, name, text, time.Until(deadline)); err != nil {
		diags.AddError(fmt.Sprintf("reading %s (%s) after %s it", r.policy.what, name, verb), err.Error())
	}
}

// write calls put, retrying the errors the policy calls transient until
// timeout; then the last result stands.
func (r *repositoryScopedPolicyResource[K]) write(ctx context.Context, name, text string, timeout time.Duration) (*string, error) {
	var (
		registryID *string
		err        error
	)
	poll(ctx, timeout, func() bool {
		registryID, err = r.policy.put(ctx, r.Meta.Client, name, text)
		if err != nil && r.policy.retryPut != nil && r.policy.retryPut(err) {
			tflog.Debug(ctx, "retrying "+r.policy.what+" while waiting for "+r.policy.retryPutReason,
				map[string]any{"error": err.Error()})
			return false
		}
		return true
	})
	return registryID, err
}

// waitReadable polls the finder until it returns a policy equivalent to
// text (the one just written), or timeout passes. Until then a read may
// find no policy (a new one) or the one it replaced (an update): either
// would contradict the state at the next refresh.
func (r *repositoryScopedPolicyResource[K]) waitReadable(ctx context.Context, name, text string, timeout time.Duration) error {
	var (
		kind K
		err  error
	)
	done := poll(ctx, timeout, func() bool {
		var out repositoryScopedPolicyOutput
		out, err = r.policy.find(ctx, r.Meta.Client, name)
		switch {
		case isNotFound(err):
			return false
		case err != nil:
			return true // an error retrying does not cure
		case !kind.equivalent(text, aws.ToString(out.text)):
			err = fmt.Errorf("%s (%s) still reads as another policy", r.policy.what, name)
			return false
		}
		return true
	})
	if !done && err != nil {
		return fmt.Errorf("%w (gave up after %s)", err, timeout.Round(time.Millisecond))
	}
	return err
}

// ---- identity and import ----

// repositoryIdentityModel is the identity of a repository-scoped resource.
type repositoryIdentityModel struct {
	Repository types.String `tfsdk:"repository"`
	AccountID  types.String `tfsdk:"account_id"`
	Region     types.String `tfsdk:"region"`
}

func (r *repositoryScopedPolicyResource[K]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
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
	diags.Append(checkIdentityScope(ctx, meta, id.Region.ValueString(), id.AccountID.ValueString())...)
	return diags
}

// ImportState imports by repository name (the import ID) or by identity,
// and sets `repository` and `id`.
func (r *repositoryScopedPolicyResource[K]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if name == "" {
		resp.Diagnostics.Append(checkRepositoryIdentity(ctx, r.Meta, req.Identity)...)
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
	if !repositoryNamePattern.MatchString(name) {
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

// MoveState lets `moved { from = aws_ecr_<policy>.x  to = ecr_<policy>.x }`
// take over a policy managed by hashicorp/aws.
func (r *repositoryScopedPolicyResource[K]) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{
		SourceSchema: &schema.Schema{
			Attributes: map[string]schema.Attribute{
				"id":          schema.StringAttribute{Computed: true},
				"policy":      schema.StringAttribute{Required: true},
				"region":      schema.StringAttribute{Optional: true, Computed: true},
				"registry_id": schema.StringAttribute{Computed: true},
				"repository":  schema.StringAttribute{Required: true},
			},
		},
		StateMover: r.moveFromAWS,
	}}
}

func (r *repositoryScopedPolicyResource[K]) moveFromAWS(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	sourceType := r.policy.awsType
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
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &repositoryScopedPolicyModel[K]{
		ID:         src.Repository,
		Repository: src.Repository,
		Policy:     jsonDocumentValue[K]{StringValue: src.Policy},
		RegistryID: src.RegistryID,
		// hashicorp/aws has no timeouts for these types: the defaults apply.
		Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes)},
	})...)
	// With region and account known, the identity lets the first refresh
	// refuse a provider configured for another registry; otherwise Read
	// fills the identity in.
	if resp.TargetIdentity != nil && src.Region.ValueString() != "" && src.RegistryID.ValueString() != "" {
		resp.Diagnostics.Append(resp.TargetIdentity.Set(ctx, repositoryIdentityModel{
			Repository: src.Repository,
			AccountID:  src.RegistryID,
			Region:     src.Region,
		})...)
	}
}
