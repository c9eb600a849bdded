package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// registryEnv is an emulator on loopback, an SDK client for it and the
// crane options of a client logged in with its token.
type registryEnv struct {
	emu    *emulator.Emulator
	srv    *httptest.Server
	client *ecr.Client
	host   string // host:port of the registry
	user   string
	pass   string
	opts   []crane.Option
}

// newRegistryEnv starts an emulator and logs in as
// `aws ecr get-login-password | docker login --username AWS --password-stdin`
// does: GetAuthorizationToken, base64-decode, split at the first ':'.
func newRegistryEnv(t *testing.T, opts ...emulator.Option) *registryEnv {
	t.Helper()
	_, emu := newClient(t, opts...)
	// newClient's server is not returned: start one of our own on the
	// same emulator, so the test knows the registry's address.
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	client := clientFor(srv.URL, "AKIDEXAMPLE", "us-west-2")
	env := &registryEnv{emu: emu, srv: srv, client: client, host: strings.TrimPrefix(srv.URL, "http://")}
	env.user, env.pass = loginPassword(t, client)
	env.opts = []crane.Option{crane.Insecure, crane.WithAuth(&authn.Basic{Username: env.user, Password: env.pass}),
		crane.WithContext(context.Background())}
	return env
}

func loginPassword(t *testing.T, client *ecr.Client) (user, pass string) {
	t.Helper()
	auth, err := acctest.RegistryLogin(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Username, auth.Password
}

func (env *registryEnv) ref(repo string) string { return env.host + "/" + repo }

func (env *registryEnv) createRepo(t *testing.T, name string, mutability types.ImageTagMutability) {
	t.Helper()
	in := &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)}
	if mutability != "" {
		in.ImageTagMutability = mutability
	}
	if _, err := env.client.CreateRepository(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// do makes a raw registry request, logged in unless auth is false.
func (env *registryEnv) do(t *testing.T, method, path string, body io.Reader, auth bool, hdr ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.SetBasicAuth(env.user, env.pass)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// ociCode reads the first error code of a registry error answer.
func ociCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	_, rest, ok := strings.Cut(string(b), `"code":"`)
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, `"`)
	return code
}

func layerBytes(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRegistryCranePushPullSeenByTheAPI(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "app/web", "")
	img, err := random.Image(3000, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := crane.Push(img, env.ref("app/web:v1"), env.opts...); err != nil {
		t.Fatalf("crane push: %v", err)
	}
	want, _ := img.Digest()
	got, err := crane.Digest(env.ref("app/web:v1"), env.opts...)
	if err != nil || got != want.String() {
		t.Fatalf("crane digest = %q, %v; want %s", got, err, want)
	}
	pulled, err := crane.Pull(env.ref("app/web:v1"), env.opts...)
	if err != nil {
		t.Fatalf("crane pull: %v", err)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := pulled.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatalf("pulled layers: %d, %v", len(gotLayers), err)
	}
	for i := range wantLayers {
		if !bytes.Equal(layerBytes(t, gotLayers[i]), layerBytes(t, wantLayers[i])) {
			t.Fatalf("layer %d differs after the round trip", i)
		}
	}

	// One store: the JSON API sees what the registry got.
	desc, err := env.client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(desc.ImageDetails) != 1 {
		t.Fatalf("DescribeImages: %v %v", desc, err)
	}
	d := desc.ImageDetails[0]
	if aws.ToString(d.ImageDigest) != want.String() || len(d.ImageTags) != 1 || d.ImageTags[0] != "v1" ||
		aws.ToString(d.ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("DescribeImages: %+v", d)
	}
	if d.LastRecordedPullTime == nil {
		t.Fatal("a pull over /v2/ left no lastRecordedPullTime")
	}
	raw, _ := img.RawManifest()
	bg, err := env.client.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app/web"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}})
	if err != nil || len(bg.Images) != 1 || aws.ToString(bg.Images[0].ImageManifest) != string(raw) {
		t.Fatalf("BatchGetImage: %v %v", bg, err)
	}
	l0, _ := wantLayers[0].Digest()
	dl, err := env.client.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("app/web"),
		LayerDigest: aws.String(l0.String())})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(aws.ToString(dl.DownloadUrl))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !bytes.Equal(b, layerBytes(t, wantLayers[0])) {
		t.Fatal("GetDownloadUrlForLayer serves other content than the layer pushed over /v2/")
	}
	li, err := env.client.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(li.ImageIds) != 1 || aws.ToString(li.ImageIds[0].ImageTag) != "v1" {
		t.Fatalf("ListImages: %v %v", li, err)
	}
}

func TestRegistryAPIPushCranePull(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "api", "")
	img, err := random.Image(2048, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Push with the layer upload operations and PutImage, as the AWS
	// SDK would.
	layers, _ := img.Layers()
	cfg, _ := img.RawConfigFile()
	blobs := [][]byte{cfg, layerBytes(t, layers[0])}
	for _, b := range blobs {
		up, err := env.client.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("api")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.client.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("api"),
			UploadId: up.UploadId, PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(b) - 1)), LayerPartBlob: b}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.client.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("api"),
			UploadId: up.UploadId, LayerDigests: []string{digestOf(b)}}); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := img.RawManifest()
	if _, err := env.client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("api"),
		ImageManifest: aws.String(string(raw)), ImageTag: aws.String("latest")}); err != nil {
		t.Fatal(err)
	}
	pulled, err := crane.Pull(env.ref("api:latest"), env.opts...)
	if err != nil {
		t.Fatalf("crane pull of an image PutImage pushed: %v", err)
	}
	pl, _ := pulled.Layers()
	if !bytes.Equal(layerBytes(t, pl[0]), blobs[1]) {
		t.Fatal("pulled layer differs")
	}
	tags, err := crane.ListTags(env.ref("api"), env.opts...)
	if err != nil || len(tags) != 1 || tags[0] != "latest" {
		t.Fatalf("crane ls: %v %v", tags, err)
	}
}

func TestRegistryCraneCopyTagDeleteCatalog(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "src", "")
	env.createRepo(t, "dst", "")
	if _, err := env.client.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String("BLOB_MOUNTING"), Value: aws.String("ENABLED")}); err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(1024, 2)
	if err := crane.Push(img, env.ref("src:1.0"), env.opts...); err != nil {
		t.Fatal(err)
	}
	env.emu.ResetCalls()
	if err := crane.Copy(env.ref("src:1.0"), env.ref("dst:1.0"), env.opts...); err != nil {
		t.Fatalf("crane copy: %v", err)
	}
	// With BLOB_MOUNTING enabled the blobs are mounted, not uploaded.
	if n := env.emu.CallCounts()["CompleteLayerUpload"]; n != 0 {
		t.Fatalf("copy uploaded %d blobs; want them mounted", n)
	}
	if err := crane.Tag(env.ref("dst:1.0"), "stable", env.opts...); err != nil {
		t.Fatalf("crane tag: %v", err)
	}
	tags, err := crane.ListTags(env.ref("dst"), env.opts...)
	if err != nil || strings.Join(tags, ",") != "1.0,stable" {
		t.Fatalf("crane ls dst: %v %v", tags, err)
	}
	repos, err := crane.Catalog(env.host, env.opts...)
	if err != nil || strings.Join(repos, ",") != "dst,src" {
		t.Fatalf("crane catalog: %v %v", repos, err)
	}
	d, _ := img.Digest()
	if err := crane.Delete(env.ref("dst@"+d.String()), env.opts...); err != nil {
		t.Fatalf("crane delete: %v", err)
	}
	li, err := env.client.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("dst")})
	if err != nil || len(li.ImageIds) != 0 {
		t.Fatalf("after crane delete, ListImages: %v %v", li.ImageIds, err)
	}
	if _, err := crane.Digest(env.ref("dst:stable"), env.opts...); !isCode(err, transport.ManifestUnknownErrorCode) {
		t.Fatalf("digest of a deleted image: %v", err)
	}

	// Without BLOB_MOUNTING, a copy uploads the blobs.
	if _, err := env.client.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String("BLOB_MOUNTING"), Value: aws.String("DISABLED")}); err != nil {
		t.Fatal(err)
	}
	env.createRepo(t, "dst2", "")
	env.emu.ResetCalls()
	if err := crane.Copy(env.ref("src:1.0"), env.ref("dst2:1.0"), env.opts...); err != nil {
		t.Fatal(err)
	}
	if n := env.emu.CallCounts()["CompleteLayerUpload"]; n != 3 {
		t.Fatalf("copy without mounting completed %d uploads, want 3 (config and 2 layers)", n)
	}
}

func isCode(err error, code transport.ErrorCode) bool {
	var te *transport.Error
	if !errors.As(err, &te) {
		return false
	}
	for _, d := range te.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

func TestRegistryMultiPlatformIndex(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "multi", "")
	idx, err := random.Index(512, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(env.ref("multi:all"), name.Insecure)
	ropts := []remote.Option{remote.WithAuth(&authn.Basic{Username: env.user, Password: env.pass})}
	if err := remote.WriteIndex(ref, idx, ropts...); err != nil {
		t.Fatalf("write index: %v", err)
	}
	got, err := remote.Index(ref, ropts...)
	if err != nil {
		t.Fatal(err)
	}
	gd, _ := got.Digest()
	wd, _ := idx.Digest()
	if gd != wd {
		t.Fatalf("index digest %s, want %s", gd, wd)
	}
	im, _ := idx.IndexManifest()
	for _, m := range im.Manifests {
		child, err := got.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := child.Layers(); err != nil {
			t.Fatal(err)
		}
	}
	desc, err := env.client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("multi"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("all")}}})
	if err != nil || aws.ToString(desc.ImageDetails[0].ImageManifestMediaType) != string(im.MediaType) {
		t.Fatalf("DescribeImages of the index: %v %v", desc, err)
	}
	// A child of the index cannot go while the index stays, on either path.
	child := im.Manifests[0].Digest.String()
	resp := env.do(t, http.MethodDelete, "/v2/multi/manifests/"+child, nil, true)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("DELETE of a listed manifest: %d", resp.StatusCode)
	}
	bd, err := env.client.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("multi"),
		ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(child)}}})
	if err != nil || len(bd.Failures) != 1 || bd.Failures[0].FailureCode != types.ImageFailureCodeImageReferencedByManifestList {
		t.Fatalf("BatchDeleteImage of a listed manifest: %v %v", bd, err)
	}
}

func TestRegistryAuth(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	env := newRegistryEnv(t, emulator.WithClock(clock))
	env.createRepo(t, "private", "")

	resp := env.do(t, http.MethodGet, "/v2/", nil, false)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic realm=") ||
		resp.Header.Get("Docker-Distribution-Api-Version") != "registry/2.0" {
		t.Fatalf("no credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if code := ociCode(t, resp); code != "UNAUTHORIZED" {
		t.Fatalf("no credentials: code %q", code)
	}
	bad := base64.StdEncoding.EncodeToString([]byte("AWS:" + base64.StdEncoding.EncodeToString([]byte("forged"))))
	resp = env.do(t, http.MethodGet, "/v2/", nil, false, "Authorization", "Basic "+bad)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged password: %d", resp.StatusCode)
	}
	if resp = env.do(t, http.MethodGet, "/v2/", nil, true); resp.StatusCode != http.StatusOK {
		t.Fatalf("logged in: %d", resp.StatusCode)
	}
	// The host names the registry: a token of another account is DENIED.
	other := "210987654321.dkr.ecr.us-west-2.localhost"
	resp = env.do(t, http.MethodGet, "/v2/private/tags/list", nil, true, "Host", other)
	if resp.StatusCode != http.StatusForbidden || ociCode(t, resp) != "DENIED" {
		t.Fatalf("token of another account: %d", resp.StatusCode)
	}
	own := "123456789012.dkr.ecr.us-west-2.localhost"
	if resp = env.do(t, http.MethodGet, "/v2/private/tags/list", nil, true, "Host", own); resp.StatusCode != http.StatusOK {
		t.Fatalf("own registry by host: %d", resp.StatusCode)
	}
	// A token of another region does not open this one.
	resp = env.do(t, http.MethodGet, "/v2/", nil, true, "Host", "123456789012.dkr.ecr.eu-west-1.localhost")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token of another region: %d", resp.StatusCode)
	}
	// Tokens last 12 hours on the emulator's clock.
	clock.Advance(11*time.Hour + 59*time.Minute)
	if resp = env.do(t, http.MethodGet, "/v2/", nil, true); resp.StatusCode != http.StatusOK {
		t.Fatalf("token before expiry: %d", resp.StatusCode)
	}
	clock.Advance(time.Minute)
	if resp = env.do(t, http.MethodGet, "/v2/", nil, true); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token: %d", resp.StatusCode)
	}
	img, _ := random.Image(100, 1)
	if err := crane.Push(img, env.ref("private:x"), env.opts...); err == nil {
		t.Fatal("crane push with an expired token succeeded")
	}
}

func TestRegistryImmutableTag(t *testing.T) {
	env := newRegistryEnv(t)
	env.createRepo(t, "frozen", types.ImageTagMutabilityImmutable)
	a, _ := random.Image(100, 1)
	b, _ := random.Image(100, 1)
	if err := crane.Push(a, env.ref("frozen:v1"), env.opts...); err != nil {
		t.Fatal(err)
	}
	// The same image again is fine; another one under the tag is not.
	if err := crane.Push(a, env.ref("frozen:v1"), env.opts...); err != nil {
		t.Fatalf("re-push of the same image: %v", err)
	}
	err := crane.Push(b, env.ref("frozen:v1"), env.opts...)
	if !isCode(err, transport.TagInvalidErrorCode) {
		t.Fatalf("moving an immutable tag: %v, want TAG_INVALID", err)
	}
}

func TestRegistryProtocolDetails(t *testing.T) {
	env := newRegistryEnv(t)
	env.createRepo(t, "raw", "")
	blob := bytes.Repeat([]byte("0123456789"), 1000)
	dg := digestOf(blob)

	// Chunked upload: a chunk that does not start where the upload is
	// gets 416 with the current range.
	resp := env.do(t, http.MethodPost, "/v2/raw/blobs/uploads/", nil, true)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" {
		t.Fatalf("start upload: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	resp = env.do(t, http.MethodPatch, loc, bytes.NewReader(blob[:4000]), true, "Content-Range", "0-3999", "Content-Type", "application/octet-stream")
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Range") != "0-3999" {
		t.Fatalf("first chunk: %d %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	resp = env.do(t, http.MethodPatch, loc, bytes.NewReader(blob[5000:6000]), true, "Content-Range", "5000-5999")
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Range") != "0-3999" {
		t.Fatalf("chunk out of order: %d %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	resp = env.do(t, http.MethodPatch, loc, bytes.NewReader(blob[4000:]), true, "Content-Range", "4000-9999")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("second chunk: %d", resp.StatusCode)
	}
	wrong := digestOf([]byte("other"))
	resp = env.do(t, http.MethodPut, loc+"?digest="+wrong, nil, true)
	if resp.StatusCode != http.StatusBadRequest || ociCode(t, resp) != "DIGEST_INVALID" {
		t.Fatalf("wrong digest: %d", resp.StatusCode)
	}
	// The failed upload is gone; a monolithic POST does it in one go.
	resp = env.do(t, http.MethodPost, "/v2/raw/blobs/uploads/?digest="+dg, bytes.NewReader(blob), true)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Docker-Content-Digest") != dg ||
		resp.Header.Get("Location") != "/v2/raw/blobs/"+dg {
		t.Fatalf("monolithic upload: %d %v", resp.StatusCode, resp.Header)
	}
	resp = env.do(t, http.MethodGet, "/v2/raw/blobs/"+dg, nil, true, "Range", "bytes=10-19")
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || string(b) != "0123456789" {
		t.Fatalf("range GET: %d %q", resp.StatusCode, b)
	}
	resp = env.do(t, http.MethodHead, "/v2/raw/blobs/"+dg, nil, true)
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(blob)) || resp.Header.Get("Docker-Content-Digest") != dg {
		t.Fatalf("HEAD blob: %d %d", resp.StatusCode, resp.ContentLength)
	}
	for _, tc := range []struct{ method, path, status, code string }{
		{"GET", "/v2/nope/tags/list", "404", "NAME_UNKNOWN"},
		{"GET", "/v2/raw/manifests/latest", "404", "MANIFEST_UNKNOWN"},
		{"GET", "/v2/raw/blobs/" + wrong, "404", "BLOB_UNKNOWN"},
		{"GET", "/v2/raw/blobs/sha256:xyz", "400", "DIGEST_INVALID"},
	} {
		resp := env.do(t, tc.method, tc.path, nil, true)
		if fmt.Sprint(resp.StatusCode) != tc.status || ociCode(t, resp) != tc.code {
			t.Errorf("%s %s: %d, want %s %s", tc.method, tc.path, resp.StatusCode, tc.status, tc.code)
		}
	}
	// A manifest whose blobs are not in the repository is refused.
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":5},"layers":[]}`, wrong)
	resp = env.do(t, http.MethodPut, "/v2/raw/manifests/v1", strings.NewReader(manifest), true,
		"Content-Type", "application/vnd.oci.image.manifest.v1+json")
	if resp.StatusCode != http.StatusBadRequest || ociCode(t, resp) != "MANIFEST_BLOB_UNKNOWN" {
		t.Fatalf("manifest with a missing blob: %d", resp.StatusCode)
	}
	// Tags page with n and last, and a Link to the next page.
	cfg := []byte("{}")
	resp = env.do(t, http.MethodPost, "/v2/raw/blobs/uploads/?digest="+digestOf(cfg), bytes.NewReader(cfg), true)
	if resp.StatusCode != http.StatusCreated {
		t.Fatal(resp.StatusCode)
	}
	manifest = fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},`+
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}`, digestOf(cfg), dg, len(blob))
	for _, tag := range []string{"c", "a", "b"} {
		resp = env.do(t, http.MethodPut, "/v2/raw/manifests/"+tag, strings.NewReader(manifest), true,
			"Content-Type", "application/vnd.oci.image.manifest.v1+json")
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("Docker-Content-Digest") != digestOf([]byte(manifest)) {
			t.Fatalf("PUT manifest %s: %d", tag, resp.StatusCode)
		}
	}
	resp = env.do(t, http.MethodGet, "/v2/raw/tags/list?n=2", nil, true)
	b, _ = io.ReadAll(resp.Body)
	if string(b) != `{"name":"raw","tags":["a","b"]}` || !strings.Contains(resp.Header.Get("Link"), "last=b") {
		t.Fatalf("tags page 1: %s %q", b, resp.Header.Get("Link"))
	}
	resp = env.do(t, http.MethodGet, "/v2/raw/tags/list?n=2&last=b", nil, true)
	b, _ = io.ReadAll(resp.Body)
	if string(b) != `{"name":"raw","tags":["c"]}` || resp.Header.Get("Link") != "" {
		t.Fatalf("tags page 2: %s", b)
	}
	// Content negotiation: no schema conversion.
	resp = env.do(t, http.MethodGet, "/v2/raw/manifests/a", nil, true, "Accept", "application/vnd.docker.distribution.manifest.v2+json")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET of an OCI manifest accepting Docker v2 only: %d", resp.StatusCode)
	}
	resp = env.do(t, http.MethodGet, "/v2/raw/manifests/a", nil, true,
		"Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.oci.image.manifest.v1+json" {
		t.Fatalf("GET with both accepted: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestRegistryRulesOnBothPaths(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	env.createRepo(t, "scanned", "")
	if _, err := env.client.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
		RepositoryName: aws.String("scanned"), ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(100, 1)
	if err := crane.Push(img, env.ref("scanned:v1"), env.opts...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	desc, err := env.client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("scanned")})
	if err != nil || desc.ImageDetails[0].ImageScanStatus == nil {
		t.Fatalf("scan on push over /v2/: %v %v", desc, err)
	}
	// Archived images cannot be pulled.
	if _, err := env.client.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("scanned"),
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(d.String())}, TargetStorageClass: types.TargetStorageClassArchive}); err != nil {
		t.Fatal(err)
	}
	if _, err := crane.Pull(env.ref("scanned:v1"), env.opts...); err == nil {
		t.Fatal("pulled an archived image")
	}
	// Throttling faults apply to the registry path as 429 TOOMANYREQUESTS.
	if _, err := env.emu.Faults().Add(emulator.Fault{Op: "ListImages", Action: emulator.ActionThrottle, Count: 1}); err != nil {
		t.Fatal(err)
	}
	resp := env.do(t, http.MethodGet, "/v2/scanned/tags/list", nil, true)
	if resp.StatusCode != http.StatusTooManyRequests || ociCode(t, resp) != "TOOMANYREQUESTS" {
		t.Fatalf("throttled tags/list: %d", resp.StatusCode)
	}
	if resp = env.do(t, http.MethodGet, "/v2/scanned/tags/list", nil, true); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the fault: %d", resp.StatusCode)
	}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
