package emulator

import (
	"bytes"
	"encoding/json"
	"maps"
	"sync"
	"testing"
)

// memStore is a Store in a map, for tests.
type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Load(fn func([]Record) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(recordsOf(s.m))
}

func (s *memStore) Apply(b *Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	applyBatch(s.m, b)
	return nil
}

// Get makes loads leave manifests in the store, as BoltStore does.
func (s *memStore) Get(key string, fn func(v []byte) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn(s.m[key])
}

func (s *memStore) Close() error { return nil }

func recordsOf(m map[string][]byte) []Record {
	out := make([]Record, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, Record{Key: k, Value: m[k]})
	}
	return out
}

func applyBatch(m map[string][]byte, b *Batch) {
	if b.Reset {
		clear(m)
	}
	for _, r := range b.Records {
		if r.Value == nil {
			delete(m, r.Key)
		} else {
			m[r.Key] = bytes.Clone(r.Value)
		}
	}
}

// CheckStore attaches a Store in memory to e and checks, at every write,
// that the state rebuilt from the records is the state: a write that
// changes what the saved view does not compare (a repository reached
// without lookupRepository, an image changed in place behind a pointer)
// fails the test. newClient turns it on for the emulator's tests.
func CheckStore(t testing.TB, e *Emulator) {
	t.Helper()
	s := newMemStore()
	if _, err := e.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	shadow := maps.Clone(s.m)
	e.storeCheck = func(b *Batch) {
		applyBatch(shadow, b)
		st, sv, _, err := loadStore(&memStore{m: shadow})
		if err != nil {
			t.Errorf("store check: %v", err)
			return
		}
		// The saved view a start builds is the one the writes keep: a
		// diff of the loaded state against it has nothing to write, and
		// it counts the same blob references.
		loaded := &Emulator{st: st, saved: sv}
		var again Batch
		var reclaim []string
		if err := loaded.diff(map[string]map[string]struct{}{}, nil, &reclaim); err != nil {
			t.Errorf("store check: %v", err)
		}
		if err := loaded.diff(nil, &again, &reclaim); err != nil || len(again.Records) > 0 || len(reclaim) > 0 {
			t.Errorf("store check: the loaded saved view differs from the state: %d records, %v reclaimed, %v", len(again.Records), reclaim, err)
		}
		if !maps.Equal(sv.refs, e.saved.refs) {
			t.Errorf("store check: loaded blob references %v, want %v", sv.refs, e.saved.refs)
		}
		got, _ := json.Marshal(st)
		want, _ := json.Marshal(e.st)
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			lo := max(i-200, 0)
			t.Errorf("store check: the records differ from the state at byte %d:\nrecords: %s\nstate:   %s",
				i, got[lo:min(i+200, len(got))], want[lo:min(i+200, len(want))])
		}
	}
}
