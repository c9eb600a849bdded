package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// repositoryScanningBatchSize is the most repositories one
// BatchGetRepositoryScanningConfiguration call takes.
const repositoryScanningBatchSize = 25

// NewRepositoryScanningConfigurationDataSource is the ecr_repository_scanning_configuration data source.
func NewRepositoryScanningConfigurationDataSource() datasource.DataSource {
	return &repositoryScanningConfigurationDataSource{}
}

type repositoryScanningConfigurationDataSource struct {
	framework.DataSourceBase
}

type repositoryScanningConfigurationDataSourceModel struct {
	Failures               []repositoryScanningFailureModel       `tfsdk:"failures"`
	ID                     types.String                           `tfsdk:"id"`
	Region                 types.String                           `tfsdk:"region"`
	RepositoryNames        types.List                             `tfsdk:"repository_names"`
	ScanningConfigurations []repositoryScanningConfigurationModel `tfsdk:"scanning_configurations"`
}

type repositoryScanningConfigurationModel struct {
	AppliedScanFilters []scanFilterModel `tfsdk:"applied_scan_filters"`
	RepositoryARN      types.String      `tfsdk:"repository_arn"`
	RepositoryName     types.String      `tfsdk:"repository_name"`
	ScanFrequency      types.String      `tfsdk:"scan_frequency"`
	ScanOnPush         types.Bool        `tfsdk:"scan_on_push"`
}

type scanFilterModel struct {
	Filter     types.String `tfsdk:"filter"`
	FilterType types.String `tfsdk:"filter_type"`
}

type repositoryScanningFailureModel struct {
	FailureCode    types.String `tfsdk:"failure_code"`
	FailureReason  types.String `tfsdk:"failure_reason"`
	RepositoryName types.String `tfsdk:"repository_name"`
}

func (d *repositoryScanningConfigurationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_scanning_configuration"
}

func (d *repositoryScanningConfigurationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the effective scanning configuration of repositories (BatchGetRepositoryScanningConfiguration: " +
			"scan frequency and the registry scanning filters that apply), 25 repositories per call, for any number of " +
			"repositories; without `repository_names`, of every repository of the registry.",
		Attributes: map[string]schema.Attribute{
			"failures": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Repositories ECR reported a failure for (`REPOSITORY_NOT_FOUND`), in the order asked for.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"failure_code":    str("The failure code, such as `REPOSITORY_NOT_FOUND`."),
					"failure_reason":  str("The reason ECR gives."),
					"repository_name": str("Name of the repository."),
				}}},
			"id":     str("The Region."),
			"region": dataSourceRegionAttribute(),
			"repository_names": schema.ListAttribute{Optional: true, Computed: true, ElementType: types.StringType,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(repositoryNameValidators()...)},
				MarkdownDescription: "Repositories to read; any number (read 25 per call). Default: every repository of the registry."},
			"scanning_configurations": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "One entry per repository found, in the order asked for.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"applied_scan_filters": schema.ListNestedAttribute{Computed: true,
						MarkdownDescription: "The registry scanning filters that apply to the repository.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"filter":      str("The filter (`*` is a wildcard)."),
							"filter_type": str("`WILDCARD`."),
						}}},
					"repository_arn":  str("ARN of the repository."),
					"repository_name": str("Name of the repository."),
					"scan_frequency":  str("`SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`."),
					"scan_on_push":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether images are scanned when pushed."},
				}}},
		},
	}
}

func (d *repositoryScanningConfigurationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data repositoryScanningConfigurationDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	data.ID = data.Region
	client := d.Meta.ClientIn(data.Region.ValueString())
	var names []string
	if data.RepositoryNames.IsNull() || data.RepositoryNames.IsUnknown() {
		for repo, err := range listRepositories(ctx, client, "") {
			if err != nil {
				resp.Diagnostics.AddError("listing ECR Repositories", err.Error())
				return
			}
			names = append(names, aws.ToString(repo.RepositoryName))
		}
	} else {
		resp.Diagnostics.Append(data.RepositoryNames.ElementsAs(ctx, &names, false)...)
	}
	configs, failures, err := batchGetRepositoryScanningConfigurations(ctx, client, names)
	if err != nil {
		resp.Diagnostics.AddError("reading ECR Repository Scanning Configurations", err.Error())
		return
	}
	data.ScanningConfigurations = make([]repositoryScanningConfigurationModel, 0, len(configs))
	for _, c := range configs {
		m := repositoryScanningConfigurationModel{
			RepositoryARN: types.StringPointerValue(c.RepositoryArn), RepositoryName: types.StringPointerValue(c.RepositoryName),
			ScanFrequency: types.StringValue(string(c.ScanFrequency)), ScanOnPush: types.BoolValue(c.ScanOnPush),
			AppliedScanFilters: []scanFilterModel{},
		}
		for _, f := range c.AppliedScanFilters {
			m.AppliedScanFilters = append(m.AppliedScanFilters, scanFilterModel{
				Filter: types.StringPointerValue(f.Filter), FilterType: types.StringValue(string(f.FilterType))})
		}
		data.ScanningConfigurations = append(data.ScanningConfigurations, m)
	}
	data.Failures = make([]repositoryScanningFailureModel, 0, len(failures))
	for _, f := range failures {
		data.Failures = append(data.Failures, repositoryScanningFailureModel{
			FailureCode: types.StringValue(string(f.FailureCode)), FailureReason: types.StringPointerValue(f.FailureReason),
			RepositoryName: types.StringPointerValue(f.RepositoryName)})
	}
	if names == nil {
		names = []string{}
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	data.RepositoryNames = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// batchGetRepositoryScanningConfigurations reads the scanning
// configuration of any number of repositories, 25 per call, and returns
// them and the failures in the order of names.
func batchGetRepositoryScanningConfigurations(ctx context.Context, client *ecr.Client, names []string) (
	[]awstypes.RepositoryScanningConfiguration, []awstypes.RepositoryScanningConfigurationFailure, error) {
	byName := map[string]awstypes.RepositoryScanningConfiguration{}
	failed := map[string]awstypes.RepositoryScanningConfigurationFailure{}
	for start := 0; start < len(names); start += repositoryScanningBatchSize {
		batch := names[start:min(start+repositoryScanningBatchSize, len(names))]
		out, err := client.BatchGetRepositoryScanningConfiguration(ctx,
			&ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: batch})
		if err != nil {
			return nil, nil, fmt.Errorf("repositories %d to %d: %w", start+1, start+len(batch), err)
		}
		for _, c := range out.ScanningConfigurations {
			byName[aws.ToString(c.RepositoryName)] = c
		}
		for _, f := range out.Failures {
			failed[aws.ToString(f.RepositoryName)] = f
		}
	}
	var configs []awstypes.RepositoryScanningConfiguration
	var failures []awstypes.RepositoryScanningConfigurationFailure
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if c, ok := byName[n]; ok {
			configs = append(configs, c)
		} else if f, ok := failed[n]; ok {
			failures = append(failures, f)
		}
	}
	return configs, failures, nil
}
