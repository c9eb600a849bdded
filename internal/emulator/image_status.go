package emulator

import (
	"slices"
	"time"
)

// ---- storage status ----

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

// pushWorkStatus is the status of the work an image's push started
// (replication, signing): IN_PROGRESS for the transition delay after the
// push, then COMPLETE.
func pushWorkStatus(r *request, img *Image) string {
	var t time.Time
	if img.PushedAt != nil {
		t = img.PushedAt.Time
	}
	if r.e.now().Before(t.Add(r.e.transitionDelay)) {
		return "IN_PROGRESS"
	}
	return "COMPLETE"
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
	// What the replications of the image's pushes did (replication.go):
	// IN_PROGRESS until done, then COMPLETE or FAILED per destination.
	return describeImageReplicationStatusOutput{RepositoryName: repo.RepositoryName,
		ImageID:             &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()},
		ReplicationStatuses: replicationStatuses(img)}, nil
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
	status := pushWorkStatus(r, img)
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
