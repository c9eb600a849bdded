package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// Nothing the provider calls may wait forever, and an endpoint that cannot
// be reached must be reported as such, quickly:
//
//   - every request attempt has deadlines: to connect, for the TLS
//     handshake, for the response headers, and for the whole attempt;
//   - every API call (all its attempts and the waits between them) has an
//     overall bound, within the caller's own deadline (a resource's
//     `timeouts`);
//   - an attempt that does not reach the endpoint (connection refused,
//     unknown host, no connection or no answer within its deadline) is
//     retried at most once: unlike throttling, waiting does not cure a
//     wrong or dead endpoint. Errors say which endpoint and what happened.

// deadlines are the time limits of API calls.
type deadlines struct {
	dial      time.Duration // to open the TCP connection
	tls       time.Duration // for the TLS handshake
	headers   time.Duration // from the request sent to the response headers
	attempt   time.Duration // for a whole attempt, the response body included
	operation time.Duration // for a call: all its attempts and backoff
	// unreachableAttempts is how many attempts of one call may fail to
	// reach the endpoint before the call fails.
	unreachableAttempts int32
}

// defaultDeadlines: an ECR call answers in well under a second, and the
// biggest answers (1,000 image details) in a few; 30 s without response
// headers is a hung endpoint. Two attempts of a hung endpoint fail a call
// in about a minute. The operation bound is a backstop above the longest
// throttling storm the retryer rides out (25 attempts, backoff up to 20 s).
var defaultDeadlines = deadlines{
	dial:                10 * time.Second,
	tls:                 10 * time.Second,
	headers:             30 * time.Second,
	attempt:             60 * time.Second,
	operation:           10 * time.Minute,
	unreachableAttempts: 2,
}

// unreachableError is an attempt that did not reach the endpoint or got no
// answer from it.
type unreachableError struct {
	endpoint string // scheme://host[:port]
	what     string // what happened, in words
	err      error  // the transport's error
	// final is set once the call has had its allowed unreachable attempts:
	// it is not retried.
	final bool
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("endpoint %s %s: %v", e.endpoint, e.what, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// classifyUnreachable returns what happened when err means that the attempt
// did not reach the endpoint or got no answer; "" for any other error
// (e.g. a connection reset after the request was sent: transient, retried
// as usual).
func classifyUnreachable(err error, d deadlines) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &dnsErr):
		return "has an unknown host (the name does not resolve; check the endpoint URL)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused the connection (nothing listens there; check the endpoint URL and that the service runs)"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		if opErr.Timeout() {
			return fmt.Sprintf("did not accept a connection within %s", d.dial)
		}
		return "cannot be connected to"
	case errors.As(err, &timeout) && timeout.Timeout():
		return fmt.Sprintf("did not answer in time (deadlines: %s for the response headers, %s for the whole attempt)",
			d.headers, d.attempt)
	}
	return ""
}

// callState is shared by the attempts of one API call.
type callState struct {
	unreachable atomic.Int32
	mu          sync.Mutex
	endpoint    string // of the last attempt
}

type callStateKey struct{}

// endpointClient wraps the HTTP client: it turns transport errors that
// mean "endpoint not reached" into *unreachableError, counted per call.
type endpointClient struct {
	base      aws.HTTPClient
	deadlines deadlines
}

func (c *endpointClient) Do(req *http.Request) (*http.Response, error) {
	endpoint := req.URL.Scheme + "://" + req.URL.Host
	st, _ := req.Context().Value(callStateKey{}).(*callState)
	if st != nil {
		st.mu.Lock()
		st.endpoint = endpoint
		st.mu.Unlock()
	}
	resp, err := c.base.Do(req)
	if err == nil || req.Context().Err() != nil {
		return resp, err
	}
	what := classifyUnreachable(err, c.deadlines)
	if what == "" {
		return resp, err
	}
	n := int32(1)
	if st != nil {
		n = st.unreachable.Add(1)
	}
	return resp, &unreachableError{endpoint: endpoint, what: what, err: err, final: n >= c.deadlines.unreachableAttempts}
}

// unreachableRetryable is the retryer's first check: an unreachable
// endpoint is retried only until the call's allowance is used up.
type unreachableRetryable struct{}

func (unreachableRetryable) IsErrorRetryable(err error) aws.Ternary {
	var ue *unreachableError
	if errors.As(err, &ue) {
		return aws.BoolTernary(!ue.final)
	}
	return aws.UnknownTernary
}

var _ retry.IsErrorRetryable = unreachableRetryable{}

// boundCalls is the middleware that gives every API call its state and
// overall bound, and names the endpoint when the call runs out of time.
func boundCalls(d deadlines) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ecrkit.BoundCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
				middleware.InitializeOutput, middleware.Metadata, error,
			) {
				st := &callState{}
				parent := ctx
				ctx, cancel := context.WithTimeout(context.WithValue(ctx, callStateKey{}, st), d.operation)
				defer cancel()
				out, md, err := next.HandleInitialize(ctx, in)
				if err == nil || ctx.Err() == nil {
					return out, md, err
				}
				st.mu.Lock()
				endpoint := st.endpoint
				st.mu.Unlock()
				if endpoint == "" {
					endpoint = "(not resolved)"
				}
				if parent.Err() != nil {
					return out, md, fmt.Errorf("no answer from endpoint %s before the caller's deadline or cancellation: %w", endpoint, err)
				}
				return out, md, fmt.Errorf("no answer from endpoint %s within %s, the bound of one API call with its retries: %w",
					endpoint, d.operation, err)
			}), middleware.Before)
	}
}
