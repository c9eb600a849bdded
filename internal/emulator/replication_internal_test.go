package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *stepClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func call(t *testing.T, e *Emulator, op, body string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("X-Amz-Target", TargetPrefix+op)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", op, w.Code, w.Body)
	}
	return w.Body.String()
}

// A replication queued before a restart is done after it: the queue is
// part of the stored state.
func TestReplicationQueueSurvivesRestart(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newMemStore()
	e := New(WithClock(clock), WithTransitionDelay(time.Minute))
	if _, err := e.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	call(t, e, "CreateRepository", `{"repositoryName":"app"}`)
	call(t, e, "PutReplicationConfiguration", `{"replicationConfiguration":{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"123456789012"}]}]}}`)
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`
	call(t, e, "PutImage", `{"repositoryName":"app","imageTag":"v1","imageManifest":`+strconvQuote(manifest)+`}`)

	// Restart before the replication is due.
	e2 := New(WithClock(clock), WithTransitionDelay(time.Minute))
	if _, err := e2.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	out := call(t, e2, "DescribeImageReplicationStatus", `{"repositoryName":"app","imageId":{"imageTag":"v1"}}`)
	if !strings.Contains(out, `"status":"COMPLETE"`) {
		t.Fatalf("status after the restart: %s", out)
	}
	e2.mu.RLock()
	defer e2.mu.RUnlock()
	dst := e2.st.registry("123456789012", "eu-west-1", false).Repositories["app"]
	if dst == nil || dst.Data.TagIndex["v1"] == "" {
		t.Fatalf("the replica after the restart: %+v", dst)
	}
	// And the store holds it, with the queue emptied.
	st, _, _, err := loadStore(s)
	if err != nil || st.registry("123456789012", "eu-west-1", false).Repositories["app"] == nil ||
		len(st.registry("123456789012", DefaultRegion, false).Replications) != 0 {
		t.Fatalf("stored state after the replication: %v", err)
	}
}

func strconvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// A backfill started before a restart replicates after it, and records its
// results in the stored backfill: its queued replications and the results
// are part of the stored state.
func TestReplicationBackfillSurvivesRestart(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := newMemStore()
	e := New(WithClock(clock), WithTransitionDelay(time.Minute))
	if _, err := e.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	call(t, e, "CreateRepository", `{"repositoryName":"app"}`)
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`
	call(t, e, "PutImage", `{"repositoryName":"app","imageTag":"v1","imageManifest":`+strconvQuote(manifest)+`}`)
	call(t, e, "PutReplicationConfiguration", `{"replicationConfiguration":{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"123456789012"}]}]}}`)
	out := call(t, e, "StartReplicationBackfill", `{"destination":{"region":"eu-west-1","registryId":"123456789012"}}`)
	var start struct{ ReplicationBackfillID string }
	if err := json.Unmarshal([]byte(out), &start); err != nil || start.ReplicationBackfillID == "" {
		t.Fatalf("start: %s (%v)", out, err)
	}

	// Restart before the replication is due.
	e2 := New(WithClock(clock), WithTransitionDelay(time.Minute))
	if _, err := e2.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	out = call(t, e2, "DescribeReplicationBackfillResults", `{"replicationBackfillId":"`+start.ReplicationBackfillID+`"}`)
	if !strings.Contains(out, `"status":"COMPLETE"`) || !strings.Contains(out, `"imageTag":"v1"`) {
		t.Fatalf("results after the restart: %s", out)
	}
	st, _, _, err := loadStore(s)
	if err != nil {
		t.Fatal(err)
	}
	src := st.registry("123456789012", DefaultRegion, false)
	if st.registry("123456789012", "eu-west-1", false).Repositories["app"] == nil || len(src.Replications) != 0 ||
		len(src.Backfills) != 1 || len(src.Backfills[0].Images) != 1 || src.Backfills[0].Images[0].Status != "COMPLETE" {
		t.Fatalf("stored state after the backfill: %+v", src.Backfills)
	}
}
