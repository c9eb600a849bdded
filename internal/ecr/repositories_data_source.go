package ecr

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewRepositoriesDataSource is the ecr_repositories data source.
func NewRepositoriesDataSource() datasource.DataSource { return &repositoriesDataSource{} }

type repositoriesDataSource struct {
	framework.DataSourceBase
}

func (d *repositoriesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repositories"
}

func (d *repositoriesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the names of the repositories of the registry, like `aws_ecr_repositories` of the hashicorp/aws " +
			"provider, optionally only those starting with `name_prefix`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The Region listed."},
			"name_prefix": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
				MarkdownDescription: "Only list repositories whose name starts with this prefix, e.g. `team-a/`."},
			"region": dataSourceRegionAttribute(),
			"names":  schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Names of the repositories."},
		},
	}
}

func (d *repositoriesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data repositoriesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := data.NamePrefix.ValueString()
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	names := []string{}
	p := ecr.NewDescribeRepositoriesPaginator(d.Meta.ClientIn(data.Region.ValueString()), &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			resp.Diagnostics.AddError("listing ECR Repositories", err.Error())
			return
		}
		for _, repo := range page.Repositories {
			if name := aws.ToString(repo.RepositoryName); strings.HasPrefix(name, prefix) {
				names = append(names, name)
			}
		}
	}
	set, diags := types.SetValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	data.Names = set
	data.ID = data.Region
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type repositoriesDataSourceModel struct {
	ID         types.String `tfsdk:"id"`
	NamePrefix types.String `tfsdk:"name_prefix"`
	Names      types.Set    `tfsdk:"names"`
	Region     types.String `tfsdk:"region"`
}
