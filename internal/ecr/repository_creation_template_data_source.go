package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_repository_creation_template data source (one template, by
// prefix) and ecr_repository_creation_templates (every template).

// NewRepositoryCreationTemplateDataSource is the ecr_repository_creation_template data source.
func NewRepositoryCreationTemplateDataSource() datasource.DataSource {
	return &repositoryCreationTemplateDataSource{}
}

type repositoryCreationTemplateDataSource struct {
	framework.DataSourceBase
}

// repositoryCreationTemplateDataSourceAttributes are a template's
// attributes in both data sources, all computed.
func repositoryCreationTemplateDataSourceAttributes() map[string]schema.Attribute {
	str := func(d string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: d}
	}
	return map[string]schema.Attribute{
		"applied_for": schema.SetAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "What the template applies to: `REPLICATION`, `PULL_THROUGH_CACHE`, `CREATE_ON_PUSH`."},
		"custom_role_arn": str("ARN of the IAM role ECR assumes to create repositories with the template."),
		"description":     str("Description of the template."),
		"encryption_configuration": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Encryption of the repositories.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"encryption_type": str("`AES256`, `KMS` or `KMS_DSSE`."),
				"kms_key":         str("ARN of the KMS key."),
			}}},
		"image_tag_mutability": str("Tag mutability of the repositories."),
		"image_tag_mutability_exclusion_filter": schema.ListNestedAttribute{Computed: true,
			MarkdownDescription: "Tag filters exempt from the mutability setting.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"filter":      str("Tag pattern; `*` matches any characters."),
				"filter_type": str("`WILDCARD`."),
			}}},
		"lifecycle_policy":  str("Lifecycle policy of the repositories (JSON)."),
		"prefix":            str("Prefix of the repositories the template applies to; `ROOT` for the rest."),
		"registry_id":       str("Registry (account) id of the template."),
		"repository_policy": str("Repository policy of the repositories (JSON)."),
		"resource_tags": schema.MapAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "Tags of the repositories."},
	}
}

type repositoryCreationTemplateItemModel struct {
	AppliedFor                        types.Set                              `tfsdk:"applied_for"`
	CustomRoleARN                     types.String                           `tfsdk:"custom_role_arn"`
	Description                       types.String                           `tfsdk:"description"`
	EncryptionConfiguration           []templateEncryptionConfigurationModel `tfsdk:"encryption_configuration"`
	ImageTagMutability                types.String                           `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []exclusionFilterModel                 `tfsdk:"image_tag_mutability_exclusion_filter"`
	LifecyclePolicy                   types.String                           `tfsdk:"lifecycle_policy"`
	Prefix                            types.String                           `tfsdk:"prefix"`
	RegistryID                        types.String                           `tfsdk:"registry_id"`
	RepositoryPolicy                  types.String                           `tfsdk:"repository_policy"`
	ResourceTags                      types.Map                              `tfsdk:"resource_tags"`
}

// flattenRepositoryCreationTemplateItem is a template as the data sources
// show it: the resource's values, with the encryption ECR reports even
// when it is the default, and the tags as a (possibly empty) map.
func flattenRepositoryCreationTemplateItem(ctx context.Context, t *awstypes.RepositoryCreationTemplate, registryID string) (repositoryCreationTemplateItemModel, diag.Diagnostics) {
	m := repositoryCreationTemplateModel{
		EncryptionConfiguration: []templateEncryptionConfigurationModel{{}},
		ResourceTags:            types.MapValueMust(types.StringType, nil),
	}
	diags := m.flatten(ctx, t)
	return repositoryCreationTemplateItemModel{
		AppliedFor: m.AppliedFor, CustomRoleARN: m.CustomRoleARN, Description: m.Description,
		EncryptionConfiguration: m.EncryptionConfiguration, ImageTagMutability: m.ImageTagMutability,
		ImageTagMutabilityExclusionFilter: m.ImageTagMutabilityExclusionFilter, LifecyclePolicy: m.LifecyclePolicy.StringValue,
		Prefix: m.Prefix, RegistryID: types.StringValue(registryID), RepositoryPolicy: m.RepositoryPolicy.StringValue,
		ResourceTags: m.ResourceTags,
	}, diags
}

type repositoryCreationTemplateDataSourceModel struct {
	repositoryCreationTemplateItemModel
	ID     types.String `tfsdk:"id"`
	Region types.String `tfsdk:"region"`
}

func (d *repositoryCreationTemplateDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_creation_template"
}

func (d *repositoryCreationTemplateDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := repositoryCreationTemplateDataSourceAttributes()
	attrs["prefix"] = schema.StringAttribute{Required: true, MarkdownDescription: "Prefix of the template (`ROOT` included)."}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "The `prefix`."}
	attrs["region"] = dataSourceRegionAttribute()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a repository creation template by prefix, like `aws_ecr_repository_creation_template` of the " +
			"hashicorp/aws provider.",
		Attributes: attrs,
	}
}

func (d *repositoryCreationTemplateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data repositoryCreationTemplateDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := data.Prefix.ValueString()
	ctx = tflog.SetField(ctx, "prefix", prefix)
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	client := d.Meta.ClientIn(data.Region.ValueString())
	t, err := findRepositoryCreationTemplateByPrefix(ctx, client, prefix)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository Creation Template (%s)", prefix), err.Error())
		return
	}
	account, err := d.Meta.AccountID(ctx)
	if err != nil {
		resp.Diagnostics.AddError("reading the provider's account id", err.Error())
		return
	}
	item, diags := flattenRepositoryCreationTemplateItem(ctx, t, account)
	resp.Diagnostics.Append(diags...)
	data.repositoryCreationTemplateItemModel = item
	data.Prefix = types.StringValue(prefix) // as given
	data.ID = data.Prefix
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// NewRepositoryCreationTemplatesDataSource is the ecr_repository_creation_templates data source.
func NewRepositoryCreationTemplatesDataSource() datasource.DataSource {
	return &repositoryCreationTemplatesDataSource{}
}

type repositoryCreationTemplatesDataSource struct {
	framework.DataSourceBase
}

type repositoryCreationTemplatesDataSourceModel struct {
	ID        types.String                          `tfsdk:"id"`
	Prefixes  types.List                            `tfsdk:"prefixes"`
	Region    types.String                          `tfsdk:"region"`
	Templates []repositoryCreationTemplateItemModel `tfsdk:"repository_creation_templates"`
}

func (d *repositoryCreationTemplatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_creation_templates"
}

func (d *repositoryCreationTemplatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads every repository creation template of the registry (DescribeRepositoryCreationTemplates, all pages).",
		Attributes: map[string]schema.Attribute{
			"id":       schema.StringAttribute{Computed: true, MarkdownDescription: "The Region."},
			"prefixes": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The prefixes of the templates."},
			"region":   dataSourceRegionAttribute(),
			"repository_creation_templates": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The templates.",
				NestedObject: schema.NestedAttributeObject{Attributes: repositoryCreationTemplateDataSourceAttributes()}},
		},
	}
}

func (d *repositoryCreationTemplatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data repositoryCreationTemplatesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	data.ID = data.Region
	account, err := d.Meta.AccountID(ctx)
	if err != nil {
		resp.Diagnostics.AddError("reading the provider's account id", err.Error())
		return
	}
	data.Templates = []repositoryCreationTemplateItemModel{}
	prefixes := []string{}
	for t, err := range listRepositoryCreationTemplates(ctx, d.Meta.ClientIn(data.Region.ValueString())) {
		if err != nil {
			resp.Diagnostics.AddError("listing ECR Repository Creation Templates", err.Error())
			return
		}
		item, diags := flattenRepositoryCreationTemplateItem(ctx, &t, account)
		resp.Diagnostics.Append(diags...)
		data.Templates = append(data.Templates, item)
		prefixes = append(prefixes, aws.ToString(t.Prefix))
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, prefixes)
	resp.Diagnostics.Append(diags...)
	data.Prefixes = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}
