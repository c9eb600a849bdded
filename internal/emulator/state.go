package emulator

// The state types double as the wire shapes (their JSON tags are ECR's
// member names) and as the persistence format of cmd/ecr-emulator: the whole
// state is marshalled as JSON. Internal bookkeeping that must never go on the
// wire lives in separate structs (Repository.Data) or in fields that handlers
// leave out when they build a response.

import "sort"

type state struct {
	// Registries is keyed by "account/region".
	Registries map[string]*Registry `json:"registries"`
	// Seq is a counter for ids that must be unique and ordered.
	Seq int64 `json:"seq"`
}

func newState() *state { return &state{Registries: map[string]*Registry{}} }

// registry returns the registry of (account, region). When create is false
// and none exists it returns an empty, detached one (read paths never write).
func (s *state) registry(account, region string, create bool) *Registry {
	// The key is built twice so that the lookup's copy does not escape
	// (no allocation on the read path of every request).
	if r, ok := s.Registries[account+"/"+region]; ok {
		return r
	}
	r := newRegistry(account, region)
	if create {
		s.Registries[account+"/"+region] = r
	}
	return r
}

// Registry is everything ECR keeps per (account, region).
type Registry struct {
	Account string `json:"account"`
	Region  string `json:"region"`

	Repositories map[string]*Repository `json:"repositories"`

	RegistryPolicy   *string                                `json:"registryPolicy,omitempty"`
	Replication      ReplicationConfiguration               `json:"replication"`
	Backfills        []*ReplicationBackfill                 `json:"backfills,omitempty"`
	Scanning         RegistryScanningConfig                 `json:"scanning"`
	PullThroughRules map[string]*PullThroughCacheRule       `json:"pullThroughCacheRules"`
	Templates        map[string]*RepositoryCreationTemplate `json:"templates"`
	AccountSettings  map[string]string                      `json:"accountSettings"`
	Signing          *SigningConfiguration                  `json:"signing,omitempty"`
	Exclusions       map[string]*PullTimeUpdateExclusion    `json:"exclusions"`
	// Replications are the replications queued and not yet done
	// (replication.go).
	Replications []*PendingReplication `json:"replications,omitempty"`
}

func newRegistry(account, region string) *Registry {
	return &Registry{
		Account:          account,
		Region:           region,
		Repositories:     map[string]*Repository{},
		Replication:      ReplicationConfiguration{Rules: []ReplicationRule{}},
		Scanning:         RegistryScanningConfig{ScanType: "BASIC", Rules: []RegistryScanningRule{}},
		PullThroughRules: map[string]*PullThroughCacheRule{},
		Templates:        map[string]*RepositoryCreationTemplate{},
		AccountSettings:  map[string]string{},
		Exclusions:       map[string]*PullTimeUpdateExclusion{},
	}
}

// sortedKeys returns the keys of m in lexical order (deterministic paging).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---- repositories ----

// Repository is a repository with its content. Respond with &r.RepositoryMeta.
type Repository struct {
	RepositoryMeta
	Data RepositoryData `json:"data"`
}

// RepositoryMeta is ECR's Repository wire shape.
type RepositoryMeta struct {
	RepositoryArn                      string                   `json:"repositoryArn"`
	RegistryID                         string                   `json:"registryId"`
	RepositoryName                     string                   `json:"repositoryName"`
	RepositoryURI                      string                   `json:"repositoryUri"`
	CreatedAt                          *Time                    `json:"createdAt"`
	ImageTagMutability                 string                   `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter        `json:"imageTagMutabilityExclusionFilters,omitempty"`
	ImageScanningConfiguration         *ImageScanningConfig     `json:"imageScanningConfiguration"`
	EncryptionConfiguration            *EncryptionConfiguration `json:"encryptionConfiguration"`
}

// RepositoryData is the repository's content: tags, policies, images.
type RepositoryData struct {
	Tags                 []Tag              `json:"tags"`
	Policy               *string            `json:"policy,omitempty"` // stored reformatted
	LifecyclePolicy      *string            `json:"lifecyclePolicy,omitempty"`
	LifecycleEvaluatedAt *Time              `json:"lifecycleEvaluatedAt,omitempty"`
	LifecyclePreview     *LifecyclePreview  `json:"lifecyclePreview,omitempty"`
	Images               map[string]*Image  `json:"images"`   // by digest
	TagIndex             map[string]string  `json:"tagIndex"` // tag -> digest
	Layers               map[string]*Layer  `json:"layers"`   // by digest
	Uploads              map[string]*Upload `json:"uploads"`  // by upload id
}

// ExclusionFilter is an ImageTagMutabilityExclusionFilter.
type ExclusionFilter struct {
	FilterType string `json:"filterType"`
	Filter     string `json:"filter"`
}

// ImageScanningConfig is ImageScanningConfiguration.
type ImageScanningConfig struct {
	ScanOnPush bool `json:"scanOnPush"`
}

// EncryptionConfiguration is shared by repositories and creation templates.
type EncryptionConfiguration struct {
	EncryptionType string `json:"encryptionType"`
	KmsKey         string `json:"kmsKey,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// ---- images and layers ----

// ImageIdentifier identifies an image by digest and/or tag.
type ImageIdentifier struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

// Image is a stored manifest and its metadata.
type Image struct {
	Digest               string     `json:"digest"`
	Manifest             string     `json:"manifest"`
	ManifestMediaType    string     `json:"manifestMediaType,omitempty"`
	ArtifactMediaType    string     `json:"artifactMediaType,omitempty"`
	SubjectDigest        string     `json:"subjectDigest,omitempty"`
	ArtifactType         string     `json:"artifactType,omitempty"`
	SizeInBytes          int64      `json:"sizeInBytes"`
	PushedAt             *Time      `json:"pushedAt"`
	LastRecordedPullTime *Time      `json:"lastRecordedPullTime,omitempty"`
	Status               string     `json:"status"`                   // ACTIVE | ARCHIVED | ACTIVATING
	StatusChangeAt       *Time      `json:"statusChangeAt,omitempty"` // when ACTIVATING completes
	LastArchivedAt       *Time      `json:"lastArchivedAt,omitempty"`
	LastActivatedAt      *Time      `json:"lastActivatedAt,omitempty"`
	Scan                 *ImageScan `json:"scan,omitempty"`
	// Replication is what the replications of the image's pushes did, per
	// destination (replication.go).
	Replication string `json:"replication,omitempty"`

	// refs is derived from Manifest, never persisted: see references.
	refs *imageRefs
	// stored, when set, holds the manifest in place of Manifest (empty
	// then): a start leaves it in the store. Read it with manifest.
	stored *storedManifests
}

// ImageScan is the last basic scan of an image.
type ImageScan struct {
	StartedAt  *Time `json:"startedAt"`
	CompleteAt *Time `json:"completeAt"` // status is IN_PROGRESS until then
}

// Layer is an uploaded blob.
type Layer struct {
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	MediaType string `json:"mediaType,omitempty"`
}

// Upload is a layer upload in progress.
type Upload struct {
	ID string `json:"id"`
	// PartSizes are the bytes of each UploadLayerPart, in order; the parts
	// themselves are in the BlobStore under partKey(ID, i), so that the
	// state (persisted on every write) does not carry them.
	PartSizes []int64 `json:"partSizes,omitempty"`
	StartedAt *Time   `json:"startedAt"`
}

// received is the number of bytes uploaded so far.
func (up *Upload) received() int64 {
	var n int64
	for _, s := range up.PartSizes {
		n += s
	}
	return n
}

// LifecyclePreview is the state of a lifecycle policy preview.
type LifecyclePreview struct {
	PolicyText string `json:"policyText"`
	StartedAt  *Time  `json:"startedAt"`
	CompleteAt *Time  `json:"completeAt"`
	// Results are computed when the preview starts, served once complete.
	Results []LifecyclePreviewResult `json:"results"`
}

// LifecyclePreviewResult is LifecyclePolicyPreviewResult.
type LifecyclePreviewResult struct {
	ImageTags           []string        `json:"imageTags,omitempty"`
	ImageDigest         string          `json:"imageDigest"`
	ImagePushedAt       *Time           `json:"imagePushedAt"`
	Action              LifecycleAction `json:"action"`
	AppliedRulePriority int             `json:"appliedRulePriority"`
	StorageClass        string          `json:"storageClass,omitempty"`
}

// LifecycleAction is LifecyclePolicyRuleAction (EXPIRE | TRANSITION).
type LifecycleAction struct {
	Type               string `json:"type"`
	TargetStorageClass string `json:"targetStorageClass,omitempty"`
}

// ---- registry-level entities ----

// ReplicationConfiguration is the registry's replication configuration.
type ReplicationConfiguration struct {
	Rules []ReplicationRule `json:"rules"`
}

// ReplicationRule is one replication rule.
type ReplicationRule struct {
	Destinations      []ReplicationDestination `json:"destinations"`
	RepositoryFilters []RepositoryFilter       `json:"repositoryFilters,omitempty"`
	DeleteReplication *DeleteReplication       `json:"deleteReplication,omitempty"`
}

// ReplicationDestination is a target registry.
type ReplicationDestination struct {
	Region     string `json:"region"`
	RegistryID string `json:"registryId"`
}

// RepositoryFilter is a replication PREFIX_MATCH filter.
type RepositoryFilter struct {
	Filter     string `json:"filter"`
	FilterType string `json:"filterType"`
}

// ReplicationBackfill is one StartReplicationBackfill run.
// Its status is derived from the times below, the clock and the results its
// queued replications recorded (backfillStatus in registry.go), so a
// persisted backfill keeps progressing after a reload.
type ReplicationBackfill struct {
	ID          string                 `json:"replicationBackfillId"`
	Destination ReplicationDestination `json:"destination"`
	StartedAt   *Time                  `json:"startedAt"`
	PreparedAt  *Time                  `json:"preparedAt"`          // PREPARING -> IN_PROGRESS
	CompleteAt  *Time                  `json:"completeAt"`          // IN_PROGRESS -> COMPLETE
	StopAt      *Time                  `json:"stopAt,omitempty"`    // when StopReplicationBackfill was called
	StoppedAt   *Time                  `json:"stoppedAt,omitempty"` // STOPPING -> STOPPED
	Images      []BackfillImage        `json:"images,omitempty"`    // snapshot of what it replicates
}

// BackfillImage is one replication of a backfill: an image and one of its
// tags (no tag: an untagged image), and, once replicated, what happened.
type BackfillImage struct {
	RepositoryName string          `json:"repositoryName"`
	ImageID        ImageIdentifier `json:"imageId"`
	// Status is "" until the replication ran, then COMPLETE or FAILED.
	Status               string   `json:"status,omitempty"`
	FailureCode          string   `json:"failureCode,omitempty"`
	SubImageFailureCodes []string `json:"subImageFailureCodes,omitempty"`
}

// RegistryScanningConfig is RegistryScanningConfiguration.
type RegistryScanningConfig struct {
	ScanType string                 `json:"scanType"`
	Rules    []RegistryScanningRule `json:"rules"`
}

// RegistryScanningRule is one registry scanning rule.
type RegistryScanningRule struct {
	ScanFrequency     string                     `json:"scanFrequency"`
	RepositoryFilters []ScanningRepositoryFilter `json:"repositoryFilters"`
}

// ScanningRepositoryFilter is a WILDCARD filter.
type ScanningRepositoryFilter struct {
	Filter     string `json:"filter"`
	FilterType string `json:"filterType"`
}

// PullThroughCacheRule is ECR's PullThroughCacheRule shape.
type PullThroughCacheRule struct {
	EcrRepositoryPrefix      string `json:"ecrRepositoryPrefix"`
	UpstreamRegistryURL      string `json:"upstreamRegistryUrl"`
	CreatedAt                *Time  `json:"createdAt"`
	RegistryID               string `json:"registryId"`
	CredentialArn            string `json:"credentialArn,omitempty"`
	CustomRoleArn            string `json:"customRoleArn,omitempty"`
	UpstreamRepositoryPrefix string `json:"upstreamRepositoryPrefix,omitempty"`
	UpstreamRegistry         string `json:"upstreamRegistry,omitempty"`
	UpdatedAt                *Time  `json:"updatedAt,omitempty"`
}

// RepositoryCreationTemplate is ECR's RepositoryCreationTemplate shape.
type RepositoryCreationTemplate struct {
	Prefix                             string                   `json:"prefix"`
	Description                        string                   `json:"description,omitempty"`
	EncryptionConfiguration            *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	ResourceTags                       []Tag                    `json:"resourceTags,omitempty"`
	ImageTagMutability                 string                   `json:"imageTagMutability,omitempty"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter        `json:"imageTagMutabilityExclusionFilters,omitempty"`
	RepositoryPolicy                   string                   `json:"repositoryPolicy,omitempty"`
	LifecyclePolicy                    string                   `json:"lifecyclePolicy,omitempty"`
	AppliedFor                         []string                 `json:"appliedFor,omitempty"`
	CustomRoleArn                      string                   `json:"customRoleArn,omitempty"`
	CreatedAt                          *Time                    `json:"createdAt,omitempty"`
	UpdatedAt                          *Time                    `json:"updatedAt,omitempty"`
}

// SigningConfiguration is the registry's managed-signing configuration.
type SigningConfiguration struct {
	Rules []SigningRule `json:"rules"`
}

// SigningRule is one signing rule.
type SigningRule struct {
	SigningProfileArn string                    `json:"signingProfileArn"`
	RepositoryFilters []SigningRepositoryFilter `json:"repositoryFilters,omitempty"`
}

// SigningRepositoryFilter is a WILDCARD_MATCH filter.
type SigningRepositoryFilter struct {
	Filter     string `json:"filter"`
	FilterType string `json:"filterType"`
}

// PullTimeUpdateExclusion is a registered principal.
type PullTimeUpdateExclusion struct {
	PrincipalArn string `json:"principalArn"`
	CreatedAt    *Time  `json:"createdAt"`
}
