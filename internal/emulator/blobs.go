package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BlobStore keeps the content of uploaded layers, so that the URL
// GetDownloadUrlForLayer answers can be downloaded, and the parts of uploads
// in progress, so that the state does not carry them. Keys are a layer's
// digest ("sha256:<64 hex>") or an upload part's partKey
// ("upload:<upload id>:<part index>"). The default keeps them in memory;
// cmd/ecr-emulator -data-dir keeps them in files.
type BlobStore interface {
	// PutBlob stores data under key; when it returns nil the content must
	// survive as long as the state does.
	PutBlob(key string, data []byte) error
	// Blob returns the content stored under key; ok is false if none.
	Blob(key string) (data []byte, ok bool, err error)
	// DeleteBlob removes key, if present.
	DeleteBlob(key string) error
	// Clear removes every blob (POST /_emulator/reset).
	Clear() error
}

// partKey is the BlobStore key of part i (from 0) of an upload.
func partKey(uploadID string, i int) string { return fmt.Sprintf("upload:%s:%d", uploadID, i) }

// uploadedData assembles the parts of an upload.
func (e *Emulator) uploadedData(up *Upload) ([]byte, error) {
	data := make([]byte, 0, up.received())
	for i := range up.PartSizes {
		part, ok, err := e.blobs.Blob(partKey(up.ID, i))
		if err == nil && !ok {
			err = fmt.Errorf("part %d of upload %s is missing from the blob store", i, up.ID)
		}
		if err != nil {
			return nil, &APIError{Type: "ServerException", Status: http.StatusInternalServerError,
				Message: "reading the uploaded parts: " + err.Error()}
		}
		data = append(data, part...)
	}
	return data, nil
}

// dropParts removes the parts of a finished upload; n is its part count.
// It runs once the state without the upload is persisted (request.afterWrite),
// so that a crash before that leaves the parts the restored upload needs.
func (e *Emulator) dropParts(uploadID string, n int) {
	for i := range n {
		_ = e.blobs.DeleteBlob(partKey(uploadID, i)) // an orphan part costs only space
	}
}

// WithBlobStore sets where uploaded layer content is kept (default: memory).
func WithBlobStore(s BlobStore) Option { return func(e *Emulator) { e.blobs = s } }

type memBlobs struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (b *memBlobs) PutBlob(digest string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[digest] = data
	return nil
}

func (b *memBlobs) DeleteBlob(key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

func (b *memBlobs) Clear() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.m)
	return nil
}

// BlobKeys implements BlobLister.
func (b *memBlobs) BlobKeys() ([]string, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return sortedKeys(b.m), nil
}

func (b *memBlobs) Blob(digest string) ([]byte, bool, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	data, ok := b.m[digest]
	return data, ok, nil
}

// LayerPathPrefix is where the emulator serves layer content: the download
// URLs of GetDownloadUrlForLayer are
//
//	http://HOST/_emulator/layers/ACCOUNT/REGION/DIGEST/REPOSITORY
//
// on the host the request came to. ECR answers a presigned S3 URL instead;
// like it, this URL needs no AWS signature. With credentials
// (WithCredentials) it is presigned like it too: the URL carries
// ?X-Emulator-Expires=UNIX&X-Emulator-Signature=HEX, an HMAC-SHA256 of the
// path and the expiry under a key the emulator draws at start, and is
// refused (403) once expired (layerURLLifetime) or altered. Without
// credentials, the plain path serves the layer, as every API call does.
const LayerPathPrefix = ControlPrefix + "layers/"

// layerURLLifetime is how long a presigned layer URL is valid.
// Assumption: ECR's presigned S3 URLs last about an hour.
const layerURLLifetime = time.Hour

func newURLKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// layerURLSignature is the signature of a layer path valid until expires.
func (e *Emulator) layerURLSignature(path string, expires int64) string {
	m := hmac.New(sha256.New, e.urlKey)
	_, _ = fmt.Fprintf(m, "%s\n%d", path, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// checkLayerURL says why a layer URL is refused under credentials, or "".
func (e *Emulator) checkLayerURL(r *http.Request) string {
	if e.credentials == nil {
		return ""
	}
	q := r.URL.Query()
	expires, err := strconv.ParseInt(q.Get("X-Emulator-Expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("X-Emulator-Signature")), []byte(e.layerURLSignature(r.URL.Path, expires))) {
		return "the layer URL is not signed by this emulator: ask GetDownloadUrlForLayer for one"
	}
	if e.now().Unix() > expires {
		return "the layer URL has expired: ask GetDownloadUrlForLayer for a new one"
	}
	return ""
}

// reBlobDigest is the form of the digests the emulator computes and stores.
var reBlobDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// layerURL is the download URL of a layer of repo for the caller of r.
func layerURL(r *request, repo *Repository, digest string) string {
	scheme := "http"
	if r.tls {
		scheme = "https"
	}
	path := fmt.Sprintf("%s%s/%s/%s/%s", LayerPathPrefix, r.account, r.region, digest, repo.RepositoryName)
	u := url.URL{Scheme: scheme, Host: r.host, Path: path}
	if r.e.credentials != nil {
		expires := r.e.now().Add(layerURLLifetime).Unix()
		u.RawQuery = url.Values{"X-Emulator-Expires": {strconv.FormatInt(expires, 10)},
			"X-Emulator-Signature": {r.e.layerURLSignature(path, expires)}}.Encode()
	}
	return u.String()
}

// serveLayer answers GET LayerPathPrefix...: the content of a layer the
// repository can download (as GetDownloadUrlForLayer decides), or 404.
func (e *Emulator) serveLayer(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, LayerPathPrefix), "/", 4)
	if r.Method != http.MethodGet && r.Method != http.MethodHead || len(parts) != 4 || !reBlobDigest.MatchString(strings.ToLower(parts[2])) {
		controlError(w, http.StatusNotFound, "no such layer")
		return
	}
	if msg := e.checkLayerURL(r); msg != "" {
		controlError(w, http.StatusForbidden, msg)
		return
	}
	account, region, digest, name := parts[0], parts[1], strings.ToLower(parts[2]), parts[3]
	e.mu.RLock()
	available := false
	if reg, ok := e.st.Registries[account+"/"+region]; ok {
		if repo, ok := reg.Repositories[name]; ok {
			k := layerIndex(repo, e.now(), digest)[digest]
			available = k != nil && k.Availability == "AVAILABLE"
		}
	}
	e.mu.RUnlock()
	if !available {
		controlError(w, http.StatusNotFound, "no layer "+digest+" in repository "+name)
		return
	}
	data, ok, err := e.blobs.Blob(digest)
	switch {
	case err != nil:
		controlError(w, http.StatusInternalServerError, "reading layer: "+err.Error())
		return
	case !ok:
		// Known from a pushed manifest only: never uploaded here.
		controlError(w, http.StatusNotFound, "the content of layer "+digest+" was never uploaded to the emulator")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data)
	}
}
