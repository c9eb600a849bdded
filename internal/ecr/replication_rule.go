package ecr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// ecr_replication_rule: one replication rule per resource, so that several
// modules or teams can each own rules of one registry. ECR stores the rules
// as one document (PutReplicationConfiguration replaces it whole), so every
// change is a read-modify-write of that document:
//
//   - inside one provider process, writes to one registry (account and
//     Region) are serialised by a lock;
//   - across processes (provider aliases are separate plugin processes,
//     and so are parallel runs) ECR offers no conditional write, so after
//     each write the rule re-reads the document and writes again until it
//     holds what it should: this rule (or, on destroy, not this rule) and
//     every other rule it saw before its write. A rule another process
//     removed in between may so come back; that race remains.
//
// A rule is identified by its content (destinations, filters, deletion
// replication): any change replaces the resource, and `id` is the rule's
// canonical JSON, which is also the import ID.

var (
	_ resource.ResourceWithConfigure   = (*replicationRuleResource)(nil)
	_ resource.ResourceWithImportState = (*replicationRuleResource)(nil)
	_ resource.ResourceWithIdentity    = (*replicationRuleResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*replicationRuleResource)(nil)
)

// NewReplicationRuleResource returns the ecr_replication_rule resource.
func NewReplicationRuleResource() resource.Resource { return &replicationRuleResource{} }

type replicationRuleResource struct {
	framework.ResourceBase
}

type replicationRuleResourceModel struct {
	ID         types.String   `tfsdk:"id"`
	Region     types.String   `tfsdk:"region"`
	RegistryID types.String   `tfsdk:"registry_id"`
	Timeouts   timeouts.Value `tfsdk:"timeouts"`
	replicationRuleModel
}

// replicationRuleLocks serialise the read-modify-writes of one registry's
// replication configuration inside this process, by "account/region".
var (
	replicationRuleLocksMu sync.Mutex
	replicationRuleLocks   = map[string]*sync.Mutex{}
)

func replicationRuleLock(account, region string) *sync.Mutex {
	replicationRuleLocksMu.Lock()
	defer replicationRuleLocksMu.Unlock()
	key := account + "/" + region
	if replicationRuleLocks[key] == nil {
		replicationRuleLocks[key] = &sync.Mutex{}
	}
	return replicationRuleLocks[key]
}

func (r *replicationRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_replication_rule"
}

func (r *replicationRuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	rule := replicationRuleBlock()
	for name, b := range rule.Blocks {
		lb, ok := b.(schema.ListNestedBlock)
		if !ok {
			continue
		}
		lb.MarkdownDescription += " Changing it replaces the rule."
		lb.PlanModifiers = []planmodifier.List{listplanmodifier.RequiresReplace()}
		rule.Blocks[name] = lb
	}
	rule.Blocks["timeouts"] = operationTimeouts{create: singletonWriteTimeout, update: singletonWriteTimeout,
		delete:      singletonDeleteTimeout,
		createWaits: "the writes again while other writers change the registry's replication configuration, and the wait until reads return the rule",
		waits:       "the writes again while other writers change the registry's replication configuration"}.block(ctx)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages one replication rule of an ECR registry, so that separate modules or teams can each " +
			"own rules of one registry (at most 10 rules in all). The provider adds and removes its rule by a read-modify-" +
			"write of the registry's replication configuration, serialised per registry inside one provider process; across " +
			"processes (provider aliases, parallel runs) it re-reads after each write and writes again until the " +
			"configuration holds its rule and every rule it saw before, so a rule another process removes at the same " +
			"moment may come back. Do not combine it with `ecr_replication_configuration` for the same registry: that one " +
			"owns the whole document and removes these rules. A rule is identified by its content: any change replaces it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The rule as canonical JSON (destinations and filters sorted); the import ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (AWS account) id of the source registry.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		},
		Blocks: rule.Blocks,
	}
}

func (r *replicationRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
}

func (r *replicationRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan replicationRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, singletonWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	account, err := r.Meta.AccountID(ctx)
	if err != nil {
		resp.Diagnostics.AddError("creating ECR Replication Rule", "reading the provider's account id: "+err.Error())
		return
	}
	rule := expandReplicationRules([]replicationRuleModel{plan.replicationRuleModel})[0]
	id := canonicalReplicationRule(rule)
	ctx = tflog.SetField(ctx, "replication_rule", id)
	if err := r.change(ctx, account, plan.Region.ValueString(), rule, true, timeout); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating ECR Replication Rule (%s)", id), err.Error())
		return
	}
	plan.ID, plan.RegistryID = types.StringValue(id), types.StringValue(account)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", plan.identity())...)
}

func (r *replicationRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state replicationRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "id")...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	id := state.ID.ValueString()
	ctx = tflog.SetField(ctx, "replication_rule", id)
	want, err := parseReplicationRule(id)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Replication Rule (%s)", id), err.Error())
		return
	}
	out, err := findReplicationRule(ctx, r.Meta.ClientIn(state.Region.ValueString()), want)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR Replication Rule not found, removing from state", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "id", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Replication Rule (%s)", id), err.Error())
		return
	}
	// Keep the configured order when it is the same rule (the state after
	// an import has ECR's).
	if canonicalReplicationRule(expandReplicationRules([]replicationRuleModel{state.replicationRuleModel})[0]) != id {
		state.replicationRuleModel = flattenReplicationRules([]awstypes.ReplicationRule{*out.rule})[0]
	}
	state.RegistryID = types.StringPointerValue(out.registryID)
	state.ID = types.StringValue(canonicalReplicationRule(want)) // an import ID may be any JSON of the rule
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", state.identity())...)
}

// Update changes only the timeouts: every other change replaces the rule.
func (r *replicationRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan replicationRuleResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", plan.identity())...)
}

func (r *replicationRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state replicationRuleResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, singletonDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	ctx = tflog.SetField(ctx, "replication_rule", id)
	rule, err := parseReplicationRule(id)
	if err == nil {
		err = r.change(ctx, state.RegistryID.ValueString(), regionOf(r.Meta, state.Region), rule, false, timeout)
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Replication Rule (%s)", id), err.Error())
	}
}

// replicationRulePatience is how long a read may keep showing the
// configuration as it was before our write (ECR is eventually consistent)
// before the rule writes again; it doubles each time it runs out.
const replicationRulePatience = time.Second

// change adds (add) or removes rule from the registry's replication
// configuration: under the process's lock for the registry, read, modify,
// write, then re-read and write again until the configuration holds what
// it should (see the top of the file), within timeout.
//
// A read after a write that shows exactly the configuration the write
// replaced is most likely a stale read, not another writer: the rule waits
// for it (replicationRulePatience, doubling) before writing again, since
// every write starts the wait for a consistent read anew. A read showing
// any other configuration that lacks the change is another writer's: the
// rule writes again at once.
func (r *replicationRuleResource) change(ctx context.Context, account, region string, rule awstypes.ReplicationRule, add bool, timeout time.Duration) error {
	mu := replicationRuleLock(account, region)
	mu.Lock()
	defer mu.Unlock()
	client := r.Meta.ClientIn(region)
	id := canonicalReplicationRule(rule)
	seen := map[string]awstypes.ReplicationRule{} // the other rules seen before a write
	var (
		wrote    bool      // a write was made
		replaced []string  // the rules (sorted ids) the last write replaced
		wroteAt  time.Time // when
		patience = replicationRulePatience
	)
	_, err := waitUntil(ctx, timeout, func(ctx context.Context) (bool, error) {
		out, err := client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
		if err != nil {
			return false, err
		}
		var current []awstypes.ReplicationRule
		if out.ReplicationConfiguration != nil {
			current = out.ReplicationConfiguration.Rules
		}
		ids := make([]string, len(current))
		for i, c := range current {
			ids[i] = canonicalReplicationRule(c)
		}
		done := slices.Contains(ids, id) == add
		for other := range seen {
			done = done && slices.Contains(ids, other)
		}
		if done {
			return true, nil
		}
		sorted := slices.Sorted(slices.Values(ids))
		if wrote && slices.Equal(sorted, replaced) {
			if time.Since(wroteAt) < patience {
				return false, &transientError{errors.New("reads still show the replication configuration as it was before the write")}
			}
			tflog.Debug(ctx, "reads still show the replication configuration as it was before the write; writing again",
				map[string]any{"waited": patience.String()})
			patience *= 2
		} else {
			patience = replicationRulePatience
		}
		// Write: the current rules, every rule seen before that is
		// missing, and this rule added or left out.
		var next []awstypes.ReplicationRule
		for i, c := range current {
			if ids[i] != id {
				next = append(next, c)
				seen[ids[i]] = c
			}
		}
		for other, c := range seen {
			if !slices.Contains(ids, other) {
				next = append(next, c)
			}
		}
		if add {
			next = append(next, rule)
		}
		if next == nil {
			next = []awstypes.ReplicationRule{}
		}
		tflog.Debug(ctx, "writing the replication configuration", map[string]any{"rules": len(next)})
		if _, err := client.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
			ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: next}}); err != nil {
			return false, err
		}
		wrote, replaced, wroteAt = true, sorted, time.Now()
		// Re-read on the next round: another process may have written in
		// between, and ECR is eventually consistent.
		return false, &transientError{fmt.Errorf("the replication configuration does not hold the change yet")}
	}, func(ok bool, err error) bool { return err == nil && ok })
	return err
}

// ---- identity and import ----

func (r *replicationRuleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("id", "The rule as canonical JSON (the resource's `id`).")
}

// ImportState imports by the rule as JSON (`id`, or any JSON of the same
// rule; `<json>@<region>` for another Region than the provider's) or by
// identity.
func (r *replicationRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "id", func(s string) error {
		_, err := parseReplicationRule(s)
		return err
	}, req, resp)
}

func (m *replicationRuleResourceModel) identity() identityModel {
	return identityModel{Key: m.ID.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// ---- the rule as JSON ----

// replicationRuleJSON is a rule's canonical JSON form. Its keys are in
// alphabetical order, so that jsonencode writes the canonical form too.
type replicationRuleJSON struct {
	DeleteReplication *bool                        `json:"deleteReplication,omitempty"`
	Destinations      []replicationDestinationJSON `json:"destinations"`
	RepositoryFilters []string                     `json:"repositoryFilters,omitempty"` // PREFIX_MATCH, the only type
}

type replicationDestinationJSON struct {
	Region     string `json:"region"`
	RegistryID string `json:"registryId"`
}

// canonicalReplicationRule is rule as JSON with its destinations and
// filters sorted: two rules that replicate the same are the same string.
func canonicalReplicationRule(rule awstypes.ReplicationRule) string {
	var j replicationRuleJSON
	for _, d := range rule.Destinations {
		j.Destinations = append(j.Destinations, replicationDestinationJSON{aws.ToString(d.Region), aws.ToString(d.RegistryId)})
	}
	slices.SortFunc(j.Destinations, func(a, b replicationDestinationJSON) int {
		return strings.Compare(a.Region+"/"+a.RegistryID, b.Region+"/"+b.RegistryID)
	})
	for _, f := range rule.RepositoryFilters {
		j.RepositoryFilters = append(j.RepositoryFilters, aws.ToString(f.Filter))
	}
	slices.Sort(j.RepositoryFilters)
	if rule.DeleteReplication != nil {
		j.DeleteReplication = aws.Bool(rule.DeleteReplication.Enabled)
	}
	b, _ := json.Marshal(j)
	return string(b)
}

// parseReplicationRule reads a rule's canonical JSON.
func parseReplicationRule(s string) (awstypes.ReplicationRule, error) {
	var j replicationRuleJSON
	var rule awstypes.ReplicationRule
	if err := json.Unmarshal([]byte(s), &j); err != nil || len(j.Destinations) == 0 {
		return rule, fmt.Errorf(`%q is not a replication rule as JSON, such as {"destinations":[{"region":"us-east-1","registryId":"123456789012"}],"repositoryFilters":["prod/"]}`, s)
	}
	for _, d := range j.Destinations {
		rule.Destinations = append(rule.Destinations, awstypes.ReplicationDestination{Region: aws.String(d.Region), RegistryId: aws.String(d.RegistryID)})
	}
	for _, f := range j.RepositoryFilters {
		rule.RepositoryFilters = append(rule.RepositoryFilters, awstypes.RepositoryFilter{Filter: aws.String(f), FilterType: awstypes.RepositoryFilterTypePrefixMatch})
	}
	if j.DeleteReplication != nil {
		rule.DeleteReplication = &awstypes.DeleteReplication{Enabled: *j.DeleteReplication}
	}
	return rule, nil
}

// replicationRuleOutput is a rule found in a registry's configuration.
type replicationRuleOutput struct {
	registryID *string
	rule       *awstypes.ReplicationRule
}

// findReplicationRule returns the rule of the caller's registry that
// replicates the same as want, or a notFoundError.
func findReplicationRule(ctx context.Context, client *ecr.Client, want awstypes.ReplicationRule) (replicationRuleOutput, error) {
	out, err := client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		return replicationRuleOutput{}, err
	}
	id := canonicalReplicationRule(want)
	if out.ReplicationConfiguration != nil {
		for i, r := range out.ReplicationConfiguration.Rules {
			if canonicalReplicationRule(r) == id {
				return replicationRuleOutput{out.RegistryId, &out.ReplicationConfiguration.Rules[i]}, nil
			}
		}
	}
	return replicationRuleOutput{}, &notFoundError{what: "ECR Replication Rule"}
}
