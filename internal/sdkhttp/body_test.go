package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// inMemoryBody hands net/http a body it knows is in memory, with the same
// bytes, and leaves large bodies alone.
func TestInMemoryBody(t *testing.T) {
	closed := false
	sdkBody := &closeRecorder{Reader: strings.NewReader(`{"repositoryName":"r"}`), closed: &closed}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	req.Body, req.ContentLength = sdkBody, 22
	out, err := inMemoryBody(req)
	if err != nil {
		t.Fatal(err)
	}
	if !closed {
		t.Error("the SDK's body was not closed")
	}
	if reflect.TypeOf(out.Body) != reflect.TypeOf(io.NopCloser(&bytes.Reader{})) {
		t.Errorf("the body is a %T, want io.NopCloser(*bytes.Reader)", out.Body)
	}
	for _, get := range []func() (io.ReadCloser, error){func() (io.ReadCloser, error) { return out.Body, nil }, out.GetBody} {
		rc, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(rc); string(b) != `{"repositoryName":"r"}` {
			t.Errorf("body %q", b)
		}
	}
	big := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	big.Body, big.ContentLength = io.NopCloser(strings.NewReader("x")), maxInMemoryBody+1
	if out, err := inMemoryBody(big); err != nil || out != big {
		t.Errorf("a body over %d bytes was replaced (%v)", maxInMemoryBody, err)
	}
	short := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
	short.Body, short.ContentLength = io.NopCloser(strings.NewReader("x")), 5
	if _, err := inMemoryBody(short); err == nil {
		t.Error("a body shorter than its Content-Length was accepted")
	}
}

type closeRecorder struct {
	io.Reader
	closed *bool
}

func (c *closeRecorder) Close() error { *c.closed = true; return nil }
