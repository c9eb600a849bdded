package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAtMost allocates with the bytes received: a body that declares far
// more than it sends costs what it sent, not what it declared.
func TestReadAtMostAllocatesWhatArrives(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		hint, limit int64
		wantErr     error
		maxAlloc    int64 // bound on the sum of the allocations
	}{
		{"small, declared", "{}", 2, 32 << 20, nil, 3},
		{"small, undeclared", "{}", -1, 32 << 20, nil, bodyChunk},
		{"declares 32 MiB, sends 1 KiB", strings.Repeat("a", 1024), 32 << 20, 32 << 20,
			io.ErrUnexpectedEOF, 0},
		{"three chunks, declared", strings.Repeat("b", 2*bodyChunk+5), 2*bodyChunk + 5, 32 << 20, nil,
			2 * (2*bodyChunk + 6)},
		{"over the limit, undeclared", strings.Repeat("c", 101), -1, 100, ErrBodyTooLarge, 0},
		{"at the limit, undeclared", strings.Repeat("c", 100), -1, 100, nil, 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src io.Reader = strings.NewReader(tt.body)
			if errors.Is(tt.wantErr, io.ErrUnexpectedEOF) {
				// As net/http's body when the client stops short of its length.
				src = io.MultiReader(src, iotest.ErrReader(io.ErrUnexpectedEOF))
			}
			var allocated int64
			got, err := readAtMost(iotest.HalfReader(src), tt.hint, tt.limit, func(n int64) error {
				allocated += n
				return nil
			})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if allocated > 2*bodyChunk {
					t.Errorf("allocated %d bytes for %d received", allocated, len(tt.body))
				}
				return
			}
			if err != nil || string(got) != tt.body {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
			if allocated > tt.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", allocated, tt.maxAlloc)
			}
		})
	}
}

// A request that cannot get body budget within the wait is answered
// ThrottlingException; once the budget is back, requests pass again.
func TestBodyBudget(t *testing.T) {
	e := New()
	e.bodies = newBodyBudget(bodyChunk, 50*time.Millisecond)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	call := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
		req.Header.Set("X-Amz-Target", TargetPrefix+"DescribeRepositories")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")
	}
	if code, typ := call(); code != 200 {
		t.Fatalf("with budget: %d %s", code, typ)
	}
	// Another request's body holds the whole budget.
	if err := e.bodies.reserve(t.Context(), bodyChunk); err != nil {
		t.Fatal(err)
	}
	if code, typ := call(); code != 400 || typ != "ThrottlingException" {
		t.Errorf("budget spent: %d %q, want 400 ThrottlingException", code, typ)
	}
	e.bodies.sem.Release(bodyChunk)
	if code, typ := call(); code != 200 {
		t.Errorf("budget back: %d %s", code, typ)
	}
}

// A declared length over the limit is refused before the body is read; an
// undeclared (chunked) body is cut at the limit.
func TestBodyTooLarge(t *testing.T) {
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	for _, chunked := range []bool{false, true} {
		body := bytes.Repeat([]byte(" "), maxBodyBytes+1)
		var r io.Reader = bytes.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // hides the length: sent chunked
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", r)
		req.Header.Set("X-Amz-Target", TargetPrefix+"DescribeRepositories")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Type string `json:"__type"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || got.Type != "SerializationException" {
			t.Errorf("chunked=%v: %d %q, want 413 SerializationException", chunked, resp.StatusCode, got.Type)
		}
	}
}

// A client that stops sending its body is answered once the body's read
// deadline passes, and the connection is closed rather than held, also
// when the request is refused before its body is read.
func TestBodyReadDeadline(t *testing.T) {
	e := New()
	e.bodies.readTimeout = 200 * time.Millisecond
	mux := http.NewServeMux()
	mux.Handle(ControlPrefix, e.ControlHandler())
	mux.Handle("/", e)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ name, head, want string }{
		{"ECR API", "POST / HTTP/1.1\r\nX-Amz-Target: " + TargetPrefix + "DescribeRepositories\r\n", "could not read request body"},
		{"unknown operation", "POST / HTTP/1.1\r\nX-Amz-Target: Nope\r\n", "UnknownOperationException"},
		{"control API", "POST /_emulator/faults HTTP/1.1\r\nContent-Type: application/json\r\n", "reading the request body"},
		{"control API, refused early", "POST /_emulator/reset HTTP/1.1\r\nContent-Type: text/plain\r\n", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _ = fmt.Fprintf(c, "%sHost: x\r\nContent-Length: 100\r\n\r\n{\"max", tc.head)
			// Generous: the answer comes long before; this only bounds a hang.
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode < 400 || !strings.Contains(string(b), tc.want) {
				t.Errorf("stalled body: %d %s, want an error with %q", resp.StatusCode, b, tc.want)
			}
			if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				t.Errorf("connection kept after a stalled body: %v", err)
			}
		})
	}
}
