package emulator_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// TestPullThroughCachePulls: a pull of quay/<path> fetches <path> from the
// upstream registry (go-containerregistry's in-process registry, standing
// for quay.io), creates the repository from the PULL_THROUGH_CACHE
// template, caches the image and serves later pulls from the cache, even
// with the upstream gone; an unreachable upstream gives
// UnableToGetUpstreamImageException (MANIFEST_UNKNOWN) and creates nothing.
func TestPullThroughCachePulls(t *testing.T) {
	upstream := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(upstream.Close)
	upHost := strings.TrimPrefix(upstream.URL, "http://")
	env := newRegistryEnv(t, emulator.WithUpstream("quay.io", upstream.URL))
	ctx := context.Background()

	img, err := random.Image(3000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := crane.Push(img, upHost+"/org/app:v1", crane.Insecure); err != nil {
		t.Fatal(err)
	}
	idx, err := random.Index(512, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	upIdx, _ := name.ParseReference(upHost+"/org/multi:all", name.Insecure)
	if err := remote.WriteIndex(upIdx, idx); err != nil {
		t.Fatal(err)
	}

	if _, err := env.client.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{
		EcrRepositoryPrefix: aws.String("quay"), UpstreamRegistryUrl: aws.String("quay.io")}); err != nil {
		t.Fatal(err)
	}
	createTemplate(t, env.client, ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("ROOT"),
		AppliedFor:   []types.RCTAppliedFor{types.RCTAppliedForPullThroughCache},
		ResourceTags: []types.Tag{{Key: aws.String("cache"), Value: aws.String("quay")}}})

	pulled, err := crane.Pull(env.ref("quay/org/app:v1"), env.opts...)
	if err != nil {
		t.Fatalf("pull through the cache: %v", err)
	}
	want, _ := img.Digest()
	if got, _ := pulled.Digest(); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := pulled.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatal(err)
	}
	for i := range wantLayers {
		if !bytes.Equal(layerBytes(t, gotLayers[i]), layerBytes(t, wantLayers[i])) {
			t.Fatalf("layer %d differs", i)
		}
	}
	r, err := env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"quay/org/app"}})
	if err != nil {
		t.Fatalf("the cache repository: %v", err)
	}
	tags, err := env.client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.Repositories[0].RepositoryArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "quay" {
		t.Fatalf("the PULL_THROUGH_CACHE template's tags: %v %v", tags, err)
	}
	d, err := env.client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("quay/org/app")})
	if err != nil || len(d.ImageDetails) != 1 || aws.ToString(d.ImageDetails[0].ImageDigest) != want.String() ||
		len(d.ImageDetails[0].ImageTags) != 1 || d.ImageDetails[0].ImageTags[0] != "v1" {
		t.Fatalf("the cached image: %v %v", d, err)
	}

	// An index, by the registry's own reference.
	ref, _ := name.ParseReference(env.ref("quay/org/multi:all"), name.Insecure)
	got, err := remote.Index(ref, remote.WithAuth(&authn.Basic{Username: env.user, Password: env.pass}))
	if err != nil {
		t.Fatalf("index through the cache: %v", err)
	}
	im, _ := got.IndexManifest()
	for _, m := range im.Manifests {
		child, err := got.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := child.ConfigFile(); err != nil {
			t.Fatalf("child %s: %v", m.Digest, err)
		}
	}

	// The upstream goes away: the cache still serves, a new name fails.
	upstream.Close()
	if _, err := crane.Pull(env.ref("quay/org/app:v1"), env.opts...); err != nil {
		t.Fatalf("later pull from the cache: %v", err)
	}
	if _, err := crane.Pull(env.ref("quay/org/other:v1"), env.opts...); !isCode(err, transport.ManifestUnknownErrorCode) ||
		!strings.Contains(err.Error(), "UnableToGetUpstreamImage") {
		t.Fatalf("pull with the upstream unreachable: %v", err)
	}
	if _, err := env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"quay/org/other"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("a failed pull through created the repository: %v", err)
	}
	// No rule: NAME_UNKNOWN as before.
	if _, err := crane.Pull(env.ref("nocache/app:v1"), env.opts...); !isCode(err, transport.NameUnknownErrorCode) {
		t.Fatalf("pull without a rule: %v", err)
	}
}
