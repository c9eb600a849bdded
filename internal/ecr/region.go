package ecr

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// Per-resource Region (as hashicorp/aws v6): every resource and data source
// has an optional `region` that overrides the provider's, so that one
// provider block manages registries in several Regions. A resource's
// `region` is in its state and identity; changing it replaces the resource.

// regionPattern matches an AWS Region name (us-west-2, us-gov-east-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

const regionDescription = "AWS Region of the registry; defaults to the provider's `region`."

func regionValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(regionPattern, "must be an AWS Region name such as `us-west-2`")}
}

// regionAttribute is the `region` argument of every resource. Its plan is
// set by planRegion (a resource's ModifyPlan), which knows the provider's.
func regionAttribute() schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true, Validators: regionValidators(),
		MarkdownDescription: regionDescription + " Changing it replaces the resource."}
}

// dataSourceRegionAttribute is the `region` argument of every data source.
func dataSourceRegionAttribute() dsschema.StringAttribute {
	return dsschema.StringAttribute{Optional: true, Computed: true, Validators: regionValidators(),
		MarkdownDescription: regionDescription}
}

// listRegionAttribute is the `region` argument of every list resource:
// the Region whose registry is listed; results carry it in their identity.
func listRegionAttribute() listschema.StringAttribute {
	return listschema.StringAttribute{Optional: true, Validators: regionValidators(), MarkdownDescription: regionDescription}
}

// regionOf is the Region a resource or data source is in: its `region`,
// else the provider's.
func regionOf(meta *framework.Meta, region types.String) string {
	if v := region.ValueString(); v != "" {
		return v
	}
	if meta == nil {
		return ""
	}
	return meta.Region
}

// planRegion plans `region` (every resource's ModifyPlan calls it): the
// configured value, else the provider's Region (unknown while that is not
// known). A Region other than the state's replaces the resource; a state
// without one (written before `region` existed) is in the provider's.
func planRegion(ctx context.Context, meta *framework.Meta, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	at := path.Root("region")
	var planned, prior types.String
	resp.Diagnostics.Append(getRootString(ctx, req.Config.Raw, req.Config.GetAttribute, "region", &planned)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if planned.IsNull() {
		planned = types.StringUnknown()
		if meta != nil && meta.Region != "" {
			planned = types.StringValue(meta.Region)
		}
	}
	resp.Diagnostics.Append(setPlanRoot(ctx, &resp.Plan, "region", planned)...)
	if req.State.Raw.IsNull() {
		return // create
	}
	resp.Diagnostics.Append(getRootString(ctx, req.State.Raw, req.State.GetAttribute, "region", &prior)...)
	if prior.IsNull() {
		prior = types.StringValue(regionOf(meta, prior))
	}
	if planned.IsUnknown() || !planned.Equal(prior) {
		resp.RequiresReplace = append(resp.RequiresReplace, at)
	}
}
