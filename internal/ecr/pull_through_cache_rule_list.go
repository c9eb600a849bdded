package ecr

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_pull_through_cache_rule list resource: `terraform query` finds
// the registry's pull-through cache rules.

var _ list.ListResourceWithConfigure = (*pullThroughCacheRuleListResource)(nil)

// NewPullThroughCacheRuleListResource is the ecr_pull_through_cache_rule list resource.
func NewPullThroughCacheRuleListResource() list.ListResource {
	return &pullThroughCacheRuleListResource{}
}

type pullThroughCacheRuleListResource struct {
	framework.ListResourceBase
}

type pullThroughCacheRuleListModel struct {
	Region           types.String `tfsdk:"region"`
	UpstreamRegistry types.String `tfsdk:"upstream_registry"`
}

func (l *pullThroughCacheRuleListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_through_cache_rule"
}

func (l *pullThroughCacheRuleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the pull-through cache rules of the registry (`terraform query`), optionally only those of one " +
			"upstream registry. Each result has the identity (prefix, account, Region); with `include_resource = true` also " +
			"the rule, as an import would read it.",
		Attributes: map[string]schema.Attribute{
			"region": listRegionAttribute(),
			"upstream_registry": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.UpstreamRegistry("").Values())...)},
				MarkdownDescription: "Only rules of this upstream registry, e.g. `docker-hub`."},
		},
	}
}

func (l *pullThroughCacheRuleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg pullThroughCacheRuleListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	region := regionOf(l.Meta, cfg.Region)
	client := l.Meta.ClientIn(region)
	stream.Results = func(push func(list.ListResult) bool) {
		n := int64(0)
		for rule, err := range listPullThroughCacheRules(ctx, client) {
			if err != nil {
				var diags diag.Diagnostics
				diags.AddError("listing ECR Pull Through Cache Rules", err.Error())
				push(list.ListResult{Diagnostics: diags})
				return
			}
			if u := cfg.UpstreamRegistry.ValueString(); u != "" && string(rule.UpstreamRegistry) != u {
				continue
			}
			result := req.NewListResult(ctx)
			m := pullThroughCacheRuleModel{Region: types.StringValue(region),
				Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
			m.flatten(&rule)
			result.DisplayName = aws.ToString(rule.EcrRepositoryPrefix)
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, "ecr_repository_prefix", m.identity())...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
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
