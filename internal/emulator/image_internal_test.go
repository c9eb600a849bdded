package emulator

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// orderedImages sorts by (pushedAt, digest), the order of imageOrderKey
// that paging tokens carry, without building a key per comparison: a
// listing of a large repository allocates its result, not O(n log n)
// strings.
func TestOrderedImages(t *testing.T) {
	repo := &Repository{Data: RepositoryData{Images: map[string]*Image{}}}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		d := fmt.Sprintf("sha256:%064x", i*7919%2000)
		repo.Data.Images[d] = &Image{Digest: d, PushedAt: ts(base.Add(time.Duration(i%50) * time.Second))}
	}
	got := orderedImages(repo)
	keys := make([]string, len(got))
	for i, img := range got {
		keys[i] = imageOrderKey(img)
	}
	if !slices.IsSorted(keys) {
		t.Fatal("orderedImages is not in imageOrderKey order")
	}
	if allocs := testing.AllocsPerRun(5, func() { orderedImages(repo) }); allocs > 2 {
		t.Fatalf("orderedImages of %d images: %v allocations, want at most 2", len(repo.Data.Images), allocs)
	}
}
