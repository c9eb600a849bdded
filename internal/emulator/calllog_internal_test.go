package emulator

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// The call log stays bounded and keeps the newest calls; CallCounts keeps
// counting past the bound.
func TestCallLogBounded(t *testing.T) {
	e := New()
	r := httptest.NewRequest("POST", "/", nil)
	total := maxCalls + maxCalls/4
	for i := range total {
		op := "DescribeRepositories"
		if i == total-1 {
			op = "Last"
		}
		e.extra.log(r, &request{op: op}, "", "")
	}
	calls := e.Calls()
	if len(calls) > maxCalls || len(calls) < maxCalls/2 {
		t.Fatalf("call log holds %d entries, want between %d and %d", len(calls), maxCalls/2, maxCalls)
	}
	if calls[len(calls)-1].Op != "Last" {
		t.Fatalf("newest call lost: %+v", calls[len(calls)-1])
	}
	if got := e.CallCounts()["DescribeRepositories"]; got != total-1 {
		t.Fatalf("CallCounts = %d, want %d", got, total-1)
	}
}

// BenchmarkCallLogFull is the cost of logging a call once the log is full;
// it must not grow with the log's size.
func BenchmarkCallLogFull(b *testing.B) {
	e := New()
	r := httptest.NewRequest("POST", "/", nil)
	req := &request{op: "DescribeRepositories"}
	for range maxCalls {
		e.extra.log(r, req, "", "")
	}
	b.ResetTimer()
	for b.Loop() {
		e.extra.log(r, req, "", "")
	}
}

// The call log keeps each call's operation, account and region, but not
// the request they came from: with a 16 KiB Authorization header per
// request, logging thousands of calls must not keep those headers alive.
func TestCallLogDoesNotPinRequests(t *testing.T) {
	e := New()
	const n = 4000
	sig := strings.Repeat("0", 16<<10)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for range n {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		r.Header.Set("X-Amz-Target", TargetPrefix+"DescribeRegistry")
		// A fresh header string per request, as net/http reads it.
		r.Header.Set("Authorization", strings.Clone("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/ecr/aws4_request, SignedHeaders=host, Signature="+sig))
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("DescribeRegistry: %d %s", w.Code, w.Body)
		}
	}
	grown := int64(heap()) - int64(before)
	if calls := e.Calls(); len(calls) != n || calls[0].Region != "eu-west-1" || calls[0].Op != "DescribeRegistry" {
		t.Fatalf("call log = %d entries, first %+v", len(calls), calls[0])
	}
	// Pinned headers would be n*16 KiB = 64 MiB.
	if limit := int64(8 << 20); grown > limit {
		t.Fatalf("heap grew by %d MiB for %d logged calls, want < %d MiB: the log pins request data",
			grown>>20, n, limit>>20)
	}
}
