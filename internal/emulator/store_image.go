package emulator

// The image record's encoding. Images are most of the records, and a
// restart decodes all of them: as JSON (format 1) that meant an escaped
// manifest to unescape and then to parse for its references, for every
// image. Format 2 writes an image as a flat binary record that carries its
// manifest as is and its references beside it, so that decoding is a few
// slices and no parsing. Records of format 1 (they start with '{') are
// still read.

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// imageRecordV2 starts a format-2 image record.
const imageRecordV2 = 0x02

var errImageRecord = errors.New("truncated or malformed image record")

type recordWriter struct{ b []byte }

func (w *recordWriter) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *recordWriter) int(n int64) { w.b = binary.AppendVarint(w.b, n) }

// time writes 0 for nil, else 1 and the time in nanoseconds.
func (w *recordWriter) time(t *Time) {
	if t == nil {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.int(t.UnixNano())
}

// encodeImage is img's record (an image left in the store at the start
// reads its manifest from there).
func encodeImage(img *Image) ([]byte, error) {
	manifest, err := img.manifest()
	if err != nil {
		return nil, err
	}
	w := &recordWriter{b: make([]byte, 0, len(manifest)+256)}
	w.b = append(w.b, imageRecordV2)
	for _, s := range []string{img.Digest, manifest, img.ManifestMediaType, img.ArtifactMediaType,
		img.SubjectDigest, img.ArtifactType, img.Status, img.Replication} {
		w.str(s)
	}
	w.int(img.SizeInBytes)
	for _, t := range []*Time{img.PushedAt, img.LastRecordedPullTime, img.StatusChangeAt, img.LastArchivedAt, img.LastActivatedAt} {
		w.time(t)
	}
	if img.Scan == nil {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.time(img.Scan.StartedAt)
		w.time(img.Scan.CompleteAt)
	}
	refs := img.references()
	w.int(int64(len(refs.blobs)))
	for _, b := range refs.blobs {
		w.str(b.Digest)
		w.int(b.Size)
		w.str(b.MediaType)
	}
	w.int(int64(len(refs.children)))
	for _, c := range refs.children {
		w.str(c)
	}
	return w.b, nil
}

type recordReader struct {
	b   []byte
	err error
	// intern, when set, keeps one copy of the strings that repeat across
	// images (media types, blob digests a repository's images share).
	intern map[string]string
}

func (r *recordReader) bytes() []byte {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || uint64(len(r.b)-k) < n {
		r.err = errImageRecord
		r.b = nil
		return nil
	}
	s := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return s
}

func (r *recordReader) str() string { return string(r.bytes()) }

// shared is str for a string that repeats across images.
func (r *recordReader) shared() string {
	b := r.bytes()
	if r.intern == nil {
		return string(b)
	}
	if s, ok := r.intern[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	r.intern[s] = s
	return s
}

func (r *recordReader) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = errImageRecord
		r.b = nil
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *recordReader) flag() bool {
	if len(r.b) == 0 {
		r.err = errImageRecord
		return false
	}
	f := r.b[0] != 0
	r.b = r.b[1:]
	return f
}

func (r *recordReader) time() *Time {
	if !r.flag() {
		return nil
	}
	return ts(time.Unix(0, r.int()).UTC())
}

// decodeImage reads an image record of either format.
func decodeImage(v []byte) (*Image, error) {
	img := &Image{}
	if err := decodeImageInto(img, v, nil, nil); err != nil {
		return nil, err
	}
	return img, nil
}

// decodeImageInto decodes an image record of either format into img,
// sharing repeated strings through intern (nil: none; one map per
// goroutine). With stored, a format-2 record's manifest is left in the
// store (see storedManifests).
func decodeImageInto(img *Image, v []byte, intern map[string]string, stored *storedManifests) error {
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, img); err != nil {
			return err
		}
		img.refs = parseImageRefs(img)
		return nil
	}
	if len(v) == 0 || v[0] != imageRecordV2 {
		return errImageRecord
	}
	r := &recordReader{b: v[1:], intern: intern}
	img.Digest = r.str()
	if stored != nil {
		r.bytes() // left in the store
		img.stored = stored
	} else {
		img.Manifest = r.str()
	}
	for _, p := range []*string{&img.ManifestMediaType, &img.ArtifactMediaType,
		&img.SubjectDigest, &img.ArtifactType, &img.Status, &img.Replication} {
		*p = r.shared()
	}
	img.SizeInBytes = r.int()
	for _, p := range []**Time{&img.PushedAt, &img.LastRecordedPullTime, &img.StatusChangeAt, &img.LastArchivedAt, &img.LastActivatedAt} {
		*p = r.time()
	}
	if r.flag() {
		img.Scan = &ImageScan{StartedAt: r.time(), CompleteAt: r.time()}
	}
	refs := &imageRefs{}
	if n := r.int(); n > 0 && n <= int64(len(r.b)) {
		refs.blobs = make([]blobRef, 0, n)
		for ; n > 0 && r.err == nil; n-- {
			refs.blobs = append(refs.blobs, blobRef{Digest: r.shared(), Size: r.int(), MediaType: r.shared()})
		}
	} else if n != 0 {
		r.err = errImageRecord
	}
	if n := r.int(); n > 0 && n <= int64(len(r.b)) {
		refs.children = make([]string, 0, n)
		for ; n > 0 && r.err == nil; n-- {
			refs.children = append(refs.children, r.shared())
		}
	} else if n != 0 {
		r.err = errImageRecord
	}
	if r.err != nil {
		return r.err
	}
	img.refs = refs
	return nil
}

// storedManifests is where the manifests of a repository's images are
// when a start left them in the store. They are most of a state's bytes,
// and copying them into memory was most of a restart's time (each new page
// of memory costs a fault); in the store they are already in the page
// cache, read when a pull or a write needs one.
//
// The record an image read from is there as long as the image is in the
// state: records are only deleted by the batch of a write that removed
// the image (a new image of that digest is a new Image, with its
// manifest), and rewritten with the same manifest, read from there before
// the batch (encodeImage). An image copied to another repository takes a
// copy of the manifest (copyImage).
type storedManifests struct {
	store        recordGetter
	regKey, name string
}

// recordGetter is a Store that reads single records; loadStore leaves
// manifests in one.
type recordGetter interface {
	// Get calls fn with the value of key (nil: no such record), valid
	// until fn returns.
	Get(key string, fn func(v []byte) error) error
}

// manifest returns img's manifest, from the store if the start left it
// there. It is safe under the read lock: it changes nothing.
func (img *Image) manifest() (string, error) {
	if img.stored == nil {
		return img.Manifest, nil
	}
	var manifest string
	err := img.stored.store.Get(repoItemKey(img.stored.regKey, img.stored.name, kindImage, img.Digest), func(v []byte) error {
		if len(v) == 0 || v[0] != imageRecordV2 {
			return errImageRecord
		}
		r := &recordReader{b: v[1:]}
		if r.str() != img.Digest {
			return errImageRecord
		}
		manifest = r.str()
		return r.err
	})
	if err != nil {
		return "", fmt.Errorf("emulator: reading the manifest of %s in %s from the store: %w", img.Digest, img.stored.name, err)
	}
	return manifest, nil
}

// MarshalJSON writes the manifest of an image whose manifest is in the
// store (snapshots have it).
func (img *Image) MarshalJSON() ([]byte, error) {
	type plain Image // without this method
	if img.stored == nil {
		return json.Marshal((*plain)(img))
	}
	manifest, err := img.manifest()
	if err != nil {
		return nil, err
	}
	cp := *img
	cp.Manifest = manifest
	return json.Marshal((*plain)(&cp))
}
