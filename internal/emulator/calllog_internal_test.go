package emulator

import (
	"net/http/httptest"
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
