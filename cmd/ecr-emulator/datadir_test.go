package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
)

// copyDir copies the files of src (one level of subdirectories) into a
// new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, blobsDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// testdata/legacy-data-dir is a -data-dir written by the emulator before
// the store (state.json, blobs/), by the AWS CLI against it: repository
// legacy/app (immutable tags, a tag, a policy, a lifecycle policy, two
// uploaded blobs, image v1, an upload in progress with one part),
// legacy/empty, a registry policy, and the blob of legacy/gone, a
// repository deleted with --force (that emulator never deleted blobs).
const (
	legacyImage  = "sha256:fd8582bbdf4995ebc21446e9599123197d25bb08afdc105c6701cadc6b286cdc"
	legacyLayer  = "sha256:9b8e129c5c05936601b620d12b5cd906814f930196c38a7dbc58c019bd7cb8b0"
	legacyConfig = "sha256:9d99a75171aea000c711b34c0e5e3f28d3d537dd99d110eafbfbc2bd8e52c2bf"
	legacyGone   = "sha256:b4ac97cef44a1f05cf867ba9ffc03122af43b51822862f8aee6baeaf895a455a"
	legacyUpload = "bdb49105-cb49-4151-8452-06d9fd5b0aad"
)

// An upgrade keeps the user's -data-dir: the first start migrates
// state.json into the store (and renames it), later starts read the store,
// and what the old emulator held is all there, layer content included.
func TestMigratesLegacyStateJSON(t *testing.T) {
	dir := copyDir(t, filepath.Join("testdata", "legacy-data-dir"))
	ctx := context.Background()
	check := func(url string) {
		t.Helper()
		c := client(url, "AKIDEXAMPLE", "secret")
		if got := repoNames(t, c); len(got) != 2 || !got["legacy/app"] || !got["legacy/empty"] {
			t.Errorf("repositories = %v, want legacy/app and legacy/empty", got)
		}
		repo := aws.String("legacy/app")
		d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"legacy/app"}})
		if err != nil || d.Repositories[0].ImageTagMutability != types.ImageTagMutabilityImmutable {
			t.Errorf("legacy/app: %v, %v", d, err)
		}
		imgs, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: repo})
		if err != nil || len(imgs.ImageDetails) != 1 || aws.ToString(imgs.ImageDetails[0].ImageDigest) != legacyImage ||
			!slices.Equal(imgs.ImageDetails[0].ImageTags, []string{"v1"}) {
			t.Errorf("images of legacy/app: %+v, %v", imgs, err)
		}
		tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: d.Repositories[0].RepositoryArn})
		if err != nil || len(tags.Tags) == 0 || aws.ToString(tags.Tags[0].Key) != "team" {
			t.Errorf("tags of legacy/app: %v, %v", tags, err)
		}
		if _, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: repo}); err != nil {
			t.Errorf("repository policy: %v", err)
		}
		if _, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo}); err != nil {
			t.Errorf("lifecycle policy: %v", err)
		}
		if _, err := c.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{}); err != nil {
			t.Errorf("registry policy: %v", err)
		}
		for _, digest := range []string{legacyLayer, legacyConfig} {
			u, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: repo, LayerDigest: aws.String(digest)})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(aws.ToString(u.DownloadUrl))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || blobDigestOf(body) != digest {
				t.Errorf("layer %s: %d, %d bytes", digest, resp.StatusCode, len(body))
			}
		}
	}

	p := start(t, "-data-dir", dir)
	check(p.url)
	if _, err := os.Stat(filepath.Join(dir, legacyStateFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state.json after the migration: %v, want it renamed", err)
	}
	if _, err := os.Stat(filepath.Join(dir, legacyStateFile+".migrated")); err != nil {
		t.Errorf("state.json.migrated: %v", err)
	}
	// The blob of the repository deleted before the upgrade is reclaimed;
	// those of legacy/app and of its upload stay.
	want := []string{"sha256-" + legacyLayer[7:], "sha256-" + legacyConfig[7:], "upload-" + legacyUpload + "-0"}
	if got := blobFiles(t, dir); !slices.Equal(got, want) {
		t.Errorf("blob files after the migration = %v, want %v", got, want)
	}
	// A write after the migration, then kill -9: the next start reads the
	// store (with the write), not state.json.migrated.
	c := client(p.url, "AKIDEXAMPLE", "secret")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("after-upgrade")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("after-upgrade")}); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	p2 := start(t, "-data-dir", dir)
	check(p2.url)
	// The upload in progress survived too: completing it finds it (the
	// layer exists already, so ECR's answer is LayerAlreadyExistsException).
	_, err := client(p2.url, "AKIDEXAMPLE", "secret").CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{
		RepositoryName: aws.String("legacy/app"), UploadId: aws.String(legacyUpload), LayerDigests: []string{legacyLayer}})
	if code := apiCode(err); code != "LayerAlreadyExistsException" {
		t.Errorf("completing the migrated upload: %v, want LayerAlreadyExistsException", err)
	}
}

// Blob files go once nothing references them: a layer uploaded to two
// repositories stays until both are deleted, and reset clears them all.
func TestBlobsReclaimed(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-data-dir", dir)
	ctx := context.Background()
	c := client(p.url, "AKIDEXAMPLE", "secret")
	content := []byte(strings.Repeat("shared layer ", 1000))
	digest := blobDigestOf(content)
	file := "sha256-" + digest[7:]
	for _, name := range []string{"one", "two"} {
		repo := aws.String(name)
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo}); err != nil {
			t.Fatal(err)
		}
		up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: repo})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: repo, UploadId: up.UploadId,
			PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(content) - 1)), LayerPartBlob: content}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: repo, UploadId: up.UploadId,
			LayerDigests: []string{digest}}); err != nil {
			t.Fatal(err)
		}
	}
	// An upload left in progress in "two": its part goes with the repository.
	up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("two"), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(2), LayerPartBlob: []byte("abc")}); err != nil {
		t.Fatal(err)
	}
	if got, want := blobFiles(t, dir), []string{file, "upload-" + aws.ToString(up.UploadId) + "-0"}; !slices.Equal(got, want) {
		t.Fatalf("blob files = %v, want %v", got, want)
	}
	del := func(name string) {
		t.Helper()
		if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String(name), Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	del("two")
	if got := blobFiles(t, dir); !slices.Equal(got, []string{file}) {
		t.Errorf("blob files after deleting two = %v, want the layer that one still holds", got)
	}
	del("one")
	if got := blobFiles(t, dir); len(got) != 0 {
		t.Errorf("blob files after deleting both = %v, want none", got)
	}

	// Reset clears the blobs and the state, durably.
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("three")}); err != nil {
		t.Fatal(err)
	}
	up, err = c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("three")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("three"), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(content) - 1)), LayerPartBlob: content}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("three"), UploadId: up.UploadId,
		LayerDigests: []string{digest}}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(p.url+"/_emulator/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if got := blobFiles(t, dir); len(got) != 0 {
		t.Errorf("blob files after reset = %v, want none", got)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	p2 := start(t, "-data-dir", dir)
	if got := repoNames(t, client(p2.url, "AKIDEXAMPLE", "secret")); len(got) != 0 {
		t.Errorf("repositories after reset and restart = %v, want none", got)
	}
}

// Two emulators cannot share a -data-dir: the second one fails at once
// with a message instead of corrupting the first one's state.
func TestDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	start(t, "-data-dir", dir)
	var stdout, stderr strings.Builder
	if code := run([]string{"-listen", "127.0.0.1:0", "-data-dir", dir}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "in use by another process") {
		t.Errorf("second emulator on the same -data-dir: exit %d, stderr %q", code, stderr.String())
	}
}

func blobDigestOf(data []byte) string { return benchDigest(data) }

// Deleting the last image that references a blob reclaims it: the
// repository's layer record goes with the image (nothing else references
// it), then the file.
func TestBlobsReclaimedWithImages(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-data-dir", dir)
	ctx := context.Background()
	c := client(p.url, "AKIDEXAMPLE", "secret")
	repo := aws.String("app")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo}); err != nil {
		t.Fatal(err)
	}
	upload := func(content []byte) string {
		t.Helper()
		up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: repo})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: repo, UploadId: up.UploadId,
			PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(content) - 1)), LayerPartBlob: content}); err != nil {
			t.Fatal(err)
		}
		d := blobDigestOf(content)
		if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: repo, UploadId: up.UploadId,
			LayerDigests: []string{d}}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	config, layer, shared := []byte(`{"architecture":"amd64"}`), []byte(strings.Repeat("own layer ", 500)), []byte(strings.Repeat("shared ", 500))
	cd, ld, sd := upload(config), upload(layer), upload(shared)
	manifest := func(layers ...string) string {
		var ls []string
		for _, l := range layers {
			size := len(layer)
			if l == sd {
				size = len(shared)
			}
			ls = append(ls, fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":%q,"size":%d}`, l, size))
		}
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
			`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[%s]}`,
			cd, len(config), strings.Join(ls, ","))
	}
	for tag, m := range map[string]string{"a": manifest(ld, sd), "b": manifest(sd)} {
		if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: repo, ImageTag: aws.String(tag), ImageManifest: aws.String(m)}); err != nil {
			t.Fatal(err)
		}
	}
	file := func(d string) string { return "sha256-" + d[7:] }
	if got := blobFiles(t, dir); len(got) != 3 {
		t.Fatalf("blob files = %v", got)
	}
	if _, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: repo,
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	want := []string{file(cd), file(sd)}
	slices.Sort(want)
	if got := blobFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after deleting a: blob files = %v, want %v (the config and the shared layer b still uses)", got, want)
	}
	if _, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: repo,
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	if got := blobFiles(t, dir); len(got) != 0 {
		t.Fatalf("after deleting both images: blob files = %v, want none", got)
	}
}

// Manifests stay in the store at a start (they are read when needed): after
// kill -9 a pull serves each one, and the pull time it writes back keeps it,
// through a second kill.
func TestManifestsSurviveKill(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	manifests := map[string]string{}
	p := start(t, "-data-dir", dir)
	c := client(p.url, "AKIDEXAMPLE", "secret")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		tag := fmt.Sprintf("v%d", i)
		manifests[tag] = fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"n":"%d"}}`, i)
		if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageTag: aws.String(tag),
			ImageManifest: aws.String(manifests[tag])}); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 2 {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait(t)
		p = start(t, "-data-dir", dir)
		c = client(p.url, "AKIDEXAMPLE", "secret")
		for tag, want := range manifests {
			out, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("app"),
				ImageIds: []types.ImageIdentifier{{ImageTag: aws.String(tag)}}})
			if err != nil || len(out.Images) != 1 || aws.ToString(out.Images[0].ImageManifest) != want {
				t.Fatalf("restart %d: %s: %v %v", round+1, tag, out, err)
			}
		}
	}
}
