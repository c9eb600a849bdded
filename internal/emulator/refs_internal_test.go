package emulator

import (
	"fmt"
	"testing"
)

// The lookups across a repository's images read the references recorded
// per image (imageRefs) instead of parsing every manifest on each request,
// which made pushing N images O(N²) JSON decodes. The tests bound the
// allocations of one request on a repository of many images: parsing each
// manifest allocates several times per image, so a regression exceeds the
// bound by far, while the recorded references allocate per request only.

const refsTestImages = 400

func refsBlob(name string) string { return fmt.Sprintf("sha256:%064x", name) }

// refsManifest is an image manifest; variant tells apart manifests of the
// same blobs.
func refsManifest(variant int, config string, layers ...string) string {
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d}`,
		mediaTypeOCIManifest, config, variant)
	m += `,"layers":[`
	for i, l := range layers {
		if i > 0 {
			m += ","
		}
		m += fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":%q,"size":100}`, l)
	}
	return m + "]}"
}

func refsIndex(children ...string) string {
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"manifests":[`, mediaTypeOCIIndex)
	for i, c := range children {
		if i > 0 {
			m += ","
		}
		m += fmt.Sprintf(`{"mediaType":%q,"digest":%q,"size":1}`, mediaTypeOCIManifest, c)
	}
	return m + "]}"
}

func refsCall(t *testing.T, e *Emulator, op string, in map[string]any) map[string]any {
	t.Helper()
	out, err := lcCall(t, e, op, in)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return out
}

// refsLayerRepo returns an emulator whose repository "big" holds
// refsTestImages images that all reference the blob shared, which was never
// uploaded, while the repository has had an upload (so PutImage checks that
// referenced blobs exist, and shared is known only from manifests).
func refsLayerRepo(t *testing.T) (e *Emulator, shared, uploaded string) {
	t.Helper()
	e = New()
	refsCall(t, e, "CreateRepository", map[string]any{"repositoryName": "big"})
	shared = refsBlob("shared")
	// shared is known only from the manifests, as in a state saved before
	// PutImage checked that blobs were uploaded.
	layers := e.st.registry(DefaultAccount, DefaultRegion, false).Repositories["big"].Data.Layers
	layers[shared] = &Layer{Digest: shared, Size: 100}
	refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big", "imageManifest": refsManifest(0, shared)})
	uploaded = refsBlob("uploaded")
	e.mu.Lock()
	delete(layers, shared)
	layers[uploaded] = &Layer{Digest: uploaded, Size: 100}
	e.mu.Unlock()
	for i := 1; i < refsTestImages; i++ {
		refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big",
			"imageManifest": refsManifest(i, shared, uploaded)})
	}
	return e, shared, uploaded
}

// refsCheckLayers asks BatchCheckLayerAvailability about shared and
// uploaded, checks the answer and returns the allocations of one call.
func refsCheckLayers(t *testing.T, e *Emulator, shared, uploaded string) float64 {
	t.Helper()
	in := map[string]any{"repositoryName": "big", "layerDigests": []string{shared, uploaded, refsBlob("unknown")}}
	out := refsCall(t, e, "BatchCheckLayerAvailability", in)
	layers, _ := out["layers"].([]any)
	failures, _ := out["failures"].([]any)
	if len(layers) != 2 || len(failures) != 1 {
		t.Fatalf("BatchCheckLayerAvailability = %v", out)
	}
	for _, l := range layers {
		l := l.(map[string]any)
		if l["layerAvailability"] != "AVAILABLE" {
			t.Errorf("layer = %v, want AVAILABLE", l)
		}
		// An uploaded blob takes its media type from the manifests.
		if l["layerDigest"] == uploaded && l["mediaType"] != "application/vnd.oci.image.layer.v1.tar+gzip" {
			t.Errorf("layer = %v, want the media type of the manifests", l)
		}
	}
	return testing.AllocsPerRun(10, func() { refsCall(t, e, "BatchCheckLayerAvailability", in) })
}

const refsMaxAllocs = 500 // about 100 are measured; parsing the manifests costs over 7000

func TestLayerLookupsParseNoManifests(t *testing.T) {
	e, shared, uploaded := refsLayerRepo(t)

	// PutImage of an image whose blob is known only from other manifests.
	n := 0
	allocs := testing.AllocsPerRun(10, func() {
		n++
		refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big",
			"imageManifest": refsManifest(refsTestImages+n, shared, uploaded)})
	})
	if allocs > refsMaxAllocs {
		t.Errorf("PutImage into %d images: %v allocations, want at most %d", refsTestImages, allocs, refsMaxAllocs)
	}
	_, err := lcCall(t, e, "PutImage", map[string]any{"repositoryName": "big",
		"imageManifest": refsManifest(0, shared, refsBlob("never seen"))})
	if err == nil || toAPIError(err).Type != "LayersNotFoundException" {
		t.Errorf("PutImage with an unknown blob: %v, want LayersNotFoundException", err)
	}

	if allocs := refsCheckLayers(t, e, shared, uploaded); allocs > refsMaxAllocs {
		t.Errorf("BatchCheckLayerAvailability over %d images: %v allocations, want at most %d", refsTestImages, allocs, refsMaxAllocs)
	}

	// Restored images (a snapshot carries no references) are indexed on
	// Restore, not parsed per request.
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := New()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if allocs := refsCheckLayers(t, restored, shared, uploaded); allocs > refsMaxAllocs {
		t.Errorf("BatchCheckLayerAvailability after Restore: %v allocations, want at most %d", allocs, refsMaxAllocs)
	}
}

func TestBatchDeleteImageParsesNoManifestLists(t *testing.T) {
	e := New()
	refsCall(t, e, "CreateRepository", map[string]any{"repositoryName": "big"})
	cfg := refsBlob("cfg")
	e.st.registry(DefaultAccount, DefaultRegion, false).Repositories["big"].Data.Layers[cfg] = &Layer{Digest: cfg, Size: 1}
	var children, lists []string
	for i := range refsTestImages {
		out := refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big", "imageManifest": refsManifest(i, refsBlob("cfg"))})
		children = append(children, out["image"].(map[string]any)["imageId"].(map[string]any)["imageDigest"].(string))
		if i%2 == 1 {
			out := refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big", "imageManifest": refsIndex(children[i-1], children[i])})
			lists = append(lists, out["image"].(map[string]any)["imageId"].(map[string]any)["imageDigest"].(string))
		}
	}

	// 100 referenced children: every one fails and the state is unchanged,
	// so the call can be repeated.
	var ids []map[string]any
	for _, d := range children[:100] {
		ids = append(ids, map[string]any{"imageDigest": d})
	}
	in := map[string]any{"repositoryName": "big", "imageIds": ids}
	allocs := testing.AllocsPerRun(5, func() {
		out := refsCall(t, e, "BatchDeleteImage", in)
		if f, _ := out["failures"].([]any); len(f) != 100 {
			t.Fatalf("failures = %v", f)
		}
	})
	// The request and its 100 failures cost about 2000 allocations; parsing
	// the manifest lists for each id costs over 150000.
	if limit := 6000.0; allocs > limit {
		t.Errorf("BatchDeleteImage of 100 ids among %d manifest lists: %v allocations, want at most %v", len(lists), allocs, limit)
	}

	// A list deleted earlier in the request no longer holds its children;
	// another list still holds the child it shares.
	refsCall(t, e, "PutImage", map[string]any{"repositoryName": "big", "imageManifest": refsIndex(children[2])})
	out := refsCall(t, e, "BatchDeleteImage", map[string]any{"repositoryName": "big", "imageIds": []map[string]any{
		{"imageDigest": lists[0]}, {"imageDigest": children[0]}, {"imageDigest": lists[1]}, {"imageDigest": children[2]}, {"imageDigest": children[3]},
	}})
	deleted, _ := out["imageIds"].([]any)
	failures, _ := out["failures"].([]any)
	if len(deleted) != 4 || len(failures) != 1 || failures[0].(map[string]any)["failureCode"] != "ImageReferencedByManifestList" ||
		failures[0].(map[string]any)["imageId"].(map[string]any)["imageDigest"] != children[2] {
		t.Errorf("BatchDeleteImage = %v", out)
	}
}
