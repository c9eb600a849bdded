package ecr

// Exports for the tests of package ecr_test. Each entity keeps its own block.

import (
	"context"
	"slices"
	"time"

	awssdkecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// ---- repository policy, lifecycle policy, lifecycle policy document ----

var (
	FindRepositoryPolicyByName  = findRepositoryPolicyByName
	FindLifecyclePolicyByName   = findLifecyclePolicyByName
	IAMPoliciesEquivalent       = iamPoliciesEquivalent
	LifecyclePoliciesEquivalent = lifecyclePoliciesEquivalent
	NormalizeLifecyclePolicy    = normalizeLifecyclePolicy
	NormalizeJSON               = normalizeJSON
)

// ValidatePolicyText runs the plan-time validation of the `policy`
// attribute: the lifecycle policy type's when lifecycle, else the IAM one's.
func ValidatePolicyText(lifecycle bool, text string) diag.Diagnostics {
	req := xattr.ValidateAttributeRequest{Path: path.Root("policy")}
	var resp xattr.ValidateAttributeResponse
	if lifecycle {
		newJSONDocumentValue[lifecyclePolicyDocument](text).ValidateAttribute(context.Background(), req, &resp)
	} else {
		newJSONDocumentValue[iamPolicyDocument](text).ValidateAttribute(context.Background(), req, &resp)
	}
	return resp.Diagnostics
}

// UseStateWhenEquivalent returns the plan modifier of the `policy`
// attribute: the lifecycle policy's when lifecycle, else the IAM policy's.
func UseStateWhenEquivalent(lifecycle bool) planmodifier.String {
	if lifecycle {
		return useStateWhenEquivalent[lifecyclePolicyDocument]()
	}
	return useStateWhenEquivalent[iamPolicyDocument]()
}

// JSONDocumentAttributes lists, for every resource, the paths of its JSON
// document attributes (a jsonDocumentType, at any depth) and, for each,
// whether a useStateWhenEquivalent plan modifier of the same kind is among
// its plan modifiers.
func JSONDocumentAttributes(ctx context.Context) map[string]bool {
	type kindNamer interface{ documentKindName() string }
	found := map[string]bool{}
	var walk func(typeName, at string, attrs map[string]schema.Attribute, blocks map[string]schema.Block)
	walk = func(typeName, at string, attrs map[string]schema.Attribute, blocks map[string]schema.Block) {
		for name, a := range attrs {
			p := at + name
			switch a := a.(type) {
			case schema.StringAttribute:
				t, ok := a.CustomType.(kindNamer)
				if !ok {
					continue
				}
				found[typeName+"."+p] = slices.ContainsFunc(a.PlanModifiers, func(m planmodifier.String) bool {
					mk, ok := m.(kindNamer)
					return ok && mk.documentKindName() == t.documentKindName()
				})
			case schema.SingleNestedAttribute:
				walk(typeName, p+".", a.Attributes, nil)
			case schema.ListNestedAttribute:
				walk(typeName, p+"[].", a.NestedObject.Attributes, nil)
			case schema.SetNestedAttribute:
				walk(typeName, p+"[].", a.NestedObject.Attributes, nil)
			case schema.MapNestedAttribute:
				walk(typeName, p+"[].", a.NestedObject.Attributes, nil)
			}
		}
		for name, b := range blocks {
			p := at + name
			switch b := b.(type) {
			case schema.SingleNestedBlock:
				walk(typeName, p+".", b.Attributes, b.Blocks)
			case schema.ListNestedBlock:
				walk(typeName, p+"[].", b.NestedObject.Attributes, b.NestedObject.Blocks)
			case schema.SetNestedBlock:
				walk(typeName, p+"[].", b.NestedObject.Attributes, b.NestedObject.Blocks)
			}
		}
	}
	for _, newResource := range Resources() {
		r := newResource()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "ecr"}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		walk(md.TypeName, "", sr.Schema.Attributes, sr.Schema.Blocks)
	}
	return found
}

// ---- registry singletons ----

var (
	FindRegistryPolicy                = findRegistryPolicy
	FindRegistryScanningConfiguration = findRegistryScanningConfiguration
	FindReplicationConfiguration      = findReplicationConfiguration
	FindSigningConfiguration          = findSigningConfiguration
	ParseReplicationRule              = parseReplicationRule
)

// ---- repository ----

var (
	FindRepositoryByName = findRepositoryByName
	ListTags             = listTags
	WarnIgnoredTags      = warnIgnoredTags
	IsNotFound           = isNotFound
)

// ---- waiting ----

var (
	WaitUntil     = waitUntil[int]
	Found         = found[int]
	Gone          = gone[int]
	DeleteAndWait = deleteAndWait[int]
)

// NewNotFoundError is a finder's not-found error; NewTransientError marks
// err as temporary.
func NewNotFoundError(what string) error { return &notFoundError{what: what} }
func NewTransientError(err error) error  { return &transientError{err} }

// SetRepositoryBatchWindow sets how long a batch of repository reads
// gathers, for the test's duration.
func SetRepositoryBatchWindow(t interface{ Cleanup(func()) }, d time.Duration) {
	old := repositoryBatchWindow
	repositoryBatchWindow = d
	t.Cleanup(func() { repositoryBatchWindow = old })
}

// SetRepositorySnapshot sets after how many reads a client snapshots the
// registry (0: never) and how many pages a snapshot may take, for the
// test's duration.
func SetRepositorySnapshot(t interface{ Cleanup(func()) }, after, maxPages int) {
	oldAfter, oldPages := repositorySnapshotAfter, repositorySnapshotMaxPages
	repositorySnapshotAfter, repositorySnapshotMaxPages = after, maxPages
	t.Cleanup(func() { repositorySnapshotAfter, repositorySnapshotMaxPages = oldAfter, oldPages })
}

// RepositoryWritten is repositoryWritten; RepositorySnapshots counts the
// snapshots a client started.
var RepositoryWritten = repositoryWritten

func RepositorySnapshots(client *awssdkecr.Client) int {
	b := repositoryBatcherFor(client)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snapshots
}

// ---- images ----

var (
	IsArtifact      = isArtifact
	SortNewestFirst = sortNewestFirst
)

// FindImageTagByID returns the image an ecr_image_tag's tag is on, by its
// id (`<repository>:<tag>`).
func FindImageTagByID(ctx context.Context, client *awssdkecr.Client, id string) (*awstypes.ImageDetail, error) {
	repository, tag, err := parseImageTagID(id)
	if err != nil {
		return nil, err
	}
	return findImageTag(ctx, client, repository, tag)
}

// ---- pull-through cache rule ----

var (
	FindPullThroughCacheRuleByPrefix = findPullThroughCacheRuleByPrefix
	UpstreamRegistryOf               = upstreamRegistryOf
)

// ---- repository creation template ----

var FindRepositoryCreationTemplateByPrefix = findRepositoryCreationTemplateByPrefix

// ---- account setting ----

// FindAccountSettingByName is the finder of account settings, in the shape
// of the other finders.
func FindAccountSettingByName(ctx context.Context, client *awssdkecr.Client, name string) (*string, error) {
	v, err := findAccountSettingByName(ctx, client, name)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// ---- pull-time update exclusion ----

var FindPullTimeUpdateExclusionByARN = findPullTimeUpdateExclusionByARN

// FindImageStorageClassByID describes the image of an
// ecr_image_storage_class, by its id (`<repository>:<digest>`).
func FindImageStorageClassByID(ctx context.Context, client *awssdkecr.Client, id string) (*awstypes.ImageDetail, error) {
	repository, digest, err := parseImageStorageClassID(id)
	if err != nil {
		return nil, err
	}
	return findImageByID(ctx, client, nil, repository, awstypes.ImageIdentifier{ImageDigest: &digest})
}
