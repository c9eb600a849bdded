package ecr

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_pull_time_update_exclusion list resource: `terraform query` finds
// the registry's pull-time update exclusions.

var _ list.ListResourceWithConfigure = (*pullTimeUpdateExclusionListResource)(nil)

// NewPullTimeUpdateExclusionListResource is the ecr_pull_time_update_exclusion list resource.
func NewPullTimeUpdateExclusionListResource() list.ListResource {
	return &pullTimeUpdateExclusionListResource{}
}

type pullTimeUpdateExclusionListResource struct {
	framework.ListResourceBase
}

type pullTimeUpdateExclusionListModel struct {
	Region types.String `tfsdk:"region"`
}

func (l *pullTimeUpdateExclusionListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_time_update_exclusion"
}

func (l *pullTimeUpdateExclusionListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the pull-time update exclusions of the registry (`terraform query`). Each result has the " +
			"identity (principal, account, Region); with `include_resource = true` also the state an import reads.",
		Attributes: map[string]schema.Attribute{"region": listRegionAttribute()},
	}
}

func (l *pullTimeUpdateExclusionListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg pullTimeUpdateExclusionListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	region := regionOf(l.Meta, cfg.Region)
	client := l.Meta.ClientIn(region)
	stream.Results = func(push func(list.ListResult) bool) {
		fail := func(summary string, err error) {
			var diags diag.Diagnostics
			diags.AddError(summary, err.Error())
			push(list.ListResult{Diagnostics: diags})
		}
		account, err := l.Meta.AccountID(ctx)
		if err != nil {
			fail("reading the provider's account id", err)
			return
		}
		n := int64(0)
		for arn, err := range listPullTimeUpdateExclusions(ctx, client) {
			if err != nil {
				fail("listing ECR Pull Time Update Exclusions", err)
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = arn
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, "principal_arn",
				identityModel{Key: arn, AccountID: account, Region: region})...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, &pullTimeUpdateExclusionModel{
					ID: types.StringValue(arn), PrincipalARN: types.StringValue(arn), Region: types.StringValue(region),
					Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}})...)
			}
			if !push(result) {
				return
			}
			if n++; req.Limit > 0 && n >= req.Limit {
				return
			}
		}
	}
}
