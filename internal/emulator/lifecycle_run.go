package emulator

import "slices"

// LifecycleRunResult is one image a lifecycle policy run acted on.
type LifecycleRunResult struct {
	Account             string   `json:"account"`
	Region              string   `json:"region"`
	RepositoryName      string   `json:"repositoryName"`
	ImageDigest         string   `json:"imageDigest"`
	ImageTags           []string `json:"imageTags"`
	Action              string   `json:"action"` // EXPIRE | TRANSITION
	AppliedRulePriority int      `json:"appliedRulePriority"`
	// Skipped says why the action was not taken (the image is still
	// referenced by a manifest list); empty when it was.
	Skipped string `json:"skipped,omitempty"`
}

// RunLifecyclePolicies applies the lifecycle policy of every repository, in
// every account and region, at the emulator's current time, and returns what
// it did. ECR runs policies on its own schedule ("after creating a lifecycle
// policy, the affected images are expired within 24 hours", ECR user guide);
// the emulator runs them only when asked (here, POST /_emulator/lifecycle/run,
// or ecr-emulator -lifecycle-interval), so that tests decide when images go.
//
// The images acted on are exactly those GetLifecyclePolicyPreview lists for
// the policy: an expired image is deleted with its tags, a transitioned one
// moves to the ARCHIVE storage class (lastArchivedAt = now). Each evaluated
// policy's lastEvaluatedAt becomes now.
//
// Assumption: as with BatchDeleteImage, an image referenced by a manifest
// list that stays is not expired (it is reported with Skipped); manifest
// lists are expired before the images they reference, so a list and its
// children expired by one run all go.
func (e *Emulator) RunLifecyclePolicies() ([]LifecycleRunResult, error) {
	out := []LifecycleRunResult{}
	err := e.mutate(func(st *state) {
		now := e.now()
		for _, key := range sortedKeys(st.Registries) {
			reg := st.Registries[key]
			for _, name := range sortedKeys(reg.Repositories) {
				repo := reg.Repositories[name]
				if repo.Data.LifecyclePolicy == nil {
					continue
				}
				policy, _, err := parseLifecyclePolicy(*repo.Data.LifecyclePolicy)
				if err != nil {
					continue // stored policies were validated when put
				}
				results := previewResults(repo, policy, now)
				// Lists first, so that their children are free to go.
				slices.SortStableFunc(results, func(a, b LifecyclePreviewResult) int {
					return boolRank(!isIndexMediaType(repo.Data.Images[a.ImageDigest].ManifestMediaType)) -
						boolRank(!isIndexMediaType(repo.Data.Images[b.ImageDigest].ManifestMediaType))
				})
				rm := newImageRemoval(repo)
				for _, res := range results {
					img := repo.Data.Images[res.ImageDigest]
					done := LifecycleRunResult{Account: reg.Account, Region: reg.Region, RepositoryName: name,
						ImageDigest: res.ImageDigest, ImageTags: nonNil(res.ImageTags), Action: res.Action.Type,
						AppliedRulePriority: res.AppliedRulePriority}
					switch res.Action.Type {
					case "EXPIRE":
						if _, ok := rm.image(img); !ok {
							done.Skipped = "referenced by a manifest list"
						}
					case "TRANSITION":
						img.settle(now) // a completed restore keeps its lastActivatedAt
						// The only target class is archive (lifecyclepolicy.Validate).
						img.Status = "ARCHIVED"
						img.LastArchivedAt = ts(now)
					}
					out = append(out, done)
				}
				repo.Data.LifecycleEvaluatedAt = ts(now)
			}
		}
	})
	return out, err
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
