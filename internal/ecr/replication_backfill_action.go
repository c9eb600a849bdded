package ecr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_replication_backfill action (Terraform 1.14+) replicates, once,
// the images a registry already holds to one destination of its
// replication configuration (StartReplicationBackfill): replication itself
// only copies what is pushed after the configuration exists. ECR scopes a
// backfill by the configuration's rules for that destination; the API takes
// no filter of its own.

var _ action.ActionWithConfigure = (*replicationBackfillAction)(nil)

// NewReplicationBackfillAction is the ecr_replication_backfill action.
func NewReplicationBackfillAction() action.Action { return &replicationBackfillAction{} }

type replicationBackfillAction struct {
	framework.ActionBase
}

// ECR's limits on backfills in progress (the user guide's replication
// backfill page): one per destination Region, ten per registry.
const maxReplicationBackfillsInProgress = 10

// replicationBackfillTimeout is how long the action waits by default.
const replicationBackfillTimeout = time.Hour

// replicationBackfillFailuresShown bounds the failed images an error lists.
const replicationBackfillFailuresShown = 10

type replicationBackfillModel struct {
	Destination *replicationBackfillDestinationModel `tfsdk:"destination"`
	Region      types.String                         `tfsdk:"region"`
	Timeout     types.String                         `tfsdk:"timeout"`
}

type replicationBackfillDestinationModel struct {
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
}

func (a *replicationBackfillAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_replication_backfill"
}

func (a *replicationBackfillAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Replicates the images the registry already holds to one destination of its replication " +
			"configuration (`StartReplicationBackfill`): replication copies only what is pushed once the configuration " +
			"exists. Every image and tag of the repositories that the configuration's rules for that destination match " +
			"is replicated. The action checks that the destination is in the configuration, waits for the backfill " +
			"and reports its progress as messages; it fails when an image could not be replicated (listing them), and " +
			"when ECR's limits are reached: one backfill in progress per destination Region, ten per registry. Invoke " +
			"it with `terraform apply -invoke=action.ecr_replication_backfill.<name>` or from an `action_trigger` " +
			"(e.g. `after_create` of `ecr_replication_configuration`). Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{Optional: true, Validators: regionValidators(),
				MarkdownDescription: "AWS Region of the source registry; defaults to the provider's `region`."},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}},
				MarkdownDescription: "How long to wait for the backfill, e.g. `\"30m\"`. Default `\"1h\"`."},
		},
		Blocks: map[string]schema.Block{
			"destination": schema.SingleNestedBlock{
				MarkdownDescription: "The destination to backfill: one of the replication configuration's destinations.",
				Validators:          []validator.Object{objectvalidator.IsRequired()},
				Attributes: map[string]schema.Attribute{
					"region": schema.StringAttribute{Required: true, Validators: regionValidators(),
						MarkdownDescription: "Region of the destination registry."},
					"registry_id": schema.StringAttribute{Optional: true, Validators: registryIDValidators(),
						MarkdownDescription: "Account id of the destination registry; defaults to the caller's account."},
				},
			},
		},
	}
}

func (a *replicationBackfillAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg replicationBackfillModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Destination == nil { // refused at validation; kept for a caller that skips it
		resp.Diagnostics.AddAttributeError(path.Root("destination"), "No destination", "Set the destination block: region and, optionally, registry_id.")
		return
	}
	timeout := replicationBackfillTimeout
	if s := cfg.Timeout.ValueString(); s != "" {
		timeout, _ = time.ParseDuration(s) // validated
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := a.Meta.ClientIn(regionOf(a.Meta, cfg.Region))
	dest := awstypes.ReplicationDestination{Region: cfg.Destination.Region.ValueStringPointer(),
		RegistryId: cfg.Destination.RegistryID.ValueStringPointer()}
	if dest.RegistryId == nil {
		account, err := a.Meta.AccountID(ctx)
		if err != nil {
			resp.Diagnostics.AddError("reading the caller's ECR registry id", err.Error())
			return
		}
		dest.RegistryId = aws.String(account)
	}
	target := describeReplicationDestination(dest)
	ctx = tflog.SetField(ctx, "replication_destination", target)
	summary := fmt.Sprintf("backfilling ECR replication to %s", target)
	progress := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Debug(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	if err := checkReplicationBackfillPossible(ctx, client, dest); err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	start, err := client.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: &dest}, func(o *ecr.Options) {
		o.Retryer = quotaNotRetried{o.Retryer}
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, explainStartReplicationBackfill(err, dest))
		return
	}
	id := aws.ToString(start.ReplicationBackfillId)
	ref := "replication backfill " + id
	progress("%s to %s: started (%s)", ref, target, start.Status)

	last := ""
	out, err := waitUntil(ctx, timeout, func(ctx context.Context) (*ecr.DescribeReplicationBackfillResultsOutput, error) {
		out, err := client.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{
			ReplicationBackfillId: start.ReplicationBackfillId, MaxResults: aws.Int32(1)})
		if err == nil {
			if msg := describeReplicationBackfillProgress(out); msg != last {
				last = msg
				progress("%s: %s", ref, msg)
			}
		}
		return out, err
	}, func(out *ecr.DescribeReplicationBackfillResultsOutput, err error) bool {
		return err == nil && replicationBackfillEnded(out.Status)
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("waiting for %s: %s; it goes on in ECR: set a longer `timeout`, or stop it "+
			"with StopReplicationBackfill (`aws ecr stop-replication-backfill --replication-backfill-id %s`)", ref, err, id))
		return
	}
	failed := 0
	if out.Progress != nil {
		failed = int(aws.ToInt32(out.Progress.FailedReplicationCount))
	}
	switch {
	case out.Status == awstypes.ReplicationBackfillStatusStopped:
		resp.Diagnostics.AddError(summary, fmt.Sprintf("%s was stopped (StopReplicationBackfill) before it completed: %s",
			ref, describeReplicationBackfillProgress(out)))
	case out.Status == awstypes.ReplicationBackfillStatusFailed || failed > 0:
		detail, err := describeReplicationBackfillFailures(ctx, client, out)
		if err != nil {
			detail = fmt.Sprintf("%s; listing the failed images: %s", detail, err)
		}
		resp.Diagnostics.AddError(summary, detail)
	}
}

// checkReplicationBackfillPossible refuses, before anything starts, a
// destination the registry's replication configuration does not have (ECR
// backfills only configured destinations), and a backfill ECR's limits
// would refuse: one in progress for the destination's Region, or ten in
// progress in the registry.
func checkReplicationBackfillPossible(ctx context.Context, client *ecr.Client, dest awstypes.ReplicationDestination) error {
	registry, err := client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		return fmt.Errorf("reading the replication configuration (DescribeRegistry): %w", err)
	}
	var configured []string
	found := false
	if rc := registry.ReplicationConfiguration; rc != nil {
		for _, rule := range rc.Rules {
			for _, d := range rule.Destinations {
				s := describeReplicationDestination(d)
				if !slices.Contains(configured, s) {
					configured = append(configured, s)
				}
				found = found || aws.ToString(d.Region) == aws.ToString(dest.Region) && aws.ToString(d.RegistryId) == aws.ToString(dest.RegistryId)
			}
		}
	}
	switch {
	case len(configured) == 0:
		return fmt.Errorf("the registry %s has no replication configuration: a backfill replicates to a destination of it; "+
			"add %s with ecr_replication_configuration or ecr_replication_rule first",
			aws.ToString(registry.RegistryId), describeReplicationDestination(dest))
	case !found:
		return fmt.Errorf("%s is not a destination of the registry's replication configuration, which has %s; "+
			"backfill one of those, or add the destination with ecr_replication_configuration or ecr_replication_rule first",
			describeReplicationDestination(dest), strings.Join(configured, ", "))
	}
	inProgress := 0
	p := ecr.NewListReplicationBackfillsPaginator(client, &ecr.ListReplicationBackfillsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the registry's replication backfills: %w", err)
		}
		for _, b := range page.Backfills {
			if replicationBackfillEnded(b.Status) {
				continue
			}
			inProgress++
			if b.Destination != nil && aws.ToString(b.Destination.Region) == aws.ToString(dest.Region) {
				return replicationBackfillInProgressError(aws.ToString(b.ReplicationBackfillId), aws.ToString(dest.Region), b.Status)
			}
		}
	}
	if inProgress >= maxReplicationBackfillsInProgress {
		return replicationBackfillLimitError()
	}
	return nil
}

func replicationBackfillInProgressError(id, region string, status awstypes.ReplicationBackfillStatus) error {
	return fmt.Errorf("replication backfill %s to %s is %s: ECR runs one backfill per destination Region at a time; "+
		"invoke the action again once it has ended, or stop it with StopReplicationBackfill "+
		"(`aws ecr stop-replication-backfill --replication-backfill-id %s`)", id, region, status, id)
}

func replicationBackfillLimitError() error {
	return fmt.Errorf("the registry has %d replication backfills in progress, ECR's limit: invoke the action again once one "+
		"of them has ended (`aws ecr list-replication-backfills`)", maxReplicationBackfillsInProgress)
}

// explainStartReplicationBackfill turns StartReplicationBackfill's refusals
// of a backfill started by someone else since the check into what to do.
func explainStartReplicationBackfill(err error, dest awstypes.ReplicationDestination) string {
	if _, ok := errors.AsType[*awstypes.ReplicationBackfillInProgressException](err); ok {
		return fmt.Sprintf("%s: a replication backfill to %s is in progress already (ECR runs one per destination Region); "+
			"invoke the action again once it has ended", err, aws.ToString(dest.Region))
	}
	if _, ok := errors.AsType[*awstypes.LimitExceededException](err); ok {
		return fmt.Sprintf("%s: %s", err, replicationBackfillLimitError())
	}
	return err.Error()
}

// replicationBackfillEnded reports whether a backfill has reached a
// terminal status.
func replicationBackfillEnded(s awstypes.ReplicationBackfillStatus) bool {
	return s == awstypes.ReplicationBackfillStatusComplete || s == awstypes.ReplicationBackfillStatusFailed ||
		s == awstypes.ReplicationBackfillStatusStopped
}

// describeReplicationDestination is "us-east-1 (123456789012)".
func describeReplicationDestination(d awstypes.ReplicationDestination) string {
	return fmt.Sprintf("%s (%s)", aws.ToString(d.Region), aws.ToString(d.RegistryId))
}

// describeReplicationBackfillProgress is "IN_PROGRESS: 12 of 40 images
// replicated, 1 failed (ACCESS_DENIED)", or the bare status while ECR
// prepares the list of images.
func describeReplicationBackfillProgress(out *ecr.DescribeReplicationBackfillResultsOutput) string {
	p := out.Progress
	if p == nil {
		return string(out.Status)
	}
	msg := fmt.Sprintf("%s: %d of %d images replicated", out.Status, aws.ToInt32(p.CompletedReplicationCount), aws.ToInt32(p.TotalReplicationCount))
	if n := aws.ToInt32(p.FailedReplicationCount); n > 0 {
		msg += fmt.Sprintf(", %d failed (%s)", n, strings.Join(p.FailureCodes, ", "))
	}
	return msg
}

// describeReplicationBackfillFailures says why a backfill failed: its
// failure code, its counts, and the first images that failed with theirs.
func describeReplicationBackfillFailures(ctx context.Context, client *ecr.Client, out *ecr.DescribeReplicationBackfillResultsOutput) (string, error) {
	msg := fmt.Sprintf("replication backfill %s ended %s", aws.ToString(out.ReplicationBackfillId), out.Status)
	if code := aws.ToString(out.FailureCode); code != "" {
		msg += " (" + code + ")"
	}
	msg += ": " + strings.TrimPrefix(describeReplicationBackfillProgress(out), string(out.Status)+": ")
	var failures []string
	total := 0
	p := ecr.NewDescribeReplicationBackfillResultsPaginator(client, &ecr.DescribeReplicationBackfillResultsInput{
		ReplicationBackfillId: out.ReplicationBackfillId, ResultStatusFilter: awstypes.ReplicationBackfillResultStatusFailed})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return msg, err
		}
		for _, r := range page.Results {
			total++
			if len(failures) < replicationBackfillFailuresShown {
				failures = append(failures, describeReplicationBackfillResult(r))
			}
		}
	}
	if len(failures) > 0 {
		msg += ". Failed:\n  " + strings.Join(failures, "\n  ")
		if total > len(failures) {
			msg += fmt.Sprintf("\n  … and %d more", total-len(failures))
		}
	}
	return msg + "\nA destination in another account needs a registry policy there that allows ecr:ReplicateImage " +
		"(and ecr:CreateRepository) to this account; fix the cause, then invoke the action again.", nil
}

// describeReplicationBackfillResult is "repo:tag@sha256:...: CODE".
func describeReplicationBackfillResult(r awstypes.ReplicationBackfillResult) string {
	ref := aws.ToString(r.RepositoryName)
	if r.ImageId != nil {
		if tag := aws.ToString(r.ImageId.ImageTag); tag != "" {
			ref += ":" + tag
		}
		ref += "@" + aws.ToString(r.ImageId.ImageDigest)
	}
	code := aws.ToString(r.FailureCode)
	if code == "" {
		code = "no failure code"
	}
	if len(r.SubImageFailureCodes) > 0 {
		code += " (images it lists: " + strings.Join(r.SubImageFailureCodes, ", ") + ")"
	}
	return ref + ": " + code
}
