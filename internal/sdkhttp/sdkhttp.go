// Package sdkhttp gives the AWS SDK's clients request bodies net/http can
// see into, so that a connection is never closed under an answer being read.
//
// The SDK (smithy-go) hands the transport a request body that net/http
// cannot recognize as in memory, and closes it as soon as the response
// headers arrive. After writing the body, net/http's writer reads it once
// more to check that it is exhausted; when that check runs after the SDK
// closed the body (the writer goroutine was descheduled for the round trip,
// as on a loaded machine), the closed body answers io.EOF, net/http takes
// it for a failed write and closes the connection: (1) the next call dials
// a new one, and (2) a response body still being read fails with "use of
// closed network connection" (aws/aws-sdk-go-v2#1825, #2737, #2935; the
// SDK retries that error since 2025, but an attempt is spent). net/http
// also writes the headers and such a body in two system calls.
//
// Wrap's client copies a small body into a bytes.Reader with GetBody, which
// net/http writes with the headers and checks without the SDK's closed
// reader.
package sdkhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// maxInMemoryBody bounds the request bodies inMemoryBody copies: every ECR
// request but layer parts and large manifests.
const maxInMemoryBody = 1 << 20

// inMemoryBody returns req with its body, when at most maxInMemoryBody
// bytes, read into memory as a reader net/http recognizes (the SDK's body
// is read and closed), and GetBody set; other requests are returned as is.
func inMemoryBody(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength <= 0 || req.ContentLength > maxInMemoryBody {
		return req, nil
	}
	body := make([]byte, req.ContentLength)
	_, err := io.ReadFull(req.Body, body)
	if cerr := req.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("reading the request body (%d bytes): %w", req.ContentLength, err)
	}
	out := req.WithContext(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return out, nil
}

// client applies inMemoryBody before its base client.
type client struct{ base aws.HTTPClient }

func (c client) Do(req *http.Request) (*http.Response, error) {
	req, err := inMemoryBody(req)
	if err != nil {
		return nil, err
	}
	return c.base.Do(req)
}

// Unwrap returns the client Wrap was given (for checks of its settings).
func (c client) Unwrap() aws.HTTPClient { return c.base }

// Wrap returns base (the SDK's default client when nil) with inMemoryBody
// applied to every request: for the HTTPClient of an SDK client's options.
func Wrap(base aws.HTTPClient) aws.HTTPClient {
	if base == nil {
		base = awshttp.NewBuildableClient()
	}
	return client{base: base}
}
