package emulator

import "testing"

func TestRegistryForNeedsTheWriteLock(t *testing.T) {
	e := New()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registryFor without the lock did not panic")
			}
		}()
		e.registryFor("111111111111", "eu-west-1")
	}()
	e.mu.Lock()
	a := e.registryFor("111111111111", "eu-west-1")
	b := e.registryFor("111111111111", "eu-west-1")
	e.mu.Unlock()
	if a != b || a.Account != "111111111111" || a.Region != "eu-west-1" {
		t.Fatalf("registryFor: got %p (%s/%s) then %p", a, a.Account, a.Region, b)
	}
	if e.st.Registries["111111111111/eu-west-1"] != a {
		t.Fatal("registryFor did not keep the registry it created")
	}
}

func TestImageRemovalKeepsListedImages(t *testing.T) {
	child := &Image{Digest: "sha256:c", ManifestMediaType: mediaTypeOCIManifest}
	list := &Image{Digest: "sha256:l", ManifestMediaType: mediaTypeOCIIndex,
		Manifest: `{"schemaVersion":2,"mediaType":"` + mediaTypeOCIIndex + `","manifests":[{"digest":"sha256:c"}]}`}
	repo := &Repository{Data: RepositoryData{
		Images:   map[string]*Image{child.Digest: child, list.Digest: list},
		TagIndex: map[string]string{"c1": child.Digest, "c2": child.Digest, "l": list.Digest},
	}}
	rm := newImageRemoval(repo)
	if !rm.untag(child, "c1") {
		t.Fatal("removing one of two tags of a listed image was refused")
	}
	if rm.untag(child, "c2") {
		t.Fatal("removing the last tag of a listed image was allowed")
	}
	if _, ok := rm.image(list); !ok {
		t.Fatal("removing the list was refused")
	}
	if tags, ok := rm.image(child); !ok || len(tags) != 1 || tags[0] != "c2" {
		t.Fatalf("removing the child once its list is gone: tags %v ok %v", tags, ok)
	}
	if len(repo.Data.Images) != 0 || len(repo.Data.TagIndex) != 0 {
		t.Fatalf("left %v %v", repo.Data.Images, repo.Data.TagIndex)
	}
	want := []ImageIdentifier{{ImageDigest: "sha256:c", ImageTag: "c1"}, {ImageDigest: "sha256:l", ImageTag: "l"},
		{ImageDigest: "sha256:c", ImageTag: "c2"}}
	if len(rm.removed) != len(want) {
		t.Fatalf("removed %v, want %v", rm.removed, want)
	}
	for i := range want {
		if rm.removed[i] != want[i] {
			t.Fatalf("removed %v, want %v", rm.removed, want)
		}
	}
}
