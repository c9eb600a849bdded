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

// encodeImage is img's record.
func encodeImage(img *Image) []byte {
	w := &recordWriter{b: make([]byte, 0, len(img.Manifest)+256)}
	w.b = append(w.b, imageRecordV2)
	for _, s := range []string{img.Digest, img.Manifest, img.ManifestMediaType, img.ArtifactMediaType,
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
	return w.b
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
func decodeImage(v []byte) (*Image, error) { return decodeImageInterned(v, nil) }

// decodeImageInterned is decodeImage sharing repeated strings through
// intern (one map per goroutine).
func decodeImageInterned(v []byte, intern map[string]string) (*Image, error) {
	if len(v) > 0 && v[0] == '{' {
		img := &Image{}
		if err := json.Unmarshal(v, img); err != nil {
			return nil, err
		}
		img.refs = parseImageRefs(img)
		return img, nil
	}
	if len(v) == 0 || v[0] != imageRecordV2 {
		return nil, errImageRecord
	}
	r := &recordReader{b: v[1:], intern: intern}
	img := &Image{}
	img.Digest = r.str()
	img.Manifest = r.str()
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
		return nil, r.err
	}
	img.refs = refs
	return img, nil
}
