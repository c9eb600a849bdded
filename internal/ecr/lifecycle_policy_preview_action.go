package ecr

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// The ecr_lifecycle_policy_preview action (Terraform 1.14+) runs a lifecycle
// policy preview (StartLifecyclePolicyPreview), waits for it to complete and
// reports, as progress messages, what the policy would expire or archive.
// It changes nothing: a preview only evaluates the policy.

var (
	_ action.ActionWithConfigure = (*lifecyclePolicyPreviewAction)(nil)
)

// durationPattern is a Go duration of hours, minutes and seconds.
var durationPattern = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(h|m|s))+$`)

// NewLifecyclePolicyPreviewAction is the ecr_lifecycle_policy_preview action.
func NewLifecyclePolicyPreviewAction() action.Action { return &lifecyclePolicyPreviewAction{} }

type lifecyclePolicyPreviewAction struct {
	framework.ActionBase
}

type lifecyclePolicyPreviewModel struct {
	Repository types.String                               `tfsdk:"repository"`
	Policy     jsonDocumentValue[lifecyclePolicyDocument] `tfsdk:"policy"`
	Region     types.String                               `tfsdk:"region"`
	Timeout    types.String                               `tfsdk:"timeout"`
}

func (a *lifecyclePolicyPreviewAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_lifecycle_policy_preview"
}

func (a *lifecyclePolicyPreviewAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Previews a lifecycle policy on a repository (`StartLifecyclePolicyPreview`): waits until ECR has " +
			"evaluated it and reports, one progress message per image, what the policy would expire or move to the " +
			"archive storage class, then a summary. Nothing is changed. Invoke it with `terraform apply " +
			"-invoke=action.ecr_lifecycle_policy_preview.<name>`, or from a resource's `lifecycle { action_trigger { ... } }`, " +
			"e.g. after each change of an `ecr_lifecycle_policy`. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository whose images the policy is evaluated on."},
			"policy": schema.StringAttribute{Optional: true, CustomType: jsonDocumentType[lifecyclePolicyDocument]{},
				MarkdownDescription: "Lifecycle policy JSON to preview instead of the repository's own policy, validated as " +
					"`ecr_lifecycle_policy`'s. Unset: the repository's current lifecycle policy (it must have one)."},
			"region": schema.StringAttribute{Optional: true, Validators: regionValidators(),
				MarkdownDescription: regionDescription},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{
				stringvalidator.RegexMatches(durationPattern, "must be a positive duration such as `30s`, `10m` or `1h30m`")},
				MarkdownDescription: "How long to wait for the preview to complete, a duration such as `\"30s\"` or `\"10m\"`. " +
					"Default `\"5m\"`."},
		},
	}
}

func (a *lifecyclePolicyPreviewAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg lifecyclePolicyPreviewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := lifecyclePolicyPreviewTimeout
	if s := cfg.Timeout.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("timeout"), "Invalid timeout", fmt.Sprintf("%q is not a positive duration.", s))
			return
		}
		timeout = d
	}
	name := cfg.Repository.ValueString()
	client := a.Meta.ClientIn(regionOf(a.Meta, cfg.Region))
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("previewing the lifecycle policy of ECR Repository (%s)", name)
	progress := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Debug(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	run := previewRequest{repository: name, policy: cfg.Policy.ValueStringPointer(), timeout: timeout}
	if err := startLifecyclePolicyPreview(ctx, client, run); err != nil {
		resp.Diagnostics.AddError(summary, previewStartDetail(err, "the action's `policy` argument"))
		return
	}
	what := "its lifecycle policy"
	if !cfg.Policy.IsNull() {
		what = "the given lifecycle policy"
	}
	progress("%s: started a preview of %s", name, what)

	out, err := waitForLifecyclePolicyPreview(ctx, client, run, func(elapsed time.Duration) {
		progress("%s: preview in progress (%s)", name, elapsed.Round(time.Second))
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	for _, res := range out.results {
		progress("%s: %s", name, describePreviewResult(res))
	}
	progress("%s: %s", name, describePreviewSummary(out.summary, len(out.results)))
}

// describePreviewResult says what a rule would do to one image:
// "rule 10 would expire sha256:... (tags: v1, latest; pushed 2026-...)".
func describePreviewResult(res awstypes.LifecyclePolicyPreviewResult) string {
	verb := "would act on"
	if act := res.Action; act != nil {
		switch act.Type {
		case awstypes.ImageActionTypeExpire:
			verb = "would expire"
		case awstypes.ImageActionTypeTransition:
			verb = "would move to " + string(act.TargetStorageClass)
		}
	}
	var about []string
	if len(res.ImageTags) > 0 {
		about = append(about, "tags: "+strings.Join(res.ImageTags, ", "))
	} else {
		about = append(about, "untagged")
	}
	if res.ImagePushedAt != nil {
		about = append(about, "pushed "+res.ImagePushedAt.UTC().Format(time.RFC3339))
	}
	if res.StorageClass != "" {
		about = append(about, "now "+string(res.StorageClass))
	}
	rule := "a rule"
	if res.AppliedRulePriority != nil {
		rule = fmt.Sprintf("rule %d", *res.AppliedRulePriority)
	}
	return fmt.Sprintf("%s %s %s (%s)", rule, verb, aws.ToString(res.ImageDigest), strings.Join(about, "; "))
}

// describePreviewSummary is the last message: the counts per action.
func describePreviewSummary(s *awstypes.LifecyclePolicyPreviewSummary, results int) string {
	expiring := 0
	var moves []string
	if s != nil {
		expiring = int(aws.ToInt32(s.ExpiringImageTotalCount))
		for _, c := range s.TransitioningImageTotalCounts {
			moves = append(moves, fmt.Sprintf("%d to %s", aws.ToInt32(c.ImageTotalCount), c.TargetStorageClass))
		}
	}
	moved := "none moved to another storage class"
	if len(moves) > 0 {
		moved = "moved: " + strings.Join(moves, ", ")
	}
	return fmt.Sprintf("preview complete: %d image(s) would expire, %s (%d result(s))", expiring, moved, results)
}
