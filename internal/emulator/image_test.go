package emulator_test

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// ---- helpers shared by the image, layer and scan tests ----

type testDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int    `json:"size"`
}

// blobDigest is the digest of a blob's content.
func blobDigest(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// knownBlobs maps the digest of every blob content the manifest builders
// used to that content, so that mustPutImage can upload a manifest's
// blobs before it pushes the manifest, as ECR requires.
var knownBlobs sync.Map

// remember records content and returns its digest.
func remember(content string) string {
	d := blobDigest(content)
	knownBlobs.Store(d, content)
	return d
}

// uploadBlobs uploads the config and layers of an image manifest (or
// nothing, for an index) to repo with the layer API, skipping the blobs the
// repository has.
func uploadBlobs(t *testing.T, c *ecr.Client, repo, manifest string) {
	t.Helper()
	var m struct {
		Config *testDescriptor  `json:"config"`
		Layers []testDescriptor `json:"layers"`
	}
	if err := json.Unmarshal([]byte(manifest), &m); err != nil {
		t.Fatalf("uploadBlobs: %v", err)
	}
	descs := m.Layers
	if m.Config != nil {
		descs = append([]testDescriptor{*m.Config}, descs...)
	}
	var digests []string
	for _, d := range descs {
		digests = append(digests, d.Digest)
	}
	if len(digests) == 0 {
		return
	}
	have, err := c.BatchCheckLayerAvailability(context.Background(), &ecr.BatchCheckLayerAvailabilityInput{
		RepositoryName: aws.String(repo), LayerDigests: digests})
	if err != nil {
		t.Fatalf("BatchCheckLayerAvailability: %v", err)
	}
	present := map[string]bool{}
	for _, l := range have.Layers {
		present[aws.ToString(l.LayerDigest)] = true
	}
	for _, d := range digests {
		if present[d] {
			continue
		}
		content, ok := knownBlobs.Load(d)
		if !ok {
			t.Fatalf("uploadBlobs: no content known for blob %s", d)
		}
		uploadLayer(t, c, repo, content.(string), 20<<20)
		present[d] = true
	}
}

// buildManifest returns a Docker v2 image manifest whose config and layers are
// the given blob contents: each descriptor has the digest and length of its
// content, so the same contents can be uploaded with the layer API.
func buildManifest(config string, layers ...string) string {
	m := struct {
		SchemaVersion int              `json:"schemaVersion"`
		MediaType     string           `json:"mediaType"`
		Config        testDescriptor   `json:"config"`
		Layers        []testDescriptor `json:"layers"`
	}{
		SchemaVersion: 2,
		MediaType:     "application/vnd.docker.distribution.manifest.v2+json",
		Config:        testDescriptor{"application/vnd.docker.container.image.v1+json", remember(config), len(config)},
		Layers:        []testDescriptor{},
	}
	for _, l := range layers {
		m.Layers = append(m.Layers, testDescriptor{"application/vnd.docker.image.rootfs.diff.tar.gzip", remember(l), len(l)})
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// testReferrer returns an OCI artifact manifest whose subject is subject.
func testReferrer(artifactType, subject, content string) string {
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"artifactType":  artifactType,
		"config":        testDescriptor{"application/vnd.oci.empty.v1+json", remember("{}"), 2},
		"layers":        []testDescriptor{{"application/octet-stream", remember(content), len(content)}},
		"subject":       testDescriptor{"application/vnd.docker.distribution.manifest.v2+json", subject, 100},
		"annotations":   map[string]string{"org.example.kind": artifactType},
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// testIndex returns an OCI image index of the given manifest digests.
func testIndex(digests ...string) string {
	var ms []testDescriptor
	for _, d := range digests {
		ms = append(ms, testDescriptor{"application/vnd.oci.image.manifest.v1+json", d, 500})
	}
	b, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms})
	return string(b)
}

// mustPutImage uploads the blobs of a manifest, pushes it (tag may be "")
// and returns its digest.
func mustPutImage(t *testing.T, c *ecr.Client, repo, manifest, tag string) string {
	t.Helper()
	uploadBlobs(t, c, repo, manifest)
	in := &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageManifest: aws.String(manifest)}
	if tag != "" {
		in.ImageTag = aws.String(tag)
	}
	out, err := c.PutImage(context.Background(), in)
	if err != nil {
		t.Fatalf("PutImage(%s:%s): %v", repo, tag, err)
	}
	return aws.ToString(out.Image.ImageId.ImageDigest)
}

// imageTestClock is a fake clock that advances by step on every reading.
type imageTestClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newImageTestClock(step time.Duration) *imageTestClock {
	return &imageTestClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), step: step}
}

func (c *imageTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.t
	c.t = c.t.Add(c.step)
	return now
}

func (c *imageTestClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func describeOne(t *testing.T, c *ecr.Client, repo string, id types.ImageIdentifier) types.ImageDetail {
	t.Helper()
	out, err := c.DescribeImages(context.Background(), &ecr.DescribeImagesInput{RepositoryName: aws.String(repo), ImageIds: []types.ImageIdentifier{id}})
	if err != nil {
		t.Fatalf("DescribeImages(%v): %v", id, err)
	}
	if len(out.ImageDetails) != 1 {
		t.Fatalf("DescribeImages(%v): %d details", id, len(out.ImageDetails))
	}
	return out.ImageDetails[0]
}

// ---- PutImage ----

func TestPutImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "put")
	m := buildManifest("config-a", "layer-one", "layer-two!")
	uploadBlobs(t, c, "put", m)
	out, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("put"), ImageManifest: aws.String(m),
		ImageTag: aws.String("v1"), ImageDigest: aws.String(blobDigest(m))})
	if err != nil {
		t.Fatal(err)
	}
	img := out.Image
	if got := aws.ToString(img.ImageId.ImageDigest); got != blobDigest(m) {
		t.Errorf("digest = %s, want sha256 of the manifest %s", got, blobDigest(m))
	}
	if aws.ToString(img.ImageManifest) != m || aws.ToString(img.ImageManifestMediaType) != "application/vnd.docker.distribution.manifest.v2+json" ||
		aws.ToString(img.RegistryId) != "123456789012" || aws.ToString(img.ImageId.ImageTag) != "v1" {
		t.Errorf("unexpected image %+v", img)
	}
	d := describeOne(t, c, "put", types.ImageIdentifier{ImageTag: aws.String("v1")})
	if want := int64(len("config-a") + len("layer-one") + len("layer-two!")); aws.ToInt64(d.ImageSizeInBytes) != want {
		t.Errorf("size = %d, want %d", aws.ToInt64(d.ImageSizeInBytes), want)
	}
	if aws.ToString(d.ArtifactMediaType) != "application/vnd.docker.container.image.v1+json" || d.ImageStatus != types.ImageStatusActive ||
		d.ImagePushedAt == nil || !slices.Equal(d.ImageTags, []string{"v1"}) || d.ImageScanStatus != nil {
		t.Errorf("unexpected detail %+v", d)
	}
	// A second tag on the same manifest adds a tag.
	mustPutImage(t, c, "put", m, "v2")
	if d := describeOne(t, c, "put", types.ImageIdentifier{ImageDigest: aws.String(blobDigest(m))}); !slices.Equal(d.ImageTags, []string{"v1", "v2"}) {
		t.Errorf("tags = %v", d.ImageTags)
	}
}

func TestPutImageErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := buildManifest("cfg", "l1")
	cases := []struct {
		name string
		in   ecr.PutImageInput
		want string
	}{
		{"not json", ecr.PutImageInput{ImageManifest: aws.String("not json")}, "InvalidParameterException"},
		{"json array", ecr.PutImageInput{ImageManifest: aws.String("[1]")}, "InvalidParameterException"},
		{"digest mismatch", ecr.PutImageInput{ImageManifest: aws.String(buildManifest("x")), ImageDigest: aws.String(blobDigest("other"))}, "ImageDigestDoesNotMatchException"},
		{"same digest and tag", ecr.PutImageInput{ImageManifest: aws.String(base), ImageTag: aws.String("base")}, "ImageAlreadyExistsException"},
		{"same digest no tag", ecr.PutImageInput{ImageManifest: aws.String(base)}, "ImageAlreadyExistsException"},
		{"media type mismatch", ecr.PutImageInput{ImageManifest: aws.String(buildManifest("y")),
			ImageManifestMediaType: aws.String("application/vnd.oci.image.manifest.v1+json")}, "InvalidParameterException"},
		{"unsupported media type", ecr.PutImageInput{ImageManifest: aws.String(`{"schemaVersion":2,"mediaType":"text/plain"}`)}, "InvalidParameterException"},
		{"manifest without config", ecr.PutImageInput{ImageManifest: aws.String(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}`)}, "InvalidParameterException"},
		{"index of missing image", ecr.PutImageInput{ImageManifest: aws.String(testIndex(blobDigest("nothing")))}, "ReferencedImagesNotFoundException"},
		{"tag too long", ecr.PutImageInput{ImageManifest: aws.String(buildManifest("z")), ImageTag: aws.String(string(make([]byte, 301)))}, "InvalidParameterException"},
		{"missing repository", ecr.PutImageInput{RepositoryName: aws.String("nope"), ImageManifest: aws.String(base)}, "RepositoryNotFoundException"},
		{"new tag on existing digest", ecr.PutImageInput{ImageManifest: aws.String(base), ImageTag: aws.String("other")}, ""},
		{"index of existing image", ecr.PutImageInput{ImageManifest: aws.String(testIndex(blobDigest(base)))}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			mustCreateRepo(t, c, "errs")
			mustPutImage(t, c, "errs", base, "base")
			in := tc.in
			if in.RepositoryName == nil {
				in.RepositoryName = aws.String("errs")
			}
			_, err := c.PutImage(ctx, &in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestPutImageImmutableTags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name       string
		mutability types.ImageTagMutability
		filters    []string
		tag        string
		want       string // error code when the tag is pushed onto a second image
	}{
		{"mutable", types.ImageTagMutabilityMutable, nil, "latest", ""},
		{"immutable", types.ImageTagMutabilityImmutable, nil, "latest", "ImageTagAlreadyExistsException"},
		{"immutable, excluded tag", types.ImageTagMutabilityImmutableWithExclusion, []string{"dev-*"}, "dev-1", ""},
		{"immutable, other tag", types.ImageTagMutabilityImmutableWithExclusion, []string{"dev-*"}, "v1", "ImageTagAlreadyExistsException"},
		{"mutable, excluded tag", types.ImageTagMutabilityMutableWithExclusion, []string{"release-*"}, "release-1", "ImageTagAlreadyExistsException"},
		{"mutable, other tag", types.ImageTagMutabilityMutableWithExclusion, []string{"release-*"}, "latest", ""},
		{"inner wildcard", types.ImageTagMutabilityMutableWithExclusion, []string{"v*-rc*"}, "v1.2-rc3", "ImageTagAlreadyExistsException"},
		{"wildcard needs whole match", types.ImageTagMutabilityMutableWithExclusion, []string{"v*-rc"}, "v1-rc2", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			in := &ecr.CreateRepositoryInput{RepositoryName: aws.String("mut"), ImageTagMutability: tc.mutability}
			for _, f := range tc.filters {
				in.ImageTagMutabilityExclusionFilters = append(in.ImageTagMutabilityExclusionFilters,
					types.ImageTagMutabilityExclusionFilter{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String(f)})
			}
			if _, err := c.CreateRepository(ctx, in); err != nil {
				t.Fatal(err)
			}
			first := mustPutImage(t, c, "mut", buildManifest("one"), tc.tag)
			uploadBlobs(t, c, "mut", buildManifest("two"))
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("mut"), ImageManifest: aws.String(buildManifest("two")), ImageTag: aws.String(tc.tag)})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			d := describeOne(t, c, "mut", types.ImageIdentifier{ImageDigest: aws.String(first)})
			if tc.want == "" && d.ImageTags != nil {
				t.Errorf("moved tag still on the old image: %v", d.ImageTags)
			}
			if tc.want != "" && !slices.Equal(d.ImageTags, []string{tc.tag}) {
				t.Errorf("immutable tag lost: %v", d.ImageTags)
			}
		})
	}
}

// ---- BatchGetImage / BatchDeleteImage ----

func TestBatchGetImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "get")
	m1, m2 := buildManifest("g1"), buildManifest("g2")
	d1 := mustPutImage(t, c, "get", m1, "one")
	d2 := mustPutImage(t, c, "get", m2, "two")
	cases := []struct {
		name     string
		id       types.ImageIdentifier
		accepted []string
		want     types.ImageFailureCode // "" for success
	}{
		{"by tag", types.ImageIdentifier{ImageTag: aws.String("one")}, nil, ""},
		{"by digest", types.ImageIdentifier{ImageDigest: aws.String(d2)}, nil, ""},
		{"by both", types.ImageIdentifier{ImageDigest: aws.String(d1), ImageTag: aws.String("one")}, nil, ""},
		{"accepted media type", types.ImageIdentifier{ImageTag: aws.String("one")}, []string{"application/vnd.docker.distribution.manifest.v2+json"}, ""},
		{"unknown tag", types.ImageIdentifier{ImageTag: aws.String("zzz")}, nil, types.ImageFailureCodeImageNotFound},
		{"unknown digest", types.ImageIdentifier{ImageDigest: aws.String(blobDigest("none"))}, nil, types.ImageFailureCodeImageNotFound},
		{"missing both", types.ImageIdentifier{}, nil, types.ImageFailureCodeMissingDigestAndTag},
		{"invalid digest", types.ImageIdentifier{ImageDigest: aws.String("sha256:xyz")}, nil, types.ImageFailureCodeInvalidImageDigest},
		{"tag of another image", types.ImageIdentifier{ImageDigest: aws.String(d1), ImageTag: aws.String("two")}, nil, types.ImageFailureCodeImageTagDoesNotMatchDigest},
		{"media type not accepted", types.ImageIdentifier{ImageTag: aws.String("one")}, []string{"application/vnd.oci.image.manifest.v1+json"}, types.ImageFailureCodeImageNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("get"),
				ImageIds: []types.ImageIdentifier{tc.id}, AcceptedMediaTypes: tc.accepted})
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" {
				if len(out.Failures) != 1 || out.Failures[0].FailureCode != tc.want || len(out.Images) != 0 {
					t.Fatalf("failures = %+v, images = %d, want %s", out.Failures, len(out.Images), tc.want)
				}
				if out.Failures[0].FailureReason == nil || out.Failures[0].ImageId == nil {
					t.Errorf("failure lacks reason or id: %+v", out.Failures[0])
				}
				return
			}
			if len(out.Images) != 1 || len(out.Failures) != 0 {
				t.Fatalf("images = %+v, failures = %+v", out.Images, out.Failures)
			}
			if got := aws.ToString(out.Images[0].ImageManifest); got != m1 && got != m2 {
				t.Errorf("manifest = %s", got)
			}
		})
	}
	if d := describeOne(t, c, "get", types.ImageIdentifier{ImageDigest: aws.String(d1)}); d.LastRecordedPullTime == nil {
		t.Error("lastRecordedPullTime not recorded")
	}
	_, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("get"), ImageIds: []types.ImageIdentifier{}})
	if errCode(err) != "InvalidParameterException" {
		t.Errorf("empty imageIds: %v", err)
	}
}

func TestBatchDeleteImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type step struct {
		id          types.ImageIdentifier
		wantFailure types.ImageFailureCode
		wantDeleted int // identifiers reported deleted
	}
	a, b := buildManifest("del-a"), buildManifest("del-b")
	da, db := blobDigest(a), blobDigest(b)
	cases := []struct {
		name       string
		steps      []step
		wantImages int // images left
		wantTags   []string
	}{
		{"tag keeps image with other tags", []step{{types.ImageIdentifier{ImageTag: aws.String("a1")}, "", 1}}, 2, []string{"a2", "b1"}},
		{"last tag removes image", []step{{types.ImageIdentifier{ImageTag: aws.String("b1")}, "", 1}}, 1, []string{"a1", "a2"}},
		{"digest removes image and tags", []step{{types.ImageIdentifier{ImageDigest: aws.String(da)}, "", 2}}, 1, []string{"b1"}},
		{"both delete like digest", []step{{types.ImageIdentifier{ImageDigest: aws.String(db), ImageTag: aws.String("b1")}, "", 1}}, 1, []string{"a1", "a2"}},
		{"unknown tag", []step{{types.ImageIdentifier{ImageTag: aws.String("nope")}, types.ImageFailureCodeImageNotFound, 0}}, 2, []string{"a1", "a2", "b1"}},
		{"missing both", []step{{types.ImageIdentifier{}, types.ImageFailureCodeMissingDigestAndTag, 0}}, 2, []string{"a1", "a2", "b1"}},
		{"invalid digest", []step{{types.ImageIdentifier{ImageDigest: aws.String("bad")}, types.ImageFailureCodeInvalidImageDigest, 0}}, 2, []string{"a1", "a2", "b1"}},
		{"mismatch", []step{{types.ImageIdentifier{ImageDigest: aws.String(da), ImageTag: aws.String("b1")}, types.ImageFailureCodeImageTagDoesNotMatchDigest, 0}}, 2, []string{"a1", "a2", "b1"}},
		{"twice", []step{{types.ImageIdentifier{ImageDigest: aws.String(db)}, "", 1}, {types.ImageIdentifier{ImageDigest: aws.String(db)}, types.ImageFailureCodeImageNotFound, 0}}, 1, []string{"a1", "a2"}},
		// One request, several identifiers of one image: each sees what the
		// earlier ones left.
		{"all tags one by one", []step{{types.ImageIdentifier{ImageTag: aws.String("a1")}, "", 1}, {types.ImageIdentifier{ImageTag: aws.String("a2")}, "", 1}}, 1, []string{"b1"}},
		{"tag then digest", []step{{types.ImageIdentifier{ImageTag: aws.String("a1")}, "", 1}, {types.ImageIdentifier{ImageDigest: aws.String(da)}, "", 1}}, 1, []string{"b1"}},
		{"digest then tag", []step{{types.ImageIdentifier{ImageDigest: aws.String(da)}, "", 2}, {types.ImageIdentifier{ImageTag: aws.String("a1")}, types.ImageFailureCodeImageNotFound, 0}}, 1, []string{"b1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			mustCreateRepo(t, c, "del")
			mustPutImage(t, c, "del", a, "a1")
			mustPutImage(t, c, "del", a, "a2")
			mustPutImage(t, c, "del", b, "b1")
			var ids []types.ImageIdentifier
			for _, s := range tc.steps {
				ids = append(ids, s.id)
			}
			out, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("del"), ImageIds: ids})
			if err != nil {
				t.Fatal(err)
			}
			var wantFailures []types.ImageFailureCode
			wantDeleted := 0
			for _, s := range tc.steps {
				if s.wantFailure != "" {
					wantFailures = append(wantFailures, s.wantFailure)
				}
				wantDeleted += s.wantDeleted
			}
			var gotFailures []types.ImageFailureCode
			for _, f := range out.Failures {
				gotFailures = append(gotFailures, f.FailureCode)
			}
			if !slices.Equal(gotFailures, wantFailures) || len(out.ImageIds) != wantDeleted {
				t.Fatalf("failures = %v, deleted = %+v; want %v and %d", gotFailures, out.ImageIds, wantFailures, wantDeleted)
			}
			list, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("del")})
			if err != nil {
				t.Fatal(err)
			}
			var tags []string
			digests := map[string]bool{}
			for _, id := range list.ImageIds {
				digests[aws.ToString(id.ImageDigest)] = true
				if id.ImageTag != nil {
					tags = append(tags, *id.ImageTag)
				}
			}
			slices.Sort(tags)
			if len(digests) != tc.wantImages || !slices.Equal(tags, tc.wantTags) {
				t.Errorf("left %d images with tags %v; want %d with %v", len(digests), tags, tc.wantImages, tc.wantTags)
			}
		})
	}
}

func TestBatchDeleteImageReferencedByIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "multi")
	child := mustPutImage(t, c, "multi", buildManifest("amd64"), "")
	mustPutImage(t, c, "multi", testIndex(child), "latest")
	out, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("multi"),
		ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(child)}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failures) != 1 || out.Failures[0].FailureCode != types.ImageFailureCodeImageReferencedByManifestList {
		t.Fatalf("failures = %+v", out.Failures)
	}
	d := describeOne(t, c, "multi", types.ImageIdentifier{ImageTag: aws.String("latest")})
	if aws.ToInt64(d.ImageSizeInBytes) != int64(len("amd64")) {
		t.Errorf("index size = %d, want the largest child's", aws.ToInt64(d.ImageSizeInBytes))
	}
}

// ---- DescribeImages / ListImages ----

func TestDescribeAndListImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t, emulator.WithClock(newImageTestClock(time.Second)))
	mustCreateRepo(t, c, "list")
	var pushed []string // in push order
	for i := range 5 {
		tag := ""
		if i%2 == 0 {
			tag = fmt.Sprintf("t%d", i)
		}
		pushed = append(pushed, mustPutImage(t, c, "list", buildManifest(fmt.Sprintf("cfg-%d", i)), tag))
	}
	// Paging walks the images in push order.
	var got []string
	p := ecr.NewDescribeImagesPaginator(c, &ecr.DescribeImagesInput{RepositoryName: aws.String("list"), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.ImageDetails {
			got = append(got, aws.ToString(d.ImageDigest))
			if (d.ImageTags == nil) != (len(got)%2 == 0) {
				t.Errorf("image %d tags = %v", len(got), d.ImageTags)
			}
		}
	}
	if pages != 3 || !slices.Equal(got, pushed) {
		t.Fatalf("pages = %d, order = %v, want %v", pages, got, pushed)
	}
	filters := []struct {
		status types.TagStatus
		want   int
	}{{types.TagStatusTagged, 3}, {types.TagStatusUntagged, 2}, {types.TagStatusAny, 5}}
	for _, f := range filters {
		out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("list"), Filter: &types.DescribeImagesFilter{TagStatus: f.status}})
		if err != nil || len(out.ImageDetails) != f.want {
			t.Errorf("DescribeImages %s: %v, %d images, want %d", f.status, err, len(out.ImageDetails), f.want)
		}
		lo, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("list"), Filter: &types.ListImagesFilter{TagStatus: f.status}})
		if err != nil || len(lo.ImageIds) != f.want {
			t.Errorf("ListImages %s: %v, %d ids, want %d", f.status, err, len(lo.ImageIds), f.want)
		}
	}
	lp := ecr.NewListImagesPaginator(c, &ecr.ListImagesInput{RepositoryName: aws.String("list"), MaxResults: aws.Int32(1)})
	n := 0
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.ImageIds)
	}
	if n != 5 {
		t.Errorf("ListImages paging returned %d ids", n)
	}
	errCases := []struct {
		name string
		in   ecr.DescribeImagesInput
		want string
	}{
		{"ids with maxResults", ecr.DescribeImagesInput{ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("t0")}}, MaxResults: aws.Int32(1)}, "InvalidParameterException"},
		{"unknown id", ecr.DescribeImagesInput{ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("t0")}, {ImageTag: aws.String("missing")}}}, "ImageNotFoundException"},
		{"bad filter", ecr.DescribeImagesInput{Filter: &types.DescribeImagesFilter{TagStatus: "SOME"}}, "InvalidParameterException"},
		{"bad token", ecr.DescribeImagesInput{NextToken: aws.String("junk")}, "InvalidParameterException"},
		{"max too large", ecr.DescribeImagesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterException"},
		{"missing repository", ecr.DescribeImagesInput{RepositoryName: aws.String("nope")}, "RepositoryNotFoundException"},
	}
	for _, tc := range errCases {
		in := tc.in
		if in.RepositoryName == nil {
			in.RepositoryName = aws.String("list")
		}
		if _, err := c.DescribeImages(ctx, &in); errCode(err) != tc.want {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.want)
		}
	}
}

// ---- UpdateImageStorageClass ----

func TestUpdateImageStorageClass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "arch")
	digest := mustPutImage(t, c, "arch", buildManifest("old"), "old")
	id := &types.ImageIdentifier{ImageTag: aws.String("old")}
	steps := []struct {
		name   string
		target types.TargetStorageClass
		id     *types.ImageIdentifier
		want   string
		status types.ImageStatus // in the response
	}{
		{"archive", types.TargetStorageClassArchive, id, "", types.ImageStatusArchived},
		{"archive again", types.TargetStorageClassArchive, id, "ValidationException", ""},
		{"restore", types.TargetStorageClassStandard, id, "", types.ImageStatusActivating},
		{"standard again", types.TargetStorageClassStandard, id, "ValidationException", ""},
		{"unknown image", types.TargetStorageClassArchive, &types.ImageIdentifier{ImageTag: aws.String("nope")}, "ImageNotFoundException", ""},
		{"bad class", "COLD", id, "InvalidParameterException", ""},
	}
	for _, s := range steps {
		out, err := c.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("arch"), ImageId: s.id, TargetStorageClass: s.target})
		if got := errCode(err); got != s.want {
			t.Fatalf("%s: error %q (%v), want %q", s.name, got, err, s.want)
		}
		if err == nil && (out.ImageStatus != s.status || aws.ToString(out.ImageId.ImageDigest) != digest) {
			t.Errorf("%s: status %s digest %s", s.name, out.ImageStatus, aws.ToString(out.ImageId.ImageDigest))
		}
		if s.name == "archive" {
			list, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("arch")})
			if err != nil || len(list.ImageIds) != 0 {
				t.Errorf("default listing shows archived images: %v %v", err, list.ImageIds)
			}
			arch, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("arch"),
				Filter: &types.DescribeImagesFilter{ImageStatus: types.ImageStatusFilterArchived}})
			if err != nil || len(arch.ImageDetails) != 1 || arch.ImageDetails[0].LastArchivedAt == nil {
				t.Errorf("archived listing: %v %+v", err, arch)
			}
		}
	}
	// With no transition delay the restore has completed.
	d := describeOne(t, c, "arch", *id)
	if d.ImageStatus != types.ImageStatusActive || d.LastActivatedAt == nil || d.LastArchivedAt == nil {
		t.Errorf("after restore: %s activated=%v archived=%v", d.ImageStatus, d.LastActivatedAt, d.LastArchivedAt)
	}
}

// An image being restored cannot change storage class until the restore
// completes.
func TestUpdateImageStorageClass_whileRestoring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, _ := newClient(t, emulator.WithClock(clock), emulator.WithTransitionDelay(time.Hour))
	mustCreateRepo(t, c, "restoring")
	mustPutImage(t, c, "restoring", buildManifest("img"), "img")
	update := func(target types.TargetStorageClass) (types.ImageStatus, error) {
		out, err := c.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("restoring"),
			ImageId: &types.ImageIdentifier{ImageTag: aws.String("img")}, TargetStorageClass: target})
		if err != nil {
			return "", err
		}
		return out.ImageStatus, nil
	}
	for _, s := range []struct {
		target  types.TargetStorageClass
		advance time.Duration
		want    string
	}{
		{types.TargetStorageClassArchive, 0, string(types.ImageStatusArchived)},
		{types.TargetStorageClassStandard, 0, string(types.ImageStatusActivating)},
		{types.TargetStorageClassArchive, 30 * time.Minute, "ImageStorageClassUpdateNotSupportedException"},
		{types.TargetStorageClassArchive, time.Hour, string(types.ImageStatusArchived)},
	} {
		clock.advance(s.advance)
		status, err := update(s.target)
		if got := cmp.Or(errCode(err), string(status)); got != s.want {
			t.Fatalf("to %s after +%s: %s (%v), want %s", s.target, s.advance, got, err, s.want)
		}
	}
}

// ---- ListImageReferrers ----

func TestListImageReferrers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "refs")
	subject := mustPutImage(t, c, "refs", buildManifest("subject"), "app")
	sig := mustPutImage(t, c, "refs", testReferrer("application/vnd.example.signature", subject, "sig"), "")
	mustPutImage(t, c, "refs", testReferrer("application/spdx+json", subject, "sbom-1"), "")
	mustPutImage(t, c, "refs", testReferrer("application/spdx+json", subject, "sbom-2"), "")
	mustPutImage(t, c, "refs", testReferrer("application/spdx+json", blobDigest("other"), "unrelated"), "")
	cases := []struct {
		name   string
		filter *types.ListImageReferrersFilter
		max    *int32
		want   int // referrers over all pages
		err    string
	}{
		{"all", nil, nil, 3, ""},
		{"paged", nil, aws.Int32(1), 3, ""},
		{"by type", &types.ListImageReferrersFilter{ArtifactTypes: []string{"application/spdx+json"}}, nil, 2, ""},
		{"archived only", &types.ListImageReferrersFilter{ArtifactStatus: types.ArtifactStatusFilterArchived}, nil, 0, ""},
		{"too many types", &types.ListImageReferrersFilter{ArtifactTypes: []string{"a", "b", "c", "d", "e", "f"}}, nil, 0, "InvalidParameterException"},
		{"max too large", nil, aws.Int32(51), 0, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &ecr.ListImageReferrersInput{RepositoryName: aws.String("refs"), SubjectId: &types.SubjectIdentifier{ImageDigest: aws.String(subject)},
				Filter: tc.filter, MaxResults: tc.max}
			var refs []types.ImageReferrer
			for {
				out, err := c.ListImageReferrers(ctx, in)
				if got := errCode(err); got != tc.err {
					t.Fatalf("error %q (%v), want %q", got, err, tc.err)
				}
				if err != nil {
					return
				}
				refs = append(refs, out.Referrers...)
				if out.NextToken == nil {
					break
				}
				in.NextToken = out.NextToken
			}
			if len(refs) != tc.want {
				t.Fatalf("%d referrers, want %d", len(refs), tc.want)
			}
			for _, r := range refs {
				if aws.ToString(r.MediaType) != "application/vnd.oci.image.manifest.v1+json" || r.ArtifactStatus != types.ArtifactStatusActive ||
					aws.ToInt64(r.Size) <= 0 || r.Annotations["org.example.kind"] != aws.ToString(r.ArtifactType) {
					t.Errorf("unexpected referrer %+v", r)
				}
			}
		})
	}
	d := describeOne(t, c, "refs", types.ImageIdentifier{ImageDigest: aws.String(sig)})
	if aws.ToString(d.SubjectManifestDigest) != subject {
		t.Errorf("subjectManifestDigest = %v", aws.ToString(d.SubjectManifestDigest))
	}
}

// ---- replication and signing status ----

func TestImageReplicationAndSigningStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newImageTestClock(0)
	c, _ := newClient(t, emulator.WithClock(clock), emulator.WithTransitionDelay(time.Minute))
	dest := func(region, account string) types.ReplicationDestination {
		return types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)}
	}
	if _, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{
			{Destinations: []types.ReplicationDestination{dest("eu-west-1", "123456789012"), dest("us-east-1", "210987654321")},
				RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("prod"), FilterType: types.RepositoryFilterTypePrefixMatch}}},
			{Destinations: []types.ReplicationDestination{dest("ap-south-1", "123456789012")},
				RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("dev"), FilterType: types.RepositoryFilterTypePrefixMatch}}},
		},
	}}); err != nil {
		t.Fatal(err)
	}
	profile := func(name string) string { return "arn:aws:signer:us-west-2:123456789012:/signing-profiles/" + name }
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{
		Rules: []types.SigningRule{
			{SigningProfileArn: aws.String(profile("all_repos"))},
			{SigningProfileArn: aws.String(profile("prod_only")), RepositoryFilters: []types.SigningRepositoryFilter{
				{Filter: aws.String("prod*"), FilterType: types.SigningRepositoryFilterTypeWildcardMatch}}},
		},
	}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"prod/api", "dev-tools"} {
		mustCreateRepo(t, c, n)
		mustPutImage(t, c, n, buildManifest(n), "v1")
	}
	v1 := &types.ImageIdentifier{ImageTag: aws.String("v1")}
	cases := []struct {
		repo        string
		regions     []string
		profiles    int
		wantStatus  types.ReplicationStatus
		advanceTime time.Duration
		failed      string // the region whose replication failed
	}{
		{"prod/api", []string{"eu-west-1", "us-east-1"}, 2, types.ReplicationStatusInProgress, 0, ""},
		{"dev-tools", []string{"ap-south-1"}, 1, types.ReplicationStatusInProgress, 0, ""},
		// The other account's registry has no policy allowing
		// ecr:ReplicateImage: that replication fails.
		{"prod/api", []string{"eu-west-1", "us-east-1"}, 2, types.ReplicationStatusComplete, time.Minute, "us-east-1"},
	}
	for _, tc := range cases {
		clock.advance(tc.advanceTime)
		rep, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(tc.repo), ImageId: v1})
		if err != nil {
			t.Fatal(err)
		}
		var regions []string
		for _, s := range rep.ReplicationStatuses {
			regions = append(regions, aws.ToString(s.Region))
			want := tc.wantStatus
			if aws.ToString(s.Region) == tc.failed {
				want = types.ReplicationStatusFailed
			}
			if s.Status != want {
				t.Errorf("%s: status %s in %s, want %s", tc.repo, s.Status, aws.ToString(s.Region), want)
			}
		}
		if !slices.Equal(regions, tc.regions) {
			t.Errorf("%s: regions %v, want %v", tc.repo, regions, tc.regions)
		}
		sig, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String(tc.repo), ImageId: v1})
		if err != nil {
			t.Fatal(err)
		}
		if len(sig.SigningStatuses) != tc.profiles {
			t.Errorf("%s: signing statuses %+v", tc.repo, sig.SigningStatuses)
		}
		for _, s := range sig.SigningStatuses {
			if string(s.Status) != string(tc.wantStatus) {
				t.Errorf("%s: signing status %s", tc.repo, s.Status)
			}
		}
	}
	_, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("prod/api"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("missing")}})
	if errCode(err) != "ImageNotFoundException" {
		t.Errorf("unknown image: %v", err)
	}
	_, err = c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("nope"), ImageId: v1})
	if errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("unknown repository: %v", err)
	}
}
