package emulator

// Pull-through cache pulls. A manifest pull (GET or HEAD over /v2/) of
// <prefix>/<upstream path> where a pull-through cache rule's prefix matches
// and the repository does not exist, or does not have the reference yet,
// fetches the image from the upstream registry (its manifest, and the
// config and layers of each image; an index with the images it lists),
// creates the repository from the creation template that applies to it for
// PULL_THROUGH_CACHE (else with defaults), and caches the image there, tag
// included; the pull is then served from the cache, as are later ones.
//
// The upstream is reached at the rule's upstreamRegistryUrl (https), or at
// the address WithUpstream maps its host to (a registry on loopback in
// tests, a second emulator...). A rule with a credentialArn signs in with
// the secret's value when the emulator was given it (upstream_secret.go);
// otherwise, as a rule without one, it asks the upstream anonymously (with
// its token flow, if it has one): the emulator has no Secrets Manager.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// upstreamTimeout bounds one upstream fetch.
const upstreamTimeout = 5 * time.Minute

// WithUpstream makes pull-through cache rules whose upstream registry URL
// names host fetch from baseURL instead (e.g. "registry-1.docker.io" ->
// "http://127.0.0.1:5000"): rules keep ECR's validation of upstream URLs
// while their pulls go to a local registry.
func WithUpstream(host, baseURL string) Option {
	return func(e *Emulator) {
		if e.upstreams == nil {
			e.upstreams = map[string]string{}
		}
		e.upstreams[host] = baseURL
	}
}

// ptcMatch is a pull-through cache rule that applies to a repository name.
type ptcMatch struct {
	rule     PullThroughCacheRule
	upstream string // the upstream repository path
}

// ptcRuleFor returns the rule whose prefix the name is under (the longest;
// ROOT applies to every name) and the upstream repository it names.
func ptcRuleFor(reg *Registry, repoName string) (ptcMatch, bool) {
	var best *PullThroughCacheRule
	bestLen := -1
	for key, rule := range reg.PullThroughRules {
		l := len(key)
		switch {
		case key == "ROOT":
			l = 0
		case !strings.HasPrefix(repoName, key+"/"):
			continue
		}
		if l > bestLen {
			best, bestLen = rule, l
		}
	}
	if best == nil {
		return ptcMatch{}, false
	}
	path := repoName
	if key := prefixKey(best.EcrRepositoryPrefix); key != "ROOT" {
		path = strings.TrimPrefix(repoName, key+"/")
		if up := prefixKey(best.UpstreamRepositoryPrefix); up != "" && up != "ROOT" {
			path = up + "/" + path
		}
	}
	return ptcMatch{rule: *best, upstream: path}, true
}

// pullThroughCache runs before a manifest pull: when a rule applies and the
// repository does not have ref, it fetches and caches the image. It answers
// the error itself, and reports false, when the repository does not exist
// and the upstream cannot give the image (ECR's
// UnableToGetUpstreamImageException; over /v2/, 404 MANIFEST_UNKNOWN with
// its message, as an assumption).
func (e *Emulator) pullThroughCache(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) bool {
	e.mu.RLock()
	reg := e.st.registry(c.account, c.region, false)
	m, ok := ptcRuleFor(reg, rt.name)
	repo := reg.Repositories[rt.name]
	have := repo != nil && lookupManifest(repo, rt.ref) != nil
	e.mu.RUnlock()
	if !ok || have {
		return true
	}
	ctx, cancel := context.WithTimeout(r.Context(), upstreamTimeout)
	defer cancel()
	f, err := e.fetchUpstream(ctx, m, rt.ref)
	if err != nil {
		if repo != nil {
			return true // the cache answers: MANIFEST_UNKNOWN
		}
		writeOCIError(w, ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", fmt.Sprintf(
			"UnableToGetUpstreamImageException: the image %s:%s could not be pulled from the upstream registry %s: %v",
			m.upstream, rt.ref, m.rule.UpstreamRegistryURL, err)))
		return false
	}
	tag := ""
	if !isDigestRef(rt.ref) {
		tag = rt.ref
	}
	return e.registryCall(w, r, c, "BatchImportUpstreamImage", false, func(req *request, reg *Registry) error {
		repo := reg.Repositories[rt.name]
		if repo == nil {
			var err error
			if repo, err = e.createRepositoryFrom(reg, rt.name, templateFor(reg, rt.name, "PULL_THROUGH_CACHE")); err != nil {
				return err
			}
		} else {
			e.touchRepository(reg, rt.name)
		}
		for _, l := range f.blobs {
			if repo.Data.Layers[l.Digest] == nil {
				l := l
				repo.Data.Layers[l.Digest] = &l
			}
		}
		for i, mf := range f.manifests {
			t := ""
			if i == len(f.manifests)-1 {
				t = tag
			}
			mt := mf.mediaType
			_, _, err := storeImage(req, reg, repo, mf.manifest, &mt, t, nil)
			if err != nil && toAPIError(err).Type != "ImageAlreadyExistsException" {
				return err
			}
		}
		return nil
	})
}

type fetchedImage struct {
	manifests []fetchedManifest // the images an index lists first, the one asked for last
	blobs     []Layer
}

type fetchedManifest struct {
	manifest, mediaType string
}

// fetchUpstream gets the image ref of the rule's upstream repository and
// stores its blobs (content-addressed: what is there already is kept).
func (e *Emulator) fetchUpstream(ctx context.Context, m ptcMatch, ref string) (*fetchedImage, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(m.rule.UpstreamRegistryURL, "https://"), "/")
	var nameOpts []name.Option
	if base, ok := e.upstreams[host]; ok {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("bad upstream address %q", base)
		}
		host = u.Host
		if u.Scheme == "http" {
			nameOpts = append(nameOpts, name.Insecure)
		}
	}
	sep := ":"
	if isDigestRef(ref) {
		sep = "@"
	}
	nref, err := name.ParseReference(host+"/"+m.upstream+sep+ref, nameOpts...)
	if err != nil {
		return nil, err
	}
	auth, _ := e.upstreamAuth(m.rule.CredentialArn)
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth)}
	desc, err := remote.Get(nref, opts...)
	if err != nil {
		return nil, err
	}
	f := &fetchedImage{}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		for _, d := range im.Manifests {
			if !d.MediaType.IsImage() {
				return nil, fmt.Errorf("the index lists %s, which is not an image", d.Digest)
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, err
			}
			if err := e.fetchImage(img, f); err != nil {
				return nil, err
			}
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			return nil, err
		}
		if err := e.fetchImage(img, f); err != nil {
			return nil, err
		}
		return f, nil
	}
	f.manifests = append(f.manifests, fetchedManifest{manifest: string(desc.Manifest), mediaType: string(desc.MediaType)})
	return f, nil
}

// fetchImage stores the config and layers of img and adds its manifest.
func (e *Emulator) fetchImage(img v1.Image, f *fetchedImage) error {
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	mf, err := img.Manifest()
	if err != nil {
		return err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	if err := e.storeFetchedBlob(mf.Config.Digest.String(), mf.Config.Size, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(string(cfg))), nil
	}); err != nil {
		return err
	}
	f.blobs = append(f.blobs, Layer{Digest: mf.Config.Digest.String(), Size: mf.Config.Size, MediaType: string(mf.Config.MediaType)})
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for i, l := range layers {
		if i >= len(mf.Layers) {
			break
		}
		d := mf.Layers[i]
		if len(d.URLs) > 0 {
			continue // foreign: not fetched, as ECR does not store it either
		}
		if err := e.storeFetchedBlob(d.Digest.String(), d.Size, l.Compressed); err != nil {
			return err
		}
		f.blobs = append(f.blobs, Layer{Digest: d.Digest.String(), Size: d.Size, MediaType: string(d.MediaType)})
	}
	f.manifests = append(f.manifests, fetchedManifest{manifest: string(raw), mediaType: string(mt)})
	return nil
}

// storeFetchedBlob stores the content open gives under digest, checked,
// unless the blob store has it already.
func (e *Emulator) storeFetchedBlob(digest string, size int64, open func() (io.ReadCloser, error)) error {
	s := e.streamer()
	if rc, _, ok, err := s.OpenBlob(digest); err == nil && ok {
		_ = rc.Close()
		return nil
	}
	rc, err := open()
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	tmp := partKey("ptc-"+e.ids.uuid(), 0)
	h := sha256.New()
	if _, err := s.AppendBlob(tmp, io.TeeReader(rc, h), size); err != nil {
		_ = e.blobs.DeleteBlob(tmp)
		return err
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != digest {
		_ = e.blobs.DeleteBlob(tmp)
		return fmt.Errorf("the upstream blob %s has digest %s", digest, got)
	}
	return s.RenameBlob(tmp, digest)
}
