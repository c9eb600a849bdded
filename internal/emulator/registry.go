package emulator

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

func init() {
	register("DescribeRegistry", true, describeRegistry)
	register("PutReplicationConfiguration", false, putReplicationConfiguration)
	register("StartReplicationBackfill", false, startReplicationBackfill)
	register("StopReplicationBackfill", false, stopReplicationBackfill)
	register("DescribeReplicationBackfillResults", true, describeReplicationBackfillResults)
	register("ListReplicationBackfills", true, listReplicationBackfills)
}

var (
	reReplicationRegion = regexp.MustCompile(`^[0-9a-z-]{2,25}$`)
	reReplicationFilter = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$`)
)

const (
	maxReplicationRules        = 10
	maxReplicationDestinations = 25 // per rule, and unique across rules
	maxReplicationFilters      = 100
	maxBackfillsInProgress     = 10
)

// ---- DescribeRegistry / PutReplicationConfiguration ----

type replicationConfigOutput struct {
	Rules []ReplicationRule `json:"rules"`
}

type describeRegistryOutput struct {
	RegistryID               string                  `json:"registryId"`
	ReplicationConfiguration replicationConfigOutput `json:"replicationConfiguration"`
}

func describeRegistry(r *request, reg *Registry) (any, error) {
	var in struct{}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	rules := r.e.lookupReplication(reg).Rules
	if rules == nil {
		rules = []ReplicationRule{}
	}
	return describeRegistryOutput{RegistryID: reg.Account, ReplicationConfiguration: replicationConfigOutput{Rules: rules}}, nil
}

type putReplicationConfigurationInput struct {
	ReplicationConfiguration *struct {
		Rules []ReplicationRule `json:"rules"`
	} `json:"replicationConfiguration"`
}

func putReplicationConfiguration(r *request, reg *Registry) (any, error) {
	var in putReplicationConfigurationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("replicationConfiguration", in.ReplicationConfiguration != nil); err != nil {
		return nil, err
	}
	rules := in.ReplicationConfiguration.Rules
	if err := checkRequired("replicationConfiguration.rules", rules != nil); err != nil {
		return nil, err
	}
	if err := checkReplicationRules(r, reg, rules); err != nil {
		return nil, err
	}
	r.e.storeReplication(reg, ReplicationConfiguration{Rules: rules})
	return struct {
		ReplicationConfiguration replicationConfigOutput `json:"replicationConfiguration"`
	}{replicationConfigOutput{Rules: rules}}, nil
}

func checkReplicationRules(r *request, reg *Registry, rules []ReplicationRule) error {
	const m = "replicationConfiguration.rules"
	if err := checkListSize(m, len(rules), 0, maxReplicationRules); err != nil {
		return err
	}
	unique := map[ReplicationDestination]bool{}
	for _, rule := range rules {
		// Assumption: 1..25 destinations per rule, as CloudFormation
		// documents; the API model allows 0..100.
		if err := checkListSize(m+".member.destinations", len(rule.Destinations), 1, maxReplicationDestinations); err != nil {
			return err
		}
		for _, d := range rule.Destinations {
			if err := checkReplicationDestination(m+".member.destinations.member", d); err != nil {
				return err
			}
			if d.Region == r.region && d.RegistryID == reg.Account {
				return errInvalidParam("replicationConfiguration", "Replication destination cannot be the same as the source registry")
			}
			unique[d] = true
		}
		if rule.RepositoryFilters != nil {
			if err := checkListSize(m+".member.repositoryFilters", len(rule.RepositoryFilters), 1, maxReplicationFilters); err != nil {
				return err
			}
		}
		for _, f := range rule.RepositoryFilters {
			fm := m + ".member.repositoryFilters.member"
			if err := checkLength(fm+".filter", f.Filter, 2, 256); err != nil {
				return err
			}
			if err := checkPattern(fm+".filter", f.Filter, reReplicationFilter, reReplicationFilter.String()); err != nil {
				return err
			}
			if err := checkEnum(fm+".filterType", f.FilterType, []string{"PREFIX_MATCH"}); err != nil {
				return err
			}
		}
	}
	// Assumption: the service quota "unique destinations across all rules:
	// 25" is enforced as a constraint violation.
	if len(unique) > maxReplicationDestinations {
		return errInvalidParam(m, fmt.Sprintf("Replication configuration can have at most %d unique destinations", maxReplicationDestinations))
	}
	return nil
}

func checkReplicationDestination(member string, d ReplicationDestination) error {
	if err := checkRequired(member+".region", d.Region != ""); err != nil {
		return err
	}
	if err := checkPattern(member+".region", d.Region, reReplicationRegion, "[0-9a-z-]{2,25}"); err != nil {
		return err
	}
	if err := checkRequired(member+".registryId", d.RegistryID != ""); err != nil {
		return err
	}
	return checkPattern(member+".registryId", d.RegistryID, reRegistryID, "[0-9]{12}")
}

// replicationMatches reports whether rule replicates repository name.
func replicationMatches(rule ReplicationRule, name string) bool {
	if len(rule.RepositoryFilters) == 0 {
		return true
	}
	return slices.ContainsFunc(rule.RepositoryFilters, func(f RepositoryFilter) bool {
		return strings.HasPrefix(name, f.Filter)
	})
}

// ---- replication backfills ----

// backfillStatus derives a backfill's status and end time at now. Its
// replications are due one after the other over the IN_PROGRESS window and
// run when due (replication.go), so at CompleteAt all have recorded their
// outcome. Assumption: a backfill in which any replication failed ends
// FAILED (ECR documents a failureCode "for a replication backfill that has
// failed" but not when that happens); failureCode is then the first failed
// replication's code.
func backfillStatus(b *ReplicationBackfill, now time.Time) (status string, endedAt *Time) {
	if b.StopAt != nil {
		if now.Before(b.StoppedAt.Time) {
			return "STOPPING", nil
		}
		return "STOPPED", b.StoppedAt
	}
	switch {
	case now.Before(b.PreparedAt.Time):
		return "PREPARING", nil
	case now.Before(b.CompleteAt.Time):
		return "IN_PROGRESS", nil
	case backfillFailureCode(b) != "":
		return "FAILED", b.CompleteAt
	default:
		return "COMPLETE", b.CompleteAt
	}
}

// backfillFailureCode is the code of b's first failed replication, or "".
func backfillFailureCode(b *ReplicationBackfill) string {
	for _, img := range b.Images {
		if img.Status == "FAILED" {
			return img.FailureCode
		}
	}
	return ""
}

// backfillItemDue is when the i-th of b's replications is due: one after
// the other, evenly over the IN_PROGRESS window, the last at CompleteAt.
func backfillItemDue(b *ReplicationBackfill, i int) time.Time {
	window := b.CompleteAt.Sub(b.PreparedAt.Time)
	return b.PreparedAt.Add(time.Duration(int64(window) * int64(i+1) / int64(len(b.Images))))
}

// recordBackfillResult records the outcome of p, one of a backfill's
// replications (replication.go), in the backfill.
func recordBackfillResult(src *Registry, p *PendingReplication, f replicationFailure) {
	for _, b := range src.Backfills {
		if b.ID != p.Backfill || p.BackfillItem >= len(b.Images) {
			continue
		}
		img := &b.Images[p.BackfillItem]
		img.Status, img.FailureCode, img.SubImageFailureCodes = "COMPLETE", "", nil
		if f.code != "" {
			img.Status, img.FailureCode, img.SubImageFailureCodes = "FAILED", f.code, f.sub
		}
		return
	}
}

type backfillProgress struct {
	TotalReplicationCount     int      `json:"totalReplicationCount"`
	CompletedReplicationCount int      `json:"completedReplicationCount"`
	FailedReplicationCount    int      `json:"failedReplicationCount"`
	FailureCodes              []string `json:"failureCodes"`
}

// backfillProgressAt is nil while preparing, and stays nil for a backfill
// stopped before preparation completed (SDK doc of Progress). The counts
// are those of the replications that have recorded their outcome.
func backfillProgressAt(b *ReplicationBackfill, now time.Time) *backfillProgress {
	until := now
	if b.StopAt != nil && b.StopAt.Before(until) {
		until = b.StopAt.Time
	}
	if until.Before(b.PreparedAt.Time) {
		return nil
	}
	p := &backfillProgress{TotalReplicationCount: len(b.Images), FailureCodes: []string{}}
	for _, img := range b.Images {
		switch img.Status {
		case "COMPLETE":
			p.CompletedReplicationCount++
		case "FAILED":
			p.FailedReplicationCount++
			p.FailureCodes = appendDistinct(p.FailureCodes, img.FailureCode)
		}
	}
	return p
}

type backfillSummary struct {
	ReplicationBackfillID string                 `json:"replicationBackfillId"`
	Destination           ReplicationDestination `json:"destination"`
	Status                string                 `json:"status"`
	StartedAt             *Time                  `json:"startedAt"`
	EndedAt               *Time                  `json:"endedAt,omitempty"`
	FailureCode           string                 `json:"failureCode,omitempty"`
	Progress              *backfillProgress      `json:"progress,omitempty"`
}

func summarizeBackfill(b *ReplicationBackfill, now time.Time) backfillSummary {
	status, ended := backfillStatus(b, now)
	s := backfillSummary{
		ReplicationBackfillID: b.ID,
		Destination:           b.Destination,
		Status:                status,
		StartedAt:             b.StartedAt,
		EndedAt:               ended,
		Progress:              backfillProgressAt(b, now),
	}
	if status == "FAILED" {
		s.FailureCode = backfillFailureCode(b)
	}
	return s
}

// backfillActive reports whether b still counts as in progress.
func backfillActive(b *ReplicationBackfill, now time.Time) bool {
	s, _ := backfillStatus(b, now)
	return s == "PREPARING" || s == "IN_PROGRESS" || s == "STOPPING"
}

// checkOwnRegistry resolves registryId for registry-level operations and
// rejects another account's registry with notFound.
func checkOwnRegistry(r *request, reg *Registry, id *string) (string, error) {
	registryID, err := checkRegistryID(r, id)
	if err != nil {
		return "", err
	}
	if registryID != reg.Account {
		// Assumption: a caller cannot act on another account's
		// registry-level configuration without a cross-account grant.
		return "", errValidation("The registry with id '%s' is not accessible to the caller", registryID)
	}
	return registryID, nil
}

type startReplicationBackfillInput struct {
	RegistryID  *string                 `json:"registryId"`
	Destination *ReplicationDestination `json:"destination"`
}

type backfillStartStopOutput struct {
	RegistryID            string                 `json:"registryId"`
	ReplicationBackfillID string                 `json:"replicationBackfillId"`
	Destination           ReplicationDestination `json:"destination"`
	Status                string                 `json:"status"`
	StartedAt             *Time                  `json:"startedAt"`
}

func startReplicationBackfill(r *request, reg *Registry) (any, error) {
	var in startReplicationBackfillInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("destination", in.Destination != nil); err != nil {
		return nil, err
	}
	dest := *in.Destination
	if err := checkReplicationDestination("destination", dest); err != nil {
		return nil, err
	}
	var rules []ReplicationRule
	for _, rule := range reg.Replication.Rules {
		if slices.Contains(rule.Destinations, dest) {
			rules = append(rules, rule)
		}
	}
	if len(rules) == 0 {
		// Assumption: the documented precondition ("the destination must
		// already be configured") fails with ValidationException.
		return nil, errValidation("The destination with region '%s' and registry id '%s' is not configured in the replication configuration of the registry with id '%s'",
			dest.Region, dest.RegistryID, registryID)
	}
	now := r.e.now()
	active := 0
	for _, b := range reg.Backfills {
		if !backfillActive(b, now) {
			continue
		}
		active++
		if b.Destination.Region == dest.Region {
			return nil, apiErr("ReplicationBackfillInProgressException",
				"A replication backfill is already in progress for the destination region '%s'", dest.Region)
		}
	}
	if active >= maxBackfillsInProgress {
		return nil, apiErr("LimitExceededException",
			"The registry with id '%s' already has %d replication backfills in progress", registryID, maxBackfillsInProgress)
	}
	// One replication per image and tag ("each image and tag combination
	// is counted as a single replication", SDK doc of the progress), one
	// for an untagged image. Assumption: an image that the destination
	// already holds is replicated again (its tags are re-applied) and
	// counts as COMPLETE.
	var images []BackfillImage
	for _, name := range sortedKeys(reg.Repositories) {
		if !slices.ContainsFunc(rules, func(rule ReplicationRule) bool { return replicationMatches(rule, name) }) {
			continue
		}
		repo, ok := r.e.lookupRepository(reg, name)
		if !ok {
			continue
		}
		tags := map[string][]string{}
		for tag, digest := range repo.Data.TagIndex {
			tags[digest] = append(tags[digest], tag)
		}
		for _, digest := range sortedKeys(repo.Data.Images) {
			t := tags[digest]
			if len(t) == 0 {
				t = []string{""}
			}
			slices.Sort(t)
			for _, tag := range t {
				images = append(images, BackfillImage{RepositoryName: name, ImageID: ImageIdentifier{ImageDigest: digest, ImageTag: tag}})
			}
		}
	}
	// Preparation takes the first half of the transition delay, the
	// replication itself the second half.
	b := &ReplicationBackfill{
		ID:          r.e.ids.uuid(),
		Destination: dest,
		StartedAt:   ts(now),
		PreparedAt:  ts(now.Add(r.e.transitionDelay / 2)),
		CompleteAt:  ts(now.Add(r.e.transitionDelay)),
		Images:      images,
	}
	reg.Backfills = append(reg.Backfills, b)
	for i, img := range images {
		r.e.queueReplicationAt(reg, &PendingReplication{Repository: img.RepositoryName, Digest: img.ImageID.ImageDigest,
			Tag: img.ImageID.ImageTag, Destinations: []ReplicationDestination{dest}, Backfill: b.ID, BackfillItem: i},
			backfillItemDue(b, i))
	}
	// A newly started backfill is always reported as PREPARING (SDK doc).
	return backfillStartStopOutput{RegistryID: registryID, ReplicationBackfillID: b.ID, Destination: dest,
		Status: "PREPARING", StartedAt: b.StartedAt}, nil
}

// findBackfill resolves replicationBackfillId.
func findBackfill(reg *Registry, id *string) (*ReplicationBackfill, error) {
	if err := checkRequired("replicationBackfillId", id != nil); err != nil {
		return nil, err
	}
	for _, b := range reg.Backfills {
		if b.ID == *id {
			return b, nil
		}
	}
	return nil, apiErr("ReplicationBackfillNotFoundException",
		"The replication backfill with id '%s' does not exist in the registry with id '%s'", *id, reg.Account)
}

type stopReplicationBackfillInput struct {
	RegistryID            *string `json:"registryId"`
	ReplicationBackfillID *string `json:"replicationBackfillId"`
}

func stopReplicationBackfill(r *request, reg *Registry) (any, error) {
	var in stopReplicationBackfillInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	b, err := findBackfill(reg, in.ReplicationBackfillID)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	status, _ := backfillStatus(b, now)
	switch status {
	case "PREPARING":
		b.StopAt, b.StoppedAt = ts(now), ts(now)
	case "IN_PROGRESS":
		// Assumption: replications already under way take one more
		// transition delay to finish (STOPPING), then it is STOPPED.
		b.StopAt, b.StoppedAt = ts(now), ts(now.Add(r.e.transitionDelay))
	default:
		return nil, apiErr("ReplicationBackfillInvalidStatusException",
			"The replication backfill with id '%s' cannot be stopped because its status is %s; only PREPARING or IN_PROGRESS backfills can be stopped",
			b.ID, status)
	}
	// The replications not yet done are dropped: the stopped backfill
	// reports only those done before the stop.
	reg.Replications = slices.DeleteFunc(reg.Replications, func(p *PendingReplication) bool { return p.Backfill == b.ID })
	status, _ = backfillStatus(b, now)
	return backfillStartStopOutput{RegistryID: registryID, ReplicationBackfillID: b.ID, Destination: b.Destination,
		Status: status, StartedAt: b.StartedAt}, nil
}

type describeReplicationBackfillResultsInput struct {
	RegistryID            *string `json:"registryId"`
	ReplicationBackfillID *string `json:"replicationBackfillId"`
	ResultStatusFilter    *string `json:"resultStatusFilter"`
	NextToken             *string `json:"nextToken"`
	MaxResults            *int64  `json:"maxResults"`
}

type backfillResult struct {
	RepositoryName       string          `json:"repositoryName"`
	ImageID              ImageIdentifier `json:"imageId"`
	Status               string          `json:"status"`
	FailureCode          string          `json:"failureCode,omitempty"`
	SubImageFailureCodes []string        `json:"subImageFailureCodes,omitempty"`
}

type describeReplicationBackfillResultsOutput struct {
	RegistryID            string                 `json:"registryId"`
	ReplicationBackfillID string                 `json:"replicationBackfillId"`
	Destination           ReplicationDestination `json:"destination"`
	Status                string                 `json:"status"`
	Progress              *backfillProgress      `json:"progress,omitempty"`
	Results               []backfillResult       `json:"results"`
	StartedAt             *Time                  `json:"startedAt"`
	EndedAt               *Time                  `json:"endedAt,omitempty"`
	FailureCode           string                 `json:"failureCode,omitempty"`
	NextToken             *string                `json:"nextToken,omitempty"`
}

func describeReplicationBackfillResults(r *request, reg *Registry) (any, error) {
	var in describeReplicationBackfillResultsInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if in.ResultStatusFilter != nil {
		if err := checkEnum("resultStatusFilter", *in.ResultStatusFilter, []string{"COMPLETE", "FAILED"}); err != nil {
			return nil, err
		}
	}
	b, err := findBackfill(reg, in.ReplicationBackfillID)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	s := summarizeBackfill(b, now)
	out := describeReplicationBackfillResultsOutput{RegistryID: registryID, ReplicationBackfillID: b.ID,
		Destination: b.Destination, Status: s.Status, Progress: s.Progress, Results: []backfillResult{},
		StartedAt: b.StartedAt, EndedAt: s.EndedAt, FailureCode: s.FailureCode}
	// Results exist only once the backfill is terminal (SDK doc): one per
	// replication that ran, in the order they ran.
	var keys []string
	if s.Status == "COMPLETE" || s.Status == "FAILED" || s.Status == "STOPPED" {
		for i, img := range b.Images {
			if img.Status != "" && (in.ResultStatusFilter == nil || *in.ResultStatusFilter == img.Status) {
				keys = append(keys, fmt.Sprintf("%08d", i))
			}
		}
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	for _, k := range page {
		var i int
		_, _ = fmt.Sscanf(k, "%d", &i)
		// The stored replication is the result's shape (without omitting
		// the status, which every listed result has).
		out.Results = append(out.Results, backfillResult(b.Images[i]))
	}
	out.NextToken = strOrNil(next)
	return out, nil
}

type listReplicationBackfillsInput struct {
	RegistryID *string `json:"registryId"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int64  `json:"maxResults"`
}

type listReplicationBackfillsOutput struct {
	RegistryID string            `json:"registryId"`
	Backfills  []backfillSummary `json:"backfills"`
	NextToken  *string           `json:"nextToken,omitempty"`
}

func listReplicationBackfills(r *request, reg *Registry) (any, error) {
	var in listReplicationBackfillsInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	// Backfills are kept in start order; the index is the paging key.
	keys := make([]string, len(reg.Backfills))
	for i := range reg.Backfills {
		keys[i] = fmt.Sprintf("%08d", i)
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 25, 50)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	out := listReplicationBackfillsOutput{RegistryID: registryID, Backfills: []backfillSummary{}, NextToken: strOrNil(next)}
	for _, k := range page {
		var i int
		_, _ = fmt.Sscanf(k, "%d", &i)
		out.Backfills = append(out.Backfills, summarizeBackfill(reg.Backfills[i], now))
	}
	return out, nil
}
