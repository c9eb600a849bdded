package ecr

// Exports for the tests of package ecr_test. Each entity keeps its own block.

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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

// ---- repository ----

var (
	FindRepositoryByName = findRepositoryByName
	IsNotFound           = isNotFound
)

// SetRepositoryBatchWindow sets how long a batch of repository reads
// gathers, for the test's duration.
func SetRepositoryBatchWindow(t interface{ Cleanup(func()) }, d time.Duration) {
	old := repositoryBatchWindow
	repositoryBatchWindow = d
	t.Cleanup(func() { repositoryBatchWindow = old })
}
