package emulator

// Replication runs. A push (PutImage, or a manifest PUT over /v2/) to a
// repository that the registry's replication configuration matches queues a
// replication to each destination (account, region); so does a deletion or
// a tag removal when a matching rule has deleteReplication enabled. A
// queued replication is done once the transition delay has passed: by the
// first request after that moment (before it runs, so no request can see
// the state without it), under the write lock, reaching the destination
// registries through registryFor. The queue is part of the source
// registry's state, so it survives a restart.
//
// A replication to another account needs the destination's registry policy
// to allow ecr:ReplicateImage to the source account (and
// ecr:CreateRepository when the repository must be created); otherwise it
// FAILS. A missing destination repository is created from the creation
// template that applies to its name for REPLICATION, else with
// CreateRepository's defaults. What happened per destination is recorded
// on the source image, which DescribeImageReplicationStatus reports.
//
// A replication backfill (StartReplicationBackfill) queues one such
// replication per image and tag of the matching repositories, due one
// after the other over its IN_PROGRESS window; each records its outcome in
// the backfill as well (DescribeReplicationBackfillResults).

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// DeleteReplication is a replication rule's deleteReplication member.
type DeleteReplication struct {
	Enabled bool `json:"enabled"`
}

// PendingReplication is one queued replication of a source registry.
type PendingReplication struct {
	Due        *Time  `json:"due"`
	Repository string `json:"repository"`
	// A push: the image and the tag pushed (empty: by digest).
	Digest string `json:"digest,omitempty"`
	Tag    string `json:"tag,omitempty"`
	// A removal: the images removed, and the tags removed from images
	// that stay.
	Removed  []string          `json:"removed,omitempty"`
	Untagged []ImageIdentifier `json:"untagged,omitempty"`

	Destinations []ReplicationDestination `json:"destinations"`

	// A backfill's replication: the backfill's id and the index of the
	// replication in its Images, where the outcome is recorded.
	Backfill     string `json:"backfill,omitempty"`
	BackfillItem int    `json:"backfillItem,omitempty"`
}

// Failure codes of a replication, as a backfill result reports them.
// Assumption: ECR documents failureCode only as a string and names no
// values; these are the emulator's own, one per reason it can fail.
const (
	replicationAccessDenied       = "ACCESS_DENIED"              // destination registry policy does not allow it
	replicationImageNotFound      = "IMAGE_NOT_FOUND"            // the source image is gone
	replicationRepositoryNotFound = "REPOSITORY_CREATION_FAILED" // the destination repository could not be created
	replicationImageLimit         = "IMAGE_LIMIT_EXCEEDED"       // the destination repository is full
	replicationTagImmutable       = "IMAGE_TAG_IMMUTABLE"        // the tag names another image there and cannot move
)

// replicationDestinations lists, once each and in rule order, the
// destinations of the rules that match repository name (and, with
// deletes, have deleteReplication enabled).
func replicationDestinations(reg *Registry, name string, deletes bool) []ReplicationDestination {
	var out []ReplicationDestination
	for _, rule := range reg.Replication.Rules {
		if !replicationMatches(rule, name) || deletes && (rule.DeleteReplication == nil || !rule.DeleteReplication.Enabled) {
			continue
		}
		for _, d := range rule.Destinations {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// queueReplication adds p to reg's queue, due after the transition delay.
func (e *Emulator) queueReplication(reg *Registry, p *PendingReplication) {
	e.queueReplicationAt(reg, p, e.now().Add(e.transitionDelay))
}

// queueReplicationAt adds p to reg's queue, due at due.
func (e *Emulator) queueReplicationAt(reg *Registry, p *PendingReplication, due time.Time) {
	p.Due = ts(due)
	reg.Replications = append(reg.Replications, p)
	n := due.UnixNano()
	for {
		cur := e.replDue.Load()
		if cur != 0 && cur <= n || e.replDue.CompareAndSwap(cur, n) {
			return
		}
	}
}

// replicatePush queues the replication of a push of img (tag: the tag
// pushed) and marks the image IN_PROGRESS for each destination.
func replicatePush(r *request, reg *Registry, repo *Repository, img *Image, tag string) {
	dests := replicationDestinations(reg, repo.RepositoryName, false)
	if len(dests) == 0 {
		return
	}
	for _, d := range dests {
		setReplicationStatus(img, d, "IN_PROGRESS")
	}
	r.e.queueReplication(reg, &PendingReplication{Repository: repo.RepositoryName, Digest: img.Digest, Tag: tag, Destinations: dests})
}

// replicateRemoval queues the replication of what rm removed, to the
// destinations of the rules with deleteReplication enabled. Lifecycle
// expirations do not replicate (each registry applies its own policies).
func replicateRemoval(r *request, reg *Registry, rm *imageRemoval) {
	if len(rm.removed) == 0 {
		return
	}
	dests := replicationDestinations(reg, rm.repo.RepositoryName, true)
	if len(dests) == 0 {
		return
	}
	p := &PendingReplication{Repository: rm.repo.RepositoryName, Destinations: dests}
	for _, id := range rm.removed {
		switch {
		case rm.repo.Data.Images[id.ImageDigest] == nil:
			if !slices.Contains(p.Removed, id.ImageDigest) {
				p.Removed = append(p.Removed, id.ImageDigest)
			}
		case id.ImageTag != "":
			p.Untagged = append(p.Untagged, id)
		}
	}
	r.e.queueReplication(reg, p)
}

// replicationDue reports whether a queued replication is due.
func (e *Emulator) replicationDue() bool {
	d := e.replDue.Load()
	return d != 0 && d <= e.now().UnixNano()
}

// runReplications does the due replications in a write of their own (for a
// read that finds some due).
func (e *Emulator) runReplications() {
	e.mu.Lock()
	e.touched = map[string]map[string]struct{}{}
	n := e.replicateDue()
	touched := e.touched
	e.touched = nil
	if n == 0 {
		e.mu.Unlock()
		return
	}
	c, err := e.prepareCommit(touched, true)
	if err != nil || c == nil {
		e.mu.Unlock()
		return
	}
	e.persistMu.Lock() // as in Emulator.write
	e.mu.Unlock()
	_ = e.finishCommit(c) // a failed store is rewritten by the next write (resync)
}

// replicateDue does the replications that are due, under the write lock,
// and returns how many it did.
func (e *Emulator) replicateDue() int {
	d := e.replDue.Load()
	now := e.now()
	if d == 0 || d > now.UnixNano() {
		return 0
	}
	done := 0
	var next int64
	for _, k := range sortedKeys(e.st.Registries) {
		reg := e.st.Registries[k]
		if len(reg.Replications) == 0 {
			continue
		}
		var keep []*PendingReplication
		for _, p := range reg.Replications {
			if p.Due != nil && p.Due.After(now) {
				keep = append(keep, p)
				if n := p.Due.UnixNano(); next == 0 || n < next {
					next = n
				}
				continue
			}
			e.replicate(reg, p, now)
			done++
		}
		reg.Replications = keep
	}
	e.replDue.Store(next)
	return done
}

// replicate does one queued replication to each of its destinations.
func (e *Emulator) replicate(src *Registry, p *PendingReplication, now time.Time) {
	e.touchRepository(src, p.Repository)
	srcRepo := src.Repositories[p.Repository]
	var img *Image
	if srcRepo != nil && p.Digest != "" {
		img = srcRepo.Data.Images[p.Digest]
	}
	for _, d := range p.Destinations {
		dst := e.registryFor(d.RegistryID, d.Region)
		if p.Digest == "" {
			e.replicateRemovalTo(src, dst, p)
			continue
		}
		var f replicationFailure
		if img == nil {
			f.code = replicationImageNotFound
		} else {
			f = e.replicateImageTo(src, srcRepo, dst, img, p.Tag, now)
			status := "COMPLETE"
			if f.code != "" {
				status = "FAILED"
			}
			setReplicationStatus(img, d, status)
		}
		if p.Backfill != "" {
			recordBackfillResult(src, p, f)
		}
	}
}

// replicationFailure is why a replication failed: its code ("" when it
// succeeded) and, for an index, the codes of the images it lists that
// failed.
type replicationFailure struct {
	code string
	sub  []string
}

// replicateImageTo copies img (and, for an index, the images it lists) and
// its tag into dst, creating the repository if needed. It reports why the
// replication failed, if it did.
func (e *Emulator) replicateImageTo(src *Registry, srcRepo *Repository, dst *Registry, img *Image, tag string, now time.Time) replicationFailure {
	name := srcRepo.RepositoryName
	repo := dst.Repositories[name]
	if dst.Account != src.Account {
		arn := repositoryARN(dst.Region, dst.Account, name)
		if !registryPolicyAllows(dst, src.Account, "ecr:ReplicateImage", arn) ||
			repo == nil && !registryPolicyAllows(dst, src.Account, "ecr:CreateRepository", arn) {
			return replicationFailure{code: replicationAccessDenied}
		}
	}
	if repo == nil {
		var err error
		if repo, err = e.createRepositoryFrom(dst, name, templateFor(dst, name, "REPLICATION")); err != nil {
			return replicationFailure{code: replicationRepositoryNotFound}
		}
	} else {
		e.touchRepository(dst, name)
	}
	if f := copyImage(dst, srcRepo, repo, img, now, e.transitionDelay); f.code != "" {
		return f
	}
	if tag != "" {
		if old, ok := repo.Data.TagIndex[tag]; ok && old != img.Digest && tagIsImmutable(repo, tag) {
			return replicationFailure{code: replicationTagImmutable}
		}
		repo.Data.TagIndex[tag] = img.Digest
	}
	return replicationFailure{}
}

// copyImage puts img into repo, after the images an index of it lists.
// Blobs are kept by digest for every repository: the copy references the
// same content. An index fails with the first code of the images it lists
// that failed, all of which are its sub-image codes.
func copyImage(dst *Registry, srcRepo, repo *Repository, img *Image, now time.Time, delay time.Duration) replicationFailure {
	if repo.Data.Images[img.Digest] != nil {
		return replicationFailure{}
	}
	for _, c := range img.references().children {
		child := srcRepo.Data.Images[c]
		f := replicationFailure{code: replicationImageNotFound}
		if child != nil {
			f = copyImage(dst, srcRepo, repo, child, now, delay)
		}
		if f.code != "" {
			return replicationFailure{code: f.code, sub: appendDistinct([]string{f.code}, f.sub...)}
		}
	}
	if len(repo.Data.Images) >= maxImagesPerRepository {
		return replicationFailure{code: replicationImageLimit}
	}
	manifest, err := img.manifest()
	if err != nil { // the store failed to read it: as good as gone
		return replicationFailure{code: replicationImageNotFound}
	}
	cp := &Image{
		Digest:            img.Digest,
		Manifest:          manifest,
		ManifestMediaType: img.ManifestMediaType,
		ArtifactMediaType: img.ArtifactMediaType,
		SubjectDigest:     img.SubjectDigest,
		ArtifactType:      img.ArtifactType,
		SizeInBytes:       img.SizeInBytes,
		PushedAt:          ts(now),
		Status:            "ACTIVE",
		refs:              img.refs,
	}
	if !isIndexMediaType(cp.ManifestMediaType) && scanOnPush(dst, repo) {
		startScan(cp, now, delay)
	}
	repo.Data.Images[cp.Digest] = cp
	return replicationFailure{}
}

// replicateRemovalTo removes from dst what p says the source removed:
// images by digest, tags that still name the same image. What a manifest
// list of dst references stays.
func (e *Emulator) replicateRemovalTo(src, dst *Registry, p *PendingReplication) {
	repo := dst.Repositories[p.Repository]
	if repo == nil {
		return
	}
	if dst.Account != src.Account && !registryPolicyAllows(dst, src.Account, "ecr:ReplicateImage", repositoryARN(dst.Region, dst.Account, p.Repository)) {
		return
	}
	e.touchRepository(dst, p.Repository)
	rm := newImageRemoval(repo)
	for _, id := range p.Untagged {
		if img := repo.Data.Images[id.ImageDigest]; img != nil && repo.Data.TagIndex[id.ImageTag] == id.ImageDigest {
			rm.untag(img, id.ImageTag)
		}
	}
	for _, d := range p.Removed {
		if img := repo.Data.Images[d]; img != nil {
			rm.image(img)
		}
	}
}

// appendDistinct appends to list the values it does not hold yet.
func appendDistinct(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// ---- the source image's replication statuses ----

// Image.Replication holds "region account STATUS" entries joined by ";"
// (a string keeps Image comparable, as the store's diff needs).

func setReplicationStatus(img *Image, d ReplicationDestination, status string) {
	entries := splitReplication(img.Replication)
	key := d.Region + " " + d.RegistryID + " "
	i := slices.IndexFunc(entries, func(s string) bool { return strings.HasPrefix(s, key) })
	if i < 0 {
		entries = append(entries, key+status)
	} else {
		entries[i] = key + status
	}
	img.Replication = strings.Join(entries, ";")
}

func splitReplication(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// replicationStatuses lists the image's statuses in the order the
// destinations were first replicated to.
func replicationStatuses(img *Image) []imageReplicationStatus {
	out := []imageReplicationStatus{}
	for _, s := range splitReplication(img.Replication) {
		f := strings.Fields(s)
		if len(f) == 3 {
			out = append(out, imageReplicationStatus{Region: f[0], RegistryID: f[1], Status: f[2]})
		}
	}
	return out
}

// ---- the destination's registry policy ----

// registryPolicyAllows evaluates reg's registry policy for a request of
// action on resource by account: an Allow statement that names the account
// (its root ARN, its id, or "*"), the action and the resource, and no Deny
// statement that does. Conditions are not evaluated (assumption: the
// emulator knows callers by account only).
func registryPolicyAllows(reg *Registry, account, action, resource string) bool {
	if reg.RegistryPolicy == nil {
		return false
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(*reg.RegistryPolicy), &doc) != nil {
		return false
	}
	var stmts []policyStatement
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one policyStatement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []policyStatement{one}
	}
	allowed := false
	for _, s := range stmts {
		if !s.matches(account, action, resource) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = allowed || s.Effect == "Allow"
	}
	return allowed
}

type policyStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    json.RawMessage
	NotAction json.RawMessage
	Resource  json.RawMessage
}

// stringOrList decodes a policy element that is a string or a list.
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

func (s policyStatement) matches(account, action, resource string) bool {
	principals := stringOrList(s.Principal)
	if principals == nil {
		var p struct{ AWS json.RawMessage }
		if json.Unmarshal(s.Principal, &p) == nil && p.AWS != nil {
			principals = stringOrList(p.AWS)
		}
	}
	if !slices.ContainsFunc(principals, func(p string) bool {
		return p == "*" || p == account || strings.HasPrefix(p, "arn:") && strings.Contains(p, ":iam::"+account+":root")
	}) {
		return false
	}
	actionMatch := func(list []string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return starMatch(strings.ToLower(a), strings.ToLower(action)) })
	}
	if s.NotAction != nil {
		if actionMatch(stringOrList(s.NotAction)) {
			return false
		}
	} else if !actionMatch(stringOrList(s.Action)) {
		return false
	}
	if s.Resource == nil {
		return true
	}
	return slices.ContainsFunc(stringOrList(s.Resource), func(r string) bool { return starMatch(r, resource) })
}
