package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// An image record round-trips in format 2, every field included, with its
// references carried (not parsed again), and a format-1 (JSON) record is
// still read.
func TestImageRecordFormats(t *testing.T) {
	at := func(s int64) *Time { return ts(time.Unix(s, 123456789).UTC()) }
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + zeros('1') + `","size":7},` +
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:` + zeros('2') + `","size":9}]}`
	img := &Image{Digest: "sha256:" + zeros('a'), Manifest: manifest, ManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
		ArtifactMediaType: "application/vnd.oci.image.config.v1+json", SubjectDigest: "sha256:" + zeros('b'), ArtifactType: "x/y",
		SizeInBytes: 16, PushedAt: at(1), LastRecordedPullTime: at(2), Status: "ACTIVATING", StatusChangeAt: at(3),
		LastArchivedAt: at(4), LastActivatedAt: at(5), Scan: &ImageScan{StartedAt: at(6), CompleteAt: at(7)},
		Replication: "us-east-2 123456789012 COMPLETE"}
	enc, err := encodeImage(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeImage(enc)
	if err != nil {
		t.Fatal(err)
	}
	want := *img
	want.refs = parseImageRefs(img)
	gotRefs, wantRefs := got.refs, want.refs
	got.refs, want.refs = nil, nil
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(&want)
	if string(a) != string(b) || !got.PushedAt.Equal(img.PushedAt.Time) || got.PushedAt.Nanosecond() != 123456789 {
		t.Fatalf("round trip:\n got %s\nwant %s", a, b)
	}
	if !reflect.DeepEqual(gotRefs, wantRefs) || len(gotRefs.blobs) != 2 {
		t.Fatalf("references: %+v, want %+v", gotRefs, wantRefs)
	}
	// Format 1.
	v1, _ := json.Marshal(img)
	old, err := decodeImage(v1)
	if err != nil || old.Manifest != img.Manifest || old.Replication != img.Replication || len(old.refs.blobs) != 2 {
		t.Fatalf("format 1 record: %+v %v", old, err)
	}
	// Damaged records are refused, not half read.
	for _, bad := range [][]byte{nil, {0x07}, enc[:len(enc)/2]} {
		if _, err := decodeImage(bad); err == nil {
			t.Fatalf("damaged record %x accepted", bad)
		}
	}
}

func zeros(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

// A store of format 1 (JSON image records) loads; its images then serve and
// are rewritten in format 2 when a write changes them.
func TestFormat1StoreLoads(t *testing.T) {
	e := New(WithTransitionDelay(0))
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:` + zeros('1') + `","size":7},"layers":[]}`
	img := &Image{Digest: "sha256:" + zeros('a'), Manifest: manifest, ManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
		PushedAt: ts(time.Unix(100, 0).UTC()), Status: "ACTIVE"}
	reg := e.st.registry("123456789012", "us-east-1", true)
	reg.Repositories["app"] = &Repository{RepositoryMeta: RepositoryMeta{RepositoryName: "app", RegistryID: "123456789012"},
		Data: RepositoryData{Tags: []Tag{}, Images: map[string]*Image{img.Digest: img}, TagIndex: map[string]string{"v1": img.Digest},
			Layers: map[string]*Layer{}, Uploads: map[string]*Upload{}}}
	s := newMemStore()
	if _, err := e.AttachStore(s); err != nil {
		t.Fatal(err)
	}
	// Make it what an older emulator wrote.
	for k, v := range s.m {
		switch {
		case k == keyMeta:
			s.m[k], _ = json.Marshal(storeMeta{Format: 1, Seq: 0})
		case v[0] == imageRecordV2:
			old, err := decodeImage(v)
			if err != nil {
				t.Fatal(err)
			}
			s.m[k], _ = json.Marshal(old)
		}
	}
	e2 := New(WithTransitionDelay(0))
	if found, err := e2.AttachStore(s); err != nil || !found {
		t.Fatalf("loading a format-1 store: %v %v", found, err)
	}
	got := e2.st.registry("123456789012", "us-east-1", false).Repositories["app"].Data.Images[img.Digest]
	if got == nil || got.Manifest != manifest || len(got.references().blobs) != 1 {
		t.Fatalf("image of the format-1 store: %+v", got)
	}
}

// A start leaves the manifests in the store; every path that needs one
// reads it from there: pulls (whose pull time is then written back with the
// manifest), referrers, replication, snapshots, a rewrite of the whole
// store, and a digest deleted and pushed again.
func TestManifestsLeftInStore(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testManifestsLeftInStore(t, newMemStore()) })
	t.Run("bolt", func(t *testing.T) {
		s, err := OpenBoltStore(filepath.Join(t.TempDir(), "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = s.Close() }()
		testManifestsLeftInStore(t, s)
	})
}

func testManifestsLeftInStore(t *testing.T, s Store) {
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	start := func() *Emulator {
		t.Helper()
		e := New(WithClock(clock), WithTransitionDelay(time.Minute))
		if _, err := e.AttachStore(s); err != nil {
			t.Fatal(err)
		}
		return e
	}
	index := func(n string) string {
		return `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"n":"` + n + `"}}`
	}
	put := func(e *Emulator, tag, manifest string) string {
		t.Helper()
		var out struct {
			Image struct{ ImageID ImageIdentifier }
		}
		_ = json.Unmarshal([]byte(call(t, e, "PutImage", `{"repositoryName":"app","imageTag":"`+tag+`","imageManifest":`+strconvQuote(manifest)+`}`)), &out)
		return out.Image.ImageID.ImageDigest
	}
	pull := func(e *Emulator, region, tag string) string {
		t.Helper()
		body := `{"repositoryName":"app","imageIds":[{"imageTag":"` + tag + `"}]}`
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", TargetPrefix+"BatchGetImage")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"+region+"/ecr/aws4_request, SignedHeaders=host, Signature=x")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		var out struct {
			Images []struct{ ImageManifest string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); w.Code != http.StatusOK || err != nil || len(out.Images) != 1 {
			t.Fatalf("BatchGetImage %s in %s: %d %s", tag, region, w.Code, w.Body)
		}
		return out.Images[0].ImageManifest
	}

	e := start()
	call(t, e, "CreateRepository", `{"repositoryName":"app"}`)
	d1 := put(e, "v1", index("1"))
	put(e, "v2", index("2"))
	referrer := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"x/sbom","manifests":[],` +
		`"subject":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + d1 + `","size":` + fmt.Sprint(len(index("1"))) + `}}`
	put(e, "sbom", referrer)
	call(t, e, "PutReplicationConfiguration", `{"replicationConfiguration":{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"123456789012"}]}]}}`)
	put(e, "v3", index("3")) // replicated a minute later, after the restart

	e = start()
	if img := e.st.registry(DefaultAccount, DefaultRegion, false).Repositories["app"].Data.Images[d1]; img.stored == nil || img.Manifest != "" {
		t.Fatalf("the start copied the manifest: %+v", img)
	}
	if got := pull(e, DefaultRegion, "v1"); got != index("1") { // also writes the pull time
		t.Fatalf("pulled %s", got)
	}
	out := call(t, e, "ListImageReferrers", `{"repositoryName":"app","subjectId":{"imageDigest":"`+d1+`"}}`)
	if !strings.Contains(out, `"size":`+fmt.Sprint(len(referrer))) {
		t.Fatalf("referrers: %s", out)
	}
	if snap, err := e.Snapshot(); err != nil || !strings.Contains(string(snap), strconvQuote(index("2"))[1:20]) {
		t.Fatalf("snapshot without the manifest: %v", err)
	}
	clock.advance(time.Minute)
	if got := pull(e, "eu-west-1", "v3"); got != index("3") {
		t.Fatalf("replica pulled %s", got)
	}
	call(t, e, "BatchDeleteImage", `{"repositoryName":"app","imageIds":[{"imageTag":"v2"}]}`)
	put(e, "v2", index("2"))
	e.resync.Store(true) // as after a failed batch: the next write rewrites the store
	put(e, "v1b", index("1"))

	e = start()
	for tag, want := range map[string]string{"v1": index("1"), "v1b": index("1"), "v2": index("2"), "sbom": referrer} {
		if got := pull(e, DefaultRegion, tag); got != want {
			t.Fatalf("%s after the second restart: %s, want %s", tag, got, want)
		}
	}
	if got := pull(e, "eu-west-1", "v3"); got != index("3") {
		t.Fatalf("replica after the second restart: %s", got)
	}
}
