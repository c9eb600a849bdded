package ecr

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// This file holds the plan modifier every JSON document attribute uses:
// the configured text that means the same as the prior state's plans the
// prior state's text, so an equivalent configuration plans no change.
//
// Why a plan modifier: the framework runs a type's semantic equality
// (jsonDocumentValue.StringSemanticEquals) only on what Create, Read and
// Update return, never between the configuration and the prior state at
// plan time, so a configuration written with another key order, a
// reordered principal list or rules in another order planned an update,
// and an import (whose state holds the text ECR returns) always did.
//
// Why it may change a Required attribute's planned value: Terraform core
// (plans/objchange.assertPlannedValueValid, the same in OpenTofu) accepts a
// planned value that differs from the configuration when it equals the
// prior state and neither is null: that is how a provider says the two
// are equivalent. Nothing else is accepted for a non-computed attribute,
// so the modifier plans exactly the prior state's value or leaves the plan
// alone.

var _ planmodifier.String = useStateWhenEquivalentModifier[iamPolicyDocument]{}

// useStateWhenEquivalent returns the plan modifier of a JSON document
// attribute of kind K (jsonDocumentType[K]): when the planned text is
// equivalent to the prior state's (K's equivalent), it plans the prior
// state's text. It leaves the plan alone on create (no prior state), on
// destroy, and while the configuration is unknown or null.
//
// A resource whose computed attributes turn unknown on any change (the
// framework marks them before plan modifiers run) keeps them stable with
// UseStateForUnknown, or the plan still shows an update.
func useStateWhenEquivalent[K documentKind]() planmodifier.String {
	return useStateWhenEquivalentModifier[K]{}
}

type useStateWhenEquivalentModifier[K documentKind] struct{}

func (m useStateWhenEquivalentModifier[K]) Description(context.Context) string {
	var k K
	return fmt.Sprintf("A %s equivalent to the one in state is not a change.", k.noun())
}

func (m useStateWhenEquivalentModifier[K]) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

// documentKindName names K (see jsonDocumentType.documentKindName).
func (m useStateWhenEquivalentModifier[K]) documentKindName() string {
	var k K
	return k.typeName()
}

func (m useStateWhenEquivalentModifier[K]) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	switch {
	case req.StateValue.IsNull(), req.StateValue.IsUnknown(), // create, or no prior value
		req.ConfigValue.IsNull(), req.ConfigValue.IsUnknown(), // core accepts the prior value only for a known, non-null configuration
		req.PlanValue.IsNull(), req.PlanValue.IsUnknown(), // destroy, or an unknown planned by someone else
		req.PlanValue.Equal(req.StateValue): // nothing to do
		return
	}
	var k K
	if k.equivalent(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
