package ecr

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImagesDataSource is the ecr_images data source.
func NewImagesDataSource() datasource.DataSource { return &imagesDataSource{} }

type imagesDataSource struct {
	framework.DataSourceBase
}

func (d *imagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_images"
}

func (d *imagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the images of a repository with their details, newest first, like `aws_ecr_images` of the " +
			"hashicorp/aws provider but with filters and details: everything comes from one read of the `DescribeImages` " +
			"pages (`tag_status` and `image_status` filter on the server, the others here). Signatures, attestations, SBOMs " +
			"and SOCI indexes (images with a subject, a non-image artifact type or a cosign `sha256-<digest>.sig` tag) are " +
			"left out unless `include_artifacts = true`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The repository name."},
			"image_status": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ImageStatusFilter("").Values())...)},
				MarkdownDescription: "Only images in this storage state: `ACTIVE` (the default), `ARCHIVED`, `ACTIVATING` or `ANY`."},
			"images": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The images, newest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"artifact_media_type":       schema.StringAttribute{Computed: true, MarkdownDescription: "Media type of the image's config."},
					"image_digest":              schema.StringAttribute{Computed: true, MarkdownDescription: "Digest of the image."},
					"image_manifest_media_type": schema.StringAttribute{Computed: true, MarkdownDescription: "Media type of the manifest."},
					"image_pushed_at":           schema.Int64Attribute{Computed: true, MarkdownDescription: "When the image was pushed, in seconds since the Unix epoch."},
					"image_size_in_bytes":       schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the image in bytes."},
					"image_status":              schema.StringAttribute{Computed: true, MarkdownDescription: "`ACTIVE`, `ARCHIVED` or `ACTIVATING`."},
					"image_tags":                schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Tags of the image."},
					"image_uri":                 schema.StringAttribute{Computed: true, MarkdownDescription: "URI of the image by digest."},
					"last_recorded_pull_time":   schema.StringAttribute{Computed: true, MarkdownDescription: "When ECR last recorded a pull (RFC 3339), null if never."},
					"subject_manifest_digest":   schema.StringAttribute{Computed: true, MarkdownDescription: "Digest of the image this one refers to, null if none."},
				}}},
			"include_artifacts": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Also list signatures, attestations, SBOMs and SOCI indexes. Default `false`."},
			"max_results": schema.Int64Attribute{Optional: true, Validators: []validator.Int64{int64validator.AtLeast(1)},
				MarkdownDescription: "Return at most this many images (the newest)."},
			"pushed_after": schema.StringAttribute{Optional: true, Validators: []validator.String{rfc3339Validator{}},
				MarkdownDescription: "Only images pushed at or after this time (RFC 3339, e.g. `2026-01-01T00:00:00Z`)."},
			"pushed_before": schema.StringAttribute{Optional: true, Validators: []validator.String{rfc3339Validator{}},
				MarkdownDescription: "Only images pushed before this time (RFC 3339)."},
			"region": dataSourceRegionAttribute(),
			"registry_id": schema.StringAttribute{Optional: true, Computed: true, Validators: registryIDValidators(),
				MarkdownDescription: "Registry (account) id, 12 digits; defaults to the caller's."},
			"repository_name": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository."},
			"tag_pattern": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.LengthBetween(1, 300)},
				MarkdownDescription: "Only images with a tag matching this pattern, where `*` matches any characters (`release-*`)."},
			"tag_prefix": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.LengthBetween(1, 300)},
				MarkdownDescription: "Only images with a tag starting with this prefix."},
			"tag_status": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.TagStatus("").Values())...)},
				MarkdownDescription: "Only `TAGGED` or `UNTAGGED` images; `ANY` (the default) lists both."},
		},
	}
}

func (d *imagesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imagesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := data.RepositoryName.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("listing the ECR Images of %s", name)
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	client := d.Meta.ClientIn(data.Region.ValueString())

	input := &ecr.DescribeImagesInput{RegistryId: data.RegistryID.ValueStringPointer(), RepositoryName: aws.String(name),
		Filter: &awstypes.DescribeImagesFilter{TagStatus: awstypes.TagStatus(data.TagStatus.ValueString()),
			ImageStatus: awstypes.ImageStatusFilter(data.ImageStatus.ValueString())}}
	keep, err := data.filter()
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	var images []awstypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(client, input, func(o *ecr.DescribeImagesPaginatorOptions) { o.Limit = 1000 })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
		for _, img := range page.ImageDetails {
			if keep(&img) {
				images = append(images, img)
			}
		}
	}
	sortNewestFirst(images)
	if n := data.MaxResults.ValueInt64(); n > 0 && int64(len(images)) > n {
		images = images[:n]
	}
	data.ID = types.StringValue(name)
	data.Images = make([]imagesDataSourceImageModel, len(images))
	for i := range images {
		data.Images[i].flatten(&images[i], data.Region.ValueString())
		if data.RegistryID.IsNull() || data.RegistryID.IsUnknown() {
			data.RegistryID = types.StringPointerValue(images[i].RegistryId)
		}
	}
	if data.RegistryID.IsNull() || data.RegistryID.IsUnknown() {
		// No image to learn it from: the repository's registry.
		repo, err := findRepository(ctx, client, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		if err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
		data.RegistryID = types.StringPointerValue(repo.RegistryId)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// filter returns the test the images read pass: the filters ECR has no
// parameter for.
func (m *imagesDataSourceModel) filter() (func(*awstypes.ImageDetail) bool, error) {
	f, err := newImageFilter(m.PushedAfter, m.PushedBefore, m.TagPrefix, m.TagPattern, m.IncludeArtifacts.ValueBool())
	if err != nil {
		return nil, err
	}
	return f.keep, nil
}

// wildcardMatch matches s against a pattern where `*` is any run of
// characters (ECR's WILDCARD filters).
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

type imagesDataSourceModel struct {
	ID               types.String                 `tfsdk:"id"`
	ImageStatus      types.String                 `tfsdk:"image_status"`
	Images           []imagesDataSourceImageModel `tfsdk:"images"`
	IncludeArtifacts types.Bool                   `tfsdk:"include_artifacts"`
	MaxResults       types.Int64                  `tfsdk:"max_results"`
	PushedAfter      types.String                 `tfsdk:"pushed_after"`
	PushedBefore     types.String                 `tfsdk:"pushed_before"`
	Region           types.String                 `tfsdk:"region"`
	RegistryID       types.String                 `tfsdk:"registry_id"`
	RepositoryName   types.String                 `tfsdk:"repository_name"`
	TagPattern       types.String                 `tfsdk:"tag_pattern"`
	TagPrefix        types.String                 `tfsdk:"tag_prefix"`
	TagStatus        types.String                 `tfsdk:"tag_status"`
}

type imagesDataSourceImageModel struct {
	ArtifactMediaType      types.String `tfsdk:"artifact_media_type"`
	ImageDigest            types.String `tfsdk:"image_digest"`
	ImageManifestMediaType types.String `tfsdk:"image_manifest_media_type"`
	ImagePushedAt          types.Int64  `tfsdk:"image_pushed_at"`
	ImageSizeInBytes       types.Int64  `tfsdk:"image_size_in_bytes"`
	ImageStatus            types.String `tfsdk:"image_status"`
	ImageTags              []string     `tfsdk:"image_tags"`
	ImageURI               types.String `tfsdk:"image_uri"`
	LastRecordedPullTime   types.String `tfsdk:"last_recorded_pull_time"`
	SubjectManifestDigest  types.String `tfsdk:"subject_manifest_digest"`
}

func (m *imagesDataSourceImageModel) flatten(img *awstypes.ImageDetail, region string) {
	m.ArtifactMediaType = types.StringPointerValue(img.ArtifactMediaType)
	m.ImageDigest = types.StringPointerValue(img.ImageDigest)
	m.ImageManifestMediaType = types.StringPointerValue(img.ImageManifestMediaType)
	m.ImagePushedAt = epochSeconds(img.ImagePushedAt)
	m.ImageSizeInBytes = types.Int64PointerValue(img.ImageSizeInBytes)
	m.ImageStatus = types.StringValue(string(img.ImageStatus))
	m.ImageTags = append([]string{}, img.ImageTags...)
	m.ImageURI = types.StringValue(ecruri.ImageURI(aws.ToString(img.RegistryId), region, aws.ToString(img.RepositoryName), aws.ToString(img.ImageDigest)))
	m.LastRecordedPullTime = rfc3339(img.LastRecordedPullTime)
	m.SubjectManifestDigest = types.StringPointerValue(img.SubjectManifestDigest)
}

// rfc3339Validator checks an RFC 3339 timestamp argument.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "an RFC 3339 timestamp such as 2026-01-01T00:00:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%s must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z: %s", req.Path, err))
	}
}
