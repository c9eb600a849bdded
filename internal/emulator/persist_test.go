package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// A slow persist (the standalone server writes and fsyncs a file) delays
// the write it persists, not every other request: reads go on while it
// runs, and the write is answered only once it has returned.
func TestPersistDoesNotBlockReads(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	var mu sync.Mutex
	var snaps []string
	emu := emulator.New(emulator.WithPersist(func(snap []byte) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		mu.Lock()
		snaps = append(snaps, string(snap))
		mu.Unlock()
		return nil
	}))
	call := func(op, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", emulator.TargetPrefix+op)
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, r)
		return w
	}
	created := make(chan *httptest.ResponseRecorder, 1)
	go func() { created <- call("CreateRepository", `{"repositoryName":"slow"}`) }()
	<-entered

	read := make(chan *httptest.ResponseRecorder, 1)
	go func() { read <- call("DescribeRepositories", `{}`) }()
	select {
	case w := <-read:
		if w.Code != http.StatusOK {
			t.Fatalf("DescribeRepositories: %d %s", w.Code, w.Body)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("DescribeRepositories waited for another request's persist")
	}
	select {
	case w := <-created:
		t.Fatalf("CreateRepository answered (%d) before its state was persisted", w.Code)
	default:
	}
	close(release)
	if w := <-created; w.Code != http.StatusOK {
		t.Fatalf("CreateRepository: %d %s", w.Code, w.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(snaps) != 1 || !strings.Contains(snaps[0], `"slow"`) {
		t.Fatalf("persisted snapshots = %q, want one with the repository", snaps)
	}
}

// Concurrent writes reach persist in the order they were made: the last
// snapshot persisted holds every repository.
func TestPersistInWriteOrder(t *testing.T) {
	var mu sync.Mutex
	var last string
	emu := emulator.New(emulator.WithPersist(func(snap []byte) error {
		mu.Lock()
		last = string(snap)
		mu.Unlock()
		return nil
	}))
	var wg sync.WaitGroup
	const n = 40
	for i := range n {
		wg.Go(func() {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"repositoryName":"rx`+strings.Repeat("x", i)+`"}`))
			r.Header.Set("X-Amz-Target", emulator.TargetPrefix+"CreateRepository")
			w := httptest.NewRecorder()
			emu.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("CreateRepository: %d %s", w.Code, w.Body)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i := range n {
		if !strings.Contains(last, `"rx`+strings.Repeat("x", i)+`"`) {
			t.Fatalf("last persisted snapshot lacks repository %d", i)
		}
	}
}
