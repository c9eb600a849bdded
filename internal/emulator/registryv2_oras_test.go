package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// orasRepo is an oras-go repository on the emulator, logged in with the
// GetAuthorizationToken password.
func orasRepo(t *testing.T, env *registryEnv, name string) *remote.Repository {
	t.Helper()
	repo, err := remote.NewRepository(env.host + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	repo.Client = &auth.Client{Client: http.DefaultClient,
		Credential: auth.StaticCredential(env.host, auth.Credential{Username: env.user, Password: env.pass})}
	return repo
}

func TestRegistryOrasReferrers(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "arts", "")
	repo := orasRepo(t, env, "arts")

	// The subject: an artifact of its own, tagged.
	layer, err := oras.PushBytes(ctx, repo, "application/vnd.example.data", []byte("the subject's data"))
	if err != nil {
		t.Fatalf("push blob: %v", err)
	}
	subject, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, "application/vnd.example.app",
		oras.PackManifestOptions{Layers: []ocispec.Descriptor{layer}})
	if err != nil {
		t.Fatalf("pack subject: %v", err)
	}
	if err := repo.Tag(ctx, subject, "v1"); err != nil {
		t.Fatalf("tag: %v", err)
	}
	// Two referrers of different types.
	for _, a := range []struct{ typ, content string }{
		{"application/vnd.example.signature", "signature"}, {"application/spdx+json", `{"spdxVersion":"SPDX-2.3"}`},
	} {
		blob, err := oras.PushBytes(ctx, repo, a.typ, []byte(a.content))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oras.PackManifest(ctx, repo, oras.PackManifestVersion1_1, a.typ, oras.PackManifestOptions{
			Subject: &subject, Layers: []ocispec.Descriptor{blob},
			ManifestAnnotations: map[string]string{"org.example.kind": a.typ, ocispec.AnnotationCreated: "2026-01-01T00:00:00Z"},
		}); err != nil {
			t.Fatalf("pack referrer %s: %v", a.typ, err)
		}
	}

	// Through the registry's referrers API (oras-go uses it: the
	// manifest PUTs answered OCI-Subject).
	var seen []string
	if err := repo.Referrers(ctx, subject, "", func(refs []ocispec.Descriptor) error {
		for _, r := range refs {
			seen = append(seen, r.ArtifactType)
		}
		return nil
	}); err != nil {
		t.Fatalf("referrers: %v", err)
	}
	slices.Sort(seen)
	if strings.Join(seen, ",") != "application/spdx+json,application/vnd.example.signature" {
		t.Fatalf("referrers over /v2/: %v", seen)
	}
	seen = nil
	if err := repo.Referrers(ctx, subject, "application/spdx+json", func(refs []ocispec.Descriptor) error {
		for _, r := range refs {
			seen = append(seen, r.ArtifactType)
		}
		return nil
	}); err != nil || len(seen) != 1 {
		t.Fatalf("filtered referrers: %v %v", seen, err)
	}
	resp := env.do(t, http.MethodGet, "/v2/arts/referrers/"+subject.Digest.String()+"?artifactType=application/spdx%2Bjson", nil, true)
	var idx ocispec.Index
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &idx); err != nil || resp.Header.Get("OCI-Filters-Applied") != "artifactType" ||
		resp.Header.Get("Content-Type") != ocispec.MediaTypeImageIndex || len(idx.Manifests) != 1 ||
		idx.Manifests[0].Annotations["org.example.kind"] != "application/spdx+json" {
		t.Fatalf("raw referrers: %s %v", b, resp.Header)
	}
	// No fallback tag (sha256-<digest>) was needed.
	tags, err := env.client.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("arts"),
		Filter: &types.ListImagesFilter{TagStatus: types.TagStatusTagged}})
	if err != nil || len(tags.ImageIds) != 1 || aws.ToString(tags.ImageIds[0].ImageTag) != "v1" {
		t.Fatalf("tags: %v %v", tags, err)
	}

	// Through the JSON API: the same referrers.
	out, err := env.client.ListImageReferrers(ctx, &ecr.ListImageReferrersInput{RepositoryName: aws.String("arts"),
		SubjectId: &types.SubjectIdentifier{ImageDigest: aws.String(subject.Digest.String())}})
	if err != nil || len(out.Referrers) != 2 {
		t.Fatalf("ListImageReferrers: %v %v", out, err)
	}
	for _, r := range out.Referrers {
		if r.ArtifactStatus != types.ArtifactStatusActive || r.Annotations["org.example.kind"] != aws.ToString(r.ArtifactType) {
			t.Errorf("referrer %+v", r)
		}
	}
	// Pulled back with oras: the content is what was pushed.
	desc, err := repo.Resolve(ctx, "v1")
	if err != nil || desc.Digest != subject.Digest {
		t.Fatalf("resolve v1: %v %v", desc, err)
	}
	rc, err := repo.Fetch(ctx, layer)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(data) != "the subject's data" {
		t.Fatalf("fetched %q", data)
	}
}
