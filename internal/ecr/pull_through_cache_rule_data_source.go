package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_pull_through_cache_rule data source (one rule, by prefix) and
// ecr_pull_through_cache_rules (every rule of the registry, hashicorp/aws
// #44619).

// NewPullThroughCacheRuleDataSource is the ecr_pull_through_cache_rule data source.
func NewPullThroughCacheRuleDataSource() datasource.DataSource {
	return &pullThroughCacheRuleDataSource{}
}

type pullThroughCacheRuleDataSource struct {
	framework.DataSourceBase
}

// pullThroughCacheRuleDataSourceAttributes are the attributes of a rule
// in both data sources; key is the argument that names it (required), or
// "" when every attribute is computed.
func pullThroughCacheRuleDataSourceAttributes(key string) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"credential_arn":  schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the Secrets Manager secret with the upstream's credentials."},
		"custom_role_arn": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the IAM role ECR assumes to pull from an ECR upstream."},
		"ecr_repository_prefix": schema.StringAttribute{Computed: true,
			MarkdownDescription: "Prefix of the repositories that cache the upstream; `ROOT` for every repository."},
		"registry_id":                schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (account) id of the rule."},
		"upstream_registry":          schema.StringAttribute{Computed: true, MarkdownDescription: "The upstream registry (`docker-hub`, `ecr-public`, ...)."},
		"upstream_registry_url":      schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the upstream registry."},
		"upstream_repository_prefix": schema.StringAttribute{Computed: true, MarkdownDescription: "Prefix of the upstream repositories cached; `ROOT` for all."},
	}
	if key != "" {
		attrs[key] = schema.StringAttribute{Required: true, Validators: pullThroughCachePrefixValidators(),
			MarkdownDescription: "Prefix of the rule's repositories (`ROOT` for the rule of every repository)."}
	}
	return attrs
}

func (d *pullThroughCacheRuleDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_through_cache_rule"
}

func (d *pullThroughCacheRuleDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := pullThroughCacheRuleDataSourceAttributes("ecr_repository_prefix")
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "The `ecr_repository_prefix`."}
	attrs["region"] = dataSourceRegionAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a pull-through cache rule by its repository prefix, like `aws_ecr_pull_through_cache_rule` " +
			"of the hashicorp/aws provider (`ROOT` included), plus `upstream_registry`.",
		Attributes: attrs,
	}
}

func (d *pullThroughCacheRuleDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data pullThroughCacheRuleDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := data.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	rule, err := findPullThroughCacheRuleByPrefix(ctx, d.Meta.ClientIn(data.Region.ValueString()), prefix)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Through Cache Rule (%s)", prefix), err.Error())
		return
	}
	data.pullThroughCacheRuleItemModel = flattenPullThroughCacheRuleItem(rule)
	data.ECRRepositoryPrefix = types.StringValue(prefix) // as given
	data.ID = data.ECRRepositoryPrefix
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// pullThroughCacheRuleItemModel is a rule as both data sources show it.
type pullThroughCacheRuleItemModel struct {
	CredentialARN            types.String `tfsdk:"credential_arn"`
	CustomRoleARN            types.String `tfsdk:"custom_role_arn"`
	ECRRepositoryPrefix      types.String `tfsdk:"ecr_repository_prefix"`
	RegistryID               types.String `tfsdk:"registry_id"`
	UpstreamRegistry         types.String `tfsdk:"upstream_registry"`
	UpstreamRegistryURL      types.String `tfsdk:"upstream_registry_url"`
	UpstreamRepositoryPrefix types.String `tfsdk:"upstream_repository_prefix"`
}

type pullThroughCacheRuleDataSourceModel struct {
	pullThroughCacheRuleItemModel
	ID     types.String `tfsdk:"id"`
	Region types.String `tfsdk:"region"`
}

// flattenPullThroughCacheRuleItem is a rule read from ECR, as the data
// sources show it (the same values as the resource's state).
func flattenPullThroughCacheRuleItem(rule *awstypes.PullThroughCacheRule) pullThroughCacheRuleItemModel {
	var m pullThroughCacheRuleModel
	m.flatten(rule)
	return pullThroughCacheRuleItemModel{
		CredentialARN: m.CredentialARN, CustomRoleARN: m.CustomRoleARN, ECRRepositoryPrefix: m.ECRRepositoryPrefix,
		RegistryID: m.RegistryID, UpstreamRegistry: m.UpstreamRegistry, UpstreamRegistryURL: m.UpstreamRegistryURL,
		UpstreamRepositoryPrefix: m.UpstreamRepositoryPrefix,
	}
}

// NewPullThroughCacheRulesDataSource is the ecr_pull_through_cache_rules data source.
func NewPullThroughCacheRulesDataSource() datasource.DataSource {
	return &pullThroughCacheRulesDataSource{}
}

type pullThroughCacheRulesDataSource struct {
	framework.DataSourceBase
}

type pullThroughCacheRulesDataSourceModel struct {
	ECRRepositoryPrefixes types.List                      `tfsdk:"ecr_repository_prefixes"`
	ID                    types.String                    `tfsdk:"id"`
	Region                types.String                    `tfsdk:"region"`
	Rules                 []pullThroughCacheRuleItemModel `tfsdk:"pull_through_cache_rules"`
}

func (d *pullThroughCacheRulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_through_cache_rules"
}

func (d *pullThroughCacheRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every pull-through cache rule of the registry (DescribePullThroughCacheRules, all pages).",
		Attributes: map[string]schema.Attribute{
			"ecr_repository_prefixes": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The prefixes of the rules."},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The Region."},
			"pull_through_cache_rules": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The rules.",
				NestedObject: schema.NestedAttributeObject{Attributes: pullThroughCacheRuleDataSourceAttributes("")}},
			"region": dataSourceRegionAttribute(),
		},
	}
}

func (d *pullThroughCacheRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data pullThroughCacheRulesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	data.ID = data.Region
	data.Rules = []pullThroughCacheRuleItemModel{}
	var prefixes []string
	for rule, err := range listPullThroughCacheRules(ctx, d.Meta.ClientIn(data.Region.ValueString())) {
		if err != nil {
			resp.Diagnostics.AddError("listing ECR Pull Through Cache Rules", err.Error())
			return
		}
		data.Rules = append(data.Rules, flattenPullThroughCacheRuleItem(&rule))
		prefixes = append(prefixes, aws.ToString(rule.EcrRepositoryPrefix))
	}
	if prefixes == nil {
		prefixes = []string{}
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, prefixes)
	data.ECRRepositoryPrefixes = list
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
