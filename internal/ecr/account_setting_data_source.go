package ecr

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_account_setting data source (one setting) and
// ecr_account_settings (every setting, one read).

// NewAccountSettingDataSource is the ecr_account_setting data source.
func NewAccountSettingDataSource() datasource.DataSource { return &accountSettingDataSource{} }

type accountSettingDataSource struct {
	framework.DataSourceBase
}

type accountSettingDataSourceModel struct {
	ID     types.String `tfsdk:"id"`
	Name   types.String `tfsdk:"name"`
	Region types.String `tfsdk:"region"`
	Value  types.String `tfsdk:"value"`
}

func (d *accountSettingDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account_setting"
}

func (d *accountSettingDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an ECR account setting of the registry: its value, ECR's default when nobody set it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The `name`."},
			"name": schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.OneOf(accountSettingNames()...)},
				MarkdownDescription: "`BASIC_SCAN_TYPE_VERSION`, `REGISTRY_POLICY_SCOPE` or `BLOB_MOUNTING`."},
			"region": dataSourceRegionAttribute(),
			"value":  schema.StringAttribute{Computed: true, MarkdownDescription: "The setting's value."},
		},
	}
}

func (d *accountSettingDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data accountSettingDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	value, err := findAccountSettingByName(ctx, d.Meta.ClientIn(data.Region.ValueString()), data.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Account Setting (%s)", data.Name.ValueString()), err.Error())
		return
	}
	data.ID, data.Value = data.Name, types.StringValue(value)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// NewAccountSettingsDataSource is the ecr_account_settings data source.
func NewAccountSettingsDataSource() datasource.DataSource { return &accountSettingsDataSource{} }

type accountSettingsDataSource struct {
	framework.DataSourceBase
}

type accountSettingsDataSourceModel struct {
	ID       types.String `tfsdk:"id"`
	Region   types.String `tfsdk:"region"`
	Settings types.Map    `tfsdk:"settings"`
}

func (d *accountSettingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account_settings"
}

func (d *accountSettingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every ECR account setting of the registry in one data source (ECR has one call per " +
			"setting): `BASIC_SCAN_TYPE_VERSION`, `BLOB_MOUNTING` and `REGISTRY_POLICY_SCOPE`.",
		Attributes: map[string]schema.Attribute{
			"id":     schema.StringAttribute{Computed: true, MarkdownDescription: "The Region."},
			"region": dataSourceRegionAttribute(),
			"settings": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Value by setting name, e.g. `settings[\"BLOB_MOUNTING\"]`."},
		},
	}
}

func (d *accountSettingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data accountSettingsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	data.ID = data.Region
	client := d.Meta.ClientIn(data.Region.ValueString())
	settings := map[string]string{}
	for _, name := range accountSettingNames() {
		value, err := findAccountSettingByName(ctx, client, name)
		if err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Account Setting (%s)", name), err.Error())
			return
		}
		settings[name] = value
	}
	m, diags := types.MapValueFrom(ctx, types.StringType, settings)
	resp.Diagnostics.Append(diags...)
	data.Settings = m
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
