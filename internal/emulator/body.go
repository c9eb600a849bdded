package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"golang.org/x/sync/semaphore"
)

// Request bodies are read under these bounds, so that a client cannot make
// the emulator hold memory it never sends, or hold it for long:
//
//   - a size cap per request (the handler's limit): a larger declared
//     Content-Length is refused before any byte is read, and a body
//     without one is cut at the cap;
//   - memory grows with the bytes that arrive, never with the declared
//     length: the body is read in chunks of bodyChunk bytes, joined at EOF;
//   - a read deadline (bodyReadTimeout) for the whole body, set on the
//     connection through http.ResponseController, so that it holds under
//     any http.Server (the standalone binary, httptest, a caller's own);
//   - a budget of body bytes in flight across all requests
//     (bodyBudgetBytes): every chunk (and the joined body) is reserved in it
//     before it is allocated, and the reservation is released once the
//     body is read. A read that finds
//     the budget spent waits for it up to bodyBudgetWait, then fails with
//     ErrBodyBusy (the ECR API answers ThrottlingException, which every SDK
//     retries). The budget counts bytes received, not bytes declared, so
//     clients that declare large bodies and stall do not starve the others.
//
// Every handler with a body calls Emulator.bodyDeadline first and reads the
// body with Emulator.readBody (the ECR JSON API, the control API, and so
// should the registry's uploads).
const (
	bodyReadTimeout = 60 * time.Second
	bodyBudgetBytes = 128 << 20
	bodyBudgetWait  = 30 * time.Second
	bodyChunk       = 256 << 10
)

var (
	// ErrBodyTooLarge: the body is larger than the handler's limit.
	ErrBodyTooLarge = errors.New("request body too large")
	// ErrBodyBusy: the in-flight body budget stayed spent for bodyBudgetWait.
	ErrBodyBusy = errors.New("too many request bytes in flight")
)

// bodyBudget is the budget of request body bytes being read at once,
// shared by every request of an Emulator.
type bodyBudget struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration
	// readTimeout bounds the read of one body (bodyReadTimeout).
	readTimeout time.Duration
}

func newBodyBudget(size int64, wait time.Duration) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(size), size: size, wait: wait, readTimeout: bodyReadTimeout}
}

// reserve takes n bytes of the budget, waiting up to b.wait.
func (b *bodyBudget) reserve(ctx context.Context, n int64) error {
	if n > b.size {
		return ErrBodyBusy
	}
	if b.sem.TryAcquire(n) { // the usual case: no timer, no allocation
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(ctx, n); err != nil {
		return ErrBodyBusy
	}
	return nil
}

// readBody reads the whole body of r, at most limit bytes, under the
// bounds above; the handler has called bodyDeadline. Its errors are ErrBodyTooLarge, ErrBodyBusy or the read's
// (a timeout, a closed connection).
func (e *Emulator) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, ErrBodyTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return []byte{}, nil
	}
	rc := http.NewResponseController(w) // the deadline is bodyDeadline's
	var reserved int64
	defer func() { e.bodies.sem.Release(reserved) }()
	body, err := readAtMost(r.Body, r.ContentLength, limit, func(n int64) error {
		if err := e.bodies.reserve(r.Context(), n); err != nil {
			return err
		}
		reserved += n
		return nil
	})
	if err != nil {
		// Whatever is left of the body is not waited for: net/http, which
		// reads it before answering, fails at once and closes the connection.
		_ = rc.SetReadDeadline(time.Now())
		return nil, err
	}
	// Read: the rest of the request's life (a hang or latency fault, a slow
	// answer) is not bounded by the body's deadline.
	_ = rc.SetReadDeadline(time.Time{})
	return body, nil
}

// bodyDeadline starts the read deadline of r's body, if it has one. Handlers call it first thing: a
// body the handler does not read (an error answered early) must still
// arrive within the deadline, for net/http reads what is left of it before
// it answers; readBody clears it once the body is read.
func (e *Emulator) bodyDeadline(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		// Fails only without a net.Conn (httptest.ResponseRecorder).
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(e.bodies.readTimeout))
	}
}

// readAtMost reads src to EOF in chunks of at most bodyChunk bytes, each
// allocated once the previous one is full, and joins them at the end: the
// memory held follows the bytes received, and the declared length (hint)
// only makes the last chunk fit. grow is called with the size of every
// allocation before it is made.
func readAtMost(src io.Reader, hint, limit int64, grow func(n int64) error) ([]byte, error) {
	ceiling := limit + 1 // +1: room to read EOF (or one byte too many)
	if hint >= 0 && hint < limit {
		ceiling = hint + 1
	}
	var chunks [][]byte
	var total int64
	for {
		size := min(bodyChunk, ceiling-total)
		if size <= 0 { // more than the declared length arrived
			ceiling = limit + 1
			size = min(bodyChunk, ceiling-total)
		}
		if err := grow(size); err != nil {
			return nil, err
		}
		c := make([]byte, size)
		n, err := fill(src, c)
		chunks = append(chunks, c[:n])
		total += int64(n)
		if total > limit {
			return nil, ErrBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err // net/http: io.ErrUnexpectedEOF when the client stops short
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	if err := grow(total); err != nil {
		return nil, err
	}
	body := make([]byte, 0, total)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return body, nil
}

// fill reads into c until it is full or src fails; unlike io.ReadFull it
// keeps io.EOF (the end of the body) apart from other errors.
func fill(src io.Reader, c []byte) (int, error) {
	n := 0
	for n < len(c) {
		m, err := src.Read(c[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
