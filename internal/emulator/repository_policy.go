package emulator

import "github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"

func init() {
	register("SetRepositoryPolicy", false, setRepositoryPolicy)
	register("GetRepositoryPolicy", true, getRepositoryPolicy)
	register("DeleteRepositoryPolicy", false, deleteRepositoryPolicy)
}

// maxPolicyLength is the model's maximum for repository and registry
// policy texts.
const maxPolicyLength = 10240

// formatPolicy checks a policy text's length and IAM syntax and returns it
// as ECR stores and returns it: reformatted in Jackson's style. invalid is
// the error for a text that is not a valid policy.
func formatPolicy(text *string, invalid error) (string, error) {
	if err := checkRequired("policyText", text != nil); err != nil {
		return "", err
	}
	if err := checkLength("policyText", *text, 0, maxPolicyLength); err != nil {
		return "", err
	}
	if err := iampolicy.Validate(*text); err != nil {
		return "", invalid
	}
	return iampolicy.Format(*text)
}

func errInvalidRepositoryPolicy() error {
	return errInvalidParam("PolicyText", "Invalid repository policy provided")
}

type setRepositoryPolicyInput struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
	PolicyText     *string `json:"policyText"`
	Force          bool    `json:"force"`
}

type repositoryPolicyOutput struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	PolicyText     string `json:"policyText"`
}

func setRepositoryPolicy(r *request, reg *Registry) (any, error) {
	var in setRepositoryPolicyInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	// force only disables ECR's lock-out guard, which the emulator does
	// not model: every syntactically valid policy is accepted.
	text, err := formatPolicy(in.PolicyText, errInvalidRepositoryPolicy())
	if err != nil {
		return nil, err
	}
	r.e.storeRepositoryPolicy(reg, repo, &text)
	return repositoryPolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName, PolicyText: text}, nil
}

type repositoryPolicyInput struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
}

// findRepositoryPolicy returns the repository and its policy, or
// RepositoryPolicyNotFoundException. read selects the read path (with the
// consistency lag) over the current state, which writes see.
func findRepositoryPolicy(r *request, reg *Registry, read bool) (*Repository, string, error) {
	var in repositoryPolicyInput
	if err := r.decode(&in); err != nil {
		return nil, "", err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, "", err
	}
	text, ok := deref(repo.Data.Policy), repo.Data.Policy != nil
	if read {
		text, ok = r.e.lookupRepositoryPolicy(reg, repo)
	}
	if !ok {
		return nil, "", apiErr("RepositoryPolicyNotFoundException",
			"Repository policy does not exist for the repository with name '%s' in the registry with id '%s'",
			repo.RepositoryName, repo.RegistryID)
	}
	return repo, text, nil
}

func getRepositoryPolicy(r *request, reg *Registry) (any, error) {
	repo, text, err := findRepositoryPolicy(r, reg, true)
	if err != nil {
		return nil, err
	}
	return repositoryPolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName, PolicyText: text}, nil
}

func deleteRepositoryPolicy(r *request, reg *Registry) (any, error) {
	repo, text, err := findRepositoryPolicy(r, reg, false)
	if err != nil {
		return nil, err
	}
	r.e.storeRepositoryPolicy(reg, repo, nil)
	return repositoryPolicyOutput{RegistryID: repo.RegistryID, RepositoryName: repo.RepositoryName, PolicyText: text}, nil
}
