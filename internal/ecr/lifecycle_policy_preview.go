package ecr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Running a lifecycle policy preview, for the ecr_lifecycle_policy_preview
// action (which reports it as progress messages) and data source (which
// returns it): start it, wait for ECR to evaluate the policy, read every
// page of the results.

// lifecyclePolicyPreviewTimeout is the default wait of both.
const lifecyclePolicyPreviewTimeout = 5 * time.Minute

// previewRequest names the preview to run.
type previewRequest struct {
	registryID *string // nil: the caller's registry
	repository string
	policy     *string            // nil: the repository's lifecycle policy
	tagStatus  awstypes.TagStatus // results of tagged or untagged images only; "" for all
	timeout    time.Duration
}

// previewOutcome is a completed preview: every result and the summary.
type previewOutcome struct {
	registryID string
	status     awstypes.LifecyclePolicyPreviewStatus
	results    []awstypes.LifecyclePolicyPreviewResult
	summary    *awstypes.LifecyclePolicyPreviewSummary
}

// startLifecyclePolicyPreview starts the preview; while another preview of
// the repository is in progress (ECR runs one at a time) it waits for it,
// within the request's timeout.
func startLifecyclePolicyPreview(ctx context.Context, client *ecr.Client, req previewRequest) error {
	_, err := waitUntil(ctx, req.timeout, func(ctx context.Context) (struct{}, error) {
		_, err := client.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{
			RegistryId:          req.registryID,
			RepositoryName:      aws.String(req.repository),
			LifecyclePolicyText: req.policy,
		})
		if _, busy := errors.AsType[*awstypes.LifecyclePolicyPreviewInProgressException](err); busy {
			return struct{}{}, &transientError{err}
		}
		return struct{}{}, err
	}, found)
	return err
}

// previewStartDetail is the detail of an error starting a preview; when
// the repository has no lifecycle policy it says what to do, where is the
// argument that gives one ("the action's `policy` argument").
func previewStartDetail(err error, where string) string {
	if isLifecyclePolicyNotFound(err) {
		return fmt.Sprintf("The repository has no lifecycle policy: give one in %s, or apply an ecr_lifecycle_policy first.\n\n%s",
			where, err.Error())
	}
	return err.Error()
}

// waitForLifecyclePolicyPreview polls GetLifecyclePolicyPreview until the
// preview is complete (then reads all its pages), has failed or expired,
// or the request's timeout passes. inProgress is called after each answer
// that it is still in progress.
func waitForLifecyclePolicyPreview(ctx context.Context, client *ecr.Client, req previewRequest, inProgress func(time.Duration)) (*previewOutcome, error) {
	start := time.Now()
	first, err := waitUntil(ctx, req.timeout, func(ctx context.Context) (*ecr.GetLifecyclePolicyPreviewOutput, error) {
		out, err := client.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{
			RegistryId: req.registryID, RepositoryName: aws.String(req.repository)})
		if err == nil && out.Status == awstypes.LifecyclePolicyPreviewStatusInProgress && inProgress != nil {
			inProgress(time.Since(start))
		}
		return out, err
	}, func(out *ecr.GetLifecyclePolicyPreviewOutput, err error) bool {
		return err == nil && out.Status != awstypes.LifecyclePolicyPreviewStatusInProgress
	})
	switch {
	case err != nil && first != nil && first.Status == awstypes.LifecyclePolicyPreviewStatusInProgress:
		return nil, fmt.Errorf("the preview was still in progress after %s; set a longer `timeout`", req.timeout)
	case err != nil:
		return nil, fmt.Errorf("reading the preview: %w", err)
	case first.Status != awstypes.LifecyclePolicyPreviewStatusComplete:
		return nil, fmt.Errorf("the preview ended with status %s", first.Status)
	}
	out := &previewOutcome{registryID: aws.ToString(first.RegistryId), status: first.Status, summary: first.Summary}
	input := &ecr.GetLifecyclePolicyPreviewInput{RegistryId: req.registryID, RepositoryName: aws.String(req.repository)}
	if req.tagStatus != "" {
		input.Filter = &awstypes.LifecyclePolicyPreviewFilter{TagStatus: req.tagStatus}
	}
	p := ecr.NewGetLifecyclePolicyPreviewPaginator(client, input)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the preview's results: %w", err)
		}
		if page.Status != awstypes.LifecyclePolicyPreviewStatusComplete {
			// ECR keeps one preview per repository: another one started
			// since this one completed, and its results replace these.
			return nil, fmt.Errorf("another preview of the repository started while this one's results were read (status %s); "+
				"run one preview of a repository at a time", page.Status)
		}
		out.results = append(out.results, page.PreviewResults...)
		if page.Summary != nil {
			out.summary = page.Summary
		}
	}
	return out, nil
}
