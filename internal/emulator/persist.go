package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Snapshot returns the whole state as JSON: the format WithPersist
// receives and Restore and WithState accept.
func (e *Emulator) Snapshot() ([]byte, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return json.Marshal(e.st)
}

// Restore replaces the state with a snapshot. Faults and the call log are
// kept. With a Store attached, the new state is persisted before Restore
// returns; blobs the old state alone referenced are deleted.
func (e *Emulator) Restore(snapshot []byte) error {
	st, err := decodeState(snapshot)
	if err != nil {
		return err
	}
	return e.mutateAll(func(cur *state) { *cur = *st }, false) // as before stores: no WithPersist call
}

// WithState starts the emulator from a snapshot. It panics if the snapshot
// is not one; use Restore to handle that error.
func WithState(snapshot []byte) Option {
	st, err := decodeState(snapshot)
	if err != nil {
		panic(err)
	}
	return func(e *Emulator) { e.st = st }
}

// resetState drops all state and every blob, and persists the empty state,
// so that a standalone server's reset survives a restart.
func (e *Emulator) resetState() error {
	if err := e.mutateAll(func(st *state) { *st = *newState() }, e.persist != nil); err != nil {
		return err
	}
	return e.blobs.Clear()
}

// mutate changes the state outside an ECR operation (control API, lifecycle
// runs) and persists it as Emulator.write does for operations.
func (e *Emulator) mutate(fn func(st *state)) error {
	return e.mutateAll(fn, e.persist != nil)
}

// mutateAll is mutate, which compares the whole state with the saved view
// (it does not know what fn touches); snap says whether a WithPersist
// callback gets the snapshot.
func (e *Emulator) mutateAll(fn func(st *state), snap bool) error {
	e.mu.Lock()
	fn(e.st)
	e.replDue.Store(1) // the queue may have changed: look

	c, err := e.prepareCommit(nil, snap)
	if err != nil || c == nil {
		e.mu.Unlock()
		return err
	}
	e.persistMu.Lock() // as in Emulator.write
	e.mu.Unlock()
	return e.finishCommit(c)
}

// resetSaved rebuilds the saved view and the blob references from the
// state (at New: the state of WithState, never stored).
func (e *Emulator) resetSaved() {
	e.saved = newSaved()
	var reclaim []string
	_ = e.diff(nil, nil, &reclaim) // only headers are marshalled: state types always marshal
}

// decodeState parses a snapshot. Each registry is decoded over a fresh one,
// so maps a snapshot leaves out are empty rather than nil.
func decodeState(snapshot []byte) (*state, error) {
	var raw struct {
		Registries map[string]json.RawMessage `json:"registries"`
		Seq        int64                      `json:"seq"`
	}
	if err := json.Unmarshal(snapshot, &raw); err != nil {
		return nil, fmt.Errorf("emulator: invalid state snapshot: %w", err)
	}
	st := newState()
	st.Seq = raw.Seq
	for k, msg := range raw.Registries {
		account, region, ok := strings.Cut(k, "/")
		if !ok {
			return nil, fmt.Errorf("emulator: invalid state snapshot: registry key %q is not account/region", k)
		}
		reg := newRegistry(account, region)
		if err := json.Unmarshal(msg, reg); err != nil {
			return nil, fmt.Errorf("emulator: invalid state snapshot: registry %s: %w", k, err)
		}
		fillRegistry(reg, account, region)
		st.Registries[k] = reg
	}
	return st, nil
}

// fillRegistry replaces maps that a snapshot set to null with empty ones
// and derives what images record but a snapshot leaves out (references).
func fillRegistry(reg *Registry, account, region string) {
	fresh := newRegistry(account, region)
	if reg.Repositories == nil {
		reg.Repositories = fresh.Repositories
	}
	if reg.PullThroughRules == nil {
		reg.PullThroughRules = fresh.PullThroughRules
	}
	if reg.Templates == nil {
		reg.Templates = fresh.Templates
	}
	if reg.AccountSettings == nil {
		reg.AccountSettings = fresh.AccountSettings
	}
	if reg.Exclusions == nil {
		reg.Exclusions = fresh.Exclusions
	}
	for name, repo := range reg.Repositories {
		if repo == nil {
			delete(reg.Repositories, name)
			continue
		}
		d := &repo.Data
		if d.Images == nil {
			d.Images = map[string]*Image{}
		}
		for _, img := range d.Images {
			if img != nil && img.refs == nil { // loadStore parsed them already
				img.refs = parseImageRefs(img)
			}
		}
		if d.TagIndex == nil {
			d.TagIndex = map[string]string{}
		}
		if d.Layers == nil {
			d.Layers = map[string]*Layer{}
		}
		if d.Uploads == nil {
			d.Uploads = map[string]*Upload{}
		}
	}
}
