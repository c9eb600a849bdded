package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

func init() {
	register("BatchCheckLayerAvailability", true, batchCheckLayerAvailability)
	register("InitiateLayerUpload", false, initiateLayerUpload)
	register("UploadLayerPart", false, uploadLayerPart)
	register("CompleteLayerUpload", false, completeLayerUpload)
	register("GetDownloadUrlForLayer", true, getDownloadURLForLayer)
}

// Assumption: ECR asks for parts of the largest size UploadLayerPart takes.
const layerPartSize = 20 << 20

// layerPartMinSize is the smallest part but the last of an upload: "Layer
// parts must be at least 5 MiB in size" (API reference of
// LayerPartTooSmallException). Assumption: as in S3 multipart uploads, the
// sizes are checked when the upload completes, the only operation the model
// lists the error for.
const layerPartMinSize = 5 << 20

const layerDigestPattern = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+"

// knownLayer is a blob as the repository knows it: uploaded, or referenced
// by a pushed manifest (blobs need not be uploaded; see newImage).
type knownLayer struct {
	Size         int64
	MediaType    string
	Availability string // AVAILABLE | ARCHIVED
}

// layerIndex returns what the repository knows of each of digests (the
// ones it does not know are absent). A blob referenced only by archived (or
// restoring) images is ARCHIVED. It reads the references recorded per
// image, so a lookup parses no manifest.
func layerIndex(repo *Repository, now time.Time, digests ...string) map[string]*knownLayer {
	out := make(map[string]*knownLayer, len(digests))
	want := make(map[string]bool, len(digests))
	for _, d := range digests {
		want[d] = true
		if l := repo.Data.Layers[d]; l != nil {
			out[d] = &knownLayer{Size: l.Size, MediaType: l.MediaType, Availability: "AVAILABLE"}
		}
	}
	archived := map[string]bool{}
	for _, img := range repo.Data.Images {
		if isIndexMediaType(img.ManifestMediaType) {
			continue
		}
		for _, b := range img.references().blobs {
			if !want[b.Digest] {
				continue
			}
			k := out[b.Digest]
			if k == nil {
				k = &knownLayer{Size: b.Size, Availability: "ARCHIVED"}
				out[b.Digest] = k
				archived[b.Digest] = true
			}
			if k.MediaType == "" {
				k.MediaType = b.MediaType
			}
			if archived[b.Digest] && img.statusAt(now) == "ACTIVE" {
				k.Availability = "AVAILABLE"
				delete(archived, b.Digest)
			}
		}
	}
	return out
}

// ---- BatchCheckLayerAvailability ----

type batchCheckLayerAvailabilityInput struct {
	RegistryID     *string  `json:"registryId"`
	RepositoryName *string  `json:"repositoryName"`
	LayerDigests   []string `json:"layerDigests"`
}

type layerOut struct {
	LayerDigest       string `json:"layerDigest"`
	LayerAvailability string `json:"layerAvailability"`
	LayerSize         int64  `json:"layerSize"`
	MediaType         string `json:"mediaType,omitempty"`
}

type layerFailure struct {
	LayerDigest   string `json:"layerDigest"`
	FailureCode   string `json:"failureCode"`
	FailureReason string `json:"failureReason"`
}

type batchCheckLayerAvailabilityOutput struct {
	Layers   []layerOut     `json:"layers"`
	Failures []layerFailure `json:"failures"`
}

func batchCheckLayerAvailability(r *request, reg *Registry) (any, error) {
	var in batchCheckLayerAvailabilityInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("layerDigests", in.LayerDigests != nil); err != nil {
		return nil, err
	}
	if err := checkListSize("layerDigests", len(in.LayerDigests), 1, 100); err != nil {
		return nil, err
	}
	for _, d := range in.LayerDigests {
		if err := checkLength("layerDigests.member", d, 0, 1000); err != nil {
			return nil, err
		}
	}
	index := layerIndex(repo, r.e.now(), in.LayerDigests...)
	out := batchCheckLayerAvailabilityOutput{Layers: []layerOut{}, Failures: []layerFailure{}}
	for _, d := range in.LayerDigests {
		switch k := index[d]; {
		case d == "":
			out.Failures = append(out.Failures, layerFailure{LayerDigest: d, FailureCode: "MissingLayerDigest",
				FailureReason: "Invalid request parameters: layer digest cannot be empty"})
		case !reLayerDigest.MatchString(d):
			out.Failures = append(out.Failures, layerFailure{LayerDigest: d, FailureCode: "InvalidLayerDigest",
				FailureReason: "Invalid request parameters: layer digest should satisfy the regex '" + layerDigestPattern + "'"})
		case k == nil:
			// Assumption: ECR reports unknown layers as MissingLayerDigest
			// failures rather than as UNAVAILABLE layers.
			out.Failures = append(out.Failures, layerFailure{LayerDigest: d, FailureCode: "MissingLayerDigest",
				FailureReason: "Could not find layer"})
		default:
			out.Layers = append(out.Layers, layerOut{LayerDigest: d, LayerAvailability: k.Availability, LayerSize: k.Size, MediaType: k.MediaType})
		}
	}
	return out, nil
}

// ---- uploads ----

type layerUploadInput struct {
	RegistryID     *string  `json:"registryId"`
	RepositoryName *string  `json:"repositoryName"`
	UploadID       *string  `json:"uploadId"`
	PartFirstByte  *int64   `json:"partFirstByte"`
	PartLastByte   *int64   `json:"partLastByte"`
	LayerPartBlob  []byte   `json:"layerPartBlob"`
	LayerDigests   []string `json:"layerDigests"`
}

type initiateLayerUploadOutput struct {
	UploadID string `json:"uploadId"`
	PartSize int64  `json:"partSize"`
}

func initiateLayerUpload(r *request, reg *Registry) (any, error) {
	var in layerUploadInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	id := r.e.ids.uuid()
	repo.Data.Uploads[id] = &Upload{ID: id, StartedAt: ts(r.e.now())}
	return initiateLayerUploadOutput{UploadID: id, PartSize: layerPartSize}, nil
}

// findUpload validates uploadId and returns the upload in progress.
func findUpload(repo *Repository, uploadID *string) (*Upload, error) {
	if err := checkRequired("uploadId", uploadID != nil); err != nil {
		return nil, err
	}
	if err := checkPattern("uploadId", *uploadID, reUploadID,
		"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"); err != nil {
		return nil, err
	}
	up := repo.Data.Uploads[*uploadID]
	if up == nil {
		return nil, apiErr("UploadNotFoundException",
			"The upload with id '%s' could not be found in the repository with name '%s' in the registry with id '%s'",
			*uploadID, repo.RepositoryName, repo.RegistryID)
	}
	return up, nil
}

type uploadLayerPartOutput struct {
	RegistryID       string `json:"registryId"`
	RepositoryName   string `json:"repositoryName"`
	UploadID         string `json:"uploadId"`
	LastByteReceived int64  `json:"lastByteReceived"`
}

func uploadLayerPart(r *request, reg *Registry) (any, error) {
	var in layerUploadInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	for _, m := range []struct {
		name string
		v    *int64
	}{{"partFirstByte", in.PartFirstByte}, {"partLastByte", in.PartLastByte}} {
		if err := checkRequired(m.name, m.v != nil); err != nil {
			return nil, err
		}
		if *m.v < 0 {
			return nil, errInvalidParam(m.name, "Member must have value greater than or equal to 0")
		}
	}
	if err := checkRequired("layerPartBlob", in.LayerPartBlob != nil); err != nil {
		return nil, err
	}
	if len(in.LayerPartBlob) > 20971520 {
		return nil, errInvalidParam("layerPartBlob", "Member must have length less than or equal to 20971520")
	}
	up, err := findUpload(repo, in.UploadID)
	if err != nil {
		return nil, err
	}
	received := up.received()
	first, last, n := *in.PartFirstByte, *in.PartLastByte, int64(len(in.LayerPartBlob))
	if n == 0 || first != received || last != first+n-1 {
		return nil, &APIError{
			Type: "InvalidLayerPartException",
			Message: fmt.Sprintf("The layer part with byte range %d-%d (%d bytes) does not continue upload '%s': the last valid byte received is %d",
				first, last, n, up.ID, received-1),
			Extra: map[string]any{
				"registryId":            repo.RegistryID,
				"repositoryName":        repo.RepositoryName,
				"uploadId":              up.ID,
				"lastValidByteReceived": received - 1,
			},
		}
	}
	if err := r.e.blobs.PutBlob(partKey(up.ID, len(up.PartSizes)), in.LayerPartBlob); err != nil {
		return nil, errPersist(err)
	}
	up.PartSizes = append(up.PartSizes, n)
	return uploadLayerPartOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		UploadID: up.ID, LastByteReceived: received + n - 1}, nil
}

type completeLayerUploadOutput struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	UploadID       string `json:"uploadId"`
	LayerDigest    string `json:"layerDigest"`
}

func completeLayerUpload(r *request, reg *Registry) (any, error) {
	var in layerUploadInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("layerDigests", in.LayerDigests != nil); err != nil {
		return nil, err
	}
	if err := checkListSize("layerDigests", len(in.LayerDigests), 1, 100); err != nil {
		return nil, err
	}
	for _, d := range in.LayerDigests {
		if err := checkPattern("layerDigests.member", d, reLayerDigest, layerDigestPattern); err != nil {
			return nil, err
		}
	}
	up, err := findUpload(repo, in.UploadID)
	if err != nil {
		return nil, err
	}
	if up.received() == 0 {
		return nil, apiErr("EmptyUploadException",
			"The upload with id '%s' in the repository with name '%s' in the registry with id '%s' contains no data",
			up.ID, repo.RepositoryName, repo.RegistryID)
	}
	for i, size := range up.PartSizes[:max(len(up.PartSizes)-1, 0)] {
		if size < layerPartMinSize {
			return nil, apiErr("LayerPartTooSmallException",
				"Layer parts must be at least 5 MiB in size: part %d of upload '%s' has %d bytes", i+1, up.ID, size)
		}
	}
	data, err := r.e.uploadedData(up)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	matched := false
	for _, d := range in.LayerDigests {
		if strings.EqualFold(d, digest) {
			matched = true
		}
	}
	if !matched {
		return nil, apiErr("InvalidLayerException",
			"The layer digest '%s' does not match the digest '%s' calculated for the uploaded data", in.LayerDigests[0], digest)
	}
	// Content-addressed, so storing it again is harmless; stored before
	// the existence check so that a layer known only from a manifest gets
	// its content.
	if err := r.e.blobs.PutBlob(digest, data); err != nil {
		return nil, errPersist(err)
	}
	id, n := up.ID, len(up.PartSizes)
	r.afterWrite = append(r.afterWrite, func() { r.e.dropParts(id, n) })
	if layerIndex(repo, r.e.now(), digest)[digest] != nil {
		// The upload is over all the same: its removal is persisted and
		// its parts go.
		r.keepOnError = true
		delete(repo.Data.Uploads, up.ID)
		return nil, apiErr("LayerAlreadyExistsException",
			"The layer with digest '%s' already exists in the repository with name '%s' in the registry with id '%s'",
			digest, repo.RepositoryName, repo.RegistryID)
	}
	repo.Data.Layers[digest] = &Layer{Digest: digest, Size: int64(len(data))}
	delete(repo.Data.Uploads, up.ID)
	return completeLayerUploadOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName,
		UploadID: up.ID, LayerDigest: digest}, nil
}

// ---- GetDownloadUrlForLayer ----

type getDownloadURLForLayerInput struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
	LayerDigest    *string `json:"layerDigest"`
}

type getDownloadURLForLayerOutput struct {
	DownloadURL string `json:"downloadUrl"`
	LayerDigest string `json:"layerDigest"`
}

func getDownloadURLForLayer(r *request, reg *Registry) (any, error) {
	var in getDownloadURLForLayerInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if err := checkRequired("layerDigest", in.LayerDigest != nil); err != nil {
		return nil, err
	}
	if err := checkPattern("layerDigest", *in.LayerDigest, reLayerDigest, layerDigestPattern); err != nil {
		return nil, err
	}
	d := *in.LayerDigest
	k := layerIndex(repo, r.e.now(), d)[d]
	if k == nil {
		return nil, apiErr("LayersNotFoundException",
			"The layer with digest '%s' does not exist in the repository with name '%s' in the registry with id '%s'",
			d, repo.RepositoryName, repo.RegistryID)
	}
	if k.Availability != "AVAILABLE" {
		return nil, apiErr("LayerInaccessibleException",
			"The layer with digest '%s' belongs only to archived images and cannot be downloaded", d)
	}
	// ECR answers a presigned S3 URL; the emulator serves the content
	// itself (blobs.go).
	url := layerURL(r, repo, d)
	return getDownloadURLForLayerOutput{DownloadURL: url, LayerDigest: d}, nil
}
