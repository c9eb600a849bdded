// Package emulator is an in-memory implementation of the Amazon ECR API
// (awsJson1_1 over HTTP) faithful enough for the AWS SDKs and the AWS CLI.
//
// It has no Terraform imports. One Emulator holds the state of every
// (account, region) pair it has been called for; the account comes from a
// 12-digit access key id (as moto does) or the configured default, and the
// region from the SigV4 credential scope.
package emulator

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// TargetPrefix is the X-Amz-Target prefix of every ECR operation.
const TargetPrefix = "AmazonEC2ContainerRegistry_V20150921."

// DefaultAccount is the account used when the access key id does not name one.
const DefaultAccount = "123456789012"

// DefaultRegion is used when a request carries no SigV4 credential scope.
const DefaultRegion = "us-east-1"

// Clock gives the emulator its notion of "now"; tests inject a fake one.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Option configures an Emulator.
type Option func(*Emulator)

// WithAccount sets the account used when the access key id is not 12 digits.
func WithAccount(account string) Option { return func(e *Emulator) { e.account = account } }

// WithRegion sets the region used when a request carries no SigV4
// credential scope (default DefaultRegion).
func WithRegion(region string) Option { return func(e *Emulator) { e.region = region } }

// WithClock injects the clock (default: wall clock).
func WithClock(c Clock) Option { return func(e *Emulator) { e.clock = c } }

// WithTransitionDelay sets how long asynchronous work (image scans, lifecycle
// policy previews, storage-class changes, backfills) stays in its
// in-progress state before it completes. Default 50ms; 0 completes at once.
func WithTransitionDelay(d time.Duration) Option {
	return func(e *Emulator) { e.transitionDelay = d }
}

// WithCredentials turns on SigV4 verification: only these access keys
// (access key id -> secret access key) are accepted.
func WithCredentials(creds map[string]string) Option {
	return func(e *Emulator) { e.credentials = creds }
}

// WithTokenKey sets the key that signs the registry passwords of
// authorization tokens (at least 32 bytes), so that tokens issued by an
// earlier process with the same key stay valid, as ECR's do for 12 hours
// (ecr-emulator keeps it in its -data-dir). Default: a random key drawn
// when the first token is issued, living as long as the process.
func WithTokenKey(key []byte) Option {
	return func(e *Emulator) {
		if len(key) >= 32 {
			e.tokenOnce.Do(func() { e.tokenKey = slices.Clone(key) })
		}
	}
}

// WithPersist makes the emulator call fn with a snapshot of its state after
// every successful mutating request, before the response is written.
func WithPersist(fn func(snapshot []byte) error) Option {
	return func(e *Emulator) { e.persist = fn }
}

// Emulator is an http.Handler serving the ECR API.
type Emulator struct {
	account         string
	region          string
	clock           Clock
	transitionDelay time.Duration
	credentials     map[string]string
	persist         func([]byte) error
	blobs           BlobStore
	bodies          *bodyBudget // request body bytes in flight (body.go)
	urlKey          []byte      // signs layer download URLs (blobs.go)

	mu sync.RWMutex // guards st
	// persistMu orders the persist calls; it is taken while mu is held
	// and released after persist returns (see Emulator.write).
	persistMu sync.Mutex
	st        *state
	// store keeps the state durably, record by record (AttachStore);
	// saved is what it holds, and the blob references (store.go).
	store   Store
	saved   *saved
	resync  atomic.Bool                    // a batch failed: rewrite the store
	touched map[string]map[string]struct{} // during a write: repositories reached
	// storeCheck, set by tests only (CheckStore), sees every batch under
	// the write lock.
	storeCheck func(*Batch)
	ids        idSource
	extra      extras // fault injection, call log, consistency lag (see faults.go)

	tokenOnce sync.Once
	tokenKey  []byte          // signs authorization tokens (auth.go)
	uploads   registryUploads // blob uploads of the registry protocol (registryv2_blobs.go)
	// replDue is when the first queued replication is due (UnixNano; 0:
	// none, 1: unknown, look), see replication.go.
	replDue atomic.Int64
	// upstreams maps pull-through cache upstream hosts to the addresses
	// fetched instead (WithUpstream).
	upstreams map[string]string
	// secrets are the values of pull-through cache credentials
	// (upstream_secret.go).
	secrets upstreamSecrets
}

// New returns an Emulator with empty state.
func New(opts ...Option) *Emulator {
	e := &Emulator{
		account:         DefaultAccount,
		region:          DefaultRegion,
		clock:           realClock{},
		transitionDelay: 50 * time.Millisecond,
		st:              newState(),
		blobs:           &memBlobs{},
		bodies:          newBodyBudget(bodyBudgetBytes, bodyBudgetWait),
		urlKey:          newURLKey(),
	}
	for _, o := range opts {
		o(e)
	}
	e.resetSaved()
	e.replDue.Store(1)
	e.extra.init(e)
	return e
}

// Account returns the default account id.
func (e *Emulator) Account() string { return e.account }

// Reset drops all state and the blobs (faults and the call log are kept),
// as POST /_emulator/reset does.
func (e *Emulator) Reset() { _ = e.resetState() }

func (e *Emulator) now() time.Time { return e.clock.Now().UTC() }

// request is what a handler gets: the caller's identity and the raw body.
type request struct {
	ctx     context.Context
	op      string
	account string // caller's account, from the access key or the default
	region  string
	body    []byte
	e       *Emulator
	host    string // the Host the request came to, for URLs that point back
	tls     bool
	// afterWrite runs once a successful write is persisted, outside the
	// state lock (e.g. dropping the parts of a completed upload).
	afterWrite []func()
	// keepOnError says that the operation changed the state before it
	// failed, and that the change stands: it is persisted, and afterWrite
	// runs, as for a success.
	keepOnError bool
}

// handlerFunc implements one operation. It runs with e.mu held (read lock
// for read-only operations, write lock otherwise) and gets the registry of
// the caller. It returns a value to be encoded as JSON, or an error; an error
// that is not an *APIError becomes a ServerException.
type handlerFunc func(r *request, reg *Registry) (any, error)

type operation struct {
	name     string
	readOnly bool
	fn       handlerFunc
}

var operations = map[string]operation{}

// register adds an operation; each entity file calls it from init.
func register(name string, readOnly bool, fn handlerFunc) {
	if _, dup := operations[name]; dup {
		panic("emulator: operation registered twice: " + name)
	}
	operations[name] = operation{name: name, readOnly: readOnly, fn: fn}
}

// Operations lists the names of every implemented operation.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for n := range operations {
		out = append(out, n)
	}
	return out
}

// ServeHTTP implements http.Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.serve(w, r)
}

// registryFor returns the registry of (account, region), creating it if
// needed. It is how work inside one write reaches other registries than the
// caller's (replication to other regions and accounts, deletions that
// replicate), so it must be called with e.mu held for writing; it panics
// when it can tell that the lock is not held (a best-effort check: a read
// lock with a writer waiting goes unnoticed).
func (e *Emulator) registryFor(account, region string) *Registry {
	if e.mu.TryRLock() {
		e.mu.RUnlock()
		panic("emulator: registryFor called without the write lock")
	}
	return e.st.registry(account, region, true)
}
