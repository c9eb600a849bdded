package emulator

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

func init() {
	register("PutImage", false, putImage)
	// BatchGetImage records lastRecordedPullTime, so it is not read-only.
	register("BatchGetImage", false, batchGetImage)
	register("BatchDeleteImage", false, batchDeleteImage)
	register("DescribeImages", true, describeImages)
	register("ListImages", true, listImages)
	register("UpdateImageStorageClass", false, updateImageStorageClass)
	register("ListImageReferrers", true, listImageReferrers)
	register("DescribeImageReplicationStatus", true, describeImageReplicationStatus)
	register("DescribeImageSigningStatus", true, describeImageSigningStatus)
}

// Manifest media types ECR accepts.
const (
	mediaTypeDockerV1       = "application/vnd.docker.distribution.manifest.v1+json"
	mediaTypeDockerV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
	mediaTypeDockerV2       = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeOCIIndex       = "application/vnd.oci.image.index.v1+json"
)

var manifestMediaTypes = []string{mediaTypeDockerV1, mediaTypeDockerV1Signed, mediaTypeDockerV2,
	mediaTypeDockerList, mediaTypeOCIManifest, mediaTypeOCIIndex}

func isIndexMediaType(mt string) bool { return mt == mediaTypeDockerList || mt == mediaTypeOCIIndex }

// Quotas (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html).
const maxImagesPerRepository = 20000

var reImageDigest = regexp.MustCompile(`^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$`)

// ---- image identifiers ----

// imageIDInput is an ImageIdentifier as sent: pointers tell absent from "".
type imageIDInput struct {
	ImageDigest *string `json:"imageDigest"`
	ImageTag    *string `json:"imageTag"`
}

func (id imageIDInput) digest() string { return deref(id.ImageDigest) }
func (id imageIDInput) tag() string    { return deref(id.ImageTag) }

// echo returns the identifier as the caller sent it.
func (id imageIDInput) echo() *ImageIdentifier {
	return &ImageIdentifier{ImageDigest: id.digest(), ImageTag: id.tag()}
}

// text renders the identifier as ECR does in messages.
func (id imageIDInput) text() string {
	d, t := "null", "null"
	if id.ImageDigest != nil {
		d = *id.ImageDigest
	}
	if id.ImageTag != nil {
		t = *id.ImageTag
	}
	return fmt.Sprintf("{imageDigest:'%s', imageTag:'%s'}", d, t)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// imageFailure is ImageFailure on the wire.
type imageFailure struct {
	ImageID       *ImageIdentifier `json:"imageId"`
	FailureCode   string           `json:"failureCode"`
	FailureReason string           `json:"failureReason"`
}

// resolveImage finds the image an identifier names. On failure it returns
// the ImageFailure code and reason that the batch operations report.
func resolveImage(repo *Repository, id imageIDInput) (*Image, string, string) {
	if id.ImageDigest == nil && id.ImageTag == nil {
		return nil, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"
	}
	if id.ImageDigest != nil && !reImageDigest.MatchString(*id.ImageDigest) {
		return nil, "InvalidImageDigest",
			"Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
	}
	if id.ImageTag != nil && (*id.ImageTag == "" || len(*id.ImageTag) > 300) {
		return nil, "InvalidImageTag", "Invalid request parameters: image tag length should be between 1 and 300"
	}
	var img *Image
	if id.ImageDigest != nil {
		img = repo.Data.Images[*id.ImageDigest]
		if img == nil {
			return nil, "ImageNotFound", "Requested image not found"
		}
		if id.ImageTag != nil && repo.Data.TagIndex[*id.ImageTag] != img.Digest {
			return nil, "ImageTagDoesNotMatchDigest", "Invalid request parameters: image tag and digest do not match"
		}
		return img, "", ""
	}
	d, ok := repo.Data.TagIndex[*id.ImageTag]
	if ok {
		img = repo.Data.Images[d]
	}
	if img == nil {
		return nil, "ImageNotFound", "Requested image not found"
	}
	return img, "", ""
}

// findImage resolves a single imageId member (the non-batch operations):
// malformed identifiers are InvalidParameterException, the rest
// ImageNotFoundException.
func findImage(repo *Repository, member string, id *imageIDInput) (*Image, error) {
	if err := checkRequired(member, id != nil); err != nil {
		return nil, err
	}
	img, code, reason := resolveImage(repo, *id)
	switch code {
	case "":
		return img, nil
	case "MissingDigestAndTag", "InvalidImageDigest", "InvalidImageTag":
		return nil, errInvalidParam(member, reason)
	}
	return nil, errImageNotFound("The image with imageId %s does not exist within the repository with name '%s' in the registry with id '%s'",
		id.text(), repo.RepositoryName, repo.RegistryID)
}

// findRepositoryImage finds a repository, then the image its imageId member
// names: the lookup of the operations about one image.
func findRepositoryImage(r *request, reg *Registry, registryID, name *string, id *imageIDInput) (*Repository, *Image, error) {
	repo, err := findRepository(r, reg, registryID, name)
	if err != nil {
		return nil, nil, err
	}
	img, err := findImage(repo, "imageId", id)
	if err != nil {
		return nil, nil, err
	}
	return repo, img, nil
}

// imageTagsByDigest returns each image's tags in lexical order.
func imageTagsByDigest(repo *Repository) map[string][]string {
	out := map[string][]string{}
	for _, tag := range sortedKeys(repo.Data.TagIndex) {
		d := repo.Data.TagIndex[tag]
		out[d] = append(out[d], tag)
	}
	return out
}

// orderedImages returns the repository's images by pushedAt, then digest.
func orderedImages(repo *Repository) []*Image {
	out := make([]*Image, 0, len(repo.Data.Images))
	for _, img := range repo.Data.Images {
		out = append(out, img)
	}
	slices.SortFunc(out, func(a, b *Image) int {
		return cmp.Or(cmp.Compare(pushedNanos(a), pushedNanos(b)), strings.Compare(a.Digest, b.Digest))
	})
	return out
}

func pushedNanos(img *Image) int64 {
	if img.PushedAt == nil {
		return 0
	}
	return img.PushedAt.UnixNano()
}

// imageOrderKey sorts lexically in (pushedAt, digest) order; paging tokens
// carry it.
// orderedImages sorts in the same order without building keys.
func imageOrderKey(img *Image) string {
	return fmt.Sprintf("%020d/%s", pushedNanos(img), img.Digest)
}

// starMatch reports whether s matches pattern, where '*' matches any
// sequence of characters (ECR's WILDCARD filters).
func starMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// tagIsImmutable applies the repository's mutability setting to one tag.
func tagIsImmutable(repo *Repository, tag string) bool {
	matches := slices.ContainsFunc(repo.ImageTagMutabilityExclusionFilters, func(f ExclusionFilter) bool {
		return starMatch(f.Filter, tag)
	})
	switch repo.ImageTagMutability {
	case "IMMUTABLE":
		return true
	case "IMMUTABLE_WITH_EXCLUSION":
		return !matches
	case "MUTABLE_WITH_EXCLUSION":
		return matches
	}
	return false
}
