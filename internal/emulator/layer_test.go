package emulator_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// uploadLayer pushes content through Initiate/UploadLayerPart/Complete in
// parts of partLen bytes and returns the layer digest.
func uploadLayer(t *testing.T, c *ecr.Client, repo, content string, partLen int) string {
	t.Helper()
	ctx := context.Background()
	up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String(repo)})
	if err != nil {
		t.Fatal(err)
	}
	for first := 0; first < len(content); first += partLen {
		last := min(first+partLen, len(content)) - 1
		out, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String(repo), UploadId: up.UploadId,
			PartFirstByte: aws.Int64(int64(first)), PartLastByte: aws.Int64(int64(last)), LayerPartBlob: []byte(content[first : last+1])})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt64(out.LastByteReceived) != int64(last) {
			t.Fatalf("lastByteReceived = %d, want %d", aws.ToInt64(out.LastByteReceived), last)
		}
	}
	out, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String(repo), UploadId: up.UploadId,
		LayerDigests: []string{blobDigest(content)}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.LayerDigest)
}

func TestLayerUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "push")
	init, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("push")})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(init.UploadId)) != 36 || aws.ToInt64(init.PartSize) <= 0 {
		t.Fatalf("initiate: %+v", init)
	}
	if d := uploadLayer(t, c, "push", "hello layer content", 100); d != blobDigest("hello layer content") {
		t.Errorf("digest = %s", d)
	}
	// Every part but the last has at least 5 MiB: three parts, the last short.
	big := strings.Repeat("0123456789abcdef", 5<<20/16) + strings.Repeat("x", 5<<20) + "tail"
	if d := uploadLayer(t, c, "push", big, 5<<20); d != blobDigest(big) {
		t.Errorf("digest of a three-part upload = %s", d)
	}

	part := func(uploadID string, first, last int64, blob string) error {
		_, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("push"), UploadId: aws.String(uploadID),
			PartFirstByte: aws.Int64(first), PartLastByte: aws.Int64(last), LayerPartBlob: []byte(blob)})
		return err
	}
	complete := func(uploadID string, digest string) error {
		_, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("push"),
			UploadId: aws.String(uploadID), LayerDigests: []string{digest}})
		return err
	}
	newUpload := func() string {
		out, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("push")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UploadId)
	}
	cases := []struct {
		name string
		run  func(id string) error
		want string
	}{
		{"gap after first part", func(id string) error {
			if err := part(id, 0, 2, "abc"); err != nil {
				return err
			}
			return part(id, 5, 7, "def")
		}, "InvalidLayerPartException"},
		{"range does not fit blob", func(id string) error { return part(id, 0, 9, "abc") }, "InvalidLayerPartException"},
		{"unknown upload", func(string) error { return part("00000000-0000-4000-8000-000000000000", 0, 0, "a") }, "UploadNotFoundException"},
		{"malformed upload id", func(string) error { return part("not-a-uuid", 0, 0, "a") }, "InvalidParameterException"},
		{"empty upload", func(id string) error { return complete(id, blobDigest("")) }, "EmptyUploadException"},
		{"wrong digest", func(id string) error {
			if err := part(id, 0, 2, "xyz"); err != nil {
				return err
			}
			return complete(id, blobDigest("abc"))
		}, "InvalidLayerException"},
		{"layer exists", func(id string) error {
			if err := part(id, 0, 18, "hello layer content"); err != nil {
				return err
			}
			return complete(id, blobDigest("hello layer content"))
		}, "LayerAlreadyExistsException"},
		{"part but the last under 5 MiB", func(id string) error {
			if err := part(id, 0, 2, "abc"); err != nil {
				return err
			}
			if err := part(id, 3, 5, "def"); err != nil {
				return err
			}
			return complete(id, blobDigest("abcdef"))
		}, "LayerPartTooSmallException"},
		{"complete twice", func(id string) error {
			if err := part(id, 0, 3, "once"); err != nil {
				return err
			}
			if err := complete(id, blobDigest("once")); err != nil {
				return err
			}
			return complete(id, blobDigest("once"))
		}, "UploadNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(newUpload())
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestUploadLayerPartExtraMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "parts")
	up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("parts"), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(3), LayerPartBlob: []byte("abcd")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("parts"), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(2), PartLastByte: aws.Int64(5), LayerPartBlob: []byte("cdef")})
	var ilp *types.InvalidLayerPartException
	if !errors.As(err, &ilp) {
		t.Fatalf("error = %v, want InvalidLayerPartException", err)
	}
	if aws.ToInt64(ilp.LastValidByteReceived) != 3 || aws.ToString(ilp.UploadId) != aws.ToString(up.UploadId) ||
		aws.ToString(ilp.RepositoryName) != "parts" || aws.ToString(ilp.RegistryId) != "123456789012" {
		t.Errorf("extra members: %+v", ilp)
	}
}

func TestLayerAvailabilityAndDownload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "blobs")
	cfg, layer := `{"architecture":"amd64"}`, "layer-bytes"
	cfgDigest := uploadLayer(t, c, "blobs", cfg, 100)
	uploadLayer(t, c, "blobs", layer, len(layer))

	// Once the repository has uploads, a manifest's blobs must exist.
	_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("blobs"), ImageManifest: aws.String(buildManifest(cfg, "never uploaded"))})
	if errCode(err) != "LayersNotFoundException" {
		t.Fatalf("missing layer: %v", err)
	}
	mustPutImage(t, c, "blobs", buildManifest(cfg, layer), "v1")

	check, err := c.BatchCheckLayerAvailability(ctx, &ecr.BatchCheckLayerAvailabilityInput{RepositoryName: aws.String("blobs"),
		LayerDigests: []string{cfgDigest, blobDigest(layer), blobDigest("absent"), "not-a-digest"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Layers) != 2 || len(check.Failures) != 2 {
		t.Fatalf("layers = %+v, failures = %+v", check.Layers, check.Failures)
	}
	for _, l := range check.Layers {
		if l.LayerAvailability != types.LayerAvailabilityAvailable || aws.ToInt64(l.LayerSize) <= 0 {
			t.Errorf("layer %+v", l)
		}
	}
	if check.Failures[0].FailureCode != types.LayerFailureCodeMissingLayerDigest || check.Failures[1].FailureCode != types.LayerFailureCodeInvalidLayerDigest {
		t.Errorf("failures %+v", check.Failures)
	}

	cases := []struct {
		name   string
		digest string
		want   string
	}{
		{"uploaded", blobDigest(layer), ""},
		{"absent", blobDigest("absent"), "LayersNotFoundException"},
		{"malformed", "sha256:zz", "InvalidParameterException"},
	}
	for _, tc := range cases {
		out, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("blobs"), LayerDigest: aws.String(tc.digest)})
		if got := errCode(err); got != tc.want {
			t.Errorf("%s: error %q (%v), want %q", tc.name, got, err, tc.want)
			continue
		}
		if err != nil {
			continue
		}
		if aws.ToString(out.LayerDigest) != tc.digest {
			t.Errorf("%s: layerDigest %q", tc.name, aws.ToString(out.LayerDigest))
		}
		if got := download(t, aws.ToString(out.DownloadUrl)); got != layer {
			t.Errorf("%s: downloaded %q, want %q", tc.name, got, layer)
		}
	}
}

// download GETs url without any AWS signature, as clients fetch the URL of
// GetDownloadUrlForLayer, and returns the body ("404" on a 404).
func download(t *testing.T, u string) string {
	t.Helper()
	if _, err := url.Parse(u); err != nil {
		t.Fatalf("download URL %q: %v", u, err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusOK:
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("Content-Type %q", ct)
		}
		return string(b)
	case http.StatusNotFound:
		return "404"
	}
	t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	return ""
}

// The download URL serves the uploaded content, for the repository it was
// answered for, as long as the layer is downloadable there.
func TestLayerDownload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "dl/app")
	mustCreateRepo(t, c, "dl/other")
	cfg, layer := `{"os":"linux"}`, strings.Repeat("layer content ", 1000)
	uploadLayer(t, c, "dl/app", cfg, len(cfg))
	uploadLayer(t, c, "dl/app", layer, len(layer))
	out, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("dl/app"), LayerDigest: aws.String(blobDigest(layer))})
	if err != nil {
		t.Fatal(err)
	}
	u := aws.ToString(out.DownloadUrl)
	if got := download(t, u); got != layer {
		t.Fatalf("downloaded %d bytes, want the %d uploaded", len(got), len(layer))
	}
	// The same digest through another repository that does not have it, a
	// malformed digest, and a path outside the layout.
	for _, bad := range []string{
		strings.Replace(u, "/dl/app", "/dl/other", 1),
		strings.Replace(u, blobDigest(layer), "sha256:../../etc/passwd", 1),
		strings.Replace(u, "/us-west-2/", "/", 1),
	} {
		if got := download(t, bad); got != "404" {
			t.Errorf("GET %s = %q, want 404", bad, got)
		}
	}
	// Once the repository is deleted, the URL serves nothing.
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("dl/app"), Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := download(t, u); got != "404" {
		t.Errorf("after the repository's deletion: %q, want 404", got)
	}
}

func TestLayersOfBareManifests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "bare")
	// Without uploads, blobs need not exist; they are then known from the
	// manifest, and archived with their only image.
	mustPutImage(t, c, "bare", buildManifest("cfg", "only-here"), "v1")
	layer := blobDigest("only-here")
	check := func(want types.LayerAvailability) {
		t.Helper()
		out, err := c.BatchCheckLayerAvailability(ctx, &ecr.BatchCheckLayerAvailabilityInput{RepositoryName: aws.String("bare"), LayerDigests: []string{layer}})
		if err != nil || len(out.Layers) != 1 || out.Layers[0].LayerAvailability != want || aws.ToInt64(out.Layers[0].LayerSize) != int64(len("only-here")) {
			t.Fatalf("availability: %v %+v, want %s", err, out, want)
		}
	}
	check(types.LayerAvailabilityAvailable)
	// Downloadable by the API, but the emulator never had its content.
	out, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("bare"), LayerDigest: aws.String(layer)})
	if err != nil {
		t.Fatal(err)
	}
	if got := download(t, aws.ToString(out.DownloadUrl)); got != "404" {
		t.Errorf("content of a layer never uploaded = %q, want 404", got)
	}
	if _, err := c.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("bare"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}, TargetStorageClass: types.TargetStorageClassArchive}); err != nil {
		t.Fatal(err)
	}
	check(types.LayerAvailabilityArchived)
	_, err = c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("bare"), LayerDigest: aws.String(layer)})
	if errCode(err) != "LayerInaccessibleException" {
		t.Fatalf("archived layer download: %v", err)
	}
}

// recordingBlobs is a BlobStore that keeps what it holds visible to a test.
type recordingBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *recordingBlobs) PutBlob(key string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	return nil
}

func (b *recordingBlobs) Blob(key string) ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.m[key]
	return data, ok, nil
}

func (b *recordingBlobs) DeleteBlob(key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

func (b *recordingBlobs) Clear() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.m)
	return nil
}

func (b *recordingBlobs) keys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Sorted(maps.Keys(b.m))
}

// An upload's parts live in the BlobStore, not in the state, while it is in
// progress; once it completes, only the layer is left.
func TestUploadPartsInBlobStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	blobs := &recordingBlobs{m: map[string][]byte{}}
	var persisted []byte // the last persisted state
	c, emu := newClient(t, emulator.WithBlobStore(blobs), emulator.WithPersist(func(s []byte) error { persisted = s; return nil }))
	mustCreateRepo(t, c, "parts")
	content := strings.Repeat("p", 5<<20) + "tail"
	up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(up.UploadId)
	for _, p := range []struct{ first, last int }{{0, 5<<20 - 1}, {5 << 20, len(content) - 1}} {
		if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("parts"), UploadId: up.UploadId,
			PartFirstByte: aws.Int64(int64(p.first)), PartLastByte: aws.Int64(int64(p.last)), LayerPartBlob: []byte(content[p.first : p.last+1])}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := blobs.keys(), []string{"upload:" + id + ":0", "upload:" + id + ":1"}; !slices.Equal(got, want) {
		t.Errorf("blob store during the upload = %v, want %v", got, want)
	}
	snap, err := emu.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap) > 1<<20 {
		t.Errorf("the state holds %d bytes during a 5 MiB upload: the parts are in it", len(snap))
	}
	if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("parts"), UploadId: up.UploadId,
		LayerDigests: []string{blobDigest(content)}}); err != nil {
		t.Fatal(err)
	}
	if got, want := blobs.keys(), []string{blobDigest(content)}; !slices.Equal(got, want) {
		t.Errorf("blob store after completion = %v, want only the layer %v", got, want)
	}
	if data, _, _ := blobs.Blob(blobDigest(content)); string(data) != content {
		t.Errorf("stored layer has %d bytes, want the %d uploaded", len(data), len(content))
	}
	// The same content again: LayerAlreadyExistsException, and its part goes too.
	again, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("parts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("parts"), UploadId: again.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(content) - 1)), LayerPartBlob: []byte(content)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("parts"), UploadId: again.UploadId,
		LayerDigests: []string{blobDigest(content)}})
	if errCode(err) != "LayerAlreadyExistsException" {
		t.Fatalf("second upload of the same content: %v", err)
	}
	if got, want := blobs.keys(), []string{blobDigest(content)}; !slices.Equal(got, want) {
		t.Errorf("blob store after LayerAlreadyExistsException = %v, want only the layer %v", got, want)
	}
	// The upload's end is persisted too, so a restart does not bring back
	// an upload whose parts are gone.
	if strings.Contains(string(persisted), aws.ToString(again.UploadId)) {
		t.Errorf("the persisted state still holds upload %s after LayerAlreadyExistsException", aws.ToString(again.UploadId))
	}
}
