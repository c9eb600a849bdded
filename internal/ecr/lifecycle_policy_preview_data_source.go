package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_lifecycle_policy_preview data source runs a lifecycle policy
// preview, as the action of the same name does, and returns its results:
// what a policy would expire or archive, readable in a plan without
// Terraform 1.14's actions. It changes nothing.

// NewLifecyclePolicyPreviewDataSource is the ecr_lifecycle_policy_preview data source.
func NewLifecyclePolicyPreviewDataSource() datasource.DataSource {
	return &lifecyclePolicyPreviewDataSource{}
}

type lifecyclePolicyPreviewDataSource struct {
	framework.DataSourceBase
}

func (d *lifecyclePolicyPreviewDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_lifecycle_policy_preview"
}

func (d *lifecyclePolicyPreviewDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Previews a lifecycle policy on a repository (`StartLifecyclePolicyPreview`, then every page of " +
			"`GetLifecyclePolicyPreview`): which images the policy would expire or move to the archive storage class, " +
			"without changing anything. It previews the repository's own policy, or the one given in `policy` (e.g. " +
			"before applying it). Each read runs a new preview, and ECR runs one preview of a repository at a time: " +
			"read one `ecr_lifecycle_policy_preview` per repository per run.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The repository name."},
			"policy": schema.StringAttribute{Optional: true, CustomType: jsonDocumentType[lifecyclePolicyDocument]{},
				MarkdownDescription: "Lifecycle policy JSON to preview instead of the repository's own policy, validated as " +
					"`ecr_lifecycle_policy`'s. Unset: the repository's current lifecycle policy (it must have one)."},
			"region": dataSourceRegionAttribute(),
			"registry_id": schema.StringAttribute{Optional: true, Computed: true, Validators: registryIDValidators(),
				MarkdownDescription: "Registry (account) id, 12 digits; defaults to the caller's."},
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository whose images the policy is evaluated on."},
			"results": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "One per image the policy would act on, in ECR's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"action_type": schema.StringAttribute{Computed: true,
						MarkdownDescription: "What the rule would do: `EXPIRE` or `TRANSITION` (to `target_storage_class`)."},
					"applied_rule_priority": schema.Int64Attribute{Computed: true, MarkdownDescription: "Priority of the rule that selects the image."},
					"image_digest":          schema.StringAttribute{Computed: true, MarkdownDescription: "Digest of the image."},
					"image_pushed_at":       schema.Int64Attribute{Computed: true, MarkdownDescription: "When the image was pushed, in seconds since the Unix epoch."},
					"image_tags":            schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Tags of the image."},
					"storage_class":         schema.StringAttribute{Computed: true, MarkdownDescription: "The image's storage class now: `STANDARD` or `ARCHIVE`."},
					"target_storage_class": schema.StringAttribute{Computed: true,
						MarkdownDescription: "For `TRANSITION`, the storage class the image would move to (`ARCHIVE`); null otherwise."},
				}}},
			"status": schema.StringAttribute{Computed: true, MarkdownDescription: "Status of the preview: `COMPLETE` (a preview " +
				"that fails, expires or does not complete within `timeout` is an error)."},
			"summary": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: "Counts over the whole preview, " +
				"whatever `tag_status`.",
				Attributes: map[string]schema.Attribute{
					"expiring_image_total_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Number of images the policy would expire."},
					"transitioning_image_total_counts": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
						MarkdownDescription: "Number of images the policy would move, by target storage class (`ARCHIVE`); empty if none."},
				}},
			"tag_status": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.TagStatus("").Values())...)},
				MarkdownDescription: "Only the results of `TAGGED` or `UNTAGGED` images; `ANY` (the default) returns all."},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}},
				MarkdownDescription: "How long to wait for the preview to complete, e.g. `\"10m\"`. Default `\"5m\"`."},
		},
	}
}

func (d *lifecyclePolicyPreviewDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data lifecyclePolicyPreviewDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := data.Repository.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("previewing the lifecycle policy of ECR Repository (%s)", name)
	timeout := lifecyclePolicyPreviewTimeout
	if s := data.Timeout.ValueString(); s != "" {
		timeout, _ = time.ParseDuration(s) // validated
	}
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	client := d.Meta.ClientIn(data.Region.ValueString())
	run := previewRequest{registryID: data.RegistryID.ValueStringPointer(), repository: name, policy: data.Policy.ValueStringPointer(),
		tagStatus: awstypes.TagStatus(data.TagStatus.ValueString()), timeout: timeout}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := startLifecyclePolicyPreview(ctx, client, run); err != nil {
		resp.Diagnostics.AddError(summary, previewStartDetail(err, "the data source's `policy` argument"))
		return
	}
	out, err := waitForLifecyclePolicyPreview(ctx, client, run, nil)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	data.flatten(name, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type lifecyclePolicyPreviewDataSourceModel struct {
	ID         types.String                               `tfsdk:"id"`
	Policy     jsonDocumentValue[lifecyclePolicyDocument] `tfsdk:"policy"`
	Region     types.String                               `tfsdk:"region"`
	RegistryID types.String                               `tfsdk:"registry_id"`
	Repository types.String                               `tfsdk:"repository"`
	Results    []lifecyclePolicyPreviewResultModel        `tfsdk:"results"`
	Status     types.String                               `tfsdk:"status"`
	Summary    *lifecyclePolicyPreviewSummaryModel        `tfsdk:"summary"`
	TagStatus  types.String                               `tfsdk:"tag_status"`
	Timeout    types.String                               `tfsdk:"timeout"`
}

type lifecyclePolicyPreviewResultModel struct {
	ActionType          types.String `tfsdk:"action_type"`
	AppliedRulePriority types.Int64  `tfsdk:"applied_rule_priority"`
	ImageDigest         types.String `tfsdk:"image_digest"`
	ImagePushedAt       types.Int64  `tfsdk:"image_pushed_at"`
	ImageTags           []string     `tfsdk:"image_tags"`
	StorageClass        types.String `tfsdk:"storage_class"`
	TargetStorageClass  types.String `tfsdk:"target_storage_class"`
}

type lifecyclePolicyPreviewSummaryModel struct {
	ExpiringImageTotalCount       types.Int64            `tfsdk:"expiring_image_total_count"`
	TransitioningImageTotalCounts map[string]types.Int64 `tfsdk:"transitioning_image_total_counts"`
}

// flatten fills the computed attributes from a completed preview.
func (m *lifecyclePolicyPreviewDataSourceModel) flatten(name string, out *previewOutcome) {
	m.ID = types.StringValue(name)
	m.RegistryID = types.StringValue(out.registryID)
	m.Status = types.StringValue(string(out.status))
	m.Results = make([]lifecyclePolicyPreviewResultModel, len(out.results))
	for i, res := range out.results {
		r := lifecyclePolicyPreviewResultModel{
			ActionType:          types.StringNull(),
			AppliedRulePriority: types.Int64Null(),
			ImageDigest:         types.StringPointerValue(res.ImageDigest),
			ImagePushedAt:       epochSeconds(res.ImagePushedAt),
			ImageTags:           append([]string{}, res.ImageTags...),
			StorageClass:        types.StringNull(),
			TargetStorageClass:  types.StringNull(),
		}
		if res.AppliedRulePriority != nil {
			r.AppliedRulePriority = types.Int64Value(int64(*res.AppliedRulePriority))
		}
		if res.StorageClass != "" {
			r.StorageClass = types.StringValue(string(res.StorageClass))
		}
		if act := res.Action; act != nil {
			r.ActionType = types.StringValue(string(act.Type))
			if act.TargetStorageClass != "" {
				r.TargetStorageClass = types.StringValue(string(act.TargetStorageClass))
			}
		}
		m.Results[i] = r
	}
	s := &lifecyclePolicyPreviewSummaryModel{ExpiringImageTotalCount: types.Int64Value(0), TransitioningImageTotalCounts: map[string]types.Int64{}}
	if out.summary != nil {
		s.ExpiringImageTotalCount = types.Int64Value(int64(aws.ToInt32(out.summary.ExpiringImageTotalCount)))
		for _, c := range out.summary.TransitioningImageTotalCounts {
			s.TransitioningImageTotalCounts[string(c.TargetStorageClass)] = types.Int64Value(int64(aws.ToInt32(c.ImageTotalCount)))
		}
	}
	m.Summary = s
}
