package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// The cross-check replays one request corpus against moto_server and against
// our emulator and compares HTTP status, error code, the error message where
// moto's text is AWS's, and the response shape (member names and types;
// exact values for the members below), after normalising ids and
// timestamps. It covers the operations and paths where moto matches AWS
// (reference section 4.3); where moto is known to deviate, the step names
// its deviation in crossCheckDeviations.
//
// CROSSCHECK_DUMP=1 with -v logs both bodies of every step.

// exactMembers are compared by value; every other leaf by type only.
var exactMembers = map[string]bool{
	"repositoryName": true, "registryId": true, "repositoryArn": true, "repositoryUri": true,
	"imageTagMutability": true, "encryptionType": true, "scanOnPush": true, "failureCode": true,
	"scanType": true, "Key": true, "Value": true, "imageTag": true, "filterType": true, "filter": true,
	"region": true, "scanFrequency": true, "proxyEndpoint": true, "imageManifest": true,
	"status": true,
}

// jsonMembers hold JSON documents; they are compared by value after
// canonicalisation, since AWS (and the emulator) reformat the policy text
// while moto echoes it.
var jsonMembers = map[string]bool{"policyText": true, "lifecyclePolicyText": true}

// exactMessages are the error types whose message moto words as AWS does
// (reference 4.4, rows 1-6); for them the message is compared too.
var exactMessages = map[string]bool{
	"RepositoryNotFoundException":       true,
	"RepositoryAlreadyExistsException":  true,
	"RepositoryNotEmptyException":       true,
	"RepositoryPolicyNotFoundException": true,
	"LifecyclePolicyNotFoundException":  true,
	"RegistryPolicyNotFoundException":   true,
	"ImageNotFoundException":            true,
	"ScanNotFoundException":             true,
}

// unorderedLists are list members whose order ECR does not define; they are
// sorted before comparison.
var unorderedLists = map[string]bool{
	"tags": true, "imageIds": true, "imageDetails": true, "images": true, "failures": true,
	"imageTags": true, "repositories": true, "scanningConfigurations": true,
}

// deviation is one known difference between moto 5.2.1 and AWS.
type deviation struct {
	skip   string   // "all": skip the comparison; "shape": compare status, error code and message only
	ignore []string // members (at any depth) left out of the shape comparison
	reason string
	// want is, for skipped steps, what AWS answers: "200" or an error type.
	// The emulator's answer is checked against it.
	want string
}

// crossCheckDeviations: moto 5.2.1 behaviour that differs from AWS (and from
// us, on purpose). Each entry says what to skip for one step and why.
var crossCheckDeviations = map[string]deviation{
	"create name with double dash":      {skip: "all", want: "200", reason: "moto uses the old name regex and rejects valid ab--cd__ef"},
	"create one-char name":              {skip: "all", want: "InvalidParameterException", reason: "moto has no length check and accepts 'a'"},
	"create with ROT13 encryption":      {skip: "all", want: "InvalidParameterException", reason: "moto does not validate encryptionType and echoes ROT13"},
	"describe all with maxResults":      {skip: "shape", reason: "moto ignores maxResults/nextToken and never pages"},
	"create with 51 tags":               {skip: "all", want: "TooManyTagsException", reason: "moto has no tag limits (no TooManyTagsException)"},
	"tag with 200-char key":             {skip: "all", want: "InvalidTagParameterException", reason: "moto has no tag key length check (no InvalidTagParameterException)"},
	"lifecycle with duplicate priority": {skip: "all", want: "InvalidParameterException", reason: "moto does not check rulePriority uniqueness"},
	"lifecycle transition action":       {skip: "all", want: "200", reason: "moto allows only action.type=expire and rejects the valid transition"},
	"clean up ab--cd__ef":               {skip: "all", want: "200", reason: "removes the repository only the emulator created (see create name with double dash)"},
	"clean up a":                        {skip: "all", want: "InvalidParameterException", reason: "removes the repository only moto created (see create one-char name)"},
	"clean up rot13":                    {skip: "all", want: "RepositoryNotFoundException", reason: "removes the repository only moto created (see create with ROT13 encryption)"},
	"clean up many-tags":                {skip: "all", want: "RepositoryNotFoundException", reason: "removes the repository only moto created (see create with 51 tags)"},
	"get lifecycle": {ignore: []string{"lastEvaluatedAt"}, reason: "moto always answers lastEvaluatedAt=now; " +
		"the emulator leaves it out of a never-evaluated policy (AWS sends 0, see the awscli delete-lifecycle-policy example)"},
	"delete lifecycle": {ignore: []string{"lastEvaluatedAt"}, reason: "as for get lifecycle"},
	"put tag mutability with exclusion": {ignore: []string{"imageTagMutabilityExclusionFilters"},
		reason: "moto's PutImageTagMutability response lacks imageTagMutabilityExclusionFilters"},
	"put tag mutability exclusion without filters": {skip: "all",
		want: "InvalidParameterException", reason: "moto enforces the filters/_WITH_EXCLUSION rule only on create"},
	"put image": {ignore: []string{"imageManifestMediaType"},
		reason: "moto leaves out imageManifestMediaType (its digest is over the layer digests, but digests are compared by type only)"},
	"put image second tag":   {ignore: []string{"imageManifestMediaType"}, reason: "as for put image"},
	"put image other tag":    {ignore: []string{"imageManifestMediaType"}, reason: "as for put image"},
	"put image missing repo": {skip: "all", want: "RepositoryNotFoundException", reason: "moto answers an HTML 500 instead of RepositoryNotFoundException"},
	"put image immutable tag overwrite": {skip: "all",
		want: "ImageTagAlreadyExistsException", reason: "moto answers ImageAlreadyExistsException; AWS answers ImageTagAlreadyExistsException"},
	"list images untagged": {skip: "shape", reason: "moto ignores filter.tagStatus"},
	"batch get image": {ignore: []string{"imageManifestMediaType", "imageTag"},
		reason: "moto leaves out imageManifestMediaType and answers the image's last pushed tag instead of the requested one"},
	"describe images": {ignore: []string{"imageStatus", "artifactMediaType"},
		reason: "moto's image details have no imageStatus or artifactMediaType (its sizes differ too, but numbers compare by type)"},
	"describe images after scan": {ignore: []string{"imageStatus", "artifactMediaType", "imageScanStatus", "imageScanFindingsSummary"},
		reason: "as for describe images; moto also leaves out imageScanStatus and imageScanFindingsSummary"},
	"batch get repository scanning configuration": {ignore: []string{"scanOnPush"},
		reason: "moto always answers scanOnPush=false, even when a SCAN_ON_PUSH rule applies"},
	"describe image scan findings": {ignore: []string{"findings", "findingSeverityCounts"},
		reason: "moto's findings are one static fake CVE; ours are synthetic per digest"},
	"put two replication rules":               {skip: "all", want: "200", reason: "moto answers ValidationException 'This feature is disabled' for more than 1 rule; AWS allows 10"},
	"put registry scanning invalid frequency": {skip: "all", want: "InvalidParameterException", reason: "moto does not validate scanFrequency"},
	"put registry policy V2 action": {skip: "all",
		want: "200", reason: "moto allows only ecr:CreateRepository and ecr:ReplicateImage; V2 scope (the default) allows every ecr: action"},
}

type crossStep struct {
	name string
	op   string
	body map[string]any
	// message: compare the error message exactly (moto's text is AWS's).
	message bool
	// seed, when set, is run against the emulator only, in place of a
	// request: it gives the emulator state moto does without (moto's
	// PutImage does not check that the layers were uploaded, and moto has
	// no layer upload operations).
	seed func(t *testing.T, url string)
}

// The images of the corpus: their config and layer content is uploaded
// to the emulator before the manifests are pushed, as ECR requires.
var (
	ccConfig, ccLayer   = `{"architecture":"amd64","os":"linux"}`, "cross-check layer one"
	ccConfig2, ccLayer2 = `{"architecture":"arm64","os":"linux"}`, "cross-check layer two"
	ccManifest          = buildManifest(ccConfig, ccLayer)
	ccManifest2         = buildManifest(ccConfig2, ccLayer2)
)

// ccSeedBlobs uploads the corpus's blobs to repo on the emulator.
func ccSeedBlobs(repo string) func(t *testing.T, url string) {
	return func(t *testing.T, url string) {
		for _, content := range []string{ccConfig, ccLayer, ccConfig2, ccLayer2} {
			rawUploadBlob(t, url, repo, content)
		}
	}
}

const (
	ccPolicy       = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
	ccRegistry     = `{"Version":"2012-10-17","Statement":[{"Sid":"Replicate","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-west-2:123456789012:repository/*"}]}`
	ccRegistryV2   = `{"Version":"2012-10-17","Statement":[{"Sid":"Pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["ecr:BatchGetImage"],"Resource":"arn:aws:ecr:us-west-2:123456789012:repository/*"}]}`
	ccLifecycle    = `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	ccLifecycleDup = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`
	ccLifecycleTr  = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}]}`
)

type obj = map[string]any

func crossCorpus() []crossStep {
	arn := "arn:aws:ecr:us-west-2:123456789012:repository/app/web"
	var tags51 []obj
	for i := range 51 {
		tags51 = append(tags51, obj{"Key": fmt.Sprintf("k%d", i), "Value": "v"})
	}
	dest := func(region, id string) obj { return obj{"region": region, "registryId": id} }
	repl := func(rules ...[]obj) obj {
		rs := []obj{}
		for _, d := range rules {
			rs = append(rs, obj{"destinations": d})
		}
		return obj{"replicationConfiguration": obj{"rules": rs}}
	}
	web := func(extra obj) obj {
		out := obj{"repositoryName": "app/web"}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tag := func(t string) []obj { return []obj{{"imageTag": t}} }
	return []crossStep{
		// Registry defaults.
		{name: "describe registry", op: "DescribeRegistry", body: obj{}},
		{name: "registry scanning defaults", op: "GetRegistryScanningConfiguration", body: obj{}},
		{name: "get registry policy none", op: "GetRegistryPolicy", body: obj{}, message: true},
		{name: "delete registry policy none", op: "DeleteRegistryPolicy", body: obj{}, message: true},

		// Repositories.
		{name: "create", op: "CreateRepository", body: obj{"repositoryName": "app/web", "tags": []obj{{"Key": "team", "Value": "a"}}}},
		{name: "create duplicate", op: "CreateRepository", body: obj{"repositoryName": "app/web"}, message: true},
		{name: "create uppercase", op: "CreateRepository", body: obj{"repositoryName": "Upper/Case"}},
		{name: "create trailing slash", op: "CreateRepository", body: obj{"repositoryName": "trailing/"}},
		{name: "create name with double dash", op: "CreateRepository", body: obj{"repositoryName": "ab--cd__ef"}},
		{name: "create one-char name", op: "CreateRepository", body: obj{"repositoryName": "a"}},
		{name: "create with ROT13 encryption", op: "CreateRepository", body: obj{"repositoryName": "rot13", "encryptionConfiguration": obj{"encryptionType": "ROT13"}}},
		{name: "create with 51 tags", op: "CreateRepository", body: obj{"repositoryName": "many-tags", "tags": tags51}},
		{name: "clean up ab--cd__ef", op: "DeleteRepository", body: obj{"repositoryName": "ab--cd__ef"}},
		{name: "clean up a", op: "DeleteRepository", body: obj{"repositoryName": "a"}},
		{name: "clean up rot13", op: "DeleteRepository", body: obj{"repositoryName": "rot13"}},
		{name: "clean up many-tags", op: "DeleteRepository", body: obj{"repositoryName": "many-tags"}},
		{name: "create second", op: "CreateRepository", body: obj{"repositoryName": "app/worker", "imageTagMutability": "IMMUTABLE",
			"imageScanningConfiguration": obj{"scanOnPush": true}}},
		{name: "create with exclusion filters", op: "CreateRepository", body: obj{"repositoryName": "app/excl", "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
			"imageTagMutabilityExclusionFilters": []obj{{"filterType": "WILDCARD", "filter": "latest"}}}},
		{name: "create exclusion mode without filters", op: "CreateRepository", body: obj{"repositoryName": "app/excl2", "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"}, message: true},
		{name: "create empty", op: "CreateRepository", body: obj{"repositoryName": "scratch"}},
		{name: "describe by name", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"app/web"}}},
		{name: "describe several", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"app/web", "app/worker", "app/excl"}}},
		{name: "describe all", op: "DescribeRepositories", body: obj{}},
		{name: "describe missing", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"does-not-exist"}}, message: true},
		{name: "describe one missing of two", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"app/web", "does-not-exist"}}, message: true},
		{name: "describe all with maxResults", op: "DescribeRepositories", body: obj{"maxResults": 1}},
		{name: "delete empty repository", op: "DeleteRepository", body: obj{"repositoryName": "scratch"}},

		// Repository settings.
		{name: "put tag mutability", op: "PutImageTagMutability", body: web(obj{"imageTagMutability": "IMMUTABLE"})},
		{name: "put tag mutability back", op: "PutImageTagMutability", body: web(obj{"imageTagMutability": "MUTABLE"})},
		{name: "put tag mutability with exclusion", op: "PutImageTagMutability", body: obj{"repositoryName": "app/excl",
			"imageTagMutability": "MUTABLE_WITH_EXCLUSION", "imageTagMutabilityExclusionFilters": []obj{{"filterType": "WILDCARD", "filter": "dev-*"}}}},
		{name: "describe after exclusion change", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"app/excl"}}},
		{name: "put tag mutability exclusion without filters", op: "PutImageTagMutability", body: web(obj{"imageTagMutability": "IMMUTABLE_WITH_EXCLUSION"})},
		{name: "put tag mutability restore", op: "PutImageTagMutability", body: web(obj{"imageTagMutability": "MUTABLE"})},
		{name: "put tag mutability bad enum", op: "PutImageTagMutability", body: web(obj{"imageTagMutability": "SOMETIMES"})},
		{name: "put tag mutability missing repository", op: "PutImageTagMutability", body: obj{"repositoryName": "missing-repo", "imageTagMutability": "MUTABLE"}, message: true},
		{name: "put scanning configuration", op: "PutImageScanningConfiguration", body: web(obj{"imageScanningConfiguration": obj{"scanOnPush": true}})},
		{name: "put scanning configuration off", op: "PutImageScanningConfiguration", body: web(obj{"imageScanningConfiguration": obj{"scanOnPush": false}})},
		{name: "put scanning configuration missing repository", op: "PutImageScanningConfiguration",
			body: obj{"repositoryName": "missing-repo", "imageScanningConfiguration": obj{"scanOnPush": true}}, message: true},
		{name: "describe after settings", op: "DescribeRepositories", body: obj{"repositoryNames": []string{"app/web"}}},

		// Tags.
		{name: "list tags", op: "ListTagsForResource", body: obj{"resourceArn": arn}},
		{name: "tag", op: "TagResource", body: obj{"resourceArn": arn, "tags": []obj{{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}}}},
		{name: "untag", op: "UntagResource", body: obj{"resourceArn": arn, "tagKeys": []string{"team", "absent"}}},
		{name: "list tags after", op: "ListTagsForResource", body: obj{"resourceArn": arn}},
		{name: "list tags none", op: "ListTagsForResource", body: obj{"resourceArn": "arn:aws:ecr:us-west-2:123456789012:repository/app/worker"}},
		{name: "tag missing repository", op: "TagResource", body: obj{"resourceArn": "arn:aws:ecr:us-west-2:123456789012:repository/nope", "tags": []obj{{"Key": "a", "Value": "b"}}}},
		{name: "list tags missing repository", op: "ListTagsForResource", body: obj{"resourceArn": "arn:aws:ecr:us-west-2:123456789012:repository/nope"}},
		{name: "tag resource malformed arn", op: "TagResource", body: obj{"resourceArn": "not-an-arn", "tags": []obj{{"Key": "a", "Value": "b"}}}, message: true},
		{name: "tag with 200-char key", op: "TagResource", body: obj{"resourceArn": arn, "tags": []obj{{"Key": strings.Repeat("k", 200), "Value": "v"}}}},

		// Repository policy.
		{name: "get policy none", op: "GetRepositoryPolicy", body: web(nil), message: true},
		{name: "set policy", op: "SetRepositoryPolicy", body: web(obj{"policyText": ccPolicy})},
		{name: "get policy", op: "GetRepositoryPolicy", body: web(nil)},
		{name: "set invalid policy", op: "SetRepositoryPolicy", body: web(obj{"policyText": `{"foo":1}`}), message: true},
		{name: "set policy not json", op: "SetRepositoryPolicy", body: web(obj{"policyText": `not json`}), message: true},
		{name: "set policy missing repository", op: "SetRepositoryPolicy", body: obj{"repositoryName": "missing-repo", "policyText": ccPolicy}, message: true},
		{name: "get policy missing repository", op: "GetRepositoryPolicy", body: obj{"repositoryName": "missing-repo"}, message: true},
		{name: "delete policy", op: "DeleteRepositoryPolicy", body: web(nil)},
		{name: "delete policy again", op: "DeleteRepositoryPolicy", body: web(nil), message: true},

		// Lifecycle policy.
		{name: "get lifecycle none", op: "GetLifecyclePolicy", body: web(nil), message: true},
		{name: "put lifecycle", op: "PutLifecyclePolicy", body: web(obj{"lifecyclePolicyText": ccLifecycle})},
		{name: "put lifecycle not json", op: "PutLifecyclePolicy", body: web(obj{"lifecyclePolicyText": strings.Repeat("x", 120)}), message: true},
		{name: "lifecycle with duplicate priority", op: "PutLifecyclePolicy", body: obj{"repositoryName": "app/worker", "lifecyclePolicyText": ccLifecycleDup}},
		{name: "lifecycle transition action", op: "PutLifecyclePolicy", body: obj{"repositoryName": "app/worker", "lifecyclePolicyText": ccLifecycleTr}},
		{name: "put lifecycle missing repository", op: "PutLifecyclePolicy", body: obj{"repositoryName": "missing-repo", "lifecyclePolicyText": ccLifecycle}, message: true},
		{name: "get lifecycle", op: "GetLifecyclePolicy", body: web(nil)},
		{name: "delete lifecycle", op: "DeleteLifecyclePolicy", body: web(nil)},
		{name: "delete lifecycle again", op: "DeleteLifecyclePolicy", body: web(nil), message: true},
		{name: "get lifecycle missing repository", op: "GetLifecyclePolicy", body: obj{"repositoryName": "missing-repo"}, message: true},

		// Registry policy (V1 actions only: moto knows no others).
		{name: "put registry policy V2 action", op: "PutRegistryPolicy", body: obj{"policyText": ccRegistryV2}},
		// The V1 policy below replaces what the emulator accepted above.
		{name: "put registry policy", op: "PutRegistryPolicy", body: obj{"policyText": ccRegistry}},
		{name: "get registry policy", op: "GetRegistryPolicy", body: obj{}},
		{name: "put registry policy invalid", op: "PutRegistryPolicy", body: obj{"policyText": `{"foo":1}`}},
		{name: "delete registry policy", op: "DeleteRegistryPolicy", body: obj{}},
		{name: "delete registry policy again", op: "DeleteRegistryPolicy", body: obj{}, message: true},

		// Replication.
		{name: "put replication", op: "PutReplicationConfiguration", body: repl([]obj{dest("us-east-1", "123456789012")})},
		{name: "describe registry with replication", op: "DescribeRegistry", body: obj{}},
		{name: "put replication self destination", op: "PutReplicationConfiguration", body: repl([]obj{dest("us-west-2", "123456789012")}), message: true},
		{name: "put two replication rules", op: "PutReplicationConfiguration", body: repl([]obj{dest("us-east-1", "123456789012")}, []obj{dest("eu-west-1", "123456789012")})},
		{name: "clear replication", op: "PutReplicationConfiguration", body: repl()},
		{name: "describe registry cleared", op: "DescribeRegistry", body: obj{}},

		// Registry scanning.
		{name: "put registry scanning basic", op: "PutRegistryScanningConfiguration", body: obj{"scanType": "BASIC",
			"rules": []obj{{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": []obj{{"filter": "app/*", "filterType": "WILDCARD"}}}}}},
		{name: "get registry scanning basic", op: "GetRegistryScanningConfiguration", body: obj{}},
		{name: "batch get repository scanning configuration", op: "BatchGetRepositoryScanningConfiguration",
			body: obj{"repositoryNames": []string{"app/web", "missing-repo"}}},
		{name: "put registry scanning enhanced", op: "PutRegistryScanningConfiguration", body: obj{"scanType": "ENHANCED",
			"rules": []obj{{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": []obj{{"filter": "*", "filterType": "WILDCARD"}}}}}},
		{name: "get registry scanning enhanced", op: "GetRegistryScanningConfiguration", body: obj{}},
		{name: "put registry scanning invalid frequency", op: "PutRegistryScanningConfiguration", body: obj{"scanType": "BASIC",
			"rules": []obj{{"scanFrequency": "HOURLY", "repositoryFilters": []obj{{"filter": "*", "filterType": "WILDCARD"}}}}}},
		{name: "reset registry scanning", op: "PutRegistryScanningConfiguration", body: obj{"scanType": "BASIC", "rules": []obj{}}},

		// Images.
		{name: "list images empty", op: "ListImages", body: web(nil)},
		{name: "seed app/web blobs", seed: ccSeedBlobs("app/web")},
		{name: "seed app/worker blobs", seed: ccSeedBlobs("app/worker")},
		{name: "put image", op: "PutImage", body: web(obj{"imageManifest": ccManifest, "imageTag": "v1"})},
		{name: "put image again", op: "PutImage", body: web(obj{"imageManifest": ccManifest, "imageTag": "v1"})},
		{name: "put image second tag", op: "PutImage", body: web(obj{"imageManifest": ccManifest, "imageTag": "latest"})},
		{name: "put image other tag", op: "PutImage", body: web(obj{"imageManifest": ccManifest2, "imageTag": "v2"})},
		{name: "put image missing repo", op: "PutImage", body: obj{"repositoryName": "missing-repo", "imageManifest": ccManifest, "imageTag": "v1"}},
		{name: "put image immutable", op: "PutImage", body: obj{"repositoryName": "app/worker", "imageManifest": ccManifest, "imageTag": "v1"}},
		{name: "put image immutable tag overwrite", op: "PutImage", body: obj{"repositoryName": "app/worker", "imageManifest": ccManifest2, "imageTag": "v1"}},
		{name: "list images", op: "ListImages", body: web(nil)},
		{name: "list images untagged", op: "ListImages", body: web(obj{"filter": obj{"tagStatus": "UNTAGGED"}})},
		{name: "list images missing repository", op: "ListImages", body: obj{"repositoryName": "missing-repo"}, message: true},
		{name: "describe images", op: "DescribeImages", body: web(obj{"imageIds": tag("v2")})},
		{name: "describe images missing tag", op: "DescribeImages", body: web(obj{"imageIds": tag("nope")})},
		{name: "describe images missing repository", op: "DescribeImages", body: obj{"repositoryName": "missing-repo"}, message: true},
		{name: "batch get image", op: "BatchGetImage", body: web(obj{"imageIds": tag("v1")})},
		{name: "batch get image missing tag", op: "BatchGetImage", body: web(obj{"imageIds": tag("nope")})},
		{name: "batch get image missing repository", op: "BatchGetImage", body: obj{"repositoryName": "missing-repo", "imageIds": tag("v1")}, message: true},
		{name: "describe image scan findings before scan", op: "DescribeImageScanFindings", body: web(obj{"imageId": obj{"imageTag": "v2"}})},
		{name: "start image scan", op: "StartImageScan", body: web(obj{"imageId": obj{"imageTag": "v2"}})},
		{name: "describe image scan findings", op: "DescribeImageScanFindings", body: web(obj{"imageId": obj{"imageTag": "v2"}})},
		{name: "describe images after scan", op: "DescribeImages", body: web(obj{"imageIds": tag("v2")})},
		{name: "start image scan again", op: "StartImageScan", body: web(obj{"imageId": obj{"imageTag": "v2"}}), message: true},
		{name: "start image scan missing image", op: "StartImageScan", body: web(obj{"imageId": obj{"imageTag": "nope"}})},
		{name: "start image scan missing repository", op: "StartImageScan", body: obj{"repositoryName": "missing-repo", "imageId": obj{"imageTag": "v1"}}, message: true},
		{name: "batch delete tag", op: "BatchDeleteImage", body: web(obj{"imageIds": tag("v2")})},
		{name: "delete non-empty repository", op: "DeleteRepository", body: web(nil), message: true},
		{name: "batch delete missing tag", op: "BatchDeleteImage", body: web(obj{"imageIds": tag("nope")})},
		{name: "batch delete missing repository", op: "BatchDeleteImage", body: obj{"repositoryName": "missing-repo", "imageIds": tag("v1")}, message: true},
		{name: "force delete", op: "DeleteRepository", body: web(obj{"force": true})},
		{name: "delete missing repository", op: "DeleteRepository", body: web(nil), message: true},

		// Auth.
		{name: "get authorization token", op: "GetAuthorizationToken", body: obj{}},
		{name: "get authorization token for registries", op: "GetAuthorizationToken", body: obj{"registryIds": []string{"123456789012"}}},
	}
}

func TestCrossCheckWithMoto(t *testing.T) {
	motoURL := startMoto(t)
	// Scans complete at once, as in moto, so that the scan steps compare.
	emu := httptest.NewServer(emulator.New(emulator.WithTransitionDelay(0)))
	defer emu.Close()
	dump := os.Getenv("CROSSCHECK_DUMP") != ""

	seen := map[string]bool{}
	for _, step := range crossCorpus() {
		if seen[step.name] {
			t.Fatalf("duplicate step name %q", step.name)
		}
		seen[step.name] = true
		if step.seed != nil {
			step.seed(t, emu.URL)
			continue
		}
		ours := rawCall(t, emu.URL, "us-west-2", step.op, step.body)
		theirs := rawCall(t, motoURL, "us-west-2", step.op, step.body)
		if dump {
			t.Logf("%s (%s)\n emulator %d %v\n moto     %d %v", step.name, step.op, ours.Status, ours.Body, theirs.Status, theirs.Body)
		}
		dev, deviates := crossCheckDeviations[step.name]
		if deviates && dev.skip == "all" {
			got := ours.ErrType
			if got == "" {
				got = fmt.Sprint(ours.Status)
			}
			if dev.want == "" {
				t.Errorf("%s: a skipped step must say what AWS answers (want)", step.name)
			} else if got != dev.want {
				t.Errorf("%s (%s): emulator answered %s, AWS answers %s\n emulator body: %v", step.name, step.op, got, dev.want, ours.Body)
			}
			t.Logf("%-45s moto deviates, emulator answers %s as AWS does: %s", step.name, got, dev.reason)
			continue
		}
		if ours.Status != theirs.Status || ours.ErrType != theirs.ErrType {
			t.Errorf("%s (%s): emulator %d %q, moto %d %q\n emulator body: %v\n moto body: %v",
				step.name, step.op, ours.Status, ours.ErrType, theirs.Status, theirs.ErrType, ours.Body, theirs.Body)
			continue
		}
		if ours.Status != 200 {
			if step.message || exactMessages[ours.ErrType] {
				if a, b := ours.Body["message"], theirs.Body["message"]; a != b {
					t.Errorf("%s (%s): messages differ\n emulator: %v\n moto:     %v", step.name, step.op, a, b)
				}
			}
			continue
		}
		if deviates && dev.skip == "shape" {
			continue
		}
		a, b := shapeOf("", ours.Body, dev.ignore), shapeOf("", theirs.Body, dev.ignore)
		if !reflect.DeepEqual(a, b) {
			ja, _ := json.MarshalIndent(a, "", " ")
			jb, _ := json.MarshalIndent(b, "", " ")
			t.Errorf("%s (%s): response shapes differ\n emulator: %s\n moto: %s", step.name, step.op, ja, jb)
		}
	}
	for name := range crossCheckDeviations {
		if !seen[name] {
			t.Errorf("crossCheckDeviations names %q, which is not a step", name)
		}
	}
}

// shapeOf reduces a JSON value to its shape: member names, and for leaves
// either the exact value (exactMembers) or the JSON type. Members in ignore
// are left out at any depth.
func shapeOf(key string, v any, ignore []string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if slices.Contains(ignore, k) {
				continue
			}
			out[k] = shapeOf(k, val, ignore)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = shapeOf(key, e, ignore)
		}
		if unorderedLists[key] {
			sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
		}
		return out
	case string:
		if jsonMembers[key] {
			var doc any
			if json.Unmarshal([]byte(x), &doc) == nil {
				canon, _ := json.Marshal(doc)
				return string(canon)
			}
			return x
		}
		if exactMembers[key] {
			return x
		}
		return "<string>"
	case float64:
		return "<number>"
	case bool:
		return x
	case nil:
		return nil
	}
	return fmt.Sprintf("<%T>", v)
}
