package emulator

// Durable state by records. A Store keeps the state as one record per
// registry, repository, image, tag, layer and upload, and each write hands
// it only the records the write changed, so that the cost of a write no
// longer grows with the size of the state (it used to rewrite all of it).
//
// What changed is found without the handlers' help: during a write every
// repository the handler looks up is noted (lookupRepository and
// storeRepository are the only ways to a repository), and those
// repositories, the registries' own settings and the id counter are
// compared with what was last saved (the saved view below). Images are
// compared as values, so a write costs one comparison per image of the
// repositories it touches and one record per image it changed.
//
// The saved view also counts, for every blob digest, the layer records and
// image manifests that reference it, so that the content of a blob nothing
// references any more is deleted from the BlobStore once the write that
// dropped the last reference is durable.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Store keeps the emulator's state as records (see AttachStore).
// OpenBoltStore returns the one cmd/ecr-emulator uses.
type Store interface {
	// Load calls fn once with every record; the records are valid only
	// until fn returns.
	Load(fn func(records []Record) error) error
	// Apply applies a batch atomically and durably: when it returns nil the
	// batch survives a crash, and after a crash either all of it or none
	// of it is there.
	Apply(b *Batch) error
	// Close releases the store.
	Close() error
}

// Record is one stored record; a nil Value in a Batch deletes the key.
type Record struct {
	Key   string
	Value []byte
}

// Batch is what one write changes.
type Batch struct {
	// Reset drops every record before Records are applied.
	Reset   bool
	Records []Record
}

// storeFormat is the version of the record layout, kept in the meta record.
// Format 2 encodes images in binary (store_image.go); format 1 stores,
// whose images are JSON, are read and rewritten as format 2 by their
// writes.
const storeFormat = 2

// Record keys. Names, tags, digests and ids never contain a NUL byte.
const (
	keyMeta     = "meta"
	prefixReg   = "g\x00" // + account/region: the registry without its repositories
	prefixRepo  = "r\x00" // + account/region \x00 name \x00 kind [\x00 id]
	kindHeader  = "h"     // the repository without its images, tags, layers, uploads, preview
	kindPreview = "p"     // its lifecycle policy preview
	kindImage   = "i"     // + digest
	kindTag     = "t"     // + tag; the value is the digest
	kindLayer   = "l"     // + digest
	kindUpload  = "u"     // + upload id
)

func repoKey(regKey, name, kind string) string {
	return prefixRepo + regKey + "\x00" + name + "\x00" + kind
}

func repoItemKey(regKey, name, kind, id string) string {
	return prefixRepo + regKey + "\x00" + name + "\x00" + kind + "\x00" + id
}

type storeMeta struct {
	Format int   `json:"format"`
	Seq    int64 `json:"seq"`
}

// saved is what the store holds, as last handed to it. It is guarded by
// e.mu (written only under the write lock).
type saved struct {
	seq  int64
	regs map[string]*savedRegistry
	// refs counts, per blob digest, the layer records and image manifests
	// (config and layers) that reference it, over the whole state.
	refs map[string]int
}

type savedRegistry struct {
	header []byte
	repos  map[string]*savedRepo
}

type savedRepo struct {
	header  []byte
	preview *LifecyclePreview // replaced, never changed in place
	images  map[string]Image
	tags    map[string]string
	layers  map[string]Layer
	uploads map[string]savedUpload
}

type savedUpload struct {
	value []byte
	parts int
}

func newSaved() *saved {
	return &saved{regs: map[string]*savedRegistry{}, refs: map[string]int{}}
}

// touchRepository notes, during a write, that the handler reached a
// repository: it is compared with the saved view when the write ends.
func (e *Emulator) touchRepository(reg *Registry, name string) {
	if e.touched == nil {
		return
	}
	k := reg.Account + "/" + reg.Region
	names := e.touched[k]
	if names == nil {
		names = map[string]struct{}{}
		e.touched[k] = names
	}
	names[name] = struct{}{}
}

// commit is what a write hands over once it releases the state lock.
type commit struct {
	snap    []byte // for WithPersist
	batch   *Batch // for the Store
	reclaim []string
}

// prepareCommit runs at the end of a write, under the write lock: it
// compares the state with the saved view (only the touched repositories,
// or all with touched nil) and returns what must be persisted, or nil.
// snap asks for a snapshot for the WithPersist callback.
func (e *Emulator) prepareCommit(touched map[string]map[string]struct{}, snap bool) (*commit, error) {
	c := &commit{}
	if snap && e.persist != nil {
		snap, err := json.Marshal(e.st)
		if err != nil {
			return nil, err
		}
		c.snap = snap
	}
	var b *Batch // no store: only the saved view and the blob references are kept
	if e.store != nil {
		b = &Batch{}
		if e.resync.Load() {
			// A batch failed: what the store holds is unknown, so rewrite it.
			b.Reset = true
			e.saved = newSaved()
			touched = nil
			e.resync.Store(false)
		}
	}
	if err := e.diff(touched, b, &c.reclaim); err != nil {
		return nil, err
	}
	if b != nil && e.storeCheck != nil {
		e.storeCheck(b) // also when empty: a write whose changes all went unseen
	}
	if b != nil && (b.Reset || len(b.Records) > 0) {
		c.batch = b
	}
	if c.snap == nil && c.batch == nil && len(c.reclaim) == 0 {
		return nil, nil
	}
	return c, nil
}

// finishCommit persists c in write order (the caller holds persistMu,
// taken before the state lock was released, and this releases it), then
// deletes the blobs the write left unreferenced.
func (e *Emulator) finishCommit(c *commit) error {
	err := func() error {
		defer e.persistMu.Unlock()
		if c.snap != nil {
			if err := e.persist(c.snap); err != nil {
				return err
			}
		}
		if c.batch != nil {
			if err := e.store.Apply(c.batch); err != nil {
				e.resync.Store(true)
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return err // the blobs stay: the store may still reference them
	}
	if len(c.reclaim) > 0 {
		e.reclaimBlobs(c.reclaim)
	}
	return nil
}

// diff appends to b the records that differ between the state and the
// saved view, updates the view, and appends to reclaim the blob keys that
// lost their last reference.
func (e *Emulator) diff(touched map[string]map[string]struct{}, b *Batch, reclaim *[]string) error {
	sv := e.saved
	put := func(k string, v []byte) {
		if b != nil {
			b.Records = append(b.Records, Record{Key: k, Value: v})
		}
	}
	if e.st.Seq != sv.seq || (b != nil && b.Reset) {
		v, _ := json.Marshal(storeMeta{Format: storeFormat, Seq: e.st.Seq})
		put(keyMeta, v)
		sv.seq = e.st.Seq
	}
	for k, reg := range e.st.Registries {
		sr := sv.regs[k]
		if sr == nil {
			sr = &savedRegistry{repos: map[string]*savedRepo{}}
			sv.regs[k] = sr
		}
		h := *reg
		h.Repositories = nil
		v, err := json.Marshal(&h)
		if err != nil {
			return err
		}
		if !bytes.Equal(v, sr.header) {
			put(prefixReg+k, v)
			sr.header = v
		}
		if touched == nil {
			for name := range sr.repos {
				if reg.Repositories[name] == nil {
					_ = sv.diffRepository(k, name, nil, sr, b, reclaim) // a removal marshals nothing
				}
			}
			for name, repo := range reg.Repositories {
				if err := sv.diffRepository(k, name, repo, sr, b, reclaim); err != nil {
					return err
				}
			}
			continue
		}
		for name := range touched[k] {
			if err := sv.diffRepository(k, name, reg.Repositories[name], sr, b, reclaim); err != nil {
				return err
			}
		}
	}
	for k, sr := range sv.regs {
		if e.st.Registries[k] != nil {
			continue
		}
		for name := range sr.repos {
			_ = sv.diffRepository(k, name, nil, sr, b, reclaim) // a removal marshals nothing
		}
		put(prefixReg+k, nil)
		delete(sv.regs, k)
	}
	return nil
}

// diffRepository compares one repository (nil: gone) with its saved view.
func (sv *saved) diffRepository(regKey, name string, repo *Repository, sr *savedRegistry, b *Batch, reclaim *[]string) error {
	s, err := diffRepository(regKey, name, repo, sr.repos[name], sv.refs, b, reclaim)
	if s == nil {
		delete(sr.repos, name)
	} else {
		sr.repos[name] = s
	}
	return err
}

// diffRepository compares one repository (nil: gone) with its saved view s
// (nil: none yet), appends to b what differs, counts the blob references
// gained and lost in refs, and returns the updated view (nil: gone). It
// touches nothing else, so that a start builds the views of its
// repositories in parallel (loadStore).
func diffRepository(regKey, name string, repo *Repository, s *savedRepo, refs map[string]int, b *Batch, reclaim *[]string) (*savedRepo, error) {
	put := func(k string, v []byte) {
		if b != nil {
			b.Records = append(b.Records, Record{Key: k, Value: v})
		}
	}
	unref := func(digest string) {
		refs[digest]--
		if refs[digest] <= 0 {
			delete(refs, digest)
			*reclaim = append(*reclaim, digest)
		}
	}
	if repo == nil {
		if s == nil {
			return nil, nil
		}
		put(repoKey(regKey, name, kindHeader), nil)
		if s.preview != nil {
			put(repoKey(regKey, name, kindPreview), nil)
		}
		for d, img := range s.images {
			put(repoItemKey(regKey, name, kindImage, d), nil)
			for _, ref := range img.references().blobs {
				unref(ref.Digest)
			}
		}
		for t := range s.tags {
			put(repoItemKey(regKey, name, kindTag, t), nil)
		}
		for d := range s.layers {
			put(repoItemKey(regKey, name, kindLayer, d), nil)
			unref(d)
		}
		for id, up := range s.uploads {
			put(repoItemKey(regKey, name, kindUpload, id), nil)
			for i := range up.parts {
				*reclaim = append(*reclaim, partKey(id, i))
			}
		}
		return nil, nil
	}
	if s == nil {
		s = &savedRepo{images: make(map[string]Image, len(repo.Data.Images)), tags: make(map[string]string, len(repo.Data.TagIndex)),
			layers: make(map[string]Layer, len(repo.Data.Layers)), uploads: map[string]savedUpload{}}
	}
	h := *repo
	h.Data.Images, h.Data.TagIndex, h.Data.Layers, h.Data.Uploads, h.Data.LifecyclePreview = nil, nil, nil, nil, nil
	v, err := json.Marshal(&h)
	if err != nil {
		return s, err
	}
	if !bytes.Equal(v, s.header) {
		put(repoKey(regKey, name, kindHeader), v)
		s.header = v
	}
	if p := repo.Data.LifecyclePreview; p != s.preview {
		var v []byte
		if p != nil {
			if v, err = json.Marshal(p); err != nil {
				return s, err
			}
		}
		put(repoKey(regKey, name, kindPreview), v)
		s.preview = p
	}
	for d, img := range repo.Data.Images {
		old, ok := s.images[d]
		if ok && old == *img {
			continue
		}
		if b != nil {
			v, err := encodeImage(img)
			if err != nil {
				return s, err
			}
			put(repoItemKey(regKey, name, kindImage, d), v)
		}
		if !ok {
			for _, ref := range img.references().blobs {
				refs[ref.Digest]++
			}
		}
		s.images[d] = *img
	}
	// The loops above leave the saved maps a superset of the state's, so
	// a length difference is exactly a removal.
	if len(s.images) != len(repo.Data.Images) {
		for d, img := range s.images {
			if repo.Data.Images[d] != nil {
				continue
			}
			put(repoItemKey(regKey, name, kindImage, d), nil)
			for _, ref := range img.references().blobs {
				unref(ref.Digest)
			}
			delete(s.images, d)
		}
	}
	for t, d := range repo.Data.TagIndex {
		if s.tags[t] != d {
			if b != nil {
				put(repoItemKey(regKey, name, kindTag, t), []byte(d))
			}
			s.tags[t] = d
		}
	}
	if len(s.tags) != len(repo.Data.TagIndex) {
		for t := range s.tags {
			if _, ok := repo.Data.TagIndex[t]; !ok {
				put(repoItemKey(regKey, name, kindTag, t), nil)
				delete(s.tags, t)
			}
		}
	}
	for d, l := range repo.Data.Layers {
		old, ok := s.layers[d]
		if ok && old == *l {
			continue
		}
		if b != nil {
			v, err := json.Marshal(l)
			if err != nil {
				return s, err
			}
			put(repoItemKey(regKey, name, kindLayer, d), v)
		}
		if !ok {
			refs[d]++
		}
		s.layers[d] = *l
	}
	if len(s.layers) != len(repo.Data.Layers) {
		for d := range s.layers {
			if repo.Data.Layers[d] == nil {
				put(repoItemKey(regKey, name, kindLayer, d), nil)
				unref(d)
				delete(s.layers, d)
			}
		}
	}
	for id, up := range repo.Data.Uploads {
		v, err := json.Marshal(up)
		if err != nil {
			return s, err
		}
		if old, ok := s.uploads[id]; ok && bytes.Equal(old.value, v) {
			continue
		}
		put(repoItemKey(regKey, name, kindUpload, id), v)
		s.uploads[id] = savedUpload{value: v, parts: len(up.PartSizes)}
	}
	if len(s.uploads) != len(repo.Data.Uploads) {
		for id, up := range s.uploads {
			if repo.Data.Uploads[id] == nil {
				put(repoItemKey(regKey, name, kindUpload, id), nil)
				for i := range up.parts {
					*reclaim = append(*reclaim, partKey(id, i))
				}
				delete(s.uploads, id)
			}
		}
	}
	return s, nil
}

// reclaimBlobs deletes the blobs in keys that are still unreferenced. It
// takes the write lock, so that no handler is between storing a blob and
// recording the reference to it; upload parts belong to an upload that is
// gone, and go.
func (e *Emulator) reclaimBlobs(keys []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range keys {
		if strings.HasPrefix(k, "sha256:") && e.saved.refs[k] > 0 {
			continue
		}
		_ = e.blobs.DeleteBlob(k) // a blob left behind costs only space; the next start sweeps it
	}
}

// AttachStore makes s keep the state from now on. If s holds a state, it
// replaces the emulator's (loaded is true); otherwise the emulator's
// current state (empty, or what Restore or WithState gave it: a migration)
// is written to s. Blobs that the state does not reference are deleted from
// the BlobStore if it can list its keys (see BlobLister). Call it before
// serving.
func (e *Emulator) AttachStore(s Store) (loaded bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, sv, found, err := loadStore(s)
	if err != nil {
		return false, err
	}
	var b *Batch // loaded: the saved view is what was loaded, nothing to write
	touched := map[string]map[string]struct{}{}
	if found {
		// The repositories' saved views are loadStore's; diff adds the
		// registries' and the sequence.
		e.st, e.saved = st, sv
		e.replDue.Store(1)
	} else {
		e.saved = newSaved()
		b = &Batch{Reset: true}
		touched = nil
	}
	var reclaim []string
	if err := e.diff(touched, b, &reclaim); err != nil {
		return false, err
	}
	if b != nil {
		if err := s.Apply(b); err != nil {
			return false, err
		}
	}
	e.store = s
	return found, e.sweepBlobs()
}

// BlobLister is a BlobStore that can list its keys; AttachStore uses it to
// delete blobs left behind by a crash between a write and their deletion.
type BlobLister interface {
	BlobKeys() ([]string, error)
}

func (e *Emulator) sweepBlobs() error {
	l, ok := e.blobs.(BlobLister)
	if !ok {
		return nil
	}
	keys, err := l.BlobKeys()
	if err != nil {
		return err
	}
	live := map[string]bool{}
	for _, reg := range e.st.Registries {
		for _, repo := range reg.Repositories {
			for id, up := range repo.Data.Uploads {
				for i := range up.PartSizes {
					live[partKey(id, i)] = true
				}
			}
		}
	}
	for _, k := range keys {
		if e.saved.refs[k] > 0 || live[k] {
			continue
		}
		if err := e.blobs.DeleteBlob(k); err != nil {
			return err
		}
	}
	return nil
}

// loadStore rebuilds a state from the records of s, and the saved view of
// its repositories (the registry headers and the sequence are left to
// diff). Repositories are decoded, and their saved views built, on every
// CPU: a restart with 100,000 images is mostly that.
func loadStore(s Store) (*state, *saved, bool, error) {
	st := newState()
	sv := newSaved()
	found := false
	err := s.Load(func(records []Record) error {
		// Records come in key order: a repository's are consecutive. The
		// keys point into the store's memory: whatever is kept is copied.
		var jobs []repoLoad
		for i := 0; i < len(records); {
			rec := records[i]
			switch {
			case rec.Key == keyMeta:
				var m storeMeta
				if err := json.Unmarshal(rec.Value, &m); err != nil {
					return fmt.Errorf("meta record: %w", err)
				}
				if m.Format != storeFormat && m.Format != 1 {
					return fmt.Errorf("store format %d, this emulator reads format %d", m.Format, storeFormat)
				}
				st.Seq = m.Seq
				found = true
			case strings.HasPrefix(rec.Key, prefixReg):
				k := strings.Clone(strings.TrimPrefix(rec.Key, prefixReg))
				account, region, ok := strings.Cut(k, "/")
				if !ok {
					return fmt.Errorf("bad registry key %q", k)
				}
				reg := st.registry(account, region, true)
				repositories := reg.Repositories
				if err := json.Unmarshal(rec.Value, reg); err != nil {
					return fmt.Errorf("registry %s: %w", k, err)
				}
				reg.Repositories = repositories
			case strings.HasPrefix(rec.Key, prefixRepo):
				regKey, name, ok := splitRepoKey(rec.Key)
				if !ok {
					return fmt.Errorf("bad record key %q", rec.Key)
				}
				// The repository's records are those under its key's prefix.
				prefix := rec.Key[:len(prefixRepo)+len(regKey)+1+len(name)+1]
				j := i + 1
				for j < len(records) && strings.HasPrefix(records[j].Key, prefix) {
					j++
				}
				regKey, name = strings.Clone(regKey), strings.Clone(name)
				account, region, ok := strings.Cut(regKey, "/")
				if !ok {
					return fmt.Errorf("bad registry key %q", regKey)
				}
				repo := &Repository{}
				reg := st.registry(account, region, true)
				if reg.Repositories[name] != nil {
					return fmt.Errorf("records of repository %s/%s are not consecutive", regKey, name)
				}
				reg.Repositories[name] = repo
				jobs = append(jobs, repoLoad{regKey: regKey, name: name, repo: repo, records: records[i:j], prefix: len(prefix)})
				i = j
				continue
			default:
				return fmt.Errorf("unknown record key %q", rec.Key)
			}
			i++
		}
		getter, _ := s.(recordGetter) // else the manifests are copied
		// Larger repositories first, so that the workers finish together.
		slices.SortFunc(jobs, func(a, b repoLoad) int { return len(b.records) - len(a.records) })
		workers := min(runtime.GOMAXPROCS(0), max(len(jobs), 1))
		refs := make([]map[string]int, workers)
		errs := make([]error, workers)
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				refs[w] = map[string]int{}
				intern := map[string]string{}
				for {
					n := int(next.Add(1)) - 1
					if n >= len(jobs) || errs[w] != nil {
						return
					}
					errs[w] = jobs[n].run(intern, refs[w], getter)
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, r := range refs {
			for d, n := range r {
				sv.refs[d] += n
			}
		}
		for _, j := range jobs {
			sr := sv.regs[j.regKey]
			if sr == nil {
				sr = &savedRegistry{repos: map[string]*savedRepo{}}
				sv.regs[j.regKey] = sr
			}
			sr.repos[j.name] = j.saved
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, fmt.Errorf("emulator: loading the state: %w", err)
	}
	for k, reg := range st.Registries {
		account, region, _ := strings.Cut(k, "/")
		fillRegistry(reg, account, region)
	}
	return st, sv, found, nil
}

// splitRepoKey returns the registry key and the repository name of a
// repository record's key.
func splitRepoKey(key string) (regKey, name string, ok bool) {
	rest, ok := strings.CutPrefix(key, prefixRepo)
	if !ok {
		return "", "", false
	}
	regKey, rest, ok1 := strings.Cut(rest, "\x00")
	name, _, ok2 := strings.Cut(rest, "\x00")
	return regKey, name, ok1 && ok2
}

// repoLoad is one repository to decode from its records.
type repoLoad struct {
	regKey, name string
	repo         *Repository
	records      []Record
	prefix       int        // the length of the keys' common prefix, up to the kind
	saved        *savedRepo // the saved view, once run
}

// run decodes the repository's records (its maps sized at once, its images
// allocated together), then builds its saved view, counting the blob
// references in refs. intern is the worker's (see recordReader).
func (j *repoLoad) run(intern map[string]string, refs map[string]int, store recordGetter) error {
	var images, tags int
	for _, rec := range j.records {
		switch k, _, _ := strings.Cut(rec.Key[j.prefix:], "\x00"); k {
		case kindImage:
			images++
		case kindTag:
			tags++
		}
	}
	repo := j.repo
	d := &repo.Data
	d.Images, d.TagIndex = make(map[string]*Image, images), make(map[string]string, tags)
	d.Layers, d.Uploads = map[string]*Layer{}, map[string]*Upload{}
	// One allocation for the repository's images rather than one each: a
	// deleted image's struct (not its manifest) then lives as long as the
	// repository's other loaded images.
	slab := make([]Image, images)
	var stored *storedManifests
	if store != nil {
		stored = &storedManifests{store: store, regKey: j.regKey, name: j.name}
	}
	for _, rec := range j.records {
		k, id, _ := strings.Cut(rec.Key[j.prefix:], "\x00")
		if k == kindImage {
			img := &slab[0]
			slab = slab[1:]
			if err := decodeImageInto(img, rec.Value, intern, stored); err != nil {
				return fmt.Errorf("record %q: %w", rec.Key, err)
			}
			if img.Digest == id {
				id = img.Digest // the image's own copy
			} else { // the manifest is not where manifest() looks: copy it
				*img = Image{}
				if err := decodeImageInto(img, rec.Value, intern, nil); err != nil {
					return fmt.Errorf("record %q: %w", rec.Key, err)
				}
				id = strings.Clone(id)
			}
			d.Images[id] = img
			continue
		}
		if err := loadRepoRecord(repo, k, strings.Clone(id), rec.Value); err != nil {
			return fmt.Errorf("record %q: %w", rec.Key, err)
		}
	}
	var reclaim []string // nothing: a new view only gains references
	s, err := diffRepository(j.regKey, j.name, repo, nil, refs, nil, &reclaim)
	j.saved = s
	return err
}

// loadRepoRecord decodes one repository record other than an image into
// repo; id is the key's last part, kept as is.
func loadRepoRecord(repo *Repository, kind, id string, v []byte) error {
	d := &repo.Data
	switch kind {
	case kindHeader:
		keep := *d
		if err := json.Unmarshal(v, repo); err != nil {
			return err
		}
		d.Images, d.TagIndex, d.Layers, d.Uploads, d.LifecyclePreview = keep.Images, keep.TagIndex, keep.Layers, keep.Uploads, keep.LifecyclePreview
	case kindPreview:
		p := &LifecyclePreview{}
		if err := json.Unmarshal(v, p); err != nil {
			return err
		}
		d.LifecyclePreview = p
	case kindTag:
		d.TagIndex[id] = string(v)
	case kindLayer:
		l := &Layer{}
		if err := json.Unmarshal(v, l); err != nil {
			return err
		}
		d.Layers[id] = l
	case kindUpload:
		up := &Upload{}
		if err := json.Unmarshal(v, up); err != nil {
			return err
		}
		d.Uploads[id] = up
	default:
		return fmt.Errorf("unknown record kind %q", kind)
	}
	return nil
}
