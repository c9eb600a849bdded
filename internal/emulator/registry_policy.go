package emulator

import (
	"slices"
	"strings"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
)

func init() {
	register("PutRegistryPolicy", false, putRegistryPolicy)
	register("GetRegistryPolicy", true, getRegistryPolicy)
	register("DeleteRegistryPolicy", false, deleteRegistryPolicy)
}

// registryPolicyV1Actions are the only actions a registry policy may grant
// while REGISTRY_POLICY_SCOPE is V1 (compared case-insensitively, as IAM
// compares action names).
var registryPolicyV1Actions = []string{"ecr:replicateimage", "ecr:batchimportupstreamimage", "ecr:createrepository"}

// Assumption: ECR words a rejected registry policy like a rejected
// repository policy.
func errInvalidRegistryPolicy() error {
	return errInvalidParam("PolicyText", "Invalid registry policy provided")
}

// checkRegistryPolicyScope enforces the registry's REGISTRY_POLICY_SCOPE:
// V2 (the default) allows any ecr: action, V1 only the three actions of
// registryPolicyV1Actions.
// Assumption: under V1 wildcards are rejected (they would grant more than
// the three actions); under both scopes NotAction and "*" are rejected as
// they grant actions outside ecr.
func checkRegistryPolicyScope(reg *Registry, text string) error {
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return errInvalidRegistryPolicy()
	}
	v1 := reg.AccountSettings["REGISTRY_POLICY_SCOPE"] == "V1"
	for _, s := range doc.Statements {
		if len(s.NotAction) > 0 {
			return errInvalidRegistryPolicy()
		}
		for _, a := range s.Action {
			a = strings.ToLower(a)
			if !strings.HasPrefix(a, "ecr:") || (v1 && !slices.Contains(registryPolicyV1Actions, a)) {
				return errInvalidRegistryPolicy()
			}
		}
	}
	return nil
}

type putRegistryPolicyInput struct {
	PolicyText *string `json:"policyText"`
}

type registryPolicyOutput struct {
	RegistryID string `json:"registryId"`
	PolicyText string `json:"policyText"`
}

func putRegistryPolicy(r *request, reg *Registry) (any, error) {
	var in putRegistryPolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	text, err := formatPolicy(in.PolicyText, errInvalidRegistryPolicy())
	if err != nil {
		return nil, err
	}
	if err := checkRegistryPolicyScope(reg, text); err != nil {
		return nil, err
	}
	r.e.storeRegistryPolicy(reg, &text)
	return registryPolicyOutput{RegistryID: reg.Account, PolicyText: text}, nil
}

func errRegistryPolicyNotFound(reg *Registry) error {
	return apiErr("RegistryPolicyNotFoundException", "Registry policy does not exist in the registry with id '%s'", reg.Account)
}

func getRegistryPolicy(r *request, reg *Registry) (any, error) {
	if err := r.decode(&struct{}{}); err != nil {
		return nil, err
	}
	text, ok := r.e.lookupRegistryPolicy(reg)
	if !ok {
		return nil, errRegistryPolicyNotFound(reg)
	}
	return registryPolicyOutput{RegistryID: reg.Account, PolicyText: text}, nil
}

func deleteRegistryPolicy(r *request, reg *Registry) (any, error) {
	if err := r.decode(&struct{}{}); err != nil {
		return nil, err
	}
	if reg.RegistryPolicy == nil {
		return nil, errRegistryPolicyNotFound(reg)
	}
	text := *reg.RegistryPolicy
	r.e.storeRegistryPolicy(reg, nil)
	return registryPolicyOutput{RegistryID: reg.Account, PolicyText: text}, nil
}
