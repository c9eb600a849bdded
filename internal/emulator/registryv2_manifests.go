package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// maxManifestBytes is PutImage's limit on a manifest, which ECR's registry
// shares.
const maxManifestBytes = 4 << 20

// reOCITag is the distribution spec's tag grammar.
var reOCITag = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// isDigestRef tells a digest reference from a tag (tags hold no ':').
func isDigestRef(ref string) bool { return strings.Contains(ref, ":") }

// acceptsMediaType reports whether the Accept headers of r allow mt: no
// Accept, or */*, allows anything. Assumption: as ECR, the emulator does not
// convert between schemas; a manifest of a type the client does not accept
// is MANIFEST_UNKNOWN.
func acceptsMediaType(r *http.Request, mt string) bool {
	accepts := r.Header.Values("Accept")
	if len(accepts) == 0 {
		return true
	}
	for _, h := range accepts {
		for _, a := range strings.Split(h, ",") {
			t, _, err := mime.ParseMediaType(strings.TrimSpace(a))
			if err != nil {
				t = strings.TrimSpace(a)
			}
			if t == mt || t == "*/*" || t == "" {
				return true
			}
		}
	}
	return false
}

func setDigestHeaders(w http.ResponseWriter, digest string) {
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("ETag", `"`+digest+`"`)
}

// serveManifestGet answers GET and HEAD of a manifest by tag or digest. A GET
// is a pull (BatchGetImage: lastRecordedPullTime); a HEAD reads only.
func (e *Emulator) serveManifestGet(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	if !e.pullThroughCache(w, r, c, rt) {
		return
	}
	get := r.Method == http.MethodGet
	op := "BatchGetImage"
	var manifest, mediaType, digest string
	ok := e.registryCall(w, r, c, op, !get, func(req *request, reg *Registry) error {
		repo, err := findRepository(req, reg, nil, &rt.name)
		if err != nil {
			return err
		}
		img := lookupManifest(repo, rt.ref)
		if img == nil {
			return ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", fmt.Sprintf("manifest %s not found in repository %s", rt.ref, rt.name))
		}
		now := e.now()
		if get && !pullable(img, now) || !get && img.statusAt(now) != "ACTIVE" {
			return ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", reasonArchived)
		}
		if !acceptsMediaType(r, img.ManifestMediaType) {
			return ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", fmt.Sprintf(
				"manifest %s has media type %s, which the request does not accept", rt.ref, img.ManifestMediaType))
		}
		if get {
			recordPull(img, now)
		}
		mediaType, digest = img.ManifestMediaType, img.Digest
		manifest, err = img.manifest()
		return err
	})
	if !ok {
		return
	}
	setDigestHeaders(w, digest)
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(manifest)))
	w.WriteHeader(http.StatusOK)
	if get {
		_, _ = io.WriteString(w, manifest)
	}
}

// lookupManifest resolves a tag or digest reference (nil if none).
func lookupManifest(repo *Repository, ref string) *Image {
	if isDigestRef(ref) {
		return repo.Data.Images[ref]
	}
	if d, ok := repo.Data.TagIndex[ref]; ok {
		return repo.Data.Images[d]
	}
	return nil
}

// serveManifestPut pushes a manifest (PutImage): by tag, or by digest
// (untagged, the digest checked). Pushing a manifest that is already there
// under the same reference succeeds, as registries do.
func (e *Emulator) serveManifestPut(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	tag := ""
	var wantDigest *string
	if isDigestRef(rt.ref) {
		if !reBlobDigest.MatchString(rt.ref) {
			writeOCIError(w, ociErr(http.StatusBadRequest, "DIGEST_INVALID", "invalid digest '"+rt.ref+"'"))
			return
		}
		wantDigest = &rt.ref
	} else {
		if !reOCITag.MatchString(rt.ref) {
			writeOCIError(w, ociErr(http.StatusBadRequest, "TAG_INVALID", "invalid tag '"+rt.ref+"'"))
			return
		}
		tag = rt.ref
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifestBytes+1))
	if err != nil {
		writeOCIError(w, ociErr(http.StatusBadRequest, "MANIFEST_INVALID", "reading the manifest: "+err.Error()))
		return
	}
	if len(body) > maxManifestBytes {
		writeOCIError(w, ociErr(http.StatusRequestEntityTooLarge, "MANIFEST_INVALID", "the manifest is larger than 4 MiB"))
		return
	}
	var requested *string
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && slices.Contains(manifestMediaTypes, ct) {
		requested = &ct
	}
	manifest := string(body)
	var digest, subject string
	ok := e.registryCall(w, r, c, "PutImage", false, func(req *request, reg *Registry) error {
		repo, err := pushRepository(req, reg, rt.name)
		if err != nil {
			return err
		}
		if len(manifest) == 0 {
			return ociErr(http.StatusBadRequest, "MANIFEST_INVALID", "empty manifest")
		}
		digest, _, err = storeImage(req, reg, repo, manifest, requested, tag, wantDigest)
		var ae *APIError
		if errors.As(err, &ae) && ae.Type == "ImageAlreadyExistsException" {
			digest, err = manifestDigest(manifest), nil
		}
		if err != nil {
			return err
		}
		subject = repo.Data.Images[digest].SubjectDigest
		return nil
	})
	if !ok {
		return
	}
	setDigestHeaders(w, digest)
	w.Header().Set("Location", RegistryPathPrefix+rt.name+"/manifests/"+digest)
	if subject != "" {
		w.Header().Set("OCI-Subject", subject)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// serveManifestDelete deletes an image by digest, or one of its tags
// (BatchDeleteImage), through the one removal path.
func (e *Emulator) serveManifestDelete(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	ok := e.registryCall(w, r, c, "BatchDeleteImage", false, func(req *request, reg *Registry) error {
		repo, err := findRepository(req, reg, nil, &rt.name)
		if err != nil {
			return err
		}
		img := lookupManifest(repo, rt.ref)
		if img == nil {
			return ociErr(http.StatusNotFound, "MANIFEST_UNKNOWN", fmt.Sprintf("manifest %s not found in repository %s", rt.ref, rt.name))
		}
		rm := newImageRemoval(repo)
		removed := false
		if isDigestRef(rt.ref) {
			_, removed = rm.image(img)
		} else {
			removed = rm.untag(img, rt.ref)
		}
		if !removed {
			// Assumption: ECR's BatchDeleteImage failure, as a conflict.
			return ociErr(http.StatusConflict, "DENIED", reasonReferencedByList)
		}
		replicateRemoval(req, reg, rm)
		return nil
	})
	if ok {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusAccepted)
	}
}

// pageParams reads the n and last query parameters of a listing.
func pageParams(r *http.Request) (n int, last string, err *ociError) {
	q := r.URL.Query()
	n = -1
	if s := q.Get("n"); s != "" {
		v, perr := strconv.Atoi(s)
		if perr != nil || v < 0 {
			return 0, "", ociErr(http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid n '"+s+"'")
		}
		n = v
	}
	return n, q.Get("last"), nil
}

// page applies n and last to sorted names and sets the Link header of the
// next page when there is one.
func page(w http.ResponseWriter, path string, names []string, n int, last string) []string {
	if last != "" {
		i, _ := slices.BinarySearch(names, last)
		for i < len(names) && names[i] <= last {
			i++
		}
		names = names[i:]
	}
	if n >= 0 && len(names) > n {
		names = names[:n]
		if n > 0 {
			w.Header().Set("Link", fmt.Sprintf(`<%s?n=%d&last=%s>; rel="next"`, path, n, url.QueryEscape(names[n-1])))
		}
	}
	return names
}

// serveTagsList lists the tags of a repository's active images (ListImages
// lists archived ones only when asked), in lexical order, with n/last paging.
func (e *Emulator) serveTagsList(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	n, last, perr := pageParams(r)
	if perr != nil {
		writeOCIError(w, perr)
		return
	}
	var tags []string
	ok := e.registryCall(w, r, c, "ListImages", true, func(req *request, reg *Registry) error {
		repo, err := findRepository(req, reg, nil, &rt.name)
		if err != nil {
			return err
		}
		now := e.now()
		tags = []string{}
		for _, t := range sortedKeys(repo.Data.TagIndex) {
			if img := repo.Data.Images[repo.Data.TagIndex[t]]; img != nil && img.statusAt(now) == "ACTIVE" {
				tags = append(tags, t)
			}
		}
		return nil
	})
	if !ok {
		return
	}
	tags = page(w, r.URL.Path, tags, n, last)
	writeRegistryJSON(w, "application/json", struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{rt.name, tags})
}

// serveCatalog lists the caller's repositories. Assumption: ECR's registry
// does not answer /v2/_catalog (DescribeRepositories does that); the
// emulator lists them so that crane catalog works against it.
func (e *Emulator) serveCatalog(w http.ResponseWriter, r *http.Request, c registryCaller) {
	n, last, perr := pageParams(r)
	if perr != nil {
		writeOCIError(w, perr)
		return
	}
	var names []string
	ok := e.registryCall(w, r, c, "DescribeRepositories", true, func(req *request, reg *Registry) error {
		names = []string{}
		for _, name := range sortedKeys(reg.Repositories) {
			if _, ok := e.lookupRepository(reg, name); ok {
				names = append(names, name)
			}
		}
		return nil
	})
	if !ok {
		return
	}
	names = page(w, r.URL.Path, names, n, last)
	writeRegistryJSON(w, "application/json", struct {
		Repositories []string `json:"repositories"`
	}{names})
}

// ociDescriptor is a referrer in the referrers API's index.
type ociDescriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	ArtifactType string            `json:"artifactType,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
}

// serveReferrers answers the referrers API (ListImageReferrers): an OCI
// index of the active manifests whose subject is the digest, filtered by
// artifactType when asked (OCI-Filters-Applied says so).
func (e *Emulator) serveReferrers(w http.ResponseWriter, r *http.Request, c registryCaller, rt registryRoute) {
	if !reImageDigest.MatchString(rt.ref) {
		writeOCIError(w, ociErr(http.StatusBadRequest, "DIGEST_INVALID", "invalid digest '"+rt.ref+"'"))
		return
	}
	types := r.URL.Query()["artifactType"]
	var refs []ociDescriptor
	ok := e.registryCall(w, r, c, "ListImageReferrers", true, func(req *request, reg *Registry) error {
		repo, err := findRepository(req, reg, nil, &rt.name)
		if err != nil {
			return err
		}
		now := e.now()
		refs = []ociDescriptor{}
		for _, img := range referrersOf(repo, rt.ref, types, "ACTIVE", now) {
			d, err := newImageReferrer(img, now)
			if err != nil {
				return err
			}
			refs = append(refs, ociDescriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size,
				ArtifactType: d.ArtifactType, Annotations: d.Annotations})
		}
		return nil
	})
	if !ok {
		return
	}
	if len(types) > 0 {
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	writeRegistryJSON(w, mediaTypeOCIIndex, struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     string          `json:"mediaType"`
		Manifests     []ociDescriptor `json:"manifests"`
	}{2, mediaTypeOCIIndex, refs})
}

func writeRegistryJSON(w http.ResponseWriter, contentType string, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
