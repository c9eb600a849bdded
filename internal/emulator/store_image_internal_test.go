package emulator

import (
	"encoding/json"
	"reflect"
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
	got, err := decodeImage(encodeImage(img))
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
	enc := encodeImage(img)
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
