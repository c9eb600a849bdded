package emulator

import "time"

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
		d.ImageScanStatus = scanStatusAt(img, now)
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
