package emulator_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

// TestPullThroughCachePulls_credentials: a rule with a credentialArn signs
// in to an upstream that requires basic auth (go-containerregistry's
// registry behind a password) with the secret's value once the emulator is
// given it (control API, POST /_emulator/upstream-secrets). Without it, or
// with a wrong one, the pull fails as for any upstream that refuses
// (UnableToGetUpstreamImageException) and ValidatePullThroughCacheRule
// reports the refused secret.
func TestPullThroughCachePulls_credentials(t *testing.T) {
	const user, token = "puller", "dckr_pat_s3cret"
	var signedIn atomic.Int32
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="upstream"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		signedIn.Add(1)
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(upstream.Close)
	upHost := strings.TrimPrefix(upstream.URL, "http://")
	env := newRegistryEnv(t, emulator.WithUpstream("registry-1.docker.io", upstream.URL))
	ctl := httptest.NewServer(env.emu.ControlHandler())
	t.Cleanup(ctl.Close)
	secrets := ctl.URL + emulator.ControlPrefix + "upstream-secrets"
	ctx := context.Background()

	img, err := random.Image(2000, 2)
	if err != nil {
		t.Fatal(err)
	}
	upAuth := crane.WithAuth(&authn.Basic{Username: user, Password: token})
	for _, tag := range []string{"v1", "v2"} {
		if err := crane.Push(img, upHost+"/library/app:"+tag, crane.Insecure, upAuth); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.client.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("hub"),
		UpstreamRegistryUrl: aws.String("registry-1.docker.io"), CredentialArn: aws.String(testSecretArn)}); err != nil {
		t.Fatal(err)
	}
	validate := func(wantValid bool, step string) {
		t.Helper()
		out, err := env.client.ValidatePullThroughCacheRule(ctx, &ecr.ValidatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("hub")})
		if err != nil {
			t.Fatal(err)
		}
		failure := aws.ToString(out.Failure)
		if out.IsValid != wantValid || wantValid != (failure == "") ||
			!wantValid && !strings.Contains(failure, "refused the credentials of the secret '"+testSecretArn+"'") {
			t.Errorf("%s: isValid %t, failure %q; want valid %t", step, out.IsValid, failure, wantValid)
		}
	}
	// pullRefused: the pull fails; until the repository exists, with ECR's
	// reason (once it does, the cache answers MANIFEST_UNKNOWN itself).
	pullRefused := func(tag, step string) {
		t.Helper()
		_, err := env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"hub/library/app"}})
		cached := err == nil
		if _, err := crane.Pull(env.ref("hub/library/app:"+tag), env.opts...); !isCode(err, transport.ManifestUnknownErrorCode) ||
			!cached && !strings.Contains(err.Error(), "UnableToGetUpstreamImage") {
			t.Fatalf("%s: pull: %v", step, err)
		}
		if _, err := env.client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("hub/library/app"),
			ImageIds: []types.ImageIdentifier{{ImageTag: aws.String(tag)}}}); err == nil {
			t.Fatalf("%s: a refused pull through cached %s", step, tag)
		}
	}

	signedIn.Store(0) // the pushes signed in

	// No secret: asked anonymously, refused.
	pullRefused("v1", "without the secret")
	if n := signedIn.Load(); n != 0 {
		t.Fatalf("%d requests signed in without the secret", n)
	}

	// A wrong secret: refused, and validation says so.
	if code, b := control(t, "POST", secrets, `{"arn":"`+testSecretArn+`","username":"`+user+`","accessToken":"wrong"}`); code != http.StatusCreated {
		t.Fatalf("POST upstream-secrets: %d %s", code, b)
	}
	validate(false, "a wrong secret")
	pullRefused("v1", "a wrong secret")

	// The right secret replaces it: the pull signs in and caches the image.
	if code, b := control(t, "POST", secrets, `{"arn":"`+testSecretArn+`","username":"`+user+`","accessToken":"`+token+`"}`); code != http.StatusCreated {
		t.Fatalf("POST upstream-secrets: %d %s", code, b)
	}
	validate(true, "the secret")
	pulled, err := crane.Pull(env.ref("hub/library/app:v1"), env.opts...)
	if err != nil {
		t.Fatalf("pull with the secret: %v", err)
	}
	want, _ := img.Digest()
	if got, _ := pulled.Digest(); got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
	if signedIn.Load() == 0 {
		t.Fatal("the pull did not sign in to the upstream")
	}

	// Forgotten: anonymous again, so a tag not cached yet is refused.
	if code, b := control(t, "DELETE", secrets, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE upstream-secrets: %d %s", code, b)
	}
	pullRefused("v2", "after DELETE")
	if _, err := crane.Pull(env.ref("hub/library/app:v1"), env.opts...); err != nil {
		t.Fatalf("the cached tag: %v", err)
	}
}

// The control API refuses an upstream secret ECR could not name, or
// without its username and access token.
func TestControlAPI_upstreamSecrets(t *testing.T) {
	t.Parallel()
	_, url := controlServer(t)
	secrets := url + emulator.ControlPrefix + "upstream-secrets"
	for _, tc := range []struct{ body, want string }{
		{`{"arn":"arn:aws:secretsmanager:us-west-2:123456789012:secret:other/docker-AbCdEf","username":"u","accessToken":"t"}`, "arn:"},
		{`{"arn":"` + testSecretArn + `","username":"u"}`, "needs a username and an accessToken"},
		{`{"arn":"` + testSecretArn + `","username":"u","accessToken":"t","password":"p"}`, "unknown field"},
	} {
		if code, b := control(t, "POST", secrets, tc.body); code != http.StatusBadRequest || !strings.Contains(string(b), tc.want) {
			t.Errorf("POST %s: %d %s, want 400 with %q", tc.body, code, b, tc.want)
		}
	}
	if code, b := control(t, "POST", secrets, `{"arn":"`+testSecretArn+`","username":"u","accessToken":"t"}`); code != http.StatusCreated ||
		strings.Contains(string(b), `"t"`) {
		t.Errorf("POST a secret: %d %s", code, b)
	}
}
