package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ---- manifests ----

type manifestDescriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	URLs         []string          `json:"urls"`
	ArtifactType string            `json:"artifactType"`
	Annotations  map[string]string `json:"annotations"`
}

type imageManifest struct {
	SchemaVersion int                  `json:"schemaVersion"`
	MediaType     string               `json:"mediaType"`
	ArtifactType  string               `json:"artifactType"`
	Config        *manifestDescriptor  `json:"config"`
	Layers        []manifestDescriptor `json:"layers"`
	Manifests     []manifestDescriptor `json:"manifests"`
	Subject       *manifestDescriptor  `json:"subject"`
	Annotations   map[string]string    `json:"annotations"`
}

// parseManifest decodes a manifest and settles its media type from the
// request member or the manifest's own mediaType.
func parseManifest(text string, requested *string) (*imageManifest, string, error) {
	var m imageManifest
	trimmed := strings.TrimSpace(text)
	if !json.Valid([]byte(text)) || !strings.HasPrefix(trimmed, "{") {
		return nil, "", errInvalidParam("ImageManifest", "Invalid JSON syntax")
	}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, "", errInvalidParam("ImageManifest", "Invalid manifest structure: "+err.Error())
	}
	mt := m.MediaType
	if requested != nil && *requested != "" {
		// Assumption: a media type that contradicts the manifest's own
		// mediaType is a parameter error.
		if mt != "" && mt != *requested {
			return nil, "", errInvalidParam("imageManifestMediaType",
				fmt.Sprintf("Media type '%s' does not match the manifest's mediaType '%s'", *requested, mt))
		}
		mt = *requested
	}
	if mt == "" {
		// Assumption: without any media type, schema 1 manifests are Docker
		// v1, manifests with a "manifests" list OCI indexes, others OCI
		// image manifests (OCI allows mediaType to be omitted).
		switch {
		case m.SchemaVersion == 1:
			mt = mediaTypeDockerV1
		case m.Manifests != nil:
			mt = mediaTypeOCIIndex
		default:
			mt = mediaTypeOCIManifest
		}
	}
	if !slices.Contains(manifestMediaTypes, mt) {
		// Assumption: other media types are rejected as a parameter error.
		return nil, "", errInvalidParam("imageManifestMediaType",
			fmt.Sprintf("Unsupported manifest media type '%s'", mt))
	}
	switch {
	case mt == mediaTypeDockerV2 || mt == mediaTypeOCIManifest:
		if m.Config == nil || m.Config.Digest == "" {
			return nil, "", errInvalidParam("ImageManifest", "Invalid manifest: config descriptor is required")
		}
	case isIndexMediaType(mt):
		for _, d := range m.Manifests {
			if !reImageDigest.MatchString(d.Digest) {
				return nil, "", errInvalidParam("ImageManifest", "Invalid manifest: invalid digest in manifests list")
			}
		}
	}
	return &m, mt, nil
}

// manifestDigest is "sha256:" + hex SHA-256 of the exact manifest bytes.
func manifestDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blobs returns the config and layer descriptors of an image manifest.
func (m *imageManifest) blobs() []manifestDescriptor {
	var out []manifestDescriptor
	if m.Config != nil {
		out = append(out, *m.Config)
	}
	return append(out, m.Layers...)
}

// imageRefs is what an image's manifest references. A manifest never
// changes (the image's digest is its hash), so it is derived once, when the
// image is pushed or restored, and lookups across a repository's images
// (layerIndex, BatchDeleteImage) parse no JSON.
type imageRefs struct {
	blobs    []blobRef // image manifests: config and layers, foreign ones (urls) left out
	children []string  // manifest lists: the digests of their manifests
}

// blobRef is a blob descriptor of a manifest.
type blobRef struct {
	Digest    string
	Size      int64
	MediaType string
}

func newImageRefs(m *imageManifest, mediaType string) *imageRefs {
	refs := &imageRefs{}
	if isIndexMediaType(mediaType) {
		for _, d := range m.Manifests {
			refs.children = append(refs.children, d.Digest)
		}
		return refs
	}
	for _, b := range m.blobs() {
		if b.Digest != "" && len(b.URLs) == 0 {
			refs.blobs = append(refs.blobs, blobRef{Digest: b.Digest, Size: b.Size, MediaType: b.MediaType})
		}
	}
	return refs
}

// parseImageRefs derives an image's references from its stored manifest; a
// manifest that does not parse references nothing.
func parseImageRefs(img *Image) *imageRefs {
	var m imageManifest
	if json.Unmarshal([]byte(img.Manifest), &m) != nil {
		return &imageRefs{}
	}
	return newImageRefs(&m, img.ManifestMediaType)
}

// references returns what img's manifest references. PutImage and Restore
// record them; an image put into the state another way (tests) is parsed
// on each call, since read-only operations hold only a read lock and must
// not write.
func (img *Image) references() *imageRefs {
	if img.refs != nil {
		return img.refs
	}
	return parseImageRefs(img)
}
