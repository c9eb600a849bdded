package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ociError is an error of the registry protocol, answered in the OCI
// distribution spec's form: {"errors":[{"code":..., "message":...}]}.
type ociError struct {
	Status  int
	Code    string
	Message string
}

func (e *ociError) Error() string { return e.Code + ": " + e.Message }

func ociErr(status int, code, msg string) *ociError {
	return &ociError{Status: status, Code: code, Message: msg}
}

// toOCIError maps an error of the shared ECR code (an *APIError) to the
// code and status ECR's registry answers for the same failure.
func toOCIError(err error) *ociError {
	var oe *ociError
	if errors.As(err, &oe) {
		return oe
	}
	ae := toAPIError(err)
	switch ae.Type {
	case "RepositoryNotFoundException":
		return ociErr(http.StatusNotFound, "NAME_UNKNOWN", ae.Message)
	case "ImageNotFoundException":
		return ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", ae.Message)
	case "ImageTagAlreadyExistsException":
		return ociErr(http.StatusBadRequest, "TAG_INVALID", ae.Message)
	case "LayersNotFoundException", "ReferencedImagesNotFoundException":
		return ociErr(http.StatusBadRequest, "MANIFEST_BLOB_UNKNOWN", ae.Message)
	case "ImageDigestDoesNotMatchException":
		return ociErr(http.StatusBadRequest, "DIGEST_INVALID", ae.Message)
	case "InvalidParameterException", "ValidationException", "SerializationException":
		return ociErr(http.StatusBadRequest, "MANIFEST_INVALID", ae.Message)
	case "LimitExceededException":
		return ociErr(http.StatusForbidden, "DENIED", ae.Message)
	}
	return faultOCIError(ae)
}

// faultOCIError is how the registry answers an error of the JSON API that
// has no counterpart in the protocol (a server error, an injected fault):
// throttling is 429 TOOMANYREQUESTS, so that clients' retries can be tested.
func faultOCIError(ae *APIError) *ociError {
	status := ae.status()
	switch {
	case status == http.StatusTooManyRequests || strings.Contains(ae.Type, "Throttl") || strings.Contains(ae.Type, "TooManyRequests"):
		return ociErr(http.StatusTooManyRequests, "TOOMANYREQUESTS", ae.Message)
	case strings.Contains(ae.Type, "AccessDenied") || status == http.StatusForbidden:
		return ociErr(http.StatusForbidden, "DENIED", ae.Message)
	case status < 500:
		return ociErr(status, "UNSUPPORTED", ae.Type+": "+ae.Message)
	}
	return ociErr(status, "UNKNOWN", ae.Type+": "+ae.Message)
}

func writeOCIError(w http.ResponseWriter, e *ociError) {
	type entry struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	b, _ := json.Marshal(struct {
		Errors []entry `json:"errors"`
	}{[]entry{{e.Code, e.Message}}})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(b)
}

// faultCapture stands in for the ResponseWriter while a fault rule may
// answer a registry request: the JSON API's error it writes is kept, and
// answered in the registry's form by flush. Hang and drop act on the
// connection itself (Hijack passes through).
type faultCapture struct {
	w      http.ResponseWriter
	h      http.Header
	status int
	body   bytes.Buffer
}

func newFaultCapture(w http.ResponseWriter) *faultCapture {
	return &faultCapture{w: w, h: http.Header{}}
}

func (c *faultCapture) Header() http.Header { return c.h }

func (c *faultCapture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *faultCapture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

func (c *faultCapture) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := c.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("not hijackable")
	}
	return hj.Hijack()
}

// flush answers the captured JSON API error, if any, in the registry's form.
func (c *faultCapture) flush() {
	if c.status == 0 {
		return
	}
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(c.body.Bytes(), &body)
	if body.Type == "" {
		body.Type = c.h.Get("X-Amzn-ErrorType")
	}
	writeOCIError(c.w, faultOCIError(&APIError{Type: body.Type, Status: c.status, Message: body.Message}))
}
