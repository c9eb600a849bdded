package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImageReferrersDataSource is the ecr_image_referrers data source.
func NewImageReferrersDataSource() datasource.DataSource { return &imageReferrersDataSource{} }

type imageReferrersDataSource struct {
	framework.DataSourceBase
}

func (d *imageReferrersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_referrers"
}

func (d *imageReferrersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the artifacts that refer to an image (OCI 1.1 referrers: signatures, SBOMs, attestations) " +
			"with `ListImageReferrers`, optionally of some artifact types only.",
		Attributes: imageSelectorAttributes(map[string]schema.Attribute{
			"artifact_status": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ArtifactStatusFilter("").Values())...)},
				MarkdownDescription: "Only referrers in this storage state: `ACTIVE` (ECR's default), `ARCHIVED`, `ACTIVATING` or `ANY`."},
			"artifact_types": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Validators:          []validator.List{listvalidator.SizeBetween(1, 5), listvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 255))},
				MarkdownDescription: "Only referrers of these artifact types (up to 5), e.g. `application/spdx+json`."},
			"referrers": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The referrers.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"annotations":     schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The referrer's annotations."},
					"artifact_status": schema.StringAttribute{Computed: true, MarkdownDescription: "`ACTIVE`, `ARCHIVED` or `ACTIVATING`."},
					"artifact_type":   schema.StringAttribute{Computed: true, MarkdownDescription: "Artifact type of the referrer."},
					"digest":          schema.StringAttribute{Computed: true, MarkdownDescription: "Digest of the referrer's manifest."},
					"media_type":      schema.StringAttribute{Computed: true, MarkdownDescription: "Media type of the referrer's manifest."},
					"size":            schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the referrer's manifest in bytes."},
				}}},
		}),
	}
}

func (d *imageReferrersDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return imageSelectorValidators()
}

func (d *imageReferrersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imageReferrersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "repository_name", data.RepositoryName.ValueString())
	summary := fmt.Sprintf("listing the referrers of ECR Image (%s)", data.ref())
	client, err := data.resolve(ctx, d.Meta)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	input := &ecr.ListImageReferrersInput{RepositoryName: data.RepositoryName.ValueStringPointer(),
		RegistryId: data.RegistryID.ValueStringPointer(), SubjectId: &awstypes.SubjectIdentifier{ImageDigest: data.ImageDigest.ValueStringPointer()}}
	if len(data.ArtifactTypes) > 0 || !data.ArtifactStatus.IsNull() {
		input.Filter = &awstypes.ListImageReferrersFilter{ArtifactTypes: data.ArtifactTypes,
			ArtifactStatus: awstypes.ArtifactStatusFilter(data.ArtifactStatus.ValueString())}
	}
	data.Referrers = []imageReferrerModel{}
	for {
		out, err := client.ListImageReferrers(ctx, input)
		if err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
		for _, r := range out.Referrers {
			annotations, diags := types.MapValueFrom(ctx, types.StringType, r.Annotations)
			resp.Diagnostics.Append(diags...)
			data.Referrers = append(data.Referrers, imageReferrerModel{
				Annotations: annotations, ArtifactStatus: types.StringValue(string(r.ArtifactStatus)),
				ArtifactType: types.StringPointerValue(r.ArtifactType), Digest: types.StringPointerValue(r.Digest),
				MediaType: types.StringPointerValue(r.MediaType), Size: types.Int64PointerValue(r.Size),
			})
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		input.NextToken = out.NextToken
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type imageReferrersDataSourceModel struct {
	imageSelectorModel
	ArtifactStatus types.String         `tfsdk:"artifact_status"`
	ArtifactTypes  []string             `tfsdk:"artifact_types"`
	Referrers      []imageReferrerModel `tfsdk:"referrers"`
}

type imageReferrerModel struct {
	Annotations    types.Map    `tfsdk:"annotations"`
	ArtifactStatus types.String `tfsdk:"artifact_status"`
	ArtifactType   types.String `tfsdk:"artifact_type"`
	Digest         types.String `tfsdk:"digest"`
	MediaType      types.String `tfsdk:"media_type"`
	Size           types.Int64  `tfsdk:"size"`
}
