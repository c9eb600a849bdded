package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/loopback"
)

// countAttempts counts the attempts of the calls it is given to (a
// middleware inside the retry loop).
func countAttempts(n *atomic.Int32) func(*ecr.Options) {
	return func(o *ecr.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("test.countAttempts",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
					middleware.FinalizeOutput, middleware.Metadata, error,
				) {
					n.Add(1)
					return next.HandleFinalize(ctx, in)
				}), "Retry", middleware.After)
		})
	}
}

// testDeadlines are short deadlines, so that a hung endpoint costs the test
// a second, not a minute.
var testDeadlines = deadlines{
	dial: time.Second, tls: time.Second, headers: 300 * time.Millisecond, attempt: 2 * time.Second,
	operation: time.Minute, unreachableAttempts: 2,
}

// callWithin runs DescribeRepositories against the configured client, bounded by
// the test's own limit, and returns its error and how many attempts it made.
func callWithin(t *testing.T, c configurer, url string) (int32, error) {
	t.Helper()
	meta, diags := c.configure(context.Background(), baseModel(t, url))
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	var attempts atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	_, err := meta.Client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}, countAttempts(&attempts))
	t.Logf("the call returned after %s and %d attempts: %v", time.Since(start).Round(time.Millisecond), attempts.Load(), err)
	if ctx.Err() != nil {
		t.Fatalf("the call was still waiting when the test's own limit passed")
	}
	if err == nil {
		t.Fatal("the call succeeded")
	}
	return attempts.Load(), err
}

// expectMentions fails unless err's message has every one of want.
func expectMentions(t *testing.T, err error, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not mention %q: %v", w, err)
		}
	}
}

// A server that accepts the request and never answers costs a call two
// attempts, each ended by the response header deadline; the error names
// the endpoint and the operation.
func TestDeadlines_hungEndpoint(t *testing.T) {
	isolateEnv(t)
	release := make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	c := testConfigurer()
	c.deadlines = &testDeadlines
	attempts, err := callWithin(t, c, srv.URL)
	expectMentions(t, err, "DescribeRepositories", "endpoint "+srv.URL, "did not answer in time")
	if attempts != 2 || requests.Load() != 2 {
		t.Errorf("%d attempts (%d requests seen), want 2: a hung endpoint is retried once", attempts, requests.Load())
	}
}

// Retries of throttling go on as long as the call's bound allows; then
// the call fails naming the endpoint and the bound.
func TestDeadlines_operationBound(t *testing.T) {
	isolateEnv(t)
	emu, srv := startEmulator(t, nil)
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionLatency, Latency: 200 * time.Millisecond})
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionThrottle})

	c := testConfigurer()
	d := testDeadlines
	d.operation = 500 * time.Millisecond
	c.deadlines = &d
	attempts, err := callWithin(t, c, srv.URL)
	expectMentions(t, err, "DescribeRepositories", "no answer from endpoint "+srv.URL, "within 500ms")
	if attempts < 2 || attempts >= defaultMaxAttempts {
		t.Errorf("%d attempts: want several throttled attempts, cut short by the call's bound", attempts)
	}
}

// A closed port fails the call after two attempts (not 25, as throttling
// would be), naming the endpoint.
func TestDeadlines_connectionRefused(t *testing.T) {
	isolateEnv(t)
	url := "http://" + loopback.RefusingAddr(t)

	attempts, err := callWithin(t, testConfigurer(), url)
	expectMentions(t, err, "DescribeRepositories", "endpoint "+url, "refused the connection")
	if attempts != 2 {
		t.Errorf("%d attempts, want 2: a refused connection is retried once", attempts)
	}
}

// The deadlines reach the HTTP client.
func TestDeadlines_httpClient(t *testing.T) {
	isolateEnv(t)
	_, srv := startEmulator(t, nil)
	meta := mustConfigure(t, baseModel(t, srv.URL))
	ec, ok := meta.Client.Options().HTTPClient.(*endpointClient)
	if !ok {
		t.Fatalf("HTTP client is %T, want *endpointClient", meta.Client.Options().HTTPClient)
	}
	wrapped, ok := ec.base.(interface{ Unwrap() aws.HTTPClient }) // sdkhttp.Wrap
	if !ok {
		t.Fatalf("base HTTP client is %T, want sdkhttp.Wrap's", ec.base)
	}
	bc, ok := wrapped.Unwrap().(interface {
		GetTimeout() time.Duration
		GetTransport() *http.Transport
		GetDialer() *net.Dialer
	})
	if !ok {
		t.Fatalf("HTTP client under sdkhttp.Wrap is %T", wrapped.Unwrap())
	}
	d := defaultDeadlines
	tr := bc.GetTransport()
	if bc.GetTimeout() != d.attempt || bc.GetDialer().Timeout != d.dial || tr.TLSHandshakeTimeout != d.tls ||
		tr.ResponseHeaderTimeout != d.headers {
		t.Errorf("attempt %s, dial %s, TLS %s, headers %s; want %+v", bc.GetTimeout(), bc.GetDialer().Timeout,
			tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, d)
	}
}

func TestClassifyUnreachable(t *testing.T) {
	d := defaultDeadlines
	tests := []struct {
		err  error
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "ecr.example.invalid", IsNotFound: true}, "unknown host"},
		{&net.OpError{Op: "dial", Err: errors.New("i/o timeout")}, "cannot be connected to"},
		{errors.New("connection reset by peer"), ""},
		{errors.New("EOF"), ""},
	}
	for _, tc := range tests {
		if got := classifyUnreachable(tc.err, d); !strings.Contains(got, tc.want) || (tc.want == "") != (got == "") {
			t.Errorf("classifyUnreachable(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// An unknown region is a warning on `region`, not an error.
func TestKnownRegion(t *testing.T) {
	for _, tc := range []struct {
		region string
		warn   bool
	}{
		{"us-west-2", false}, {"eu-central-1", false}, {"ap-southeast-5", false}, {"cn-north-1", false},
		{"us-gov-west-1", false}, {"us-isob-east-1", false}, {"mx-central-1", false},
		{"us-west2", true}, {"uswest-2", true}, {"local", true}, {"US-WEST-2", true},
	} {
		req := validator.StringRequest{Path: path.Root("region"), ConfigValue: types.StringValue(tc.region)}
		var resp validator.StringResponse
		knownRegion().ValidateString(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() || (resp.Diagnostics.WarningsCount() == 1) != tc.warn {
			t.Errorf("%s: %v, want a warning: %t", tc.region, resp.Diagnostics, tc.warn)
		}
	}
}

// The client keeps its connections under concurrent calls: no request's
// write fails (net/http closes the connection when one does, and the next
// call dials again; see sdkhttp). Before sdkhttp a few calls in
// a thousand lost their connection this way here (359 of 3,000 in a plan of
// 3,000 resources on a loaded machine). The dials are bounded loosely:
// net/http may dial for a call that waits and then hand it a connection
// freed meanwhile, keeping the new one (CI once saw 9 for 8 goroutines).
func TestHTTPClient_keepsConnections(t *testing.T) {
	_, srv := startEmulator(t, nil)
	meta, diags := testConfigurer().configure(context.Background(), baseModel(t, srv.URL))
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	var dialed, writeErrors atomic.Int32
	trace := &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			if !i.Reused {
				dialed.Add(1)
			}
		},
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err != nil {
				writeErrors.Add(1)
			}
		},
	}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	const workers, calls = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < calls; i += workers {
				_, err := meta.Client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{fmt.Sprintf("r%d", i)}})
				if !errors.As(err, new(*awstypes.RepositoryNotFoundException)) {
					t.Errorf("call %d: want RepositoryNotFoundException, got %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d calls: %d connections dialed, %d request writes failed", calls, dialed.Load(), writeErrors.Load())
	if writeErrors.Load() != 0 || dialed.Load() > 2*workers {
		t.Errorf("%d request writes failed and %d connections were dialed for %d goroutines (want 0 and at most %d)",
			writeErrors.Load(), dialed.Load(), workers, 2*workers)
	}
}
