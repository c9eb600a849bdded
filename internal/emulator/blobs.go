package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// BlobStore keeps the content of uploaded layers by digest, so that the
// URL GetDownloadUrlForLayer answers can be downloaded. The default keeps
// them in memory; cmd/ecr-emulator -data-dir keeps them in files.
type BlobStore interface {
	// PutBlob stores data under digest ("sha256:<64 hex>"); when it
	// returns nil the content must survive as long as the state does.
	PutBlob(digest string, data []byte) error
	// Blob returns the content stored under digest; ok is false if none.
	Blob(digest string) (data []byte, ok bool, err error)
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
// like it, this URL needs no AWS signature.
const LayerPathPrefix = ControlPrefix + "layers/"

// reBlobDigest is the form of the digests the emulator computes and stores.
var reBlobDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// layerURL is the download URL of a layer of repo for the caller of r.
func layerURL(r *request, repo *Repository, digest string) string {
	scheme := "http"
	if r.tls {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s%s%s/%s/%s/%s", scheme, r.host, LayerPathPrefix, r.account, r.region, digest, repo.RepositoryName)
}

// serveLayer answers GET LayerPathPrefix...: the content of a layer the
// repository can download (as GetDownloadUrlForLayer decides), or 404.
func (e *Emulator) serveLayer(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, LayerPathPrefix), "/", 4)
	if r.Method != http.MethodGet && r.Method != http.MethodHead || len(parts) != 4 || !reBlobDigest.MatchString(strings.ToLower(parts[2])) {
		controlError(w, http.StatusNotFound, "no such layer")
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
