package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImageSigningStatusDataSource is the ecr_image_signing_status data source.
func NewImageSigningStatusDataSource() datasource.DataSource { return &imageSigningStatusDataSource{} }

type imageSigningStatusDataSource struct {
	framework.DataSourceBase
}

func (d *imageSigningStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_signing_status"
}

func (d *imageSigningStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads whether ECR's managed signing signed an image (`DescribeImageSigningStatus`): one entry per " +
			"signing profile of the registry's signing configuration that applies to the repository; empty without one.",
		Attributes: imageSelectorAttributes(map[string]schema.Attribute{
			"signing_statuses": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "One per signing profile.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"failure_code":        schema.StringAttribute{Computed: true, MarkdownDescription: "Why signing failed, if it did."},
					"failure_reason":      schema.StringAttribute{Computed: true, MarkdownDescription: "The failure, in words."},
					"signing_profile_arn": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the AWS Signer profile."},
					"status":              schema.StringAttribute{Computed: true, MarkdownDescription: "`IN_PROGRESS`, `COMPLETE` or `FAILED`."},
				}}},
		}),
	}
}

func (d *imageSigningStatusDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return imageSelectorValidators()
}

func (d *imageSigningStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imageSigningStatusDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "repository_name", data.RepositoryName.ValueString())
	summary := fmt.Sprintf("reading the signing status of ECR Image (%s)", data.ref())
	client, err := data.resolve(ctx, d.Meta)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	out, err := client.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{
		RepositoryName: data.RepositoryName.ValueStringPointer(), RegistryId: data.RegistryID.ValueStringPointer(), ImageId: data.id(),
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	data.SigningStatuses = make([]imageSigningStatusModel, len(out.SigningStatuses))
	for i, s := range out.SigningStatuses {
		data.SigningStatuses[i] = imageSigningStatusModel{
			FailureCode: types.StringPointerValue(s.FailureCode), FailureReason: types.StringPointerValue(s.FailureReason),
			SigningProfileARN: types.StringPointerValue(s.SigningProfileArn), Status: types.StringValue(string(s.Status)),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type imageSigningStatusDataSourceModel struct {
	imageSelectorModel
	SigningStatuses []imageSigningStatusModel `tfsdk:"signing_statuses"`
}

type imageSigningStatusModel struct {
	FailureCode       types.String `tfsdk:"failure_code"`
	FailureReason     types.String `tfsdk:"failure_reason"`
	SigningProfileARN types.String `tfsdk:"signing_profile_arn"`
	Status            types.String `tfsdk:"status"`
}
