package ecr

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewPullTimeUpdateExclusionsDataSource is the ecr_pull_time_update_exclusions data source.
func NewPullTimeUpdateExclusionsDataSource() datasource.DataSource {
	return &pullTimeUpdateExclusionsDataSource{}
}

type pullTimeUpdateExclusionsDataSource struct {
	framework.DataSourceBase
}

type pullTimeUpdateExclusionsDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	PrincipalARNs types.List   `tfsdk:"principal_arns"`
	Region        types.String `tfsdk:"region"`
}

func (d *pullTimeUpdateExclusionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_time_update_exclusions"
}

func (d *pullTimeUpdateExclusionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the IAM users and roles the registry excludes from pull-time updates " +
			"(ListPullTimeUpdateExclusions, all pages).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The Region."},
			"principal_arns": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "ARNs of the excluded users and roles."},
			"region": dataSourceRegionAttribute(),
		},
	}
}

func (d *pullTimeUpdateExclusionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data pullTimeUpdateExclusionsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	data.ID = data.Region
	arns := []string{}
	for arn, err := range listPullTimeUpdateExclusions(ctx, d.Meta.ClientIn(data.Region.ValueString())) {
		if err != nil {
			resp.Diagnostics.AddError("listing ECR Pull Time Update Exclusions", err.Error())
			return
		}
		arns = append(arns, arn)
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, arns)
	resp.Diagnostics.Append(diags...)
	data.PrincipalARNs = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
