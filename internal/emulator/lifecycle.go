package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

func init() {
	register("PutLifecyclePolicy", false, putLifecyclePolicy)
	register("GetLifecyclePolicy", true, getLifecyclePolicy)
	register("DeleteLifecyclePolicy", false, deleteLifecyclePolicy)
	register("StartLifecyclePolicyPreview", false, startLifecyclePolicyPreview)
	register("GetLifecyclePolicyPreview", true, getLifecyclePolicyPreview)
}

// Preview statuses.
const (
	previewInProgress = "IN_PROGRESS"
	previewComplete   = "COMPLETE"
)

type lifecyclePolicyInput struct {
	RegistryID          *string `json:"registryId"`
	RepositoryName      *string `json:"repositoryName"`
	LifecyclePolicyText *string `json:"lifecyclePolicyText"`
}

type lifecyclePolicyOutput struct {
	RegistryID          string `json:"registryId"`
	RepositoryName      string `json:"repositoryName"`
	LifecyclePolicyText string `json:"lifecyclePolicyText"`
	LastEvaluatedAt     *Time  `json:"lastEvaluatedAt,omitempty"`
}

func errLifecyclePolicyNotFound(repo *Repository) *APIError {
	return apiErr("LifecyclePolicyNotFoundException",
		"Lifecycle policy does not exist for the repository with name '%s' in the registry with id '%s'",
		repo.RepositoryName, repo.RegistryID)
}

// checkLifecycleRequest validates the members every lifecycle operation
// shares, in model order, before the repository is looked up: model
// constraints come before existence checks.
func checkLifecycleRequest(r *request, registryID, name, text *string, textRequired bool) error {
	if _, err := checkRegistryID(r, registryID); err != nil {
		return err
	}
	if err := checkRepositoryName("repositoryName", name); err != nil {
		return err
	}
	if textRequired {
		if err := checkRequired("lifecyclePolicyText", text != nil); err != nil {
			return err
		}
	}
	if text != nil {
		return checkLength("lifecyclePolicyText", *text, lifecyclepolicy.MinLength, lifecyclepolicy.MaxLength)
	}
	return nil
}

// parseLifecyclePolicy validates a policy text and returns the policy and
// the text as ECR stores it: compact, with the caller's key order.
func parseLifecyclePolicy(text string) (*lifecyclepolicy.Policy, string, error) {
	p, err := lifecyclepolicy.Parse(text)
	if err != nil {
		var le *lifecyclepolicy.LengthError
		if errors.As(err, &le) {
			return nil, "", errInvalidParam("lifecyclePolicyText", le.Error())
		}
		return nil, "", errInvalidParam("LifecyclePolicyText", err.Error())
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(text)); err != nil {
		return nil, "", errInvalidParam("LifecyclePolicyText", lifecyclepolicy.ErrorPrefix+"Could not map policyString into LifecyclePolicy.")
	}
	return p, buf.String(), nil
}

// lastEvaluatedAt is when the policy last ran (RunLifecyclePolicies). ECR
// answers the epoch (0) for a policy that has never run (seen in published
// CLI output).
func lastEvaluatedAt(repo *Repository) *Time {
	if repo.Data.LifecycleEvaluatedAt != nil {
		return repo.Data.LifecycleEvaluatedAt
	}
	return ts(time.Unix(0, 0).UTC())
}

func putLifecyclePolicy(r *request, reg *Registry) (any, error) {
	var in lifecyclePolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkLifecycleRequest(r, in.RegistryID, in.RepositoryName, in.LifecyclePolicyText, true); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	_, text, err := parseLifecyclePolicy(*in.LifecyclePolicyText)
	if err != nil {
		return nil, err
	}
	r.e.storeLifecyclePolicy(reg, repo, &text)
	return lifecyclePolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName, LifecyclePolicyText: text}, nil
}

func getLifecyclePolicy(r *request, reg *Registry) (any, error) {
	var in lifecyclePolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	text, ok := r.e.lookupLifecyclePolicy(reg, repo)
	if !ok {
		return nil, errLifecyclePolicyNotFound(repo)
	}
	return lifecyclePolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		LifecyclePolicyText: text, LastEvaluatedAt: lastEvaluatedAt(repo)}, nil
}

func deleteLifecyclePolicy(r *request, reg *Registry) (any, error) {
	var in lifecyclePolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if repo.Data.LifecyclePolicy == nil {
		return nil, errLifecyclePolicyNotFound(repo)
	}
	out := lifecyclePolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		LifecyclePolicyText: *repo.Data.LifecyclePolicy, LastEvaluatedAt: lastEvaluatedAt(repo)}
	r.e.storeLifecyclePolicy(reg, repo, nil)
	repo.Data.LifecycleEvaluatedAt = nil
	return out, nil
}

// ---- previews ----

type startPreviewOutput struct {
	RegistryID          string `json:"registryId"`
	RepositoryName      string `json:"repositoryName"`
	LifecyclePolicyText string `json:"lifecyclePolicyText"`
	Status              string `json:"status"`
}

// previewStatus is IN_PROGRESS until the preview's completion time.
func previewStatus(p *LifecyclePreview, now time.Time) string {
	if p.CompleteAt != nil && now.Before(p.CompleteAt.Time) {
		return previewInProgress
	}
	return previewComplete
}

func startLifecyclePolicyPreview(r *request, reg *Registry) (any, error) {
	var in lifecyclePolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkLifecycleRequest(r, in.RegistryID, in.RepositoryName, in.LifecyclePolicyText, false); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	text, ok := deref(in.LifecyclePolicyText), in.LifecyclePolicyText != nil
	if !ok {
		text, ok = r.e.lookupLifecyclePolicy(reg, repo)
	}
	if !ok {
		return nil, errLifecyclePolicyNotFound(repo)
	}
	policy, text, err := parseLifecyclePolicy(text)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	if p := repo.Data.LifecyclePreview; p != nil && previewStatus(p, now) == previewInProgress {
		// Assumption: the wording of this message.
		return nil, apiErr("LifecyclePolicyPreviewInProgressException",
			"Lifecycle policy preview is already in progress for the repository with name '%s' in the registry with id '%s'",
			repo.RepositoryName, repo.RegistryID)
	}
	preview := &LifecyclePreview{
		PolicyText: text,
		StartedAt:  ts(now),
		CompleteAt: ts(now.Add(r.e.transitionDelay)),
		Results:    previewResults(repo, policy, now),
	}
	repo.Data.LifecyclePreview = preview
	return startPreviewOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		LifecyclePolicyText: text, Status: previewStatus(preview, now)}, nil
}

// previewResults evaluates the policy over the repository's images as they
// are at now.
func previewResults(repo *Repository, policy *lifecyclepolicy.Policy, now time.Time) []LifecyclePreviewResult {
	tags := imageTagsByDigest(repo)
	images := make([]lifecyclepolicy.Image, 0, len(repo.Data.Images))
	for _, d := range sortedKeys(repo.Data.Images) {
		img := repo.Data.Images[d]
		im := lifecyclepolicy.Image{Digest: d, Tags: tags[d]}
		if img.PushedAt != nil {
			im.PushedAt = img.PushedAt.Time
		}
		if img.LastRecordedPullTime != nil {
			im.LastPulledAt = img.LastRecordedPullTime.Time
		}
		if img.LastArchivedAt != nil {
			im.LastArchivedAt = img.LastArchivedAt.Time
		}
		switch img.statusAt(now) {
		case "ACTIVE":
			im.StorageClass = lifecyclepolicy.StorageClassStandard
		case "ARCHIVED":
			im.StorageClass = lifecyclepolicy.StorageClassArchive
		default:
			// Assumption: an image being restored is in neither storage
			// class, so no rule selects it.
			im.StorageClass = strings.ToLower(img.statusAt(now))
		}
		images = append(images, im)
	}
	results := []LifecyclePreviewResult{}
	for _, res := range policy.Evaluate(images, now) {
		img := repo.Data.Images[res.Image.Digest]
		results = append(results, LifecyclePreviewResult{
			ImageTags:           slices.Clone(res.Image.Tags),
			ImageDigest:         res.Image.Digest,
			ImagePushedAt:       img.PushedAt,
			Action:              LifecycleAction{Type: strings.ToUpper(res.Action.Type), TargetStorageClass: strings.ToUpper(res.Action.TargetStorageClass)},
			AppliedRulePriority: res.RulePriority,
			StorageClass:        strings.ToUpper(res.Image.StorageClass),
		})
	}
	return results
}

type getPreviewInput struct {
	RegistryID     *string        `json:"registryId"`
	RepositoryName *string        `json:"repositoryName"`
	ImageIDs       []imageIDInput `json:"imageIds"`
	NextToken      *string        `json:"nextToken"`
	MaxResults     *int64         `json:"maxResults"`
	Filter         *struct {
		TagStatus *string `json:"tagStatus"`
	} `json:"filter"`
}

type getPreviewOutput struct {
	RegistryID          string                   `json:"registryId"`
	RepositoryName      string                   `json:"repositoryName"`
	LifecyclePolicyText string                   `json:"lifecyclePolicyText"`
	Status              string                   `json:"status"`
	NextToken           *string                  `json:"nextToken,omitempty"`
	PreviewResults      []LifecyclePreviewResult `json:"previewResults"`
	Summary             *previewSummary          `json:"summary,omitempty"`
}

type previewSummary struct {
	ExpiringImageTotalCount       int                  `json:"expiringImageTotalCount"`
	TransitioningImageTotalCounts []transitioningCount `json:"transitioningImageTotalCounts,omitempty"`
}

type transitioningCount struct {
	TargetStorageClass string `json:"targetStorageClass"`
	ImageTotalCount    int    `json:"imageTotalCount"`
}

func getLifecyclePolicyPreview(r *request, reg *Registry) (any, error) {
	var in getPreviewInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkLifecycleRequest(r, in.RegistryID, in.RepositoryName, nil, false); err != nil {
		return nil, err
	}
	if in.ImageIDs != nil {
		if in.NextToken != nil || in.MaxResults != nil {
			return nil, errInvalidParam("imageIds", "Cannot specify both 'imageIds' and 'maxResults'/'nextToken'")
		}
		if err := checkListSize("imageIds", len(in.ImageIDs), 1, 100); err != nil {
			return nil, err
		}
	}
	tagStatus := "ANY"
	if in.Filter != nil && in.Filter.TagStatus != nil {
		tagStatus = *in.Filter.TagStatus
		if err := checkEnum("filter.tagStatus", tagStatus, enumTagStatus); err != nil {
			return nil, err
		}
	}
	if in.MaxResults != nil {
		if err := checkRange("maxResults", *in.MaxResults, 1, 100); err != nil {
			return nil, err
		}
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	p := repo.Data.LifecyclePreview
	if p == nil {
		// Assumption: the wording of this message.
		return nil, apiErr("LifecyclePolicyPreviewNotFoundException",
			"Lifecycle policy preview does not exist for the repository with name '%s' in the registry with id '%s'",
			repo.RepositoryName, repo.RegistryID)
	}
	out := getPreviewOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		LifecyclePolicyText: p.PolicyText, Status: previewStatus(p, r.e.now()), PreviewResults: []LifecyclePreviewResult{}}
	if out.Status != previewComplete {
		return out, nil
	}
	// Paging keys are result positions, zero-padded so that they sort in
	// result order.
	byKey := map[string]LifecyclePreviewResult{}
	var keys []string
	for i, res := range p.Results {
		if !previewResultWanted(res, tagStatus, in.ImageIDs) {
			continue
		}
		k := fmt.Sprintf("%08d", i)
		byKey[k] = res
		keys = append(keys, k)
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	for _, k := range page {
		out.PreviewResults = append(out.PreviewResults, byKey[k])
	}
	out.NextToken = strOrNil(next)
	out.Summary = summarizePreview(p.Results)
	return out, nil
}

func previewResultWanted(res LifecyclePreviewResult, tagStatus string, ids []imageIDInput) bool {
	switch tagStatus {
	case "TAGGED":
		if len(res.ImageTags) == 0 {
			return false
		}
	case "UNTAGGED":
		if len(res.ImageTags) > 0 {
			return false
		}
	}
	if ids == nil {
		return true
	}
	// Assumption: imageIds that name no result (or no image) are ignored.
	for _, id := range ids {
		if id.ImageDigest == nil && id.ImageTag == nil {
			continue
		}
		if id.ImageDigest != nil && *id.ImageDigest != res.ImageDigest {
			continue
		}
		if id.ImageTag != nil && !slices.Contains(res.ImageTags, *id.ImageTag) {
			continue
		}
		return true
	}
	return false
}

// summarizePreview counts the whole preview, whatever the request filters.
// Assumption: transitioningImageTotalCounts lists only storage classes
// that some image transitions to.
func summarizePreview(results []LifecyclePreviewResult) *previewSummary {
	s := &previewSummary{}
	counts := map[string]int{}
	for _, res := range results {
		switch res.Action.Type {
		case "EXPIRE":
			s.ExpiringImageTotalCount++
		case "TRANSITION":
			counts[res.Action.TargetStorageClass]++
		}
	}
	for _, class := range sortedKeys(counts) {
		s.TransitioningImageTotalCounts = append(s.TransitioningImageTotalCounts,
			transitioningCount{TargetStorageClass: class, ImageTotalCount: counts[class]})
	}
	return s
}
