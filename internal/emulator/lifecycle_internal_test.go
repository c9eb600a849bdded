package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// lcClock is a fixed clock that tests move by hand.
type lcClock struct{ t time.Time }

func (c *lcClock) Now() time.Time { return c.t }

// lcCall runs one operation as the server would (decode, lock, handler)
// and returns the response as it would go on the wire.
func lcCall(t *testing.T, e *Emulator, op string, in any) (map[string]any, error) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.dispatch(operations[op], &request{ctx: context.Background(), op: op, account: DefaultAccount,
		region: DefaultRegion, body: body, e: e})
	if err != nil {
		return nil, err
	}
	wire, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(wire, &m); err != nil {
		t.Fatal(err)
	}
	return m, nil
}

// lcSeed puts an image straight into the repository's state: states that
// PutImage cannot produce (archived, pulled, being restored).
func lcSeed(e *Emulator, repoName, digest string, tags []string, mutate func(*Image)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	repo := e.st.registry(DefaultAccount, DefaultRegion, false).Repositories[repoName]
	img := &Image{Digest: digest, Manifest: "{}", PushedAt: ts(e.now()), Status: "ACTIVE"}
	if mutate != nil {
		mutate(img)
	}
	repo.Data.Images[digest] = img
	for _, tag := range tags {
		repo.Data.TagIndex[tag] = digest
	}
}

func TestLifecyclePreview_storageClassesAndPulls(t *testing.T) {
	clock := &lcClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := New(WithClock(clock), WithTransitionDelay(0))
	if _, err := lcCall(t, e, "CreateRepository", map[string]any{"repositoryName": "svc"}); err != nil {
		t.Fatal(err)
	}
	at := func(days int) *Time { return ts(clock.t.Add(time.Duration(days) * 24 * time.Hour)) }
	d := func(n int) string { return fmt.Sprintf("sha256:%064x", n) }
	// Images pushed 100 days before "now" (day 100).
	lcSeed(e, "svc", d(1), []string{"old-pulled-recently"}, func(im *Image) { im.LastRecordedPullTime = at(95) })
	lcSeed(e, "svc", d(2), []string{"old-pulled-long-ago"}, func(im *Image) { im.LastRecordedPullTime = at(10) })
	lcSeed(e, "svc", d(3), []string{"never-pulled"}, nil)
	lcSeed(e, "svc", d(4), []string{"archived-long-ago"}, func(im *Image) { im.Status = "ARCHIVED"; im.LastArchivedAt = at(20) })
	lcSeed(e, "svc", d(5), []string{"archived-recently"}, func(im *Image) { im.Status = "ARCHIVED"; im.LastArchivedAt = at(90) })
	lcSeed(e, "svc", d(6), []string{"restoring"}, func(im *Image) { im.Status = "ACTIVATING"; im.StatusChangeAt = at(1000) })
	lcSeed(e, "svc", d(7), []string{"restored"}, func(im *Image) {
		im.Status = "ACTIVATING"
		im.StatusChangeAt = at(50)
		im.LastRecordedPullTime = at(1)
	})
	clock.t = clock.t.Add(100 * 24 * time.Hour)

	policy := `{"rules":[` +
		`{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}},` +
		`{"rulePriority":2,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":30},"action":{"type":"expire"}}]}`
	start, err := lcCall(t, e, "StartLifecyclePolicyPreview", map[string]any{"repositoryName": "svc", "lifecyclePolicyText": policy})
	if err != nil {
		t.Fatal(err)
	}
	if start["status"] != previewComplete {
		t.Errorf("status with no transition delay = %v", start["status"])
	}
	out, err := lcCall(t, e, "GetLifecyclePolicyPreview", map[string]any{"repositoryName": "svc"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out["previewResults"].([]any) {
		res := r.(map[string]any)
		action := res["action"].(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v %v %v", res["imageTags"].([]any)[0], res["appliedRulePriority"],
			action["type"], action["targetStorageClass"], res["storageClass"]))
	}
	// The image being restored is in neither class; the restored one is
	// standard again and its pull is old.
	want := []string{
		"old-pulled-long-ago 1 TRANSITION ARCHIVE STANDARD",
		"never-pulled 1 TRANSITION ARCHIVE STANDARD",
		"restored 1 TRANSITION ARCHIVE STANDARD",
		"archived-long-ago 2 EXPIRE <nil> ARCHIVE",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	summary, _ := json.Marshal(out["summary"])
	if string(summary) != `{"expiringImageTotalCount":1,"transitioningImageTotalCounts":[{"imageTotalCount":3,"targetStorageClass":"ARCHIVE"}]}` {
		t.Errorf("summary = %s", summary)
	}
}

func TestLifecyclePreview_persistsAcrossSnapshots(t *testing.T) {
	clock := &lcClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	var snapshot []byte
	e := New(WithClock(clock), WithTransitionDelay(time.Hour), WithPersist(func(b []byte) error { snapshot = b; return nil }))
	if _, err := lcCall(t, e, "CreateRepository", map[string]any{"repositoryName": "svc"}); err != nil {
		t.Fatal(err)
	}
	lcSeed(e, "svc", fmt.Sprintf("sha256:%064x", 1), nil, nil)
	policy := `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`
	if _, err := lcCall(t, e, "PutLifecyclePolicy", map[string]any{"repositoryName": "svc", "lifecyclePolicyText": policy}); err != nil {
		t.Fatal(err)
	}
	if _, err := lcCall(t, e, "StartLifecyclePolicyPreview", map[string]any{"repositoryName": "svc"}); err != nil {
		t.Fatal(err)
	}
	// The preview and policy survive a JSON round trip of the state, and
	// the preview still completes by the clock afterwards.
	var st state
	if err := json.Unmarshal(snapshot, &st); err != nil {
		t.Fatal(err)
	}
	e2 := New(WithClock(clock))
	e2.st = &st
	out, err := lcCall(t, e2, "GetLifecyclePolicyPreview", map[string]any{"repositoryName": "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != previewInProgress || out["lifecyclePolicyText"] != policy {
		t.Errorf("restored preview = %v", out)
	}
	clock.t = clock.t.Add(time.Hour)
	out, err = lcCall(t, e2, "GetLifecyclePolicyPreview", map[string]any{"repositoryName": "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if out["status"] != previewComplete || len(out["previewResults"].([]any)) != 0 {
		t.Errorf("completed preview = %v", out)
	}
	got, err := lcCall(t, e2, "GetLifecyclePolicy", map[string]any{"repositoryName": "svc"})
	if err != nil || got["lifecyclePolicyText"] != policy {
		t.Errorf("GetLifecyclePolicy after restore = %v, %v", got, err)
	}
}
