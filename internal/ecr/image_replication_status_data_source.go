package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImageReplicationStatusDataSource is the ecr_image_replication_status data source.
func NewImageReplicationStatusDataSource() datasource.DataSource {
	return &imageReplicationStatusDataSource{}
}

type imageReplicationStatusDataSource struct {
	framework.DataSourceBase
}

func (d *imageReplicationStatusDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_replication_status"
}

func (d *imageReplicationStatusDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads where an image has been replicated to (`DescribeImageReplicationStatus`): one entry per " +
			"destination of the registry's replication configuration that applies to the repository.",
		Attributes: imageSelectorAttributes(map[string]schema.Attribute{
			"replication_statuses": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "One per destination.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"failure_code": schema.StringAttribute{Computed: true, MarkdownDescription: "Why replication failed, if it did."},
					"region":       schema.StringAttribute{Computed: true, MarkdownDescription: "Destination Region."},
					"registry_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "Destination registry (account) id."},
					"status":       schema.StringAttribute{Computed: true, MarkdownDescription: "`IN_PROGRESS`, `COMPLETE` or `FAILED`."},
				}}},
		}),
	}
}

func (d *imageReplicationStatusDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return imageSelectorValidators()
}

func (d *imageReplicationStatusDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imageReplicationStatusDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "repository_name", data.RepositoryName.ValueString())
	summary := fmt.Sprintf("reading the replication status of ECR Image (%s)", data.ref())
	client, err := data.resolve(ctx, d.Meta)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	out, err := client.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: data.RepositoryName.ValueStringPointer(), RegistryId: data.RegistryID.ValueStringPointer(), ImageId: data.id(),
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	data.ReplicationStatuses = make([]imageReplicationStatusModel, len(out.ReplicationStatuses))
	for i, s := range out.ReplicationStatuses {
		data.ReplicationStatuses[i] = imageReplicationStatusModel{
			FailureCode: types.StringPointerValue(s.FailureCode), Region: types.StringPointerValue(s.Region),
			RegistryID: types.StringValue(aws.ToString(s.RegistryId)), Status: types.StringValue(string(s.Status)),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type imageReplicationStatusDataSourceModel struct {
	imageSelectorModel
	ReplicationStatuses []imageReplicationStatusModel `tfsdk:"replication_statuses"`
}

type imageReplicationStatusModel struct {
	FailureCode types.String `tfsdk:"failure_code"`
	Region      types.String `tfsdk:"region"`
	RegistryID  types.String `tfsdk:"registry_id"`
	Status      types.String `tfsdk:"status"`
}
