package ecr

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	_ resource.ResourceWithImportState    = (*accountSettingResource)(nil)
	_ resource.ResourceWithIdentity       = (*accountSettingResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*accountSettingResource)(nil)
	_ resource.ResourceWithMoveState      = (*accountSettingResource)(nil)
	_ resource.ResourceWithValidateConfig = (*accountSettingResource)(nil)
)

// accountSettings lists ECR's account settings and the values each takes;
// the first value is ECR's default, which destroy restores. The SDK's model
// has no enum for them: the names and current values are from the
// documentation of PutAccountSetting (AWS_NATIVE; V2; ENABLED or
// DISABLED), the historic CLAIR and V1 from the ECR user guide (older
// accounts still use them; hashicorp/aws accepts them). Defaults: AWS_NATIVE
// (CLAIR is retired), V2 ("the default registry policy scope"), DISABLED
// (blob mounting is opt-in).
var accountSettings = map[string][]string{
	"BASIC_SCAN_TYPE_VERSION": {"AWS_NATIVE", "CLAIR"},
	"BLOB_MOUNTING":           {"DISABLED", "ENABLED"},
	"REGISTRY_POLICY_SCOPE":   {"V2", "V1"},
}

// accountSettingNames are the settings' names, sorted.
func accountSettingNames() []string { return slices.Sorted(maps.Keys(accountSettings)) }

// validAccountSettingName checks a name given where no validator runs (an
// import ID).
func validAccountSettingName(name string) error {
	if _, ok := accountSettings[name]; !ok {
		return fmt.Errorf("%q is not an ECR account setting; import by the setting's name (%s), `name` or `name@region`",
			name, strings.Join(accountSettingNames(), ", "))
	}
	return nil
}

// accountSettingTimeouts are the defaults of the timeouts.
var accountSettingTimeouts = operationTimeouts{
	create: 2 * time.Minute, update: 2 * time.Minute, delete: 2 * time.Minute,
	createWaits: "the wait until reads return the new value (ECR is eventually consistent)",
	updateWaits: "the wait until reads return the new value",
	waits:       "the wait until reads return ECR's default value again",
}

// NewAccountSettingResource is the ecr_account_setting resource.
func NewAccountSettingResource() resource.Resource { return &accountSettingResource{} }

type accountSettingResource struct {
	framework.ResourceBase
}

func (r *accountSettingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account_setting"
}

func (r *accountSettingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An ECR account setting of the registry (one account and Region). Same arguments as " +
			"`aws_ecr_account_setting` of the hashicorp/aws provider (a `moved` block from it moves the state), but the " +
			"value is checked against the name at plan time, and **destroy restores ECR's default value** " +
			"(`AWS_NATIVE`, `V2`, `DISABLED`) where hashicorp/aws leaves the setting as it was.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The `name`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{
				Required:      true,
				Validators:    []validator.String{stringvalidator.OneOf(accountSettingNames()...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "The setting: `BASIC_SCAN_TYPE_VERSION` (basic scanning engine), `REGISTRY_POLICY_SCOPE` " +
					"(which actions a registry policy may grant) or `BLOB_MOUNTING` (layers shared across repositories). " +
					"Changing it replaces the resource.",
			},
			"region": regionAttribute(),
			"value": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The value: for `BASIC_SCAN_TYPE_VERSION` `AWS_NATIVE` (or the retired `CLAIR`), for " +
					"`REGISTRY_POLICY_SCOPE` `V2` (or `V1`), for `BLOB_MOUNTING` `ENABLED` or `DISABLED`. Changes in place.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": accountSettingTimeouts.block(ctx),
		},
	}
}

func (r *accountSettingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("name", "Name of the account setting.")
}

// ValidateConfig checks the value against the name.
func (r *accountSettingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var name, value types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("value"), &value)...)
	if resp.Diagnostics.HasError() || name.IsNull() || name.IsUnknown() || value.IsNull() || value.IsUnknown() {
		return
	}
	allowed, ok := accountSettings[name.ValueString()]
	if ok && !slices.Contains(allowed, value.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("value"), "Invalid account setting value",
			fmt.Sprintf("%s takes %s, not %q.", name.ValueString(), strings.Join(allowed, " or "), value.ValueString()))
	}
}

// ModifyPlan plans region.
func (r *accountSettingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
}

func (r *accountSettingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accountSettingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, accountSettingTimeouts.create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	r.put(ctx, &plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "creating")
}

func (r *accountSettingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan accountSettingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, accountSettingTimeouts.update)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.put(ctx, &plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "updating")
}

// put writes the planned value (PutAccountSetting replaces it: a retry
// after a lost answer writes the same again), records it, and waits until
// reads return it.
func (r *accountSettingResource) put(ctx context.Context, plan *accountSettingModel, timeout time.Duration,
	state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, verb string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name, value := plan.Name.ValueString(), plan.Value.ValueString()
	ctx = tflog.SetField(ctx, "account_setting", name)
	summary := fmt.Sprintf("%s ECR Account Setting (%s)", verb, name)
	client := r.Meta.ClientIn(plan.Region.ValueString())
	if _, err := client.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String(name), Value: aws.String(value)}); err != nil {
		diags.AddError(summary, err.Error())
		return
	}
	// Written: record it before waiting, so that a failed wait leaves the
	// setting in state (to be restored on destroy) instead of orphaning it.
	plan.ID = plan.Name
	diags.Append(r.setIdentity(ctx, identity, plan)...)
	diags.Append(state.Set(ctx, plan)...)
	if diags.HasError() {
		return
	}
	if err := waitForAccountSetting(ctx, client, name, value, timeout); err != nil {
		diags.AddError(summary, err.Error())
	}
}

// putAccountSetting sets a setting and waits until reads return the value.
func putAccountSetting(ctx context.Context, client *ecr.Client, name, value string, timeout time.Duration) error {
	if _, err := client.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String(name), Value: aws.String(value)}); err != nil {
		return err
	}
	return waitForAccountSetting(ctx, client, name, value, timeout)
}

// waitForAccountSetting waits until reads of a setting return value.
func waitForAccountSetting(ctx context.Context, client *ecr.Client, name, value string, timeout time.Duration) error {
	_, err := waitUntil(ctx, timeout, func(ctx context.Context) (string, error) {
		return findAccountSettingByName(ctx, client, name)
	}, func(v string, err error) bool { return err == nil && v == value })
	if err != nil {
		return fmt.Errorf("waiting until reads return %s: %w", value, err)
	}
	return nil
}

// setIdentity sets the identity: the setting's name in the provider's
// account and the resource's Region.
func (r *accountSettingResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, m *accountSettingModel) diag.Diagnostics {
	var diags diag.Diagnostics
	account, err := r.Meta.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the provider's account id", err.Error())
		return diags
	}
	return setIdentity(ctx, identity, "name", identityModel{Key: m.Name.ValueString(), AccountID: account, Region: m.Region.ValueString()})
}

// Read reads the setting's value. A setting always has one (ECR's default
// when nobody set it), so Read never removes the resource.
func (r *accountSettingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accountSettingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "name")...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	ctx = tflog.SetField(ctx, "account_setting", name)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	value, err := findAccountSettingByName(ctx, r.Meta.ClientIn(state.Region.ValueString()), name)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Account Setting (%s)", name), err.Error())
		return
	}
	state.ID = state.Name
	state.Value = types.StringValue(value)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, &state)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete restores ECR's default value (hashicorp/aws leaves the setting).
func (r *accountSettingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accountSettingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, accountSettingTimeouts.delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Name.ValueString()
	ctx = tflog.SetField(ctx, "account_setting", name)
	allowed, ok := accountSettings[name]
	if !ok {
		return // not a setting ECR has: nothing to restore
	}
	if err := putAccountSetting(ctx, r.Meta.ClientIn(state.Region.ValueString()), name, allowed[0], timeout); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("restoring the default of ECR Account Setting (%s)", name), err.Error())
	}
}

// ImportState imports by name (`name` or `name@region`) or by identity.
func (r *accountSettingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "name", validAccountSettingName, req, resp)
}

// awsAccountSettingModel is the state of aws_ecr_account_setting that moves.
type awsAccountSettingModel struct {
	ID     types.String `tfsdk:"id"`
	Name   types.String `tfsdk:"name"`
	Region types.String `tfsdk:"region"`
	Value  types.String `tfsdk:"value"`
}

// MoveState takes over an aws_ecr_account_setting of hashicorp/aws.
func (r *accountSettingResource) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS("aws_ecr_account_setting", "name", schema.Schema{
		Attributes: map[string]schema.Attribute{"id": str, "name": str, "region": str, "value": str},
	}, func(_ context.Context, src *awsAccountSettingModel) (any, identityModel, diag.Diagnostics) {
		var diags diag.Diagnostics
		if src.Name.ValueString() == "" {
			src.Name = src.ID
		}
		if src.Name.ValueString() == "" || src.Value.ValueString() == "" {
			diags.AddError("Unable to move aws_ecr_account_setting",
				"The source state has no name or value: it is not a state hashicorp/aws writes.")
			return nil, identityModel{}, diags
		}
		m := &accountSettingModel{ID: src.Name, Name: src.Name, Region: src.Region, Value: src.Value,
			Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
		// The account is not in hashicorp/aws's state (and the provider is
		// not configured while moving): the first Read sets the identity.
		id := identityModel{Key: src.Name.ValueString(), Region: src.Region.ValueString()}
		return m, id, diags
	})}
}

// ---- model ----

type accountSettingModel struct {
	ID       types.String   `tfsdk:"id"`
	Name     types.String   `tfsdk:"name"`
	Region   types.String   `tfsdk:"region"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
	Value    types.String   `tfsdk:"value"`
}

// findAccountSettingByName returns the value of a setting of the caller's
// registry (ECR's default when nobody set it).
func findAccountSettingByName(ctx context.Context, client *ecr.Client, name string) (string, error) {
	out, err := client.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Value), nil
}
