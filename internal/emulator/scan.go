package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

func init() {
	register("StartImageScan", false, startImageScan)
	register("DescribeImageScanFindings", true, describeImageScanFindings)
}

// scanInterval is how often an image may be scanned (basic scanning quota).
const scanInterval = 24 * time.Hour

// startScan records a new basic scan that completes after delay.
func startScan(img *Image, now time.Time, delay time.Duration) {
	img.Scan = &ImageScan{StartedAt: ts(now), CompleteAt: ts(now.Add(delay))}
}

// maxScanImageBytes is the largest image a scan covers. Assumption: the
// 10 GiB that Amazon Inspector documents for container images; a larger
// image's scan ends IMAGE_SIZE_EXCEEDED (service/ecr v1.69.0), with no
// findings.
const maxScanImageBytes = 10 << 30

// scanStatusAt is the status of img's scan at now.
func scanStatusAt(img *Image, now time.Time) *imageScanStatus {
	scan := img.Scan
	if scan.CompleteAt != nil && now.Before(scan.CompleteAt.Time) {
		return &imageScanStatus{Status: "IN_PROGRESS"}
	}
	if img.SizeInBytes > maxScanImageBytes {
		return &imageScanStatus{Status: "IMAGE_SIZE_EXCEEDED",
			Description: fmt.Sprintf("The image size exceeds the maximum size of %d bytes supported for scanning.", int64(maxScanImageBytes))}
	}
	return &imageScanStatus{Status: "COMPLETE", Description: "The scan was completed successfully."}
}

type scanAttribute struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type scanFinding struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	URI         string          `json:"uri,omitempty"`
	Severity    string          `json:"severity"`
	Attributes  []scanAttribute `json:"attributes"`
}

var findingSeverities = []string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// scanFindings derives a small deterministic set (0 to 3) of findings from
// the image digest, so that a given image always has the same findings and
// different images differ. They name no real vulnerability.
func scanFindings(img *Image) []scanFinding {
	sum := sha256.Sum256([]byte("findings/" + img.Digest))
	n := int(sum[0]) % 4
	out := make([]scanFinding, 0, n)
	for i := range n {
		id := hex.EncodeToString(sum[1+2*i : 3+2*i])
		out = append(out, scanFinding{
			Name:        fmt.Sprintf("EMULATED-%d-%s", i+1, id),
			Description: fmt.Sprintf("Synthetic finding %d of the ECR emulator for image %s.", i+1, img.Digest),
			Severity:    findingSeverities[int(sum[10+i])%len(findingSeverities)],
			Attributes: []scanAttribute{
				{Key: "package_name", Value: "emulated-package-" + id},
				{Key: "package_version", Value: fmt.Sprintf("%d.%d.%d", sum[20+i]%10, sum[24+i]%10, sum[28+i]%10)},
			},
		})
	}
	return out
}

func severityCounts(findings []scanFinding) map[string]int {
	out := map[string]int{}
	for _, f := range findings {
		out[f.Severity]++
	}
	return out
}

// ---- StartImageScan ----

type imageScanInput struct {
	RegistryID     *string       `json:"registryId"`
	RepositoryName *string       `json:"repositoryName"`
	ImageID        *imageIDInput `json:"imageId"`
	NextToken      *string       `json:"nextToken"`
	MaxResults     *int64        `json:"maxResults"`
}

type startImageScanOutput struct {
	RegistryID      string           `json:"registryId"`
	RepositoryName  string           `json:"repositoryName"`
	ImageID         *ImageIdentifier `json:"imageId"`
	ImageScanStatus *imageScanStatus `json:"imageScanStatus"`
}

func startImageScan(r *request, reg *Registry) (any, error) {
	var in imageScanInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, img, err := findRepositoryImage(r, reg, in.RegistryID, in.RepositoryName, in.ImageID)
	if err != nil {
		return nil, err
	}
	now := r.e.now()
	img.settle(now)
	if img.Status != "ACTIVE" {
		return nil, apiErr("ImageArchivedException", "The image with digest '%s' is archived and cannot be scanned", img.Digest)
	}
	if isIndexMediaType(img.ManifestMediaType) {
		// Assumption: basic scanning covers image manifests, not lists.
		return nil, apiErr("UnsupportedImageTypeException", "The image with digest '%s' is a manifest list and cannot be scanned", img.Digest)
	}
	// Assumption: a scan on push counts toward the once-per-24h quota.
	if img.Scan != nil && img.Scan.StartedAt != nil && now.Before(img.Scan.StartedAt.Add(scanInterval)) {
		return nil, apiErr("LimitExceededException", "The scan quota per image has been exceeded. Wait and try again.")
	}
	startScan(img, now, r.e.transitionDelay)
	return startImageScanOutput{
		RegistryID:      repo.RegistryID,
		RepositoryName:  repo.RepositoryName,
		ImageID:         &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()},
		ImageScanStatus: &imageScanStatus{Status: "IN_PROGRESS"},
	}, nil
}

// ---- DescribeImageScanFindings ----

type imageScanFindings struct {
	ImageScanCompletedAt         *Time          `json:"imageScanCompletedAt"`
	VulnerabilitySourceUpdatedAt *Time          `json:"vulnerabilitySourceUpdatedAt"`
	FindingSeverityCounts        map[string]int `json:"findingSeverityCounts"`
	Findings                     []scanFinding  `json:"findings"`
}

type describeImageScanFindingsOutput struct {
	RegistryID        string             `json:"registryId"`
	RepositoryName    string             `json:"repositoryName"`
	ImageID           *ImageIdentifier   `json:"imageId"`
	ImageScanStatus   *imageScanStatus   `json:"imageScanStatus"`
	ImageScanFindings *imageScanFindings `json:"imageScanFindings,omitempty"`
	NextToken         *string            `json:"nextToken,omitempty"`
}

func describeImageScanFindings(r *request, reg *Registry) (any, error) {
	var in imageScanInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, img, err := findRepositoryImage(r, reg, in.RegistryID, in.RepositoryName, in.ImageID)
	if err != nil {
		return nil, err
	}
	if img.Scan == nil {
		return nil, apiErr("ScanNotFoundException",
			"Image scan does not exist for the image with '%s' in the repository with name '%s' in the registry with id '%s'",
			in.ImageID.text(), repo.RepositoryName, repo.RegistryID)
	}
	out := describeImageScanFindingsOutput{
		RegistryID:      repo.RegistryID,
		RepositoryName:  repo.RepositoryName,
		ImageID:         &ImageIdentifier{ImageDigest: img.Digest, ImageTag: in.ImageID.tag()},
		ImageScanStatus: scanStatusAt(img, r.e.now()),
	}
	if out.ImageScanStatus.Status != "COMPLETE" {
		// Still validate paging members so errors do not depend on timing.
		if _, _, err := paginate(r, nil, in.NextToken, in.MaxResults, 100, 1000); err != nil {
			return nil, err
		}
		return out, nil
	}
	all := scanFindings(img)
	keys := make([]string, len(all))
	for i := range all {
		keys[i] = fmt.Sprintf("%06d", i)
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	findings := make([]scanFinding, 0, len(page))
	for _, k := range page {
		i, _ := strconv.Atoi(k)
		findings = append(findings, all[i])
	}
	out.ImageScanFindings = &imageScanFindings{
		ImageScanCompletedAt:         img.Scan.CompleteAt,
		VulnerabilitySourceUpdatedAt: img.Scan.CompleteAt,
		FindingSeverityCounts:        severityCounts(all),
		Findings:                     findings,
	}
	out.NextToken = strOrNil(next)
	return out, nil
}
