package acctest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Artifact types of the referrers PushMultiPlatform pushes.
const (
	SignatureArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json"
	SBOMArtifactType      = "application/spdx+json"
)

// MultiPlatformImage is what PushMultiPlatform pushed: digests.
type MultiPlatformImage struct {
	Index     string
	Children  []string // linux/amd64, linux/arm64
	Signature string   // an OCI 1.1 artifact whose subject is the index
	SBOM      string   // likewise
}

// RegistryHost is the backend's registry protocol address (host:port), as
// `docker login` takes it; only the emulator serves the protocol.
func (b *Backend) RegistryHost() string {
	return strings.TrimPrefix(strings.TrimPrefix(b.URL, "http://"), "https://")
}

// RegistryLogin logs in as `aws ecr get-login-password | docker login`
// does: GetAuthorizationToken, then user AWS and the decoded password.
func RegistryLogin(ctx context.Context, client *ecr.Client) (*authn.Basic, error) {
	out, err := client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("logging in to the registry: %w", err)
	}
	if len(out.AuthorizationData) == 0 {
		return nil, errors.New("logging in to the registry: no authorization data")
	}
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	if err != nil {
		return nil, fmt.Errorf("logging in to the registry: %w", err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user != "AWS" {
		return nil, errors.New("logging in to the registry: the token does not decode to AWS:<password>")
	}
	return &authn.Basic{Username: user, Password: pass}, nil
}

// registryOptions are the go-containerregistry options of a client logged
// in to the backend's registry.
func (b *Backend) registryOptions() ([]remote.Option, error) {
	auth, err := RegistryLogin(Context(), b.Client)
	if err != nil {
		return nil, err
	}
	return []remote.Option{remote.WithAuth(auth), remote.WithContext(Context())}, nil
}

// PushMultiPlatform pushes, through the registry protocol as docker buildx
// and cosign do, a two-platform OCI image index tagged tag (its two images
// first, untagged), then a signature and an SBOM referring to the index
// (OCI 1.1 artifacts with a subject, untagged).
func (b *Backend) PushMultiPlatform(repository, tag string) (MultiPlatformImage, error) {
	var out MultiPlatformImage
	opts, err := b.registryOptions()
	if err != nil {
		return out, err
	}
	repo, err := name.NewRepository(b.RegistryHost()+"/"+repository, name.Insecure)
	if err != nil {
		return out, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		if err != nil {
			return out, err
		}
		img = mutate.ConfigMediaType(mutate.MediaType(img, types.OCIManifestSchema1), types.OCIConfigJSON)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
		d, err := img.Digest()
		if err != nil {
			return out, err
		}
		out.Children = append(out.Children, d.String())
	}
	if err := remote.WriteIndex(repo.Tag(tag), idx, opts...); err != nil {
		return out, fmt.Errorf("pushing %s:%s: %w", repository, tag, err)
	}
	indexDigest, err := idx.Digest()
	if err != nil {
		return out, err
	}
	out.Index = indexDigest.String()
	subject, err := partialDescriptor(idx)
	if err != nil {
		return out, err
	}
	if out.Signature, err = b.pushReferrer(repo, opts, SignatureArtifactType, subject, []byte("signature of "+out.Index)); err != nil {
		return out, err
	}
	if out.SBOM, err = b.pushReferrer(repo, opts, SBOMArtifactType, subject, []byte(`{"spdxVersion":"SPDX-2.3","name":"`+tag+`"}`)); err != nil {
		return out, err
	}
	return out, nil
}

func partialDescriptor(idx v1.ImageIndex) (v1.Descriptor, error) {
	d, err := idx.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := idx.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: types.OCIImageIndex, Digest: d, Size: size}, nil
}

// pushReferrer pushes an OCI 1.1 artifact (empty config, one layer) whose
// subject is subject, by digest; it returns its digest.
func (b *Backend) pushReferrer(repo name.Repository, opts []remote.Option, artifactType string, subject v1.Descriptor, content []byte) (string, error) {
	const emptyType = "application/vnd.oci.empty.v1+json"
	config := static.NewLayer([]byte("{}"), emptyType)
	layer := static.NewLayer(content, types.MediaType(artifactType))
	var descs []map[string]any
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return "", fmt.Errorf("pushing a blob of a %s: %w", artifactType, err)
		}
		d, _ := l.Digest()
		size, _ := l.Size()
		mt, _ := l.MediaType()
		descs = append(descs, map[string]any{"mediaType": string(mt), "digest": d.String(), "size": size})
	}
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     string(types.OCIManifestSchema1),
		"artifactType":  artifactType,
		"config":        descs[0],
		"layers":        descs[1:],
		"subject":       map[string]any{"mediaType": string(subject.MediaType), "digest": subject.Digest.String(), "size": subject.Size},
	})
	if err != nil {
		return "", err
	}
	raw := rawManifest{body: manifest, mediaType: types.OCIManifestSchema1}
	d, _, err := v1.SHA256(strings.NewReader(string(manifest)))
	if err != nil {
		return "", err
	}
	if err := remote.Put(repo.Digest(d.String()), raw, opts...); err != nil {
		return "", fmt.Errorf("pushing a %s: %w", artifactType, err)
	}
	return d.String(), nil
}

// rawManifest is a manifest to put as it is.
type rawManifest struct {
	body      []byte
	mediaType types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.body, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mediaType, nil }
