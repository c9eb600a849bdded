package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// This file holds the resource that serves every configuration ECR keeps
// once per registry (account + Region): the registry policy, the scanning,
// replication and signing configurations. Each describes itself with a
// registrySingleton in its own file (schema, API calls, finder); the
// resource, its identity ({account_id, region}, no key), import by
// `<account_id>[@<region>]` and the timeouts are here.
//
// There is nothing to create: a write replaces the registry's
// configuration whole, whatever was there (as hashicorp/aws does), and
// destroy deletes it or, where ECR always has one, puts ECR's default back.
// Every write records state first, then waits until reads agree (ECR is
// eventually consistent).

// singletonBase holds the attributes every singleton has; each model embeds
// it.
type singletonBase struct {
	ID         types.String   `tfsdk:"id"`
	Region     types.String   `tfsdk:"region"`
	RegistryID types.String   `tfsdk:"registry_id"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
}

func (b *singletonBase) base() *singletonBase { return b }

// identity is the resource identity of the singleton.
func (b *singletonBase) identity() identityModel {
	account := b.RegistryID.ValueString()
	if account == "" {
		account = b.ID.ValueString()
	}
	return identityModel{AccountID: account, Region: b.Region.ValueString()}
}

// singletonModel is a pointer to a singleton's model.
type singletonModel[M any] interface {
	*M
	base() *singletonBase
}

// registrySingleton describes a registry-level configuration whose model is
// M (a struct embedding singletonBase).
type registrySingleton[M any, P singletonModel[M]] struct {
	typeName    string // after the provider's name: "_registry_policy"
	what        string // in diagnostics and logs: "ECR Registry Policy"
	description string // of the resource
	// attributes and blocks are the singleton's own (id, region,
	// registry_id and timeouts are added).
	attributes map[string]schema.Attribute
	blocks     map[string]schema.Block
	// modifyPlan, when set, checks the plan further (after region).
	modifyPlan func(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse)

	// put writes the configuration of m.
	put func(ctx context.Context, client *ecr.Client, m P) error
	// read fills m's own attributes and registry_id from ECR (the
	// entity's finder); a notFoundError when the registry has none.
	read func(ctx context.Context, client *ecr.Client, m P) error
	// agrees reports whether what a read returned (got) is what was
	// written (want); the wait after a write ends when it does.
	agrees func(want, got P) bool
	// remove deletes the configuration or puts ECR's default back; a
	// not-found error of the API counts as done (isRemoved).
	remove    func(ctx context.Context, client *ecr.Client) error
	isRemoved func(error) bool
	// removed reports whether what a read returned is the state remove
	// leaves (nil: a read that finds nothing).
	removed func(got P) bool
	// move is the state move from the hashicorp/aws type, if there is one.
	move []resource.StateMover
	// dataSource describes the data source of the same name.
	dataSource singletonDataSource[P]
}

// singletonDataSource describes the data source of a singleton: its own
// attributes (id, region and registry_id are added) and its model (a
// struct with those four and its own), filled from the resource's model.
type singletonDataSource[P any] struct {
	typeName    string // when not the resource's
	description string
	// notFoundIsEmpty: a read that finds nothing is no error; the model
	// read fills in then is the answer.
	notFoundIsEmpty bool
	attributes      map[string]dsschema.Attribute
	model           func(P) any
}

// Defaults of the timeouts.
const (
	singletonWriteTimeout  = 2 * time.Minute
	singletonDeleteTimeout = 2 * time.Minute
)

var (
	_ resource.ResourceWithConfigure   = (*registrySingletonResource[registryPolicyModel, *registryPolicyModel])(nil)
	_ resource.ResourceWithImportState = (*registrySingletonResource[registryPolicyModel, *registryPolicyModel])(nil)
	_ resource.ResourceWithIdentity    = (*registrySingletonResource[registryPolicyModel, *registryPolicyModel])(nil)
	_ resource.ResourceWithMoveState   = (*registrySingletonResource[registryPolicyModel, *registryPolicyModel])(nil)
	_ resource.ResourceWithModifyPlan  = (*registrySingletonResource[registryPolicyModel, *registryPolicyModel])(nil)
)

type registrySingletonResource[M any, P singletonModel[M]] struct {
	framework.ResourceBase
	s registrySingleton[M, P]
}

func newRegistrySingletonResource[M any, P singletonModel[M]](s registrySingleton[M, P]) resource.Resource {
	return &registrySingletonResource[M, P]{s: s}
}

func (r *registrySingletonResource[M, P]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.s.typeName
}

func (r *registrySingletonResource[M, P]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Registry (AWS account) id (the same as `registry_id`).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"region": regionAttribute(),
		"registry_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Registry (AWS account) id the configuration belongs to.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
	for k, v := range r.s.attributes {
		attrs[k] = v
	}
	blocks := map[string]schema.Block{"timeouts": r.timeouts().block(ctx)}
	for k, v := range r.s.blocks {
		blocks[k] = v
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.s.description, Attributes: attrs, Blocks: blocks}
}

func (r *registrySingletonResource[M, P]) timeouts() operationTimeouts {
	waits := "the wait until ECR returns the new configuration on reads (ECR is eventually consistent)"
	return operationTimeouts{create: singletonWriteTimeout, update: singletonWriteTimeout, delete: singletonDeleteTimeout,
		createWaits: waits, updateWaits: waits, waits: "the wait until reads no longer return the configuration"}
}

func (r *registrySingletonResource[M, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
	if r.s.modifyPlan != nil && !resp.Diagnostics.HasError() && !req.Plan.Raw.IsNull() {
		r.s.modifyPlan(ctx, req, resp)
	}
}

func (r *registrySingletonResource[M, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan P = new(M)
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.base().Timeouts.Create(ctx, singletonWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "creating")
}

func (r *registrySingletonResource[M, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan P = new(M)
	resp.Diagnostics.Append(req.Plan.Get(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.base().Timeouts.Update(ctx, singletonWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, plan, timeout, &resp.State, resp.Identity, &resp.Diagnostics, "updating")
}

// write puts the planned configuration, records it in state and waits
// until reads return it; all of it within timeout.
func (r *registrySingletonResource[M, P]) write(ctx context.Context, plan P, timeout time.Duration,
	state *tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, verb string) {
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	b := plan.base()
	b.Region = types.StringValue(regionOf(r.Meta, b.Region))
	client := r.Meta.ClientIn(b.Region.ValueString())
	ctx = tflog.SetField(ctx, "region", b.Region.ValueString())
	tflog.Debug(ctx, verb+" "+r.s.what, map[string]any{"timeout": timeout.String()})

	account, err := r.Meta.AccountID(ctx)
	if err != nil {
		diags.AddError(fmt.Sprintf("%s %s", verb, r.s.what), "reading the provider's account id: "+err.Error())
		return
	}
	if err := r.s.put(ctx, client, plan); err != nil {
		diags.AddError(fmt.Sprintf("%s %s (%s)", verb, r.s.what, account), err.Error())
		return
	}
	b.ID, b.RegistryID = types.StringValue(account), types.StringValue(account)
	diags.Append(setIdentity(ctx, identity, "", b.identity())...)
	// Written: record it before waiting, so that a failed wait leaves it in
	// state (a new one tainted) instead of orphaning it.
	diags.Append(state.Set(ctx, plan)...)
	if diags.HasError() {
		return
	}
	_, err = waitUntil(ctx, time.Until(deadline), func(ctx context.Context) (P, error) {
		got := P(new(M))
		return got, r.s.read(ctx, client, got)
	}, func(got P, err error) bool { return err == nil && r.s.agrees(plan, got) })
	if err != nil {
		diags.AddError(fmt.Sprintf("reading %s (%s) after %s it", r.s.what, account, verb), err.Error())
	}
}

func (r *registrySingletonResource[M, P]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state P = new(M)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "")...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := state.base()
	b.Region = types.StringValue(regionOf(r.Meta, b.Region))
	ctx = tflog.SetField(ctx, "region", b.Region.ValueString())

	err := r.s.read(ctx, r.Meta.ClientIn(b.Region.ValueString()), state)
	if isNotFound(err) {
		tflog.Warn(ctx, r.s.what+" not found, removing from state", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "", b.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading %s (%s)", r.s.what, b.ID.ValueString()), err.Error())
		return
	}
	b.ID = b.RegistryID
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "", b.identity())...)
}

func (r *registrySingletonResource[M, P]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state P = new(M)
	resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	b := state.base()
	timeout, diags := b.Timeouts.Delete(ctx, singletonDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	deadline := time.Now().Add(timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	client := r.Meta.ClientIn(regionOf(r.Meta, b.Region))
	ctx = tflog.SetField(ctx, "region", regionOf(r.Meta, b.Region))
	tflog.Debug(ctx, "deleting "+r.s.what)

	if err := r.s.remove(ctx, client); err != nil && (r.s.isRemoved == nil || !r.s.isRemoved(err)) {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting %s (%s)", r.s.what, b.ID.ValueString()), err.Error())
		return
	}
	_, err := waitUntil(ctx, time.Until(deadline), func(ctx context.Context) (P, error) {
		got := P(new(M))
		return got, r.s.read(ctx, client, got)
	}, func(got P, err error) bool {
		return isNotFound(err) || (err == nil && r.s.removed != nil && r.s.removed(got))
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading %s (%s) after deleting it", r.s.what, b.ID.ValueString()), err.Error())
	}
}

// ---- identity, import and moving state from hashicorp/aws ----

func (r *registrySingletonResource[M, P]) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("", "")
}

// ImportState imports by account id (the import ID, `<account_id>@<region>`
// for another Region than the provider's) or by identity.
func (r *registrySingletonResource[M, P]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "", nil, req, resp)
}

func (r *registrySingletonResource[M, P]) MoveState(context.Context) []resource.StateMover {
	return r.s.move
}

// movedSingletonBase is the base of a singleton moved from hashicorp/aws,
// whose state has `id` and `registry_id` (both the account) and, in v6,
// `region`; hashicorp/aws has no timeouts for these types.
func movedSingletonBase(id, registryID, region types.String) singletonBase {
	if registryID.ValueString() == "" {
		registryID = id
	}
	return singletonBase{ID: registryID, RegistryID: registryID, Region: region,
		Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
}

// ---- data source ----

// registrySingletonDataSource reads a singleton: the data source of the
// same name as its resource.
type registrySingletonDataSource[M any, P singletonModel[M]] struct {
	framework.DataSourceBase
	s registrySingleton[M, P]
}

func newRegistrySingletonDataSource[M any, P singletonModel[M]](s registrySingleton[M, P]) datasource.DataSource {
	return &registrySingletonDataSource[M, P]{s: s}
}

func (d *registrySingletonDataSource[M, P]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.s.typeName
	if d.s.dataSource.typeName != "" {
		resp.TypeName = req.ProviderTypeName + d.s.dataSource.typeName
	}
}

func (d *registrySingletonDataSource[M, P]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]dsschema.Attribute{
		"id":          dsschema.StringAttribute{Computed: true, MarkdownDescription: "Registry (AWS account) id."},
		"region":      dataSourceRegionAttribute(),
		"registry_id": dsschema.StringAttribute{Computed: true, MarkdownDescription: "Registry (AWS account) id."},
	}
	for k, v := range d.s.dataSource.attributes {
		attrs[k] = v
	}
	resp.Schema = dsschema.Schema{MarkdownDescription: d.s.dataSource.description, Attributes: attrs}
}

func (d *registrySingletonDataSource[M, P]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var region types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &region)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var m P = new(M)
	b := m.base()
	b.Region = types.StringValue(regionOf(d.Meta, region))
	ctx = tflog.SetField(ctx, "region", b.Region.ValueString())
	if err := d.s.read(ctx, d.Meta.ClientIn(b.Region.ValueString()), m); err != nil && !(d.s.dataSource.notFoundIsEmpty && isNotFound(err)) {
		resp.Diagnostics.AddError(fmt.Sprintf("reading %s", d.s.what), err.Error())
		return
	}
	b.ID = b.RegistryID
	resp.Diagnostics.Append(resp.State.Set(ctx, d.s.dataSource.model(m))...)
}
