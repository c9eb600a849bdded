package ecr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

var _ action.ActionWithConfigure = (*startImageScanAction)(nil)

// NewStartImageScanAction is the ecr_start_image_scan action.
func NewStartImageScanAction() action.Action { return &startImageScanAction{} }

type startImageScanAction struct {
	framework.ActionBase
}

// severityOrder ranks finding severities, lowest first.
var severityOrder = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

type startImageScanModel struct {
	FailOnSeverity types.String `tfsdk:"fail_on_severity"`
	ImageDigest    types.String `tfsdk:"image_digest"`
	ImageTag       types.String `tfsdk:"image_tag"`
	Region         types.String `tfsdk:"region"`
	Repository     types.String `tfsdk:"repository"`
	Timeout        types.String `tfsdk:"timeout"`
}

func (a *startImageScanAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_start_image_scan"
}

func (a *startImageScanAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Scans an image for vulnerabilities (`StartImageScan`, basic scanning), waits for the scan and reports " +
			"the count of findings per severity through progress messages; with `fail_on_severity` it fails when the scan " +
			"found anything that severe or worse, so a pipeline can gate on it. ECR scans an image at most once a day: " +
			"within that, the last scan is reported. Invoke it with `terraform apply -invoke=action.ecr_start_image_scan.<name>` " +
			"or from an `action_trigger`. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"fail_on_severity": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOf(severityOrder...)},
				MarkdownDescription: "Fail when the scan found a finding of this severity or worse: `CRITICAL`, `HIGH`, `MEDIUM`, `LOW` or `INFORMATIONAL`."},
			"image_digest": schema.StringAttribute{Optional: true, Validators: imageDigestValidators(),
				MarkdownDescription: "Digest of the image. At least one of `image_tag` and `image_digest`."},
			"image_tag": schema.StringAttribute{Optional: true, Validators: imageTagValidators(), MarkdownDescription: "Tag of the image."},
			"region":    schema.StringAttribute{Optional: true, Validators: regionValidators(), MarkdownDescription: regionDescription},
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository."},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{
				stringvalidator.RegexMatches(durationPattern, "must be a positive duration such as `30s`, `10m` or `1h30m`")},
				MarkdownDescription: "How long to wait for the scan, e.g. `\"10m\"`. Default `\"20m\"`."},
		},
	}
}

func (a *startImageScanAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg startImageScanModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.ImageTag.IsNull() && cfg.ImageDigest.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("image_tag"), "No image", "Set image_tag or image_digest.")
		return
	}
	timeout := defaultScanWaitTimeout
	if s := cfg.Timeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid timeout", fmt.Sprintf("%q is not a positive duration.", s))
			return
		}
		timeout = d
	}
	image := imageSelectorModel{ImageDigest: cfg.ImageDigest, ImageTag: cfg.ImageTag, Region: cfg.Region,
		RegistryID: types.StringNull(), RepositoryName: cfg.Repository}
	ctx = tflog.SetField(ctx, "repository_name", cfg.Repository.ValueString())
	summary := fmt.Sprintf("scanning ECR Image (%s)", image.ref())
	progress := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Debug(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client, err := image.resolve(ctx, a.Meta)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	ref := image.RepositoryName.ValueString() + "@" + image.ImageDigest.ValueString()
	_, err = client.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: image.RepositoryName.ValueStringPointer(),
		ImageId: &awstypes.ImageIdentifier{ImageDigest: image.ImageDigest.ValueStringPointer()}}, func(o *ecr.Options) {
		o.Retryer = quotaNotRetried{o.Retryer}
	})
	switch _, limited := errors.AsType[*awstypes.LimitExceededException](err); {
	case limited:
		progress("%s: ECR scans an image at most once a day; reporting its last scan", ref)
	case err != nil:
		resp.Diagnostics.AddError(summary, err.Error())
		return
	default:
		progress("%s: scan started", ref)
	}
	start := time.Now()
	scan, err := waitUntil(ctx, timeout, func(ctx context.Context) (*imageScanResult, error) {
		s, err := findImageScanFindings(ctx, client, &image)
		if err == nil && slices.Contains(scanInProgress, s.status.Status) {
			progress("%s: scan in progress (%s)", ref, time.Since(start).Round(time.Second))
		}
		return s, err
	}, func(s *imageScanResult, err error) bool {
		return err == nil && !slices.Contains(scanInProgress, s.status.Status)
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("waiting for the scan: %s; set a longer `timeout` if it was still in progress", err))
		return
	}
	counts := scan.findings.FindingSeverityCounts
	progress("%s: scan %s: %s", ref, scan.status.Status, describeSeverityCounts(counts))
	if scan.status.Status != awstypes.ScanStatusComplete && scan.status.Status != awstypes.ScanStatusActive {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("the scan ended %s: %s", scan.status.Status, aws.ToString(scan.status.Description)))
		return
	}
	if threshold := cfg.FailOnSeverity.ValueString(); threshold != "" {
		var over []string
		for _, sev := range severityOrder[slices.Index(severityOrder, threshold):] {
			if counts[sev] > 0 {
				over = append(over, fmt.Sprintf("%d %s", counts[sev], sev))
			}
		}
		if len(over) > 0 {
			resp.Diagnostics.AddError(summary, fmt.Sprintf("the scan found %s, at or above fail_on_severity = %q", strings.Join(over, ", "), threshold))
		}
	}
}

// describeSeverityCounts is "2 HIGH, 1 LOW" (most severe first), or "no findings".
func describeSeverityCounts(counts map[string]int32) string {
	var keys []string
	for k, n := range counts {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "no findings"
	}
	sort.Slice(keys, func(i, j int) bool {
		return slices.Index(severityOrder, keys[i]) > slices.Index(severityOrder, keys[j])
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}

// quotaNotRetried is the client's retryer, except that it does not retry
// StartImageScan's LimitExceededException (a throttling code to the SDK):
// it means the image was scanned today, which the action reports.
type quotaNotRetried struct{ aws.Retryer }

func (r quotaNotRetried) IsErrorRetryable(err error) bool {
	if _, ok := errors.AsType[*awstypes.LimitExceededException](err); ok {
		return false
	}
	return r.Retryer.IsErrorRetryable(err)
}
