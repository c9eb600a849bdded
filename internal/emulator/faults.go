package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FaultAction is what an injected fault does to a matching request.
type FaultAction string

// The fault actions.
const (
	// ActionThrottle answers 400 ThrottlingException (retried by the SDKs).
	ActionThrottle FaultAction = "throttle"
	// ActionThrottle429 answers HTTP 429 with a ThrottleException body, the
	// variant the ECR user guide reports.
	ActionThrottle429 FaultAction = "throttle429"
	// ActionServerError answers 500 ServerException.
	ActionServerError FaultAction = "server-error"
	// ActionUnavailable answers 503 ServiceUnavailable.
	ActionUnavailable FaultAction = "unavailable"
	// ActionLatency delays the request by Fault.Latency, then lets it (and
	// any later matching rule) proceed.
	ActionLatency FaultAction = "latency"
	// ActionHang never answers: the request blocks until the client gives up
	// (its context is done).
	ActionHang FaultAction = "hang"
	// ActionDrop closes the connection without a response.
	ActionDrop FaultAction = "drop"
	// ActionError answers any error: Fault.ErrorType, Fault.Message and
	// Fault.Status (default 400).
	ActionError FaultAction = "error"
	// ActionLag is eventual consistency: after a write while the rule is
	// active, reads of the object see it as it was before the write, for
	// Fault.LagReads reads of that object or for Fault.LagFor, whichever
	// ends later: a created object stays invisible, a deleted one visible,
	// a changed one reads its old value. Op is not used; Kind selects the
	// objects: "repository" (CreateRepository, DeleteRepository; listings
	// include deleted repositories that are still visible),
	// "repository_policy" (SetRepositoryPolicy, DeleteRepositoryPolicy, read
	// by GetRepositoryPolicy), "lifecycle_policy" (PutLifecyclePolicy,
	// DeleteLifecyclePolicy, read by GetLifecyclePolicy and
	// StartLifecyclePolicyPreview), "registry_policy" (PutRegistryPolicy,
	// DeleteRegistryPolicy, read by GetRegistryPolicy), and the
	// registry-level kinds "replication_configuration"
	// (PutReplicationConfiguration, read by DescribeRegistry),
	// "scanning_configuration" (PutRegistryScanningConfiguration, read by
	// GetRegistryScanningConfiguration), "signing_configuration"
	// (PutSigningConfiguration, DeleteSigningConfiguration, read by
	// GetSigningConfiguration), "pull_through_cache_rule"
	// (Create/Update/DeletePullThroughCacheRule, read by
	// DescribePullThroughCacheRules), "repository_creation_template"
	// (Create/Update/DeleteRepositoryCreationTemplate, read by
	// DescribeRepositoryCreationTemplates), "account_setting"
	// (PutAccountSetting, read by GetAccountSetting) and
	// "pull_time_update_exclusion" (Register/
	// DeregisterPullTimeUpdateExclusion, read by
	// ListPullTimeUpdateExclusions); listings include deleted objects that
	// are still visible. Every operation finds a repository through the
	// lag; the other writes, including their existence checks, see the
	// current state, and so does what the registry does with a
	// configuration (replicating, scanning, applying templates).
	ActionLag FaultAction = "lag"
)

// Fault is one fault-injection rule. Rules are tried in the order they were
// added; latency rules add up, and the first other rule that fires decides
// the answer.
//
// A rule with After set strikes after the operation: the operation runs and
// changes the state as usual, then its answer is replaced by the rule's
// (the error of throttle, throttle429, server-error, unavailable or error,
// a dropped connection, or a hang). This is the "change made, answer lost"
// case: a retried CreateRepository then sees
// RepositoryAlreadyExistsException. After is not allowed with latency and
// lag.
//
// JSON form (control API), durations as Go duration strings:
//
//	{"op": "Describe*", "action": "throttle", "count": 2}
//	{"op": "*", "action": "latency", "latency": "200ms", "probability": 0.5}
//	{"op": "PutImage", "action": "error", "errorType": "LimitExceededException",
//	 "message": "quota", "status": 400, "account": "111122223333", "region": "eu-west-1"}
//	{"op": "CreateRepository", "action": "server-error", "after": true, "count": 1}
//	{"action": "lag", "kind": "repository", "lagReads": 2, "lagFor": "1s"}
type Fault struct {
	// ID is assigned by Faults.Add.
	ID string
	// Op is a path.Match glob over the operation name; empty means "*".
	Op string
	// Account and Region, when set, restrict the rule to that caller.
	Account, Region string
	// Probability that a matching call fires the rule; 0 means always.
	Probability float64
	// Count, when positive, limits the rule to the first Count calls that
	// fire it (for ActionLag: the first Count objects).
	Count int
	// Action is what happens.
	Action FaultAction
	// After makes a terminal action strike once the operation has run
	// (see above).
	After bool
	// Latency is the delay of ActionLatency.
	Latency time.Duration
	// ErrorType, Message and Status describe the answer of ActionError;
	// Extra adds members to its body, for the errors that have more than
	// a message (KmsException's kmsError, InvalidLayerPartException's
	// lastValidByteReceived, ...).
	ErrorType, Message string
	Status             int
	Extra              map[string]any
	// Kind, LagReads and LagFor configure ActionLag. Kind is a glob over
	// the object kind; empty means "*".
	Kind     string
	LagReads int
	LagFor   time.Duration
}

type faultJSON struct {
	ID          string         `json:"id,omitempty"`
	Op          string         `json:"op,omitempty"`
	Account     string         `json:"account,omitempty"`
	Region      string         `json:"region,omitempty"`
	Probability float64        `json:"probability,omitempty"`
	Count       int            `json:"count,omitempty"`
	Action      FaultAction    `json:"action"`
	After       bool           `json:"after,omitempty"`
	Latency     string         `json:"latency,omitempty"`
	ErrorType   string         `json:"errorType,omitempty"`
	Message     string         `json:"message,omitempty"`
	Status      int            `json:"status,omitempty"`
	Extra       map[string]any `json:"extra,omitempty"`
	Kind        string         `json:"kind,omitempty"`
	LagReads    int            `json:"lagReads,omitempty"`
	LagFor      string         `json:"lagFor,omitempty"`
}

func durString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDur(member, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", member, err)
	}
	return d, nil
}

// MarshalJSON implements json.Marshaler (durations as strings).
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{ID: f.ID, Op: f.Op, Account: f.Account, Region: f.Region,
		Probability: f.Probability, Count: f.Count, Action: f.Action, After: f.After, Latency: durString(f.Latency),
		ErrorType: f.ErrorType, Message: f.Message, Status: f.Status, Extra: f.Extra, Kind: f.Kind,
		LagReads: f.LagReads, LagFor: durString(f.LagFor)})
}

// UnmarshalJSON implements json.Unmarshaler.
// A member the rule does not know is an error that names it: a misspelt
// member ("probability" without its second i) would otherwise be dropped
// and the rule fire on every call.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	lat, err := parseDur("latency", j.Latency)
	if err != nil {
		return err
	}
	lag, err := parseDur("lagFor", j.LagFor)
	if err != nil {
		return err
	}
	*f = Fault{ID: j.ID, Op: j.Op, Account: j.Account, Region: j.Region, Probability: j.Probability,
		Count: j.Count, Action: j.Action, After: j.After, Latency: lat, ErrorType: j.ErrorType, Message: j.Message,
		Status: j.Status, Extra: j.Extra, Kind: j.Kind, LagReads: j.LagReads, LagFor: lag}
	return nil
}

// validate checks a rule before it is installed.
func (f *Fault) validate() error {
	if _, err := path.Match(f.Op, ""); err != nil {
		return fmt.Errorf("op %q: %w", f.Op, err)
	}
	if _, err := path.Match(f.Kind, ""); err != nil {
		return fmt.Errorf("kind %q: %w", f.Kind, err)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("probability %v not in [0, 1]", f.Probability)
	}
	if f.Count < 0 {
		return fmt.Errorf("count %d is negative", f.Count)
	}
	switch f.Action {
	case ActionThrottle, ActionThrottle429, ActionServerError, ActionUnavailable, ActionHang, ActionDrop:
	case ActionLatency:
		if f.Latency <= 0 {
			return fmt.Errorf("action %s needs a positive latency", f.Action)
		}
	case ActionError:
		if f.ErrorType == "" {
			return fmt.Errorf("action %s needs errorType", f.Action)
		}
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			return fmt.Errorf("status %d is not an error status", f.Status)
		}
		for k := range f.Extra {
			if k == "__type" || k == "message" {
				return fmt.Errorf("extra member %q: set errorType and message instead", k)
			}
		}
	case ActionLag:
		if f.LagReads <= 0 && f.LagFor <= 0 {
			return fmt.Errorf("action %s needs lagReads or lagFor", f.Action)
		}
	default:
		return fmt.Errorf("unknown action %q", f.Action)
	}
	if len(f.Extra) > 0 && f.Action != ActionError {
		return fmt.Errorf("extra members are for action %s only", ActionError)
	}
	if f.After && (f.Action == ActionLatency || f.Action == ActionLag) {
		return fmt.Errorf("action %s cannot strike after the operation", f.Action)
	}
	return nil
}

func (f *Fault) matchesCaller(account, region string) bool {
	return (f.Account == "" || f.Account == account) && (f.Region == "" || f.Region == region)
}

func globMatch(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// answer is the error a terminal action writes.
func (f *Fault) answer() *APIError {
	switch f.Action {
	case ActionThrottle:
		return &APIError{Type: "ThrottlingException", Status: http.StatusBadRequest, Message: "Rate exceeded"}
	case ActionThrottle429:
		// Assumption: the 429 variant carries a ThrottleException JSON body
		// (the ECR user guide names both, not the body).
		return &APIError{Type: "ThrottleException", Status: http.StatusTooManyRequests, Message: "Too Many Requests"}
	case ActionServerError:
		return &APIError{Type: "ServerException", Status: http.StatusInternalServerError, Message: "Internal server error (injected)"}
	case ActionUnavailable:
		return &APIError{Type: "ServiceUnavailable", Status: http.StatusServiceUnavailable, Message: "Service Unavailable"}
	case ActionError:
		return &APIError{Type: f.ErrorType, Status: f.Status, Message: f.Message, Extra: maps.Clone(f.Extra)}
	}
	return nil
}

// faultRule is an installed rule and its firing count.
type faultRule struct {
	Fault
	fired int
}

// fire decides whether a matching call triggers the rule (x.mu held).
func (x *extras) fire(fr *faultRule) bool {
	if fr.Count > 0 && fr.fired >= fr.Count {
		return false
	}
	if fr.Probability > 0 && fr.Probability < 1 && x.rng.Float64() >= fr.Probability {
		return false
	}
	fr.fired++
	return true
}

// Call is one entry of the call log.
type Call struct {
	Op      string `json:"op"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// ErrorCode is the error type answered ("" for success).
	ErrorCode string `json:"errorCode,omitempty"`
	// Fault is the id of the fault that decided the answer, if any.
	Fault string `json:"fault,omitempty"`
	// Attempt is the attempt number from the amz-sdk-request header (0 if absent).
	Attempt int       `json:"attempt"`
	Time    time.Time `json:"time"`
}

// maxCalls bounds the call log of a long-running emulator; the oldest
// entries are dropped first. CallCounts is not bounded.
const maxCalls = 100000

// lagKey names one object of one registry.
type lagKey struct{ account, region, kind, key string }

// lagEntry is a write that reads do not see yet: until the lag ends, a read
// of the object sees it as it was before the write (prev, or absent when
// !existed). A creation is therefore invisible, a deletion still visible
// and a change still reads the old value.
type lagEntry struct {
	readsLeft int
	until     time.Time
	prev      any
	existed   bool
}

func (l *lagEntry) active(now time.Time) bool {
	return l.readsLeft > 0 || now.Before(l.until)
}

// extras holds fault injection, the call log and the consistency lag. It
// has its own lock: intercept and record run outside e.mu, written under
// the write lock, staleRead under the read lock. Lock order is e.mu before
// x.mu.
//
// nrules and nlag mirror len(rules) and len(lag); they are written under
// x.mu and read without it, so that requests pay no lock when there are no
// rules and nothing lags. A reader that sees a stale count is ordered by
// e.mu (lag) or races with the Add call anyway (rules).
type extras struct {
	e      *Emulator
	seed   uint64
	mu     sync.Mutex
	rng    *rand.Rand
	rules  []*faultRule
	nextID int
	calls  callLog
	counts map[string]int
	lag    map[lagKey]*lagEntry
	// stale counts the reads answered from the lag, per kind: [0] saw an
	// object absent that exists (a new one), [1] saw an old version of
	// one (deleted or changed).
	stale  map[string]*[2]int
	nrules atomic.Int64
	nlag   atomic.Int64
}

func (x *extras) init(e *Emulator) {
	x.e = e
	x.rng = rand.New(rand.NewPCG(x.seed, x.seed))
	x.counts = map[string]int{}
	x.lag = map[lagKey]*lagEntry{}
	x.stale = map[string]*[2]int{}
}

// rulesChanged and lagChanged refresh the lock-free counts (x.mu held).
func (x *extras) rulesChanged() { x.nrules.Store(int64(len(x.rules))) }
func (x *extras) lagChanged()   { x.nlag.Store(int64(len(x.lag))) }

// WithFaultSeed seeds the random source of probabilistic faults (default
// 0), so that a test sees the same sequence on every run.
func WithFaultSeed(seed uint64) Option { return func(e *Emulator) { e.extra.seed = seed } }

// Faults is the fault-injection API of an Emulator.
type Faults struct{ x *extras }

// Faults returns the emulator's fault-injection rules.
func (e *Emulator) Faults() *Faults { return &Faults{x: &e.extra} }

// Add installs a rule and returns its id.
func (f *Faults) Add(rule Fault) (string, error) {
	if err := rule.validate(); err != nil {
		return "", fmt.Errorf("invalid fault: %w", err)
	}
	x := f.x
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nextID++
	rule.ID = "f" + strconv.Itoa(x.nextID)
	x.rules = append(x.rules, &faultRule{Fault: rule})
	x.rulesChanged()
	return rule.ID, nil
}

// StaleReads returns how many reads of a kind of object ("repository",
// "repository_policy", ...) the consistency lag has answered so far:
// hidden saw no object where one had been created, old saw the object as it
// was before a change or deletion. One DescribeRepositories call naming
// several repositories makes one read per repository.
func (f *Faults) StaleReads(kind string) (hidden, old int) {
	f.x.mu.Lock()
	defer f.x.mu.Unlock()
	if n := f.x.stale[kind]; n != nil {
		return n[0], n[1]
	}
	return 0, 0
}

// MustAdd is Add for tests: it panics on an invalid rule.
func (f *Faults) MustAdd(rule Fault) string {
	id, err := f.Add(rule)
	if err != nil {
		panic(err)
	}
	return id
}

// Remove uninstalls a rule; it reports whether the id was installed.
// Consistency lag already applied to objects stays until it ends.
func (f *Faults) Remove(id string) bool {
	x := f.x
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, r := range x.rules {
		if r.ID == id {
			x.rules = append(x.rules[:i:i], x.rules[i+1:]...)
			x.rulesChanged()
			return true
		}
	}
	return false
}

// Clear uninstalls every rule and ends all pending consistency lag.
func (f *Faults) Clear() {
	x := f.x
	x.mu.Lock()
	defer x.mu.Unlock()
	x.rules = nil
	clear(x.lag)
	x.rulesChanged()
	x.lagChanged()
}

// List returns the installed rules.
func (f *Faults) List() []Fault {
	x := f.x
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]Fault, len(x.rules))
	for i, r := range x.rules {
		out[i] = r.Fault
	}
	return out
}

// Seed restarts the random source of probabilistic faults.
func (f *Faults) Seed(seed uint64) {
	f.x.mu.Lock()
	defer f.x.mu.Unlock()
	f.x.rng = rand.New(rand.NewPCG(seed, seed))
}

// Calls returns a copy of the call log, oldest first.
func (e *Emulator) Calls() []Call {
	x := &e.extra
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.calls.all()
}

// CallCounts returns the number of calls per operation.
func (e *Emulator) CallCounts() map[string]int {
	x := &e.extra
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make(map[string]int, len(x.counts))
	for k, v := range x.counts {
		out[k] = v
	}
	return out
}

// ResetCalls empties the call log and the counts.
func (e *Emulator) ResetCalls() {
	x := &e.extra
	x.mu.Lock()
	defer x.mu.Unlock()
	x.calls.reset()
	clear(x.counts)
}

// attemptOf reads "attempt=N" from the amz-sdk-request header.
func attemptOf(r *http.Request) int {
	rest := r.Header.Get("amz-sdk-request")
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ";")
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// intercept applies injected faults before the operation runs; done means
// the request is finished (answered, dropped, or abandoned by the client).
// after is a rule with After set that fired: the caller runs the operation,
// then hands the rule to strike instead of writing the result.
func (x *extras) intercept(w http.ResponseWriter, r *http.Request, req *request) (done bool, after *Fault) {
	if x.nrules.Load() == 0 {
		return false, nil
	}
	var delay time.Duration
	var terminal *Fault
	x.mu.Lock()
	for _, fr := range x.rules {
		if fr.Action == ActionLag || !globMatch(fr.Op, req.op) || !fr.matchesCaller(req.account, req.region) {
			continue
		}
		if !x.fire(fr) {
			continue
		}
		if fr.Action == ActionLatency {
			delay += fr.Latency
			continue
		}
		rule := fr.Fault
		terminal = &rule
		break
	}
	x.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			x.log(r, req, "RequestCanceled", "")
			return true, nil
		}
	}
	if terminal == nil {
		return false, nil
	}
	if terminal.After {
		return false, terminal
	}
	x.strike(w, r, req, terminal)
	return true, nil
}

// strike carries out a terminal rule's action on the request and logs it.
func (x *extras) strike(w http.ResponseWriter, r *http.Request, req *request, rule *Fault) {
	switch rule.Action {
	case ActionHang:
		<-r.Context().Done()
		x.log(r, req, "RequestCanceled", rule.ID)
	case ActionDrop:
		x.log(r, req, "ConnectionDropped", rule.ID)
		hj, ok := w.(http.Hijacker)
		if !ok {
			// Not hijackable (e.g. a ResponseRecorder, HTTP/2): abort the
			// response, which net/http turns into a reset stream.
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	default:
		ae := rule.answer()
		x.log(r, req, ae.Type, rule.ID)
		writeError(w, ae)
	}
}

// record appends the call to the call log.
func (x *extras) record(r *http.Request, req *request, err error) {
	code := ""
	if err != nil {
		code = toAPIError(err).Type
	}
	x.log(r, req, code, "")
}

func (x *extras) log(r *http.Request, req *request, code, faultID string) {
	c := Call{Op: req.op, Account: req.account, Region: req.region, ErrorCode: code, Fault: faultID,
		Attempt: attemptOf(r), Time: x.e.now()}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.calls.add(c)
	x.counts[req.op]++
}

// lagFor returns the lag to apply to a new or deleted object, if a lag rule
// fires for it (x.mu held).
func (x *extras) lagFor(kind string, reg *Registry) *lagEntry {
	for _, fr := range x.rules {
		if fr.Action != ActionLag || !globMatch(fr.Kind, kind) || !fr.matchesCaller(reg.Account, reg.Region) {
			continue
		}
		if x.fire(fr) {
			l := &lagEntry{readsLeft: fr.LagReads}
			if fr.LagFor > 0 {
				l.until = x.e.now().Add(fr.LagFor)
			}
			return l
		}
	}
	return nil
}

// repositoryScoped are the kinds of objects that live in a repository and
// are keyed by its name: a new repository of the same name drops their lag.
var repositoryScoped = []string{kindRepositoryPolicy, kindLifecyclePolicy}

// written notes a write to an object (creation, change or deletion); prev
// and existed describe the object before the write. If a lag rule fires,
// reads keep seeing prev until the lag ends. A write ends any lag still
// pending for the same object and starts its own; while reads still saw
// the object as it was before an earlier write, they go on seeing it so
// (writing the same thing again does not make a write visible sooner).
// A write no lag rule fires for is visible at once.
func (x *extras) written(kind string, reg *Registry, key string, prev any, existed bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	defer x.lagChanged()
	k := lagKey{reg.Account, reg.Region, kind, key}
	seen, seenExisted := prev, existed // what reads see until the lag ends
	if pending, ok := x.lag[k]; ok && pending.active(x.e.now()) {
		seen, seenExisted = pending.prev, pending.existed
	}
	delete(x.lag, k)
	if kind == kindRepository && !existed {
		// A new repository has none of the content of an earlier one.
		for _, sub := range repositoryScoped {
			delete(x.lag, lagKey{reg.Account, reg.Region, sub, key})
		}
	}
	if len(x.rules) == 0 {
		return
	}
	if l := x.lagFor(kind, reg); l != nil {
		l.prev, l.existed = seen, seenExisted
		x.lag[k] = l
	}
}

// staleRead reports whether a write to the object still lags and, if so,
// what the read sees: the object before that write (prev, existed). The
// read counts towards the lag.
func (x *extras) staleRead(kind string, reg *Registry, key string) (prev any, existed, lagging bool) {
	if x.nlag.Load() == 0 {
		return nil, false, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	k := lagKey{reg.Account, reg.Region, kind, key}
	l, ok := x.lag[k]
	if !ok {
		return nil, false, false
	}
	if !l.active(x.e.now()) {
		delete(x.lag, k)
		x.lagChanged()
		return nil, false, false
	}
	l.readsLeft--
	n := x.stale[kind]
	if n == nil {
		n = new([2]int)
		x.stale[kind] = n
	}
	if l.existed {
		n[1]++
	} else {
		n[0]++
	}
	return l.prev, l.existed, true
}

// laggingKeys returns the keys of the objects of a kind whose last write
// still lags, so that listings can visit objects that are gone but still
// visible. It does not count as a read.
func (x *extras) laggingKeys(kind string, reg *Registry) []string {
	if x.nlag.Load() == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	now := x.e.now()
	var out []string
	for k, l := range x.lag {
		if k.kind == kind && k.account == reg.Account && k.region == reg.Region && l.active(now) {
			out = append(out, k.key)
		}
	}
	return out
}
