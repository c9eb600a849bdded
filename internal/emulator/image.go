package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
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

// statusAt is the image's storage status at now: an ACTIVATING image is
// ACTIVE once its restore has completed.
func (img *Image) statusAt(now time.Time) string {
	if img.Status == "" {
		return "ACTIVE"
	}
	if img.Status == "ACTIVATING" && img.StatusChangeAt != nil && !now.Before(img.StatusChangeAt.Time) {
		return "ACTIVE"
	}
	return img.Status
}

// lastActivatedAt includes a restore that has completed but not been settled.
func (img *Image) lastActivatedAt(now time.Time) *Time {
	if img.Status == "ACTIVATING" && img.statusAt(now) == "ACTIVE" {
		return img.StatusChangeAt
	}
	return img.LastActivatedAt
}

// settle writes completed transitions into the image (write paths only).
func (img *Image) settle(now time.Time) {
	if img.Status == "ACTIVATING" && img.statusAt(now) == "ACTIVE" {
		img.LastActivatedAt = img.StatusChangeAt
		img.Status = "ACTIVE"
		img.StatusChangeAt = nil
	}
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

// ---- manifests ----

type manifestDescriptor struct {
	MediaType    string            `json:"mediaType"`
	Digest       string            `json:"digest"`
	Size         int64             `json:"size"`
	URLs         []string          `json:"urls"`
	ArtifactType string            `json:"artifactType"`
	Annotations  map[string]string `json:"annotations"`
}

type imageManifest struct {
	SchemaVersion int                  `json:"schemaVersion"`
	MediaType     string               `json:"mediaType"`
	ArtifactType  string               `json:"artifactType"`
	Config        *manifestDescriptor  `json:"config"`
	Layers        []manifestDescriptor `json:"layers"`
	Manifests     []manifestDescriptor `json:"manifests"`
	Subject       *manifestDescriptor  `json:"subject"`
	Annotations   map[string]string    `json:"annotations"`
}

// parseManifest decodes a manifest and settles its media type from the
// request member or the manifest's own mediaType.
func parseManifest(text string, requested *string) (*imageManifest, string, error) {
	var m imageManifest
	trimmed := strings.TrimSpace(text)
	if !json.Valid([]byte(text)) || !strings.HasPrefix(trimmed, "{") {
		return nil, "", errInvalidParam("ImageManifest", "Invalid JSON syntax")
	}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return nil, "", errInvalidParam("ImageManifest", "Invalid manifest structure: "+err.Error())
	}
	mt := m.MediaType
	if requested != nil && *requested != "" {
		// Assumption: a media type that contradicts the manifest's own
		// mediaType is a parameter error.
		if mt != "" && mt != *requested {
			return nil, "", errInvalidParam("imageManifestMediaType",
				fmt.Sprintf("Media type '%s' does not match the manifest's mediaType '%s'", *requested, mt))
		}
		mt = *requested
	}
	if mt == "" {
		// Assumption: without any media type, schema 1 manifests are Docker
		// v1, manifests with a "manifests" list OCI indexes, others OCI
		// image manifests (OCI allows mediaType to be omitted).
		switch {
		case m.SchemaVersion == 1:
			mt = mediaTypeDockerV1
		case m.Manifests != nil:
			mt = mediaTypeOCIIndex
		default:
			mt = mediaTypeOCIManifest
		}
	}
	if !slices.Contains(manifestMediaTypes, mt) {
		// Assumption: other media types are rejected as a parameter error.
		return nil, "", errInvalidParam("imageManifestMediaType",
			fmt.Sprintf("Unsupported manifest media type '%s'", mt))
	}
	switch {
	case mt == mediaTypeDockerV2 || mt == mediaTypeOCIManifest:
		if m.Config == nil || m.Config.Digest == "" {
			return nil, "", errInvalidParam("ImageManifest", "Invalid manifest: config descriptor is required")
		}
	case isIndexMediaType(mt):
		for _, d := range m.Manifests {
			if !reImageDigest.MatchString(d.Digest) {
				return nil, "", errInvalidParam("ImageManifest", "Invalid manifest: invalid digest in manifests list")
			}
		}
	}
	return &m, mt, nil
}

// manifestDigest is "sha256:" + hex SHA-256 of the exact manifest bytes.
func manifestDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// blobs returns the config and layer descriptors of an image manifest.
func (m *imageManifest) blobs() []manifestDescriptor {
	var out []manifestDescriptor
	if m.Config != nil {
		out = append(out, *m.Config)
	}
	return append(out, m.Layers...)
}

// imageRefs is what an image's manifest references. A manifest never
// changes (the image's digest is its hash), so it is derived once, when the
// image is pushed or restored, and lookups across a repository's images
// (layerIndex, BatchDeleteImage) parse no JSON.
type imageRefs struct {
	blobs    []blobRef // image manifests: config and layers, foreign ones (urls) left out
	children []string  // manifest lists: the digests of their manifests
}

// blobRef is a blob descriptor of a manifest.
type blobRef struct {
	Digest    string
	Size      int64
	MediaType string
}

func newImageRefs(m *imageManifest, mediaType string) *imageRefs {
	refs := &imageRefs{}
	if isIndexMediaType(mediaType) {
		for _, d := range m.Manifests {
			refs.children = append(refs.children, d.Digest)
		}
		return refs
	}
	for _, b := range m.blobs() {
		if b.Digest != "" && len(b.URLs) == 0 {
			refs.blobs = append(refs.blobs, blobRef{Digest: b.Digest, Size: b.Size, MediaType: b.MediaType})
		}
	}
	return refs
}

// parseImageRefs derives an image's references from its stored manifest; a
// manifest that does not parse references nothing.
func parseImageRefs(img *Image) *imageRefs {
	var m imageManifest
	if json.Unmarshal([]byte(img.Manifest), &m) != nil {
		return &imageRefs{}
	}
	return newImageRefs(&m, img.ManifestMediaType)
}

// references returns what img's manifest references. PutImage and Restore
// record them; an image put into the state another way (tests) is parsed
// on each call, since read-only operations hold only a read lock and must
// not write.
func (img *Image) references() *imageRefs {
	if img.refs != nil {
		return img.refs
	}
	return parseImageRefs(img)
}

// ---- PutImage ----

type putImageInput struct {
	RegistryID             *string `json:"registryId"`
	RepositoryName         *string `json:"repositoryName"`
	ImageManifest          *string `json:"imageManifest"`
	ImageManifestMediaType *string `json:"imageManifestMediaType"`
	ImageTag               *string `json:"imageTag"`
	ImageDigest            *string `json:"imageDigest"`
}

// imageOut is ECR's Image shape.
type imageOut struct {
	RegistryID             string           `json:"registryId"`
	RepositoryName         string           `json:"repositoryName"`
	ImageID                *ImageIdentifier `json:"imageId"`
	ImageManifest          string           `json:"imageManifest"`
	ImageManifestMediaType string           `json:"imageManifestMediaType,omitempty"`
}

type putImageOutput struct {
	Image imageOut `json:"image"`
}

func putImage(r *request, reg *Registry) (any, error) {
	var in putImageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("imageManifest", in.ImageManifest != nil); err != nil {
		return nil, err
	}
	if err := checkLength("imageManifest", *in.ImageManifest, 1, 4194304); err != nil {
		return nil, err
	}
	tag := deref(in.ImageTag)
	if in.ImageTag != nil {
		if err := checkLength("imageTag", tag, 1, 300); err != nil {
			return nil, err
		}
	}
	m, mediaType, err := parseManifest(*in.ImageManifest, in.ImageManifestMediaType)
	if err != nil {
		return nil, err
	}
	digest := manifestDigest(*in.ImageManifest)
	if in.ImageDigest != nil && *in.ImageDigest != digest {
		return nil, apiErr("ImageDigestDoesNotMatchException",
			"The specified image digest '%s' does not match the digest '%s' calculated for the image manifest", *in.ImageDigest, digest)
	}
	now := r.e.now()
	existing := repo.Data.Images[digest]
	if existing != nil && (tag == "" || repo.Data.TagIndex[tag] == digest) {
		shown := tag
		if shown == "" {
			shown = "null"
		}
		return nil, apiErr("ImageAlreadyExistsException",
			"Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'",
			digest, shown, repo.RepositoryName, repo.RegistryID)
	}
	if old, ok := repo.Data.TagIndex[tag]; tag != "" && ok && old != digest && tagIsImmutable(repo, tag) {
		return nil, apiErr("ImageTagAlreadyExistsException",
			"The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.",
			tag, repo.RepositoryName)
	}
	if existing == nil {
		img, err := newImage(r, reg, repo, m, mediaType, digest, *in.ImageManifest, now)
		if err != nil {
			return nil, err
		}
		repo.Data.Images[digest] = img
	} else {
		existing.settle(now)
	}
	if tag != "" {
		// In a mutable repository the tag moves; the old image stays,
		// possibly untagged.
		repo.Data.TagIndex[tag] = digest
	}
	return putImageOutput{Image: imageOut{
		RegistryID:             repo.RegistryID,
		RepositoryName:         repo.RepositoryName,
		ImageID:                &ImageIdentifier{ImageDigest: digest, ImageTag: tag},
		ImageManifest:          *in.ImageManifest,
		ImageManifestMediaType: mediaType,
	}}, nil
}

// newImage checks what a new manifest references and builds its Image.
func newImage(r *request, reg *Registry, repo *Repository, m *imageManifest, mediaType, digest, manifest string, now time.Time) (*Image, error) {
	if len(repo.Data.Images) >= maxImagesPerRepository {
		return nil, apiErr("LimitExceededException",
			"The maximum number of images (%d) in the repository with name '%s' has been reached", maxImagesPerRepository, repo.RepositoryName)
	}
	img := &Image{
		Digest:            digest,
		Manifest:          manifest,
		ManifestMediaType: mediaType,
		ArtifactType:      m.ArtifactType,
		PushedAt:          ts(now),
		Status:            "ACTIVE",
	}
	if m.Subject != nil {
		img.SubjectDigest = m.Subject.Digest
	}
	img.refs = newImageRefs(m, mediaType)
	if isIndexMediaType(mediaType) {
		// A manifest list must reference images already in the repository;
		// its size is the largest of theirs (model doc of imageSizeInBytes).
		var missing []string
		for _, d := range m.Manifests {
			child := repo.Data.Images[d.Digest]
			if child == nil {
				missing = append(missing, d.Digest)
				continue
			}
			img.SizeInBytes = max(img.SizeInBytes, child.SizeInBytes)
		}
		if len(missing) > 0 {
			return nil, apiErr("ReferencedImagesNotFoundException",
				"Manifest references images with digests '[%s]' that do not exist in the repository with name '%s' in registry with id '%s'",
				strings.Join(missing, ", "), repo.RepositoryName, repo.RegistryID)
		}
	} else {
		// Assumption: referenced blobs need not have been uploaded (tests
		// and moto push bare manifests). Once a repository has received a
		// layer upload, it is being pushed to like a real registry, and
		// every referenced blob that is not foreign (no urls) must exist.
		var missing []string
		for _, b := range m.blobs() {
			img.SizeInBytes += b.Size
			if len(repo.Data.Layers) > 0 && len(b.URLs) == 0 && repo.Data.Layers[b.Digest] == nil {
				missing = append(missing, b.Digest)
			}
		}
		if len(missing) > 0 {
			// Not uploaded, but possibly known from other images' manifests.
			known := layerIndex(repo, now, missing...)
			missing = slices.DeleteFunc(missing, func(d string) bool { return known[d] != nil })
		}
		if len(missing) > 0 {
			return nil, apiErr("LayersNotFoundException",
				"Layers with digests '[%s]' required for pushing image into repository with name '%s' in the registry with id '%s' do not exist",
				strings.Join(missing, ", "), repo.RepositoryName, repo.RegistryID)
		}
		if m.Config != nil {
			img.ArtifactMediaType = m.Config.MediaType
			if img.ArtifactType == "" {
				img.ArtifactType = m.Config.MediaType
			}
		}
	}
	// Assumption: manifest lists are not scanned (StartImageScan rejects them).
	if !isIndexMediaType(mediaType) && scanOnPush(reg, repo) {
		startScan(img, now, r.e.transitionDelay)
	}
	return img, nil
}

// scanOnPush reports whether a push to repo starts a basic scan: the
// repository's own scanOnPush, or a registry scanning rule for it.
func scanOnPush(reg *Registry, repo *Repository) bool {
	if repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush {
		return true
	}
	for _, rule := range reg.Scanning.Rules {
		// Assumption: under ENHANCED scanning, continuous scanning also
		// scans at push time.
		if rule.ScanFrequency != "SCAN_ON_PUSH" && (rule.ScanFrequency != "CONTINUOUS_SCAN" || reg.Scanning.ScanType != "ENHANCED") {
			continue
		}
		for _, f := range rule.RepositoryFilters {
			if starMatch(f.Filter, repo.RepositoryName) {
				return true
			}
		}
	}
	return false
}

// ---- BatchGetImage ----

type batchGetImageInput struct {
	RegistryID         *string        `json:"registryId"`
	RepositoryName     *string        `json:"repositoryName"`
	ImageIDs           []imageIDInput `json:"imageIds"`
	AcceptedMediaTypes []string       `json:"acceptedMediaTypes"`
}

type batchGetImageOutput struct {
	Images   []imageOut     `json:"images"`
	Failures []imageFailure `json:"failures"`
}

func checkImageIDs(ids []imageIDInput, present bool) error {
	if err := checkRequired("imageIds", present); err != nil {
		return err
	}
	return checkListSize("imageIds", len(ids), 1, 100)
}

func batchGetImage(r *request, reg *Registry) (any, error) {
	var in batchGetImageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkImageIDs(in.ImageIDs, in.ImageIDs != nil); err != nil {
		return nil, err
	}
	if in.AcceptedMediaTypes != nil {
		if err := checkListSize("acceptedMediaTypes", len(in.AcceptedMediaTypes), 1, 100); err != nil {
			return nil, err
		}
	}
	now := r.e.now()
	out := batchGetImageOutput{Images: []imageOut{}, Failures: []imageFailure{}}
	for _, id := range in.ImageIDs {
		img, code, reason := resolveImage(repo, id)
		if img != nil {
			img.settle(now)
			switch {
			case img.Status != "ACTIVE":
				// Assumption: archived images cannot be pulled until restored.
				code, reason = "ImageInaccessible", "The requested image is archived and must be restored before it can be pulled"
			case in.AcceptedMediaTypes != nil && !slices.Contains(in.AcceptedMediaTypes, img.ManifestMediaType):
				// Assumption: no schema conversion; an unacceptable
				// manifest is reported as not found.
				code, reason = "ImageNotFound", fmt.Sprintf("Requested image not found: manifest media type '%s' is not accepted", img.ManifestMediaType)
			}
		}
		if code != "" {
			out.Failures = append(out.Failures, imageFailure{ImageID: id.echo(), FailureCode: code, FailureReason: reason})
			continue
		}
		img.LastRecordedPullTime = ts(now)
		out.Images = append(out.Images, imageOut{
			RegistryID:             repo.RegistryID,
			RepositoryName:         repo.RepositoryName,
			ImageID:                &ImageIdentifier{ImageDigest: img.Digest, ImageTag: id.tag()},
			ImageManifest:          img.Manifest,
			ImageManifestMediaType: img.ManifestMediaType,
		})
	}
	return out, nil
}

// ---- BatchDeleteImage ----

type batchDeleteImageInput struct {
	RegistryID     *string        `json:"registryId"`
	RepositoryName *string        `json:"repositoryName"`
	ImageIDs       []imageIDInput `json:"imageIds"`
}

type batchDeleteImageOutput struct {
	ImageIDs []ImageIdentifier `json:"imageIds"`
	Failures []imageFailure    `json:"failures"`
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

// removeListedImage is removeImage that also uncounts, in refs, the
// references of a manifest list it removes.
func removeListedImage(repo *Repository, tagsOf map[string][]string, refs listRefs, img *Image) []string {
	if isIndexMediaType(img.ManifestMediaType) {
		refs.add(img, -1)
	}
	return removeImage(repo, tagsOf, img.Digest)
}

// removeImage deletes an image and its tags; tagsOf is imageTagsByDigest,
// kept up to date. It returns the tags removed.
func removeImage(repo *Repository, tagsOf map[string][]string, digest string) []string {
	tags := tagsOf[digest]
	for _, t := range tags {
		delete(repo.Data.TagIndex, t)
	}
	delete(repo.Data.Images, digest)
	delete(tagsOf, digest)
	return tags
}

func batchDeleteImage(r *request, reg *Registry) (any, error) {
	var in batchDeleteImageInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkImageIDs(in.ImageIDs, in.ImageIDs != nil); err != nil {
		return nil, err
	}
	out := batchDeleteImageOutput{ImageIDs: []ImageIdentifier{}, Failures: []imageFailure{}}
	fail := func(id imageIDInput, code, reason string) {
		out.Failures = append(out.Failures, imageFailure{ImageID: id.echo(), FailureCode: code, FailureReason: reason})
	}
	// Built once per request and kept in step with the deletions below.
	tagsOf := imageTagsByDigest(repo)
	refs := newListRefs(repo)
	remove := func(img *Image) []string { return removeListedImage(repo, tagsOf, refs, img) }
	for _, id := range in.ImageIDs {
		img, code, reason := resolveImage(repo, id)
		if code != "" {
			fail(id, code, reason)
			continue
		}
		if id.ImageDigest == nil {
			// By tag: remove the tag; the image goes with its last tag.
			tag := *id.ImageTag
			lastTag := len(tagsOf[img.Digest]) == 1
			if lastTag && refs[img.Digest] > 0 {
				fail(id, "ImageReferencedByManifestList", "Requested image is referenced by a manifest list")
				continue
			}
			if lastTag {
				remove(img)
			} else {
				delete(repo.Data.TagIndex, tag)
				tagsOf[img.Digest] = slices.DeleteFunc(tagsOf[img.Digest], func(t string) bool { return t == tag })
			}
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest, ImageTag: tag})
			continue
		}
		// By digest (or digest and tag, as moto does): the image and all
		// its tags go; one entry per removed tag.
		if refs[img.Digest] > 0 {
			fail(id, "ImageReferencedByManifestList", "Requested image is referenced by a manifest list")
			continue
		}
		tags := remove(img)
		if len(tags) == 0 {
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest})
		}
		for _, t := range tags {
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest, ImageTag: t})
		}
	}
	return out, nil
}

// ---- DescribeImages / ListImages ----

type imagesFilter struct {
	TagStatus   *string `json:"tagStatus"`
	ImageStatus *string `json:"imageStatus"`
}

// check validates the filter and returns its effective values; imageStatus
// defaults to ACTIVE (SDK doc of DescribeImagesFilter/ListImagesFilter).
func (f *imagesFilter) check() (tagStatus, imageStatus string, err error) {
	tagStatus, imageStatus = "ANY", "ACTIVE"
	if f == nil {
		return tagStatus, imageStatus, nil
	}
	if f.TagStatus != nil {
		if err := checkEnum("filter.tagStatus", *f.TagStatus, enumTagStatus); err != nil {
			return "", "", err
		}
		tagStatus = *f.TagStatus
	}
	if f.ImageStatus != nil {
		if err := checkEnum("filter.imageStatus", *f.ImageStatus, enumImageStatus); err != nil {
			return "", "", err
		}
		imageStatus = *f.ImageStatus
	}
	return tagStatus, imageStatus, nil
}

// filteredImages checks the filter and returns the repository's images that
// pass it at now, by pushedAt then digest, and every image's tags.
func filteredImages(repo *Repository, f *imagesFilter, now time.Time) ([]*Image, map[string][]string, error) {
	tagStatus, imageStatus, err := f.check()
	if err != nil {
		return nil, nil, err
	}
	tagsOf := imageTagsByDigest(repo)
	var kept []*Image
	for _, img := range orderedImages(repo) {
		tags := tagsOf[img.Digest]
		if tagStatus == "TAGGED" && len(tags) == 0 || tagStatus == "UNTAGGED" && len(tags) > 0 {
			continue
		}
		if imageStatus == "ANY" || img.statusAt(now) == imageStatus {
			kept = append(kept, img)
		}
	}
	return kept, tagsOf, nil
}

type describeImagesInput struct {
	RegistryID     *string        `json:"registryId"`
	RepositoryName *string        `json:"repositoryName"`
	ImageIDs       []imageIDInput `json:"imageIds"`
	NextToken      *string        `json:"nextToken"`
	MaxResults     *int64         `json:"maxResults"`
	Filter         *imagesFilter  `json:"filter"`
}

type imageScanStatus struct {
	Status      string `json:"status"`
	Description string `json:"description,omitempty"`
}

type imageScanFindingsSummary struct {
	FindingSeverityCounts        map[string]int `json:"findingSeverityCounts"`
	ImageScanCompletedAt         *Time          `json:"imageScanCompletedAt"`
	VulnerabilitySourceUpdatedAt *Time          `json:"vulnerabilitySourceUpdatedAt"`
}

type imageDetail struct {
	RegistryID               string                    `json:"registryId"`
	RepositoryName           string                    `json:"repositoryName"`
	ImageDigest              string                    `json:"imageDigest"`
	ImageTags                []string                  `json:"imageTags,omitempty"`
	ImageSizeInBytes         int64                     `json:"imageSizeInBytes"`
	ImagePushedAt            *Time                     `json:"imagePushedAt"`
	ImageScanStatus          *imageScanStatus          `json:"imageScanStatus,omitempty"`
	ImageScanFindingsSummary *imageScanFindingsSummary `json:"imageScanFindingsSummary,omitempty"`
	ImageManifestMediaType   string                    `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType        string                    `json:"artifactMediaType,omitempty"`
	LastRecordedPullTime     *Time                     `json:"lastRecordedPullTime,omitempty"`
	SubjectManifestDigest    string                    `json:"subjectManifestDigest,omitempty"`
	ImageStatus              string                    `json:"imageStatus"`
	LastArchivedAt           *Time                     `json:"lastArchivedAt,omitempty"`
	LastActivatedAt          *Time                     `json:"lastActivatedAt,omitempty"`
}

func newImageDetail(repo *Repository, img *Image, tags []string, now time.Time) imageDetail {
	d := imageDetail{
		RegistryID:             repo.RegistryID,
		RepositoryName:         repo.RepositoryName,
		ImageDigest:            img.Digest,
		ImageTags:              tags,
		ImageSizeInBytes:       img.SizeInBytes,
		ImagePushedAt:          img.PushedAt,
		ImageManifestMediaType: img.ManifestMediaType,
		ArtifactMediaType:      img.ArtifactMediaType,
		LastRecordedPullTime:   img.LastRecordedPullTime,
		SubjectManifestDigest:  img.SubjectDigest,
		ImageStatus:            img.statusAt(now),
		LastArchivedAt:         img.LastArchivedAt,
		LastActivatedAt:        img.lastActivatedAt(now),
	}
	if img.Scan != nil {
		d.ImageScanStatus = scanStatusAt(img.Scan, now)
		if d.ImageScanStatus.Status == "COMPLETE" {
			d.ImageScanFindingsSummary = &imageScanFindingsSummary{
				FindingSeverityCounts:        severityCounts(scanFindings(img)),
				ImageScanCompletedAt:         img.Scan.CompleteAt,
				VulnerabilitySourceUpdatedAt: img.Scan.CompleteAt,
			}
		}
	}
	return d
}

type describeImagesOutput struct {
	ImageDetails []imageDetail `json:"imageDetails"`
	NextToken    *string       `json:"nextToken,omitempty"`
}

func describeImages(r *request, reg *Registry) (any, error) {
	var in describeImagesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	kept, tagsOf, err := filteredImages(repo, in.Filter, now)
	if err != nil {
		return nil, err
	}
	out := describeImagesOutput{ImageDetails: []imageDetail{}}
	if in.ImageIDs != nil {
		if in.NextToken != nil || in.MaxResults != nil {
			return nil, errInvalidParam("imageIds", "Cannot specify both 'imageIds' and 'maxResults'/'nextToken'")
		}
		if err := checkListSize("imageIds", len(in.ImageIDs), 1, 100); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for i := range in.ImageIDs {
			// Assumption: explicit ids are described whatever their
			// status; the filter applies to listing only.
			img, err := findImage(repo, "imageIds", &in.ImageIDs[i])
			if err != nil {
				return nil, err
			}
			if !seen[img.Digest] {
				seen[img.Digest] = true
				out.ImageDetails = append(out.ImageDetails, newImageDetail(repo, img, tagsOf[img.Digest], now))
			}
		}
		return out, nil
	}
	var keys []string
	byKey := map[string]*Image{}
	for _, img := range kept {
		k := imageOrderKey(img)
		keys = append(keys, k)
		byKey[k] = img
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	for _, k := range page {
		img := byKey[k]
		out.ImageDetails = append(out.ImageDetails, newImageDetail(repo, img, tagsOf[img.Digest], now))
	}
	out.NextToken = strOrNil(next)
	return out, nil
}

type listImagesInput struct {
	RegistryID     *string       `json:"registryId"`
	RepositoryName *string       `json:"repositoryName"`
	NextToken      *string       `json:"nextToken"`
	MaxResults     *int64        `json:"maxResults"`
	Filter         *imagesFilter `json:"filter"`
}

type listImagesOutput struct {
	ImageIDs  []ImageIdentifier `json:"imageIds"`
	NextToken *string           `json:"nextToken,omitempty"`
}

// ListImages returns one identifier per tag (digest only when untagged).
func listImages(r *request, reg *Registry) (any, error) {
	var in listImagesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	kept, tagsOf, err := filteredImages(repo, in.Filter, r.e.now())
	if err != nil {
		return nil, err
	}
	var keys []string
	byKey := map[string]ImageIdentifier{}
	for _, img := range kept {
		tags := tagsOf[img.Digest]
		k := imageOrderKey(img)
		if len(tags) == 0 {
			keys = append(keys, k)
			byKey[k] = ImageIdentifier{ImageDigest: img.Digest}
		}
		for _, t := range tags {
			keys = append(keys, k+"/"+t)
			byKey[k+"/"+t] = ImageIdentifier{ImageDigest: img.Digest, ImageTag: t}
		}
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	out := listImagesOutput{ImageIDs: make([]ImageIdentifier, 0, len(page)), NextToken: strOrNil(next)}
	for _, k := range page {
		out.ImageIDs = append(out.ImageIDs, byKey[k])
	}
	return out, nil
}

// ---- UpdateImageStorageClass ----

type updateImageStorageClassInput struct {
	RegistryID         *string       `json:"registryId"`
	RepositoryName     *string       `json:"repositoryName"`
	ImageID            *imageIDInput `json:"imageId"`
	TargetStorageClass *string       `json:"targetStorageClass"`
}

type updateImageStorageClassOutput struct {
	RegistryID     string           `json:"registryId"`
	RepositoryName string           `json:"repositoryName"`
	ImageID        *ImageIdentifier `json:"imageId"`
	ImageStatus    string           `json:"imageStatus"`
}

func updateImageStorageClass(r *request, reg *Registry) (any, error) {
	var in updateImageStorageClassInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("targetStorageClass", in.TargetStorageClass != nil); err != nil {
		return nil, err
	}
	if err := checkEnum("targetStorageClass", *in.TargetStorageClass, []string{"STANDARD", "ARCHIVE"}); err != nil {
		return nil, err
	}
	img, err := findImage(repo, "imageId", in.ImageID)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	img.settle(now)
	switch {
	case img.Status == "ACTIVATING":
		// Assumption: an image being restored cannot change class until
		// the restore completes.
		return nil, apiErr("ImageStorageClassUpdateNotSupportedException",
			"The image with digest '%s' is being restored and its storage class cannot be updated", img.Digest)
	case img.Status == "ACTIVE" && *in.TargetStorageClass == "ARCHIVE":
		img.Status = "ARCHIVED"
		img.LastArchivedAt = ts(now)
	case img.Status == "ARCHIVED" && *in.TargetStorageClass == "STANDARD":
		img.Status = "ACTIVATING"
		img.StatusChangeAt = ts(now.Add(r.e.transitionDelay))
	default:
		// Assumption: a request for the class the image already has is a
		// ValidationException.
		return nil, errValidation("The image with digest '%s' is already in the %s storage class", img.Digest, *in.TargetStorageClass)
	}
	return updateImageStorageClassOutput{
		RegistryID:     repo.RegistryID,
		RepositoryName: repo.RepositoryName,
		ImageID:        &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()},
		ImageStatus:    img.Status, // the state the call leaves the image in
	}, nil
}

// ---- ListImageReferrers ----

type listImageReferrersInput struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
	SubjectID      *struct {
		ImageDigest *string `json:"imageDigest"`
	} `json:"subjectId"`
	Filter *struct {
		ArtifactTypes  []string `json:"artifactTypes"`
		ArtifactStatus *string  `json:"artifactStatus"`
	} `json:"filter"`
	NextToken  *string `json:"nextToken"`
	MaxResults *int64  `json:"maxResults"`
}

type imageReferrer struct {
	Digest         string            `json:"digest"`
	MediaType      string            `json:"mediaType"`
	ArtifactType   string            `json:"artifactType,omitempty"`
	Size           int64             `json:"size"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	ArtifactStatus string            `json:"artifactStatus"`
}

type listImageReferrersOutput struct {
	Referrers []imageReferrer `json:"referrers"`
	NextToken *string         `json:"nextToken,omitempty"`
}

func listImageReferrers(r *request, reg *Registry) (any, error) {
	var in listImageReferrersInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("subjectId", in.SubjectID != nil); err != nil {
		return nil, err
	}
	if err := checkRequired("subjectId.imageDigest", in.SubjectID.ImageDigest != nil); err != nil {
		return nil, err
	}
	subject := *in.SubjectID.ImageDigest
	if !reImageDigest.MatchString(subject) {
		return nil, errInvalidParam("subjectId.imageDigest", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")
	}
	status := "ACTIVE" // no filter: only ACTIVE artifacts (SDK doc)
	var types []string
	if in.Filter != nil {
		if err := checkListSize("filter.artifactTypes", len(in.Filter.ArtifactTypes), 0, 5); err != nil {
			return nil, err
		}
		for _, t := range in.Filter.ArtifactTypes {
			if err := checkLength("filter.artifactTypes.member", t, 1, 255); err != nil {
				return nil, err
			}
		}
		types = in.Filter.ArtifactTypes
		if in.Filter.ArtifactStatus != nil {
			if err := checkEnum("filter.artifactStatus", *in.Filter.ArtifactStatus, enumImageStatus); err != nil {
				return nil, err
			}
			status = *in.Filter.ArtifactStatus
		}
	}
	now := r.e.now()
	var keys []string
	byKey := map[string]*Image{}
	// Assumption: an unknown subject has no referrers (OCI registries accept
	// referrers before their subject), so it is not an error.
	for _, img := range orderedImages(repo) {
		if img.SubjectDigest != subject {
			continue
		}
		if len(types) > 0 && !slices.Contains(types, img.ArtifactType) {
			continue
		}
		if status != "ANY" && img.statusAt(now) != status {
			continue
		}
		k := imageOrderKey(img)
		keys = append(keys, k)
		byKey[k] = img
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 20, 50)
	if err != nil {
		return nil, err
	}
	out := listImageReferrersOutput{Referrers: []imageReferrer{}, NextToken: strOrNil(next)}
	for _, k := range page {
		img := byKey[k]
		var m imageManifest
		_ = json.Unmarshal([]byte(img.Manifest), &m)
		out.Referrers = append(out.Referrers, imageReferrer{
			Digest:         img.Digest,
			MediaType:      img.ManifestMediaType,
			ArtifactType:   img.ArtifactType,
			Size:           int64(len(img.Manifest)), // an OCI descriptor's size is the manifest's
			Annotations:    m.Annotations,
			ArtifactStatus: img.statusAt(now),
		})
	}
	return out, nil
}

// ---- replication and signing status ----

type imageStatusInput struct {
	RegistryID     *string       `json:"registryId"`
	RepositoryName *string       `json:"repositoryName"`
	ImageID        *imageIDInput `json:"imageId"`
}

type imageReplicationStatus struct {
	Region     string `json:"region"`
	RegistryID string `json:"registryId"`
	Status     string `json:"status"`
}

type describeImageReplicationStatusOutput struct {
	RepositoryName      string                   `json:"repositoryName"`
	ImageID             *ImageIdentifier         `json:"imageId"`
	ReplicationStatuses []imageReplicationStatus `json:"replicationStatuses"`
}

// pushCompleteAt is when work started by an image's push (replication,
// signing) completes.
func pushCompleteAt(r *request, img *Image) time.Time {
	var t time.Time
	if img.PushedAt != nil {
		t = img.PushedAt.Time
	}
	return t.Add(r.e.transitionDelay)
}

func describeImageReplicationStatus(r *request, reg *Registry) (any, error) {
	var in imageStatusInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, img, err := findRepositoryImage(r, reg, in.RegistryID, in.RepositoryName, in.ImageID)
	if err != nil {
		return nil, err
	}
	status := "IN_PROGRESS"
	if !r.e.now().Before(pushCompleteAt(r, img)) {
		status = "COMPLETE"
	}
	// Assumption: the status follows the current configuration, as if it
	// had been in force when the image was pushed.
	out := describeImageReplicationStatusOutput{RepositoryName: repo.RepositoryName,
		ImageID: &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()}, ReplicationStatuses: []imageReplicationStatus{}}
	seen := map[ReplicationDestination]bool{}
	for _, rule := range reg.Replication.Rules {
		match := len(rule.RepositoryFilters) == 0 || slices.ContainsFunc(rule.RepositoryFilters, func(f RepositoryFilter) bool {
			return strings.HasPrefix(repo.RepositoryName, f.Filter)
		})
		if !match {
			continue
		}
		for _, d := range rule.Destinations {
			if seen[d] {
				continue
			}
			seen[d] = true
			out.ReplicationStatuses = append(out.ReplicationStatuses, imageReplicationStatus{Region: d.Region, RegistryID: d.RegistryID, Status: status})
		}
	}
	return out, nil
}

type imageSigningStatus struct {
	SigningProfileArn string `json:"signingProfileArn"`
	Status            string `json:"status"`
}

type describeImageSigningStatusOutput struct {
	RepositoryName  string               `json:"repositoryName"`
	ImageID         *ImageIdentifier     `json:"imageId"`
	RegistryID      string               `json:"registryId"`
	SigningStatuses []imageSigningStatus `json:"signingStatuses"`
}

func describeImageSigningStatus(r *request, reg *Registry) (any, error) {
	var in imageStatusInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, img, err := findRepositoryImage(r, reg, in.RegistryID, in.RepositoryName, in.ImageID)
	if err != nil {
		return nil, err
	}
	status := "IN_PROGRESS"
	if !r.e.now().Before(pushCompleteAt(r, img)) {
		status = "COMPLETE"
	}
	out := describeImageSigningStatusOutput{RepositoryName: repo.RepositoryName, RegistryID: repo.RegistryID,
		ImageID: &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()}, SigningStatuses: []imageSigningStatus{}}
	if reg.Signing == nil {
		return out, nil
	}
	// Assumption: as for replication, the current configuration applies
	// as if it had been in force at push time.
	for _, rule := range reg.Signing.Rules {
		match := len(rule.RepositoryFilters) == 0 || slices.ContainsFunc(rule.RepositoryFilters, func(f SigningRepositoryFilter) bool {
			return starMatch(f.Filter, repo.RepositoryName)
		})
		if match {
			out.SigningStatuses = append(out.SigningStatuses, imageSigningStatus{SigningProfileArn: rule.SigningProfileArn, Status: status})
		}
	}
	return out, nil
}
