package emulator

import (
	"encoding/json"
	"slices"
	"time"
)

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
	for _, img := range referrersOf(repo, subject, types, status, now) {
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
		ref, err := newImageReferrer(byKey[k], now)
		if err != nil {
			return nil, err
		}
		out.Referrers = append(out.Referrers, ref)
	}
	return out, nil
}

// referrersOf returns the images of repo whose subject is subject, by
// pushedAt then digest: those of one of types (any type when empty) with
// status (ANY for all). ListImageReferrers and the registry protocol's
// referrers API both list them.
// Assumption: an unknown subject has no referrers (OCI registries accept
// referrers before their subject), so it is not an error.
func referrersOf(repo *Repository, subject string, types []string, status string, now time.Time) []*Image {
	var out []*Image
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
		out = append(out, img)
	}
	return out
}

// newImageReferrer describes a referrer as ListImageReferrers does; its
// first fields are the OCI descriptor the referrers API lists.
func newImageReferrer(img *Image, now time.Time) (imageReferrer, error) {
	manifest, err := img.manifest()
	if err != nil {
		return imageReferrer{}, err
	}
	var m imageManifest
	_ = json.Unmarshal([]byte(manifest), &m)
	return imageReferrer{
		Digest:         img.Digest,
		MediaType:      img.ManifestMediaType,
		ArtifactType:   img.ArtifactType,
		Size:           int64(len(manifest)), // an OCI descriptor's size is the manifest's
		Annotations:    m.Annotations,
		ArtifactStatus: img.statusAt(now),
	}, nil
}
