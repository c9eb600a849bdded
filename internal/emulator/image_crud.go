package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

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
	digest, mediaType, err := storeImage(r, reg, repo, *in.ImageManifest, in.ImageManifestMediaType, tag, in.ImageDigest)
	if err != nil {
		return nil, err
	}
	return putImageOutput{Image: imageOut{
		RegistryID:             repo.RegistryID,
		RepositoryName:         repo.RepositoryName,
		ImageID:                &ImageIdentifier{ImageDigest: digest, ImageTag: tag},
		ImageManifest:          *in.ImageManifest,
		ImageManifestMediaType: mediaType,
	}}, nil
}

// storeImage is the push of a manifest, shared by PutImage and the registry
// protocol's manifest PUT so that every rule holds on both paths: the
// manifest's references must be in the repository, a tag of an immutable
// repository (or matching its exclusion filters) cannot move, scan on push
// starts. It returns the manifest's digest and its settled media type;
// pushing an image that is already there with the same tag (or no tag) is
// ImageAlreadyExistsException.
func storeImage(r *request, reg *Registry, repo *Repository, manifest string, requestedType *string, tag string, wantDigest *string) (digest, mediaType string, err error) {
	m, mediaType, err := parseManifest(manifest, requestedType)
	if err != nil {
		return "", "", err
	}
	digest = manifestDigest(manifest)
	if wantDigest != nil && *wantDigest != digest {
		return "", "", apiErr("ImageDigestDoesNotMatchException",
			"The specified image digest '%s' does not match the digest '%s' calculated for the image manifest", *wantDigest, digest)
	}
	now := r.e.now()
	existing := repo.Data.Images[digest]
	if existing != nil && (tag == "" || repo.Data.TagIndex[tag] == digest) {
		shown := tag
		if shown == "" {
			shown = "null"
		}
		return "", "", apiErr("ImageAlreadyExistsException",
			"Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'",
			digest, shown, repo.RepositoryName, repo.RegistryID)
	}
	if old, ok := repo.Data.TagIndex[tag]; tag != "" && ok && old != digest && tagIsImmutable(repo, tag) {
		return "", "", apiErr("ImageTagAlreadyExistsException",
			"The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.",
			tag, repo.RepositoryName)
	}
	if existing == nil {
		img, err := newImage(r, reg, repo, m, mediaType, digest, manifest, now)
		if err != nil {
			return "", "", err
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
	replicatePush(r, reg, repo, repo.Data.Images[digest], tag)
	return digest, mediaType, nil
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
		// As ECR: every referenced blob that is not foreign (no urls) must
		// be in the repository, uploaded (or mounted) there or referenced
		// by one of its images.
		var missing []string
		for _, b := range m.blobs() {
			img.SizeInBytes += b.Size
			if len(b.URLs) == 0 && repo.Data.Layers[b.Digest] == nil {
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

// reasonArchived is why an archived image cannot be pulled.
const reasonArchived = "The requested image is archived and must be restored before it can be pulled"

// pullable settles img's storage status and reports whether it can be
// pulled: both BatchGetImage and the registry protocol's manifest GET ask.
// Assumption: archived images cannot be pulled until restored.
func pullable(img *Image, now time.Time) bool {
	img.settle(now)
	return img.Status == "ACTIVE"
}

// recordPull is what a pull leaves on the image, on both paths. The
// emulator knows callers by account only, so pull-time update exclusions
// (which name IAM principals) are recorded but never match a caller.
func recordPull(img *Image, now time.Time) { img.LastRecordedPullTime = ts(now) }

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
			switch {
			case !pullable(img, now):
				code, reason = "ImageInaccessible", reasonArchived
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
		manifest, err := img.manifest()
		if err != nil {
			return nil, err
		}
		recordPull(img, now)
		out.Images = append(out.Images, imageOut{
			RegistryID:             repo.RegistryID,
			RepositoryName:         repo.RepositoryName,
			ImageID:                &ImageIdentifier{ImageDigest: img.Digest, ImageTag: id.tag()},
			ImageManifest:          manifest,
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
	rm := newImageRemoval(repo)
	for _, id := range in.ImageIDs {
		img, code, reason := resolveImage(repo, id)
		if code != "" {
			fail(id, code, reason)
			continue
		}
		if id.ImageDigest == nil {
			// By tag: remove the tag; the image goes with its last tag.
			tag := *id.ImageTag
			if !rm.untag(img, tag) {
				fail(id, "ImageReferencedByManifestList", reasonReferencedByList)
				continue
			}
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest, ImageTag: tag})
			continue
		}
		// By digest (or digest and tag, as moto does): the image and all
		// its tags go; one entry per removed tag.
		tags, ok := rm.image(img)
		if !ok {
			fail(id, "ImageReferencedByManifestList", reasonReferencedByList)
			continue
		}
		if len(tags) == 0 {
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest})
		}
		for _, t := range tags {
			out.ImageIDs = append(out.ImageIDs, ImageIdentifier{ImageDigest: img.Digest, ImageTag: t})
		}
	}
	replicateRemoval(r, reg, rm)
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
