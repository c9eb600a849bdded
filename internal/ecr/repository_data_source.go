package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewRepositoryDataSource is the ecr_repository data source.
func NewRepositoryDataSource() datasource.DataSource { return &repositoryDataSource{} }

type repositoryDataSource struct {
	framework.DataSourceBase
}

func (d *repositoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository"
}

func (d *repositoryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads an ECR repository, like `aws_ecr_repository` of the hashicorp/aws provider. Unlike it, " +
			"`most_recent_image_tags` is only looked up when `include_most_recent_image_tags = true`, because that pages " +
			"through every image of the repository (slow for large repositories).",
		Attributes: map[string]schema.Attribute{
			"arn": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the repository."},
			"encryption_configuration": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Encryption at rest.", NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"encryption_type": schema.StringAttribute{Computed: true, MarkdownDescription: "`AES256`, `KMS` or `KMS_DSSE`."},
				"kms_key":         schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the KMS key (for `KMS` and `KMS_DSSE`)."},
			}}},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The repository name."},
			"image_scanning_configuration": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Basic scanning.", NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"scan_on_push": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether images are scanned when pushed."},
			}}},
			"image_tag_mutability": schema.StringAttribute{Computed: true, MarkdownDescription: "Tag mutability setting."},
			"image_tag_mutability_exclusion_filter": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Tag filters exempt from the mutability setting.", NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"filter":      schema.StringAttribute{Computed: true, MarkdownDescription: "Tag pattern; `*` matches any characters."},
				"filter_type": schema.StringAttribute{Computed: true, MarkdownDescription: "`WILDCARD`."},
			}}},
			"include_most_recent_image_tags": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Look up `most_recent_image_tags` (pages through all images with DescribeImages). Default `false`."},
			"most_recent_image_tags": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Tags of the most recently pushed image; null unless `include_most_recent_image_tags = true`."},
			"name": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository."},
			"registry_id": schema.StringAttribute{Optional: true, Computed: true, Validators: registryIDValidators(),
				MarkdownDescription: "Registry (account) id, 12 digits; defaults to the caller's."},
			"region":         dataSourceRegionAttribute(),
			"repository_url": schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the repository."},
			"tags":           schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Tags of the repository, without ignored tags."},
		},
	}
}

func (d *repositoryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data repositoryDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := data.Name.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("reading ECR Repository (%s)", name)
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	client := d.Meta.ClientIn(data.Region.ValueString())
	input := &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}}
	if !data.RegistryID.IsNull() && !data.RegistryID.IsUnknown() {
		input.RegistryId = data.RegistryID.ValueStringPointer()
	}
	repo, err := findRepository(ctx, client, input)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	data.flatten(repo)

	remote, err := listTags(ctx, client, aws.ToString(repo.RepositoryArn))
	if err != nil {
		resp.Diagnostics.AddError(summary, "listing tags: "+err.Error())
		return
	}
	for k := range remote {
		if tagIgnored(d.Meta, k) {
			delete(remote, k)
		}
	}
	tags, diags := types.MapValueFrom(ctx, types.StringType, remote)
	resp.Diagnostics.Append(diags...)
	data.Tags = tags

	data.MostRecentImageTags = types.ListNull(types.StringType)
	if data.IncludeMostRecentImageTags.ValueBool() {
		imageTags, err := mostRecentImageTags(ctx, client, name, aws.ToString(repo.RegistryId))
		if err != nil {
			resp.Diagnostics.AddError(summary, "finding the most recent image: "+err.Error())
			return
		}
		data.MostRecentImageTags, diags = types.ListValueFrom(ctx, types.StringType, imageTags)
		resp.Diagnostics.Append(diags...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// mostRecentImageTags pages through every image and returns the tags of
// the one pushed last (empty if there are no images).
func mostRecentImageTags(ctx context.Context, client *ecr.Client, name, registryID string) ([]string, error) {
	var latest *awstypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{RepositoryName: aws.String(name), RegistryId: aws.String(registryID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i, img := range page.ImageDetails {
			// On equal push times the image listed later wins.
			if latest == nil || !aws.ToTime(img.ImagePushedAt).Before(aws.ToTime(latest.ImagePushedAt)) {
				latest = &page.ImageDetails[i]
			}
		}
	}
	if latest == nil {
		return []string{}, nil
	}
	return append([]string{}, latest.ImageTags...), nil
}

type repositoryDataSourceModel struct {
	ARN                               types.String                      `tfsdk:"arn"`
	EncryptionConfiguration           []encryptionConfigurationModel    `tfsdk:"encryption_configuration"`
	ID                                types.String                      `tfsdk:"id"`
	ImageScanningConfiguration        []imageScanningConfigurationModel `tfsdk:"image_scanning_configuration"`
	ImageTagMutability                types.String                      `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []exclusionFilterModel            `tfsdk:"image_tag_mutability_exclusion_filter"`
	IncludeMostRecentImageTags        types.Bool                        `tfsdk:"include_most_recent_image_tags"`
	MostRecentImageTags               types.List                        `tfsdk:"most_recent_image_tags"`
	Name                              types.String                      `tfsdk:"name"`
	Region                            types.String                      `tfsdk:"region"`
	RegistryID                        types.String                      `tfsdk:"registry_id"`
	RepositoryURL                     types.String                      `tfsdk:"repository_url"`
	Tags                              types.Map                         `tfsdk:"tags"`
}

// flatten fills the repository's attributes (not tags, not image tags).
func (m *repositoryDataSourceModel) flatten(repo *awstypes.Repository) {
	m.ARN = types.StringPointerValue(repo.RepositoryArn)
	m.ID = types.StringPointerValue(repo.RepositoryName)
	m.Name = types.StringPointerValue(repo.RepositoryName)
	m.RegistryID = types.StringPointerValue(repo.RegistryId)
	m.RepositoryURL = types.StringPointerValue(repo.RepositoryUri)
	m.ImageTagMutability = types.StringValue(string(repo.ImageTagMutability))
	m.EncryptionConfiguration = flattenEncryptionConfiguration(repo.EncryptionConfiguration)
	m.ImageScanningConfiguration = flattenImageScanningConfiguration(repo.ImageScanningConfiguration)
	m.ImageTagMutabilityExclusionFilter = flattenExclusionFilters(repo.ImageTagMutabilityExclusionFilters)
}
