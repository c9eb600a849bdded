package emulator

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// maxBodyBytes bounds a request body: PutImage manifests are at most 4 MiB and
// UploadLayerPart blobs 20 MiB (base64: ~27 MiB).
const maxBodyBytes = 32 << 20

const contentTypeJSON = "application/x-amz-json-1.1"

// contentTypeHeader is shared by every response; net/http only reads it.
var contentTypeHeader = []string{contentTypeJSON}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	// Headers are assigned in canonical form directly (as Header.Set would
	// store them) to skip canonicalisation on this hot path.
	w.Header()["X-Amzn-Requestid"] = []string{newRequestID()}
	if strings.HasPrefix(r.URL.Path, RegistryPathPrefix) || r.URL.Path == "/v2" {
		e.serveRegistry(w, r)
		return
	}
	e.bodyDeadline(w, r)
	if r.Method != http.MethodPost && strings.HasPrefix(r.URL.Path, LayerPathPrefix) {
		e.serveLayer(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		w.Header().Set("Content-Type", contentTypeJSON)
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"__type":"UnknownOperationException","message":"Not Found"}`))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	opName, ok := strings.CutPrefix(target, TargetPrefix)
	op, known := operations[opName]
	if !ok || !known {
		writeError(w, &APIError{Type: "UnknownOperationException", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Unknown operation %s", target)})
		return
	}
	body, err := e.readBody(w, r, maxBodyBytes)
	if err != nil {
		writeError(w, bodyAPIError(err))
		return
	}
	// op.name, not opName: the call log keeps req.op, and opName would keep
	// the request's X-Amz-Target header alive with it.
	req := &request{ctx: r.Context(), op: op.name, body: body, e: e, account: e.account, region: e.region,
		host: r.Host, tls: r.TLS != nil}
	if apiErr := e.authenticate(r, body, req); apiErr != nil {
		e.extra.record(r, req, apiErr)
		writeError(w, apiErr)
		return
	}
	done, after := e.extra.intercept(w, r, req)
	if done {
		return
	}
	out, err := e.dispatch(op, req)
	if after != nil {
		// The operation has run (and changed the state); its answer is lost.
		e.extra.strike(w, r, req, after)
		return
	}
	e.extra.record(r, req, err)
	if err != nil {
		writeError(w, toAPIError(err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// dispatch decodes-validates-runs one operation under the state lock, and
// persists the state after a successful write before it returns.
func (e *Emulator) dispatch(op operation, req *request) (out any, err error) {
	if len(bytes.TrimSpace(req.body)) == 0 {
		req.body = []byte("{}")
	}
	if !json.Valid(req.body) {
		return nil, errSerialization("Unable to parse request body: invalid JSON")
	}
	if t := bytes.TrimSpace(req.body); t[0] != '{' {
		return nil, errSerialization("Start of structure or map expected")
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, &APIError{Type: "ServerException", Status: http.StatusInternalServerError,
				Message: fmt.Sprintf("internal error in %s: %v", op.name, p)}
		}
	}()
	if op.readOnly {
		if e.replicationDue() {
			e.runReplications()
		}
		e.mu.RLock()
		defer e.mu.RUnlock()
		return op.fn(req, e.st.registry(req.account, req.region, false))
	}
	out, c, err := e.write(op, req)
	if c != nil {
		if perr := e.finishCommit(c); perr != nil {
			return nil, errPersist(perr)
		}
	}
	if err == nil || req.keepOnError {
		for _, f := range req.afterWrite {
			f()
		}
	}
	return out, err
}

// write runs a mutating operation under the write lock. When the write
// must be persisted (or leaves blobs to reclaim) it returns the commit and
// holds e.persistMu, which finishCommit releases once the commit is
// persisted: taken before e.mu is released, it hands the commits over in
// the order of the writes, while the slow part (a file write and fsync)
// no longer keeps every other request waiting for e.mu.
func (e *Emulator) write(op operation, req *request) (out any, c *commit, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.touched = map[string]map[string]struct{}{}
	replicated := e.replicateDue() // before the operation, as if done when due
	out, err = op.fn(req, e.st.registry(req.account, req.region, true))
	touched := e.touched
	e.touched = nil
	if err != nil && !req.keepOnError && replicated == 0 {
		return out, nil, err
	}
	c, cerr := e.prepareCommit(touched, true)
	if cerr != nil {
		return nil, nil, errPersist(cerr)
	}
	if c != nil {
		e.persistMu.Lock()
	}
	return out, c, err
}

func errPersist(err error) *APIError {
	return &APIError{Type: "ServerException", Status: http.StatusInternalServerError,
		Message: "could not persist state: " + err.Error()}
}

// decode unmarshals the request body into v; a type mismatch is a
// SerializationException, as in AWS's awsJson services.
func (r *request) decode(v any) error {
	if err := json.Unmarshal(r.body, v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return errSerialization(fmt.Sprintf("Unexpected value type at '%s'", ute.Field))
		}
		return errSerialization(err.Error())
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &APIError{Type: "ServerException", Status: 500, Message: "could not encode response"})
		return
	}
	h := w.Header()
	h["Content-Type"] = contentTypeHeader
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *APIError) {
	body := map[string]any{"__type": e.Type, "message": e.Message}
	for k, v := range e.Extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status())
	_, _ = w.Write(b)
}

// bodyAPIError is the ECR API's answer to a body that could not be read.
func bodyAPIError(err error) *APIError {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return &APIError{Type: "SerializationException", Status: http.StatusRequestEntityTooLarge,
			Message: "Request body too large"}
	case errors.Is(err, ErrBodyBusy):
		// Assumption: as ECR answers a caller over its request rate.
		return &APIError{Type: "ThrottlingException", Status: http.StatusBadRequest, Message: "Rate exceeded"}
	default:
		return errSerialization("could not read request body")
	}
}

// newRequestID returns a random UUID-shaped request id. It needs to be
// unique, not unpredictable: math/rand/v2 avoids crypto/rand's syscall on
// every request. It is built in one buffer: one allocation.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var id [36]byte
	hex.Encode(id[0:8], b[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], b[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], b[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], b[8:10])
	id[23] = '-'
	hex.Encode(id[24:36], b[10:16])
	return string(id[:])
}
