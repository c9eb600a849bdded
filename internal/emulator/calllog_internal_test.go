package emulator

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
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
	before := liveHeap()
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
	grown := int64(liveHeap()) - int64(before)
	if calls := e.Calls(); len(calls) != n || calls[0].Region != "eu-west-1" || calls[0].Op != "DescribeRegistry" {
		t.Fatalf("call log = %d entries, first %+v", len(calls), calls[0])
	}
	// Pinned headers would be n*16 KiB = 64 MiB.
	if limit := int64(8 << 20); grown > limit {
		t.Fatalf("heap grew by %d MiB for %d logged calls, want < %d MiB: the log pins request data",
			grown>>20, n, limit>>20)
	}
}

// Every field survives the compact form, and a full log costs ~32 bytes per
// call of heap the garbage collector need not scan.
func TestCallLogCompact(t *testing.T) {
	var l callLog
	at := time.Date(2026, 11, 27, 3, 4, 5, 678901234, time.UTC)
	in := []Call{
		{Op: "CreateRepository", Account: "111122223333", Region: "eu-west-1", Attempt: 1, Time: at},
		{Op: "DescribeRepositories", Account: "111122223333", Region: "eu-west-1", ErrorCode: "ThrottlingException", Fault: "f3", Attempt: 2, Time: at.Add(time.Millisecond)},
		{Op: "DescribeRepositories", Time: at.Add(2 * time.Millisecond)},
	}
	for _, c := range in {
		l.add(c)
	}
	if got := l.all(); !reflect.DeepEqual(got, in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, in)
	}
	l.reset()
	if got := l.all(); len(got) != 0 {
		t.Fatalf("after reset: %+v", got)
	}

	before := liveHeap()
	for i := range maxCalls {
		l.add(Call{Op: "GetLifecyclePolicy", Account: "123456789012", Region: "us-east-1", Attempt: 1, Time: at.Add(time.Duration(i))})
	}
	grown := int64(liveHeap()) - int64(before)
	if per := grown / maxCalls; per > 48 {
		t.Errorf("a full log costs %d bytes per call, want at most 48 (an entry is 32)", per)
	}
	runtime.KeepAlive(&l)
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
