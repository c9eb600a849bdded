package ecr

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Moving state from hashicorp/aws: `moved { from = aws_ecr_X.a  to = ecr_X.a }`.
// Each resource gives moveFromAWS the part of the hashicorp/aws v6 schema
// it takes over (SourceSchema) and a conversion; the framework decodes the
// source state with that schema, ignoring the attributes it does not name
// (hashicorp/aws v5 and later versions' extra attributes read the same).
// hashicorp/aws v6 states carry `region`: the moved resource keeps it.

// awsProviderAddress is the source address of hashicorp/aws.
const awsProviderAddress = "registry.terraform.io/hashicorp/aws"

// moveFromAWS returns the StateMover for state of the hashicorp/aws type
// awsType (schema version 0) whose attributes source describes. convert
// turns the decoded source into the target model and its identity; an
// identity with an empty part is not set (the first Read sets it); a
// singleton's key is "".
func moveFromAWS[S any](awsType, key string, source schema.Schema,
	convert func(ctx context.Context, src *S) (target any, id identityModel, diags diag.Diagnostics)) resource.StateMover {
	return resource.StateMover{
		SourceSchema: &source,
		StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
			if req.SourceTypeName != awsType || req.SourceProviderAddress != awsProviderAddress {
				return // not ours: the framework tries the next mover
			}
			summary := "Unable to move " + awsType
			if req.SourceSchemaVersion != 0 || req.SourceState == nil {
				resp.Diagnostics.AddError(summary, fmt.Sprintf("The source state (schema version %d) could not be read as "+
					"hashicorp/aws v5 or v6 writes %s (schema version 0).", req.SourceSchemaVersion, awsType))
				return
			}
			var src S
			resp.Diagnostics.Append(req.SourceState.Get(ctx, &src)...)
			if resp.Diagnostics.HasError() {
				return
			}
			target, id, diags := convert(ctx, &src)
			resp.Diagnostics.Append(diags...)
			if resp.Diagnostics.HasError() {
				return
			}
			resp.Diagnostics.Append(resp.TargetState.Set(ctx, target)...)
			if resp.TargetIdentity != nil && (key == "" || id.Key != "") && id.AccountID != "" && id.Region != "" {
				resp.Diagnostics.Append(setIdentity(ctx, resp.TargetIdentity, key, id)...)
			}
		},
	}
}

// nullTimeouts is a `timeouts` block left out of the configuration, with
// the given timeouts ("create", "delete", ...).
func nullTimeouts(names ...string) types.Object {
	return types.ObjectNull(timeoutsAttrTypes(names...))
}

// timeoutsAttrTypes are the attribute types of a `timeouts` block.
func timeoutsAttrTypes(names ...string) map[string]attr.Type {
	t := make(map[string]attr.Type, len(names))
	for _, n := range names {
		t[n] = types.StringType
	}
	return t
}
