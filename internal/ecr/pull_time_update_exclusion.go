package ecr

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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
	_ resource.ResourceWithImportState = (*pullTimeUpdateExclusionResource)(nil)
	_ resource.ResourceWithIdentity    = (*pullTimeUpdateExclusionResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*pullTimeUpdateExclusionResource)(nil)
	_ resource.ResourceWithMoveState   = (*pullTimeUpdateExclusionResource)(nil)
)

// principalARNPattern is ECR's PrincipalArn: an IAM user or role (full match, at most 200 characters).
var principalARNPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$`)

// validPrincipalARN checks a principal given where no validator runs (an import ID).
func validPrincipalARN(s string) error {
	if len(s) > 200 || !principalARNPattern.MatchString(s) {
		return fmt.Errorf("%q is not the ARN of an IAM user or role; import by the exclusion's principal_arn, "+
			"`arn` or `arn@region`", s)
	}
	return nil
}

// pullTimeUpdateExclusionTimeouts are the defaults of the timeouts.
var pullTimeUpdateExclusionTimeouts = operationTimeouts{
	create: 2 * time.Minute, update: 2 * time.Minute, delete: 2 * time.Minute,
	createWaits: "the wait until reads return the new exclusion (ECR is eventually consistent)",
	waits:       "the wait until reads no longer return the exclusion",
}

// NewPullTimeUpdateExclusionResource is the ecr_pull_time_update_exclusion resource.
func NewPullTimeUpdateExclusionResource() resource.Resource {
	return &pullTimeUpdateExclusionResource{}
}

type pullTimeUpdateExclusionResource struct {
	framework.ResourceBase
}

func (r *pullTimeUpdateExclusionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_time_update_exclusion"
}

func (r *pullTimeUpdateExclusionResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Excludes an IAM user or role from pull-time updates: its image pulls do not update the images' " +
			"last-pull time (which lifecycle rules on `sinceImagePulled` read), e.g. for scanners. Same argument as " +
			"`aws_ecr_pull_time_update_exclusion` of the hashicorp/aws provider (a `moved` block from it moves the state).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The `principal_arn`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"principal_arn": schema.StringAttribute{
				Required: true,
				Validators: []validator.String{stringvalidator.LengthAtMost(200),
					stringvalidator.RegexMatches(principalARNPattern, "must be the ARN of an IAM user or role, such as "+
						"`arn:aws:iam::123456789012:role/scanner`")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "ARN of the IAM user or role to exclude. Changing it replaces the exclusion.",
			},
			"region": regionAttribute(),
		},
		Blocks: map[string]schema.Block{
			"timeouts": pullTimeUpdateExclusionTimeouts.block(ctx),
		},
	}
}

func (r *pullTimeUpdateExclusionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("principal_arn", "ARN of the excluded IAM user or role.")
}

// ModifyPlan plans region.
func (r *pullTimeUpdateExclusionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
}

func (r *pullTimeUpdateExclusionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pullTimeUpdateExclusionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, pullTimeUpdateExclusionTimeouts.create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	principal := plan.PrincipalARN.ValueString()
	ctx = tflog.SetField(ctx, "principal_arn", principal)
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())
	summary := fmt.Sprintf("creating ECR Pull Time Update Exclusion (%s)", principal)
	if err := registerPullTimeUpdateExclusion(ctx, client, principal); err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	// Record the exclusion before waiting: a failed wait taints it instead
	// of orphaning it.
	plan.ID = plan.PrincipalARN
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := waitUntil(ctx, timeout, func(ctx context.Context) (*string, error) {
		return findPullTimeUpdateExclusionByARN(ctx, client, principal)
	}, found); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Time Update Exclusion (%s) after creating it", principal), err.Error())
	}
}

// setIdentity sets the identity: the principal in the provider's account
// (the registry's, not necessarily the principal's) and the Region.
func (r *pullTimeUpdateExclusionResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m *pullTimeUpdateExclusionModel) diag.Diagnostics {
	var diags diag.Diagnostics
	account, err := r.Meta.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the provider's account id", err.Error())
		return diags
	}
	return setIdentity(ctx, identity, "principal_arn", identityModel{Key: m.PrincipalARN.ValueString(), AccountID: account, Region: m.Region.ValueString()})
}

func (r *pullTimeUpdateExclusionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pullTimeUpdateExclusionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "principal_arn")...)
	if resp.Diagnostics.HasError() {
		return
	}
	principal := state.PrincipalARN.ValueString()
	ctx = tflog.SetField(ctx, "principal_arn", principal)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	_, err := findPullTimeUpdateExclusionByARN(ctx, r.Meta.ClientIn(state.Region.ValueString()), principal)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR pull time update exclusion not found, removing it from the state")
		account, _ := r.Meta.AccountID(ctx)
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "principal_arn",
			identityModel{Key: principal, AccountID: account, Region: state.Region.ValueString()})...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Time Update Exclusion (%s)", principal), err.Error())
		return
	}
	state.ID = state.PrincipalARN
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes only the timeouts: every other change replaces the exclusion.
func (r *pullTimeUpdateExclusionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan pullTimeUpdateExclusionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *pullTimeUpdateExclusionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pullTimeUpdateExclusionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, pullTimeUpdateExclusionTimeouts.delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	principal := state.PrincipalARN.ValueString()
	ctx = tflog.SetField(ctx, "principal_arn", principal)
	summary := fmt.Sprintf("deleting ECR Pull Time Update Exclusion (%s)", principal)
	client := r.Meta.ClientIn(state.Region.ValueString())
	err := deleteAndWait(ctx, timeout, func(ctx context.Context) error {
		_, err := client.DeregisterPullTimeUpdateExclusion(ctx, &ecr.DeregisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(principal)})
		return err
	}, isExclusionNotFound, func(ctx context.Context) (*string, error) {
		return findPullTimeUpdateExclusionByARN(ctx, client, principal)
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
	}
}

// ImportState imports by principal ARN (`arn` or `arn@region`) or by identity.
func (r *pullTimeUpdateExclusionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "principal_arn", validPrincipalARN, req, resp)
}

// awsPullTimeUpdateExclusionModel is the state of aws_ecr_pull_time_update_exclusion that moves.
type awsPullTimeUpdateExclusionModel struct {
	ID           types.String `tfsdk:"id"`
	PrincipalARN types.String `tfsdk:"principal_arn"`
	Region       types.String `tfsdk:"region"`
}

// MoveState takes over an aws_ecr_pull_time_update_exclusion of hashicorp/aws.
func (r *pullTimeUpdateExclusionResource) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS("aws_ecr_pull_time_update_exclusion", "principal_arn", schema.Schema{
		Attributes: map[string]schema.Attribute{"id": str, "principal_arn": str, "region": str},
	}, func(_ context.Context, src *awsPullTimeUpdateExclusionModel) (any, identityModel, diag.Diagnostics) {
		var diags diag.Diagnostics
		if src.PrincipalARN.ValueString() == "" {
			src.PrincipalARN = src.ID
		}
		if src.PrincipalARN.ValueString() == "" {
			diags.AddError("Unable to move aws_ecr_pull_time_update_exclusion",
				"The source state has no principal_arn: it is not a state hashicorp/aws writes.")
			return nil, identityModel{}, diags
		}
		m := &pullTimeUpdateExclusionModel{ID: src.PrincipalARN, PrincipalARN: src.PrincipalARN, Region: src.Region,
			Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
		// The registry's account is not in hashicorp/aws's state (the
		// principal may be of another account): the first Read sets the identity.
		return m, identityModel{Key: src.PrincipalARN.ValueString(), Region: src.Region.ValueString()}, diags
	})}
}

// ---- model ----

type pullTimeUpdateExclusionModel struct {
	ID           types.String   `tfsdk:"id"`
	PrincipalARN types.String   `tfsdk:"principal_arn"`
	Region       types.String   `tfsdk:"region"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// ---- API ----

// registerPullTimeUpdateExclusion calls RegisterPullTimeUpdateExclusion,
// adopting the exclusion an earlier attempt registered when the answer was
// lost (adopt.go). An exclusion is nothing but its principal, and ECR lists
// no creation time, so one that exists after an ambiguous attempt is taken
// as this call's.
func registerPullTimeUpdateExclusion(ctx context.Context, client *ecr.Client, principal string) error {
	_, err := createOrAdopt(ctx, adoptableCreate[*string]{
		what: fmt.Sprintf("ECR Pull Time Update Exclusion (%s)", principal),
		create: func(ctx context.Context, optFns ...func(*ecr.Options)) (*string, error) {
			out, err := client.RegisterPullTimeUpdateExclusion(ctx,
				&ecr.RegisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(principal)}, optFns...)
			if err != nil {
				return nil, err
			}
			return out.PrincipalArn, nil
		},
		alreadyExists: isExclusionAlreadyExists,
		mine: func(ctx context.Context, _ createWindow) (*string, error) {
			return waitUntil(ctx, propagationTimeout, func(ctx context.Context) (*string, error) {
				return findPullTimeUpdateExclusionByARN(ctx, client, principal)
			}, found[*string])
		},
	})
	return err
}

// findPullTimeUpdateExclusionByARN returns the principal when the caller's
// registry excludes it, or a notFoundError (ECR has no call that reads one
// exclusion: the list is paged through).
func findPullTimeUpdateExclusionByARN(ctx context.Context, client *ecr.Client, principal string) (*string, error) {
	for arn, err := range listPullTimeUpdateExclusions(ctx, client) {
		if err != nil {
			return nil, err
		}
		if arn == principal {
			return &arn, nil
		}
	}
	return nil, &notFoundError{what: fmt.Sprintf("ECR Pull Time Update Exclusion (%s)", principal)}
}

// listPullTimeUpdateExclusions pages through the registry's exclusions
// (ECR's SDK has no paginator for it).
func listPullTimeUpdateExclusions(ctx context.Context, client *ecr.Client) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		input := &ecr.ListPullTimeUpdateExclusionsInput{}
		for {
			page, err := client.ListPullTimeUpdateExclusions(ctx, input)
			if err != nil {
				yield("", err)
				return
			}
			for _, arn := range page.PullTimeUpdateExclusions {
				if !yield(arn, nil) {
					return
				}
			}
			if aws.ToString(page.NextToken) == "" {
				return
			}
			input.NextToken = page.NextToken
		}
	}
}
