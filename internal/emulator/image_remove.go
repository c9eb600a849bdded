package emulator

import "slices"

// reasonReferencedByList is why an image that a manifest list of its
// repository references cannot go (BatchDeleteImage's
// ImageReferencedByManifestList failure reason).
const reasonReferencedByList = "Requested image is referenced by a manifest list"

// imageRemoval is the one path by which images and tags leave a repository:
// BatchDeleteImage, lifecycle runs and the registry protocol's manifest
// DELETE all go through it. It keeps the repository's tags per image and the
// references of its manifest lists in step with what it removes (built once,
// for a batch), refuses to remove an image a remaining manifest list
// references, and records what went in removed, so that work that follows a
// removal (deletions that replicate to other registries) has one place to
// start from.
type imageRemoval struct {
	repo   *Repository
	tagsOf map[string][]string // imageTagsByDigest, kept up to date
	refs   listRefs
	// removed lists each removal in order: an image with its tags
	// (ImageTag empty for an untagged image), or a tag alone.
	removed []ImageIdentifier
	// blobRefs counts, per blob digest, the repository's images that
	// reference it (built at the first image removal).
	blobRefs map[string]int
}

func newImageRemoval(repo *Repository) *imageRemoval {
	return &imageRemoval{repo: repo, tagsOf: imageTagsByDigest(repo), refs: newListRefs(repo)}
}

// untag removes one tag of img; the image goes with its last tag, unless a
// manifest list references it (false, nothing removed).
func (rm *imageRemoval) untag(img *Image, tag string) bool {
	if tags := rm.tagsOf[img.Digest]; len(tags) == 1 && tags[0] == tag {
		_, ok := rm.image(img)
		return ok
	}
	delete(rm.repo.Data.TagIndex, tag)
	rm.tagsOf[img.Digest] = slices.DeleteFunc(rm.tagsOf[img.Digest], func(t string) bool { return t == tag })
	rm.removed = append(rm.removed, ImageIdentifier{ImageDigest: img.Digest, ImageTag: tag})
	return true
}

// image removes img and all its tags and returns the tags, unless a
// manifest list references it (false, nothing removed).
func (rm *imageRemoval) image(img *Image) ([]string, bool) {
	if rm.refs[img.Digest] > 0 {
		return nil, false
	}
	if isIndexMediaType(img.ManifestMediaType) {
		rm.refs.add(img, -1)
	}
	tags := rm.tagsOf[img.Digest]
	for _, t := range tags {
		delete(rm.repo.Data.TagIndex, t)
		rm.removed = append(rm.removed, ImageIdentifier{ImageDigest: img.Digest, ImageTag: t})
	}
	if len(tags) == 0 {
		rm.removed = append(rm.removed, ImageIdentifier{ImageDigest: img.Digest})
	}
	delete(rm.repo.Data.Images, img.Digest)
	delete(rm.tagsOf, img.Digest)
	rm.dropLayers(img)
	return tags, true
}

// dropLayers removes the repository's layer records of the blobs of img
// (removed) that no remaining image references, so that the store reclaims
// their content once nothing else references it. Assumption: as ECR's
// garbage collection of layers no image references, done at once.
func (rm *imageRemoval) dropLayers(img *Image) {
	blobs := img.references().blobs
	if len(blobs) == 0 {
		return
	}
	if rm.blobRefs == nil {
		rm.blobRefs = map[string]int{}
		for _, other := range rm.repo.Data.Images {
			for _, b := range other.references().blobs {
				rm.blobRefs[b.Digest]++
			}
		}
		// img is already out of the repository: its references are not
		// counted.
		rm.dropUnreferenced(blobs)
		return
	}
	for _, b := range blobs {
		rm.blobRefs[b.Digest]--
	}
	rm.dropUnreferenced(blobs)
}

func (rm *imageRemoval) dropUnreferenced(blobs []blobRef) {
	for _, b := range blobs {
		if rm.blobRefs[b.Digest] <= 0 {
			delete(rm.repo.Data.Layers, b.Digest)
		}
	}
}

// listRefs counts, per digest, the references to it from the manifest
// lists of a repository.
type listRefs map[string]int

func newListRefs(repo *Repository) listRefs {
	refs := listRefs{}
	for _, img := range repo.Data.Images {
		if isIndexMediaType(img.ManifestMediaType) {
			refs.add(img, 1)
		}
	}
	return refs
}

// add counts (n = 1) or uncounts (n = -1) the references of a manifest list.
func (l listRefs) add(img *Image, n int) {
	for _, c := range img.references().children {
		l[c] += n
	}
}
