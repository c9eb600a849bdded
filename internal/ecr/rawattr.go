package ecr

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Top-level attributes read from and written to the raw value (tftypes) of
// a configuration, plan or state, for what every plan and refresh of every
// resource does (planRegion, tags_all, the identity). The framework's
// GetAttribute and SetAttribute look the path up in the schema step by step
// (building the schema's attribute map at each step) and SetAttribute
// rebuilds the whole value through a transform; in a plan of 3,000
// resources those calls were about a tenth of the provider's allocations
// (issue 7). A top-level attribute is an element of the object value, and a
// value the plan already holds needs no write.

// rootValue returns the top-level attribute name of the object obj; false
// when obj is null or unknown or has no such attribute.
func rootValue(obj tftypes.Value, name string) (tftypes.Value, bool) {
	if !obj.IsKnown() || obj.IsNull() {
		return tftypes.Value{}, false
	}
	v, _, err := tftypes.WalkAttributePath(obj, tftypes.NewAttributePath().WithAttributeName(name))
	if err != nil {
		return tftypes.Value{}, false
	}
	tv, ok := v.(tftypes.Value)
	return tv, ok
}

// rootString reads the top-level string attribute name of obj as
// GetAttribute into a types.String would; false when obj has no such
// string attribute (the caller then asks the framework, which says why).
func rootString(obj tftypes.Value, name string) (types.String, bool) {
	v, ok := rootValue(obj, name)
	if !ok || !v.Type().Is(tftypes.String) {
		return types.String{}, false
	}
	switch {
	case !v.IsKnown():
		return types.StringUnknown(), true
	case v.IsNull():
		return types.StringNull(), true
	}
	var s string
	if err := v.As(&s); err != nil {
		return types.String{}, false
	}
	return types.StringValue(s), true
}

// getRootString reads the top-level string attribute name of data (a
// tfsdk.Config, Plan or State: raw is its Raw) into target.
func getRootString(ctx context.Context, raw tftypes.Value, get func(context.Context, path.Path, any) diag.Diagnostics,
	name string, target *types.String) diag.Diagnostics {
	if v, ok := rootString(raw, name); ok {
		*target = v
		return nil
	}
	return get(ctx, path.Root(name), target)
}

// setPlanRoot sets the top-level attribute name of plan to v, unless the
// plan already holds exactly v (the usual case when nothing changes).
func setPlanRoot(ctx context.Context, plan *tfsdk.Plan, name string, v attr.Value) diag.Diagnostics {
	if want, err := v.ToTerraformValue(ctx); err == nil {
		if cur, ok := rootValue(plan.Raw, name); ok && cur.Equal(want) {
			return nil
		}
	}
	return plan.SetAttribute(ctx, path.Root(name), v)
}
