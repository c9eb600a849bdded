package ecr

// Exports for the tests of package ecr_test. Each entity keeps its own block.

import (
	"context"

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

// ---- waiting ----

var (
	WaitUntil = waitUntil[int]
	Found     = found[int]
	Gone      = gone[int]
)

// NewNotFoundError is a finder's not-found error; NewTransientError marks
// err as temporary.
func NewNotFoundError(what string) error { return &notFoundError{what: what} }
func NewTransientError(err error) error  { return &transientError{err} }
