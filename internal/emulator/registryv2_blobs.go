package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BlobStreamer is what a BlobStore adds so that the registry protocol
// streams blobs (a layer can be gigabytes) instead of holding them in
// memory. Stores without it are used through their byte-slice methods.
type BlobStreamer interface {
	// AppendBlob appends what r yields to the content under key (creating
	// it), durably when it returns nil; sizeHint is the expected length,
	// or -1.
	AppendBlob(key string, r io.Reader, sizeHint int64) (int64, error)
	// OpenBlob opens the content under key; ok is false if none.
	OpenBlob(key string) (rc io.ReadSeekCloser, size int64, ok bool, err error)
	// RenameBlob moves the content under from to to, replacing it.
	RenameBlob(from, to string) error
}

// streamer returns the blob store as a BlobStreamer.
func (e *Emulator) streamer() BlobStreamer {
	if s, ok := e.blobs.(BlobStreamer); ok {
		return s
	}
	return sliceStreamer{e.blobs}
}

// sliceStreamer streams over a BlobStore's byte-slice methods.
type sliceStreamer struct{ BlobStore }

func (s sliceStreamer) AppendBlob(key string, r io.Reader, _ int64) (int64, error) {
	old, _, err := s.Blob(key)
	if err != nil {
		return 0, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return 0, err
	}
	return int64(len(data)), s.PutBlob(key, append(old, data...))
}

func (s sliceStreamer) OpenBlob(key string) (io.ReadSeekCloser, int64, bool, error) {
	data, ok, err := s.Blob(key)
	if !ok || err != nil {
		return nil, 0, ok, err
	}
	return nopCloser{bytes.NewReader(data)}, int64(len(data)), true, nil
}

func (s sliceStreamer) RenameBlob(from, to string) error {
	data, ok, err := s.Blob(from)
	if err == nil && !ok {
		err = fmt.Errorf("no blob %s", from)
	}
	if err != nil {
		return err
	}
	if err := s.PutBlob(to, data); err != nil {
		return err
	}
	return s.DeleteBlob(from)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// AppendBlob reads straight into the spare capacity of the content (sized
// from the hint), so a blob is held once, and without the store's lock
// while it reads: an upload's key has one writer at a time.
func (b *memBlobs) AppendBlob(key string, r io.Reader, sizeHint int64) (int64, error) {
	b.mu.RLock()
	buf := b.m[key]
	b.mu.RUnlock()
	start := len(buf)
	if sizeHint > 0 && cap(buf)-len(buf) < int(sizeHint) {
		// bytes.Buffer.ReadFrom wants MinRead bytes free before each read:
		// with them, the EOF is seen without growing (copying) the buffer.
		grown := make([]byte, len(buf), len(buf)+int(sizeHint)+bytes.MinRead)
		copy(grown, buf)
		buf = grown
	}
	w := bytes.NewBuffer(buf)
	_, err := w.ReadFrom(r)
	buf = w.Bytes()
	if err != nil {
		return int64(len(buf) - start), err
	}
	if err := b.PutBlob(key, buf); err != nil {
		return 0, err
	}
	return int64(len(buf) - start), nil
}

func (b *memBlobs) OpenBlob(key string) (io.ReadSeekCloser, int64, bool, error) {
	data, ok, _ := b.Blob(key)
	if !ok {
		return nil, 0, false, nil
	}
	return nopCloser{bytes.NewReader(data)}, int64(len(data)), true, nil
}

func (b *memBlobs) RenameBlob(from, to string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[from]
	if !ok {
		return fmt.Errorf("no blob %s", from)
	}
	delete(b.m, from)
	b.m[to] = data[:len(data):len(data)]
	return nil
}

// registryUploads are the blob uploads of the registry protocol in
// progress. Unlike InitiateLayerUpload's, they are not part of the state:
// their content goes to the blob store under partKey(id, 0) as it arrives,
// and their digest is computed on the way. Assumption: an upload does not
// survive a restart (clients start again), as registries may do.
type registryUploads struct {
	mu sync.Mutex
	m  map[string]*registryUpload
}

type registryUpload struct {
	mu              sync.Mutex // one request at a time per upload
	id              string
	account, region string
	name            string
	size            int64
	hash            hash.Hash
	started         time.Time
}

func (u *registryUploads) add(up *registryUpload) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string]*registryUpload{}
	}
	u.m[up.id] = up
}

func (u *registryUploads) get(id string) *registryUpload {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[id]
}

func (u *registryUploads) remove(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, id)
}

// uploadKey is where an upload's content is kept until it completes.
func (up *registryUpload) key() string { return partKey(up.id, 0) }

func uploadLocation(name, id string) string {
	return RegistryPathPrefix + name + "/blobs/uploads/" + id
}

// writeUploadStatus answers where an upload is: 202 (or 204 for a GET).
func writeUploadStatus(w http.ResponseWriter, up *registryUpload, status int) {
	h := w.Header()
	h.Set("Location", uploadLocation(up.name, up.id))
	h.Set("Docker-Upload-UUID", up.id)
	h.Set("Range", fmt.Sprintf("0-%d", max(up.size-1, 0)))
	h.Set("Content-Length", "0")
	w.WriteHeader(status)
}

// blobAvailable checks, under the state lock, that the repository can serve
// digest: uploaded to it, mounted, or referenced by an active image.
func blobAvailable(req *request, reg *Registry, name, digest string) error {
	repo, err := findRepository(req, reg, nil, &name)
	if err != nil {
		return err
	}
	k := layerIndex(repo, req.e.now(), digest)[digest]
	if k == nil {
		return ociErr(http.StatusNotFound, "BLOB_UNKNOWN", fmt.Sprintf("blob %s not found in repository %s", digest, name))
	}
	if k.Availability != "AVAILABLE" {
		return ociErr(http.StatusNotFound, "BLOB_UNKNOWN", fmt.Sprintf("blob %s belongs only to archived images", digest))
	}
	return nil
}

// serveBlob answers HEAD (BatchCheckLayerAvailability) and GET
// (GetDownloadUrlForLayer, then the download) of a blob, with Range.
func (e *Emulator) serveBlob(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	digest := strings.ToLower(rt.ref)
	if !reBlobDigest.MatchString(digest) {
		writeOCIError(w, ociErr(http.StatusBadRequest, "DIGEST_INVALID", "invalid digest '"+rt.ref+"'"))
		return
	}
	op := "GetDownloadUrlForLayer"
	if r.Method == http.MethodHead {
		op = "BatchCheckLayerAvailability"
	}
	if !e.registryCall(w, r, c, op, true, func(req *request, reg *Registry) error {
		return blobAvailable(req, reg, rt.name, digest)
	}) {
		return
	}
	rc, _, ok, err := e.streamer().OpenBlob(digest)
	switch {
	case err != nil:
		writeOCIError(w, ociErr(http.StatusInternalServerError, "UNKNOWN", "reading blob: "+err.Error()))
		return
	case !ok:
		// Known from a manifest pushed before PutImage checked layers.
		writeOCIError(w, ociErr(http.StatusNotFound, "BLOB_UNKNOWN", "the content of blob "+digest+" was never uploaded to the emulator"))
		return
	}
	defer func() { _ = rc.Close() }()
	setDigestHeaders(w, digest)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, rc)
}

// serveUploadStart answers POST .../blobs/uploads/ (InitiateLayerUpload):
// a cross-repository mount when ?mount=&from= name a blob the caller's
// other repository has and BLOB_MOUNTING is ENABLED, a monolithic upload
// when ?digest= is given, else a new upload session.
func (e *Emulator) serveUploadStart(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	q := r.URL.Query()
	mount, from := strings.ToLower(q.Get("mount")), q.Get("from")
	mounted := false
	var size int64
	if !e.registryCall(w, r, c, "InitiateLayerUpload", false, func(req *request, reg *Registry) error {
		repo, err := pushRepository(req, reg, rt.name)
		if err != nil {
			return err
		}
		if mount == "" || from == "" || !reBlobDigest.MatchString(mount) || reg.AccountSettings["BLOB_MOUNTING"] != "ENABLED" {
			return nil
		}
		// Assumption: as ECR, a mount that cannot be done (other
		// repository, unknown blob, mounting disabled) starts an upload.
		src, ok := e.lookupRepository(reg, from)
		if !ok {
			return nil
		}
		k := layerIndex(src, e.now(), mount)[mount]
		if k == nil || k.Availability != "AVAILABLE" {
			return nil
		}
		rc, n, ok, oerr := e.streamer().OpenBlob(mount)
		if !ok || oerr != nil { // no content to mount: upload it
			return nil //nolint:nilerr // a failed mount starts an upload, as with ECR
		}
		_ = rc.Close()
		if repo.Data.Layers[mount] == nil {
			repo.Data.Layers[mount] = &Layer{Digest: mount, Size: n, MediaType: k.MediaType}
		}
		mounted, size = true, n
		return nil
	}) {
		return
	}
	if mounted {
		writeBlobCreated(w, rt.name, mount, size)
		return
	}
	up := &registryUpload{id: e.ids.uuid(), account: c.account, region: c.region, name: rt.name,
		hash: sha256.New(), started: e.now()}
	e.uploads.add(up)
	if d := q.Get("digest"); d != "" {
		// Monolithic: the blob is the body of this POST.
		e.finishUpload(w, r, c, up, d)
		return
	}
	writeUploadStatus(w, up, http.StatusAccepted)
}

func writeBlobCreated(w http.ResponseWriter, name, digest string, _ int64) {
	w.Header().Set("Location", RegistryPathPrefix+name+"/blobs/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// serveUpload answers requests on an upload session: GET (status), PATCH
// (a chunk: UploadLayerPart), PUT (the last chunk, if any, and the digest:
// CompleteLayerUpload), DELETE (cancel).
func (e *Emulator) serveUpload(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	up := e.uploads.get(rt.ref)
	if up == nil || up.name != rt.name || up.account != c.account || up.region != c.region {
		writeOCIError(w, ociErr(http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "no upload "+rt.ref+" in repository "+rt.name))
		return
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if e.uploads.get(up.id) != up { // completed or cancelled meanwhile
		writeOCIError(w, ociErr(http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN", "no upload "+rt.ref+" in repository "+rt.name))
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeUploadStatus(w, up, http.StatusNoContent)
	case http.MethodDelete:
		e.uploads.remove(up.id)
		_ = e.blobs.DeleteBlob(up.key())
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		if !e.registryCall(w, r, c, "UploadLayerPart", true, func(req *request, reg *Registry) error {
			_, err := findRepository(req, reg, nil, &rt.name)
			return err
		}) {
			return
		}
		if oe := e.appendChunk(up, r); oe != nil {
			writeRangeError(w, up, oe)
			return
		}
		writeUploadStatus(w, up, http.StatusAccepted)
	case http.MethodPut:
		e.finishUpload(w, r, c, up, r.URL.Query().Get("digest"))
	default:
		writeOCIError(w, ociErr(http.StatusMethodNotAllowed, "UNSUPPORTED", r.Method+" is not supported on an upload"))
	}
}

// writeRangeError answers a chunk refused for its range (416, with where
// the upload is) or another upload error.
func writeRangeError(w http.ResponseWriter, up *registryUpload, oe *ociError) {
	if oe.Status == http.StatusRequestedRangeNotSatisfiable {
		w.Header().Set("Location", uploadLocation(up.name, up.id))
		w.Header().Set("Range", fmt.Sprintf("0-%d", max(up.size-1, 0)))
	}
	writeOCIError(w, oe)
}

// appendChunk streams the body of r to the upload's content. A
// Content-Range must start where the upload is (416 otherwise) and agree
// with Content-Length.
func (e *Emulator) appendChunk(up *registryUpload, r *http.Request) *ociError {
	if cr := r.Header.Get("Content-Range"); cr != "" {
		cr = strings.TrimPrefix(cr, "bytes ")
		a, b, ok := strings.Cut(cr, "-")
		start, err1 := strconv.ParseInt(a, 10, 64)
		end, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil || end < start {
			return ociErr(http.StatusBadRequest, "BLOB_UPLOAD_INVALID", "invalid Content-Range '"+r.Header.Get("Content-Range")+"'")
		}
		if start != up.size {
			return ociErr(http.StatusRequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID",
				fmt.Sprintf("the chunk starts at %d, the upload has %d bytes", start, up.size))
		}
		if r.ContentLength >= 0 && r.ContentLength != end-start+1 {
			return ociErr(http.StatusBadRequest, "BLOB_UPLOAD_INVALID",
				fmt.Sprintf("Content-Range %s does not match Content-Length %d", cr, r.ContentLength))
		}
	}
	n, err := e.streamer().AppendBlob(up.key(), io.TeeReader(r.Body, up.hash), r.ContentLength)
	up.size += n
	if err != nil {
		// What was appended is counted: a client can resume from Range.
		return ociErr(http.StatusInternalServerError, "BLOB_UPLOAD_INVALID", "storing the chunk: "+err.Error())
	}
	return nil
}

// finishUpload takes the last chunk (the body, if any), checks the digest
// and makes the blob part of the repository (CompleteLayerUpload).
func (e *Emulator) finishUpload(w http.ResponseWriter, r *http.Request, c registryCaller, up *registryUpload, want string) {
	want = strings.ToLower(want)
	if !reBlobDigest.MatchString(want) {
		writeOCIError(w, ociErr(http.StatusBadRequest, "DIGEST_INVALID", "invalid or missing digest '"+want+"'"))
		return
	}
	if r.ContentLength != 0 {
		if oe := e.appendChunk(up, r); oe != nil {
			writeRangeError(w, up, oe)
			return
		}
	}
	got := "sha256:" + hex.EncodeToString(up.hash.Sum(nil))
	if got != want {
		e.uploads.remove(up.id)
		_ = e.blobs.DeleteBlob(up.key())
		writeOCIError(w, ociErr(http.StatusBadRequest, "DIGEST_INVALID",
			fmt.Sprintf("the digest %s does not match the digest %s calculated for the uploaded content", want, got)))
		return
	}
	if up.size == 0 {
		// An empty blob still has content: an empty entry.
		if _, err := e.streamer().AppendBlob(up.key(), strings.NewReader(""), 0); err != nil {
			writeOCIError(w, ociErr(http.StatusInternalServerError, "UNKNOWN", "storing the blob: "+err.Error()))
			return
		}
	}
	// The content is in place before the state says the layer exists.
	if err := e.streamer().RenameBlob(up.key(), got); err != nil {
		writeOCIError(w, ociErr(http.StatusInternalServerError, "UNKNOWN", "storing the blob: "+err.Error()))
		return
	}
	e.uploads.remove(up.id)
	size := up.size
	if !e.registryCall(w, r, c, "CompleteLayerUpload", false, func(req *request, reg *Registry) error {
		repo, err := findRepository(req, reg, nil, &up.name)
		if err != nil {
			return err
		}
		if repo.Data.Layers[got] == nil {
			repo.Data.Layers[got] = &Layer{Digest: got, Size: size}
		}
		return nil
	}) {
		return
	}
	writeBlobCreated(w, up.name, got, size)
}
