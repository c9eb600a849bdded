package emulator

import (
	"regexp"
	"slices"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

func init() {
	register("CreateRepositoryCreationTemplate", false, createRepositoryCreationTemplate)
	register("DescribeRepositoryCreationTemplates", true, describeRepositoryCreationTemplates)
	register("UpdateRepositoryCreationTemplate", false, updateRepositoryCreationTemplate)
	register("DeleteRepositoryCreationTemplate", false, deleteRepositoryCreationTemplate)
}

const (
	templateKMSKeyPattern = `^$|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+`
	// Assumption: the quota of repository creation templates per registry.
	maxCreationTemplates = 100
)

var (
	reTemplateKMSKey = regexp.MustCompile(`^(|arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-z0-9-]+)$`)
	enumAppliedFor   = []string{"REPLICATION", "PULL_THROUGH_CACHE", "CREATE_ON_PUSH"}
)

// templateInput is the member set of Create and Update.
type templateInput struct {
	Prefix                             *string                  `json:"prefix"`
	Description                        *string                  `json:"description"`
	EncryptionConfiguration            *EncryptionConfiguration `json:"encryptionConfiguration"`
	ResourceTags                       []tagInput               `json:"resourceTags"`
	ImageTagMutability                 *string                  `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter        `json:"imageTagMutabilityExclusionFilters"`
	RepositoryPolicy                   *string                  `json:"repositoryPolicy"`
	LifecyclePolicy                    *string                  `json:"lifecyclePolicy"`
	AppliedFor                         []string                 `json:"appliedFor"`
	CustomRoleArn                      *string                  `json:"customRoleArn"`
}

type templateOutput struct {
	RegistryID                 string                      `json:"registryId"`
	RepositoryCreationTemplate *RepositoryCreationTemplate `json:"repositoryCreationTemplate"`
}

func checkTemplatePrefix(v *string) error {
	if err := checkRequired("prefix", v != nil); err != nil {
		return err
	}
	if err := checkLength("prefix", *v, 1, 256); err != nil {
		return err
	}
	return checkPattern("prefix", *v, reRegistryPrefix, registryPrefixPattern)
}

func errTemplateNotFound(prefix, registryID string) error {
	return apiErr("TemplateNotFoundException",
		"The repository creation template with prefix '%s' does not exist in the registry with id '%s'", prefix, registryID)
}

// checkTemplateMembers validates the optional members that are present.
func checkTemplateMembers(in *templateInput) error {
	if in.Description != nil {
		if err := checkLength("description", *in.Description, 0, 256); err != nil {
			return err
		}
	}
	if enc := in.EncryptionConfiguration; enc != nil {
		if err := checkEnum("encryptionConfiguration.encryptionType", enc.EncryptionType, enumEncryptionType); err != nil {
			return err
		}
		if err := checkLength("encryptionConfiguration.kmsKey", enc.KmsKey, 0, 2048); err != nil {
			return err
		}
		if err := checkPattern("encryptionConfiguration.kmsKey", enc.KmsKey, reTemplateKMSKey, templateKMSKeyPattern); err != nil {
			return err
		}
		if enc.EncryptionType == "AES256" && enc.KmsKey != "" {
			return errInvalidParam("encryptionConfiguration.kmsKey",
				"KMS key can only be specified when encryptionType is KMS or KMS_DSSE")
		}
	}
	if in.ImageTagMutabilityExclusionFilters != nil {
		if err := checkListSize("imageTagMutabilityExclusionFilters", len(in.ImageTagMutabilityExclusionFilters), 1, 5); err != nil {
			return err
		}
	}
	if in.ResourceTags != nil {
		tags, err := checkTags("resourceTags", in.ResourceTags)
		if err != nil {
			return err
		}
		if _, err := mergeTags(nil, tags); err != nil {
			return err
		}
	}
	if p := in.RepositoryPolicy; p != nil && *p != "" {
		if err := checkLength("repositoryPolicy", *p, 0, 10240); err != nil {
			return err
		}
		if err := iampolicy.Validate(*p); err != nil {
			return errInvalidParam("repositoryPolicy", "Invalid repository policy provided")
		}
	}
	// Assumption: an empty lifecyclePolicy means "none" (the model allows
	// length 0); any other text must be a valid lifecycle policy.
	if p := in.LifecyclePolicy; p != nil && *p != "" {
		if err := lifecyclepolicy.Validate(*p); err != nil {
			return errInvalidParam("lifecyclePolicy", err.Error())
		}
	}
	if in.AppliedFor != nil {
		// Assumption: appliedFor must name at least one use.
		if err := checkListSize("appliedFor", len(in.AppliedFor), 1, len(enumAppliedFor)); err != nil {
			return err
		}
		for _, a := range in.AppliedFor {
			if err := checkEnum("appliedFor.member", a, enumAppliedFor); err != nil {
				return err
			}
		}
	}
	if in.CustomRoleArn != nil {
		if err := checkLength("customRoleArn", *in.CustomRoleArn, 0, 2048); err != nil {
			return err
		}
	}
	return nil
}

// applyTemplateInput copies the members present in in onto t.
func applyTemplateInput(t *RepositoryCreationTemplate, in *templateInput) {
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.EncryptionConfiguration != nil {
		enc := *in.EncryptionConfiguration
		t.EncryptionConfiguration = &enc
	}
	if in.ResourceTags != nil {
		// checkTemplateMembers has accepted the tags.
		tags, _ := checkTags("resourceTags", in.ResourceTags)
		t.ResourceTags, _ = mergeTags(nil, tags)
	}
	if in.ImageTagMutability != nil {
		t.ImageTagMutability = *in.ImageTagMutability
		t.ImageTagMutabilityExclusionFilters = in.ImageTagMutabilityExclusionFilters
	} else if in.ImageTagMutabilityExclusionFilters != nil {
		t.ImageTagMutabilityExclusionFilters = in.ImageTagMutabilityExclusionFilters
	}
	if in.RepositoryPolicy != nil {
		t.RepositoryPolicy = *in.RepositoryPolicy
	}
	if in.LifecyclePolicy != nil {
		t.LifecyclePolicy = *in.LifecyclePolicy
	}
	if in.AppliedFor != nil {
		t.AppliedFor = slices.Compact(slices.Sorted(slices.Values(in.AppliedFor)))
	}
	if in.CustomRoleArn != nil {
		t.CustomRoleArn = *in.CustomRoleArn
	}
}

func createRepositoryCreationTemplate(r *request, reg *Registry) (any, error) {
	var in templateInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkTemplatePrefix(in.Prefix); err != nil {
		return nil, err
	}
	if err := checkRequired("appliedFor", in.AppliedFor != nil); err != nil {
		return nil, err
	}
	if err := checkTemplateMembers(&in); err != nil {
		return nil, err
	}
	mutability := "MUTABLE"
	if in.ImageTagMutability != nil {
		mutability = *in.ImageTagMutability
	}
	if err := checkMutability(mutability, in.ImageTagMutabilityExclusionFilters); err != nil {
		return nil, err
	}
	key := prefixKey(*in.Prefix)
	if _, exists := reg.Templates[key]; exists {
		return nil, apiErr("TemplateAlreadyExistsException",
			"The repository creation template with prefix '%s' already exists in the registry with id '%s'", *in.Prefix, reg.Account)
	}
	if len(reg.Templates) >= maxCreationTemplates {
		return nil, apiErr("LimitExceededException",
			"The maximum number of repository creation templates (%d) for the registry with id '%s' has been reached", maxCreationTemplates, reg.Account)
	}
	now := ts(r.e.now())
	t := &RepositoryCreationTemplate{
		Prefix:                  *in.Prefix,
		EncryptionConfiguration: &EncryptionConfiguration{EncryptionType: "AES256"},
		ImageTagMutability:      mutability,
		CreatedAt:               now,
		UpdatedAt:               now,
	}
	in.ImageTagMutability = &mutability
	applyTemplateInput(t, &in)
	r.e.storeCreationTemplate(reg, key, t)
	return templateOutput{RegistryID: reg.Account, RepositoryCreationTemplate: cloneTemplate(t)}, nil
}

// cloneTemplate copies t for a response so that later changes to the
// stored template cannot race with encoding.
func cloneTemplate(t *RepositoryCreationTemplate) *RepositoryCreationTemplate {
	c := *t
	return &c
}

type describeRepositoryCreationTemplatesInput struct {
	Prefixes   []string `json:"prefixes"`
	NextToken  *string  `json:"nextToken"`
	MaxResults *int64   `json:"maxResults"`
}

func describeRepositoryCreationTemplates(r *request, reg *Registry) (any, error) {
	var in describeRepositoryCreationTemplatesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	var visible map[string]*RepositoryCreationTemplate
	if len(in.Prefixes) > 0 {
		for i := range in.Prefixes {
			if err := checkTemplatePrefix(&in.Prefixes[i]); err != nil {
				return nil, err
			}
		}
		// Assumption: unknown prefixes are left out (empty list), not
		// TemplateNotFoundException; the model lists no such error here.
		visible = map[string]*RepositoryCreationTemplate{}
		for _, p := range in.Prefixes {
			if _, seen := visible[prefixKey(p)]; seen {
				continue
			}
			if t, ok := r.e.lookupCreationTemplate(reg, prefixKey(p)); ok {
				visible[prefixKey(p)] = t
			}
		}
	} else {
		visible = r.e.listCreationTemplates(reg)
	}
	keys := sortedKeys(visible)
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	out := struct {
		RegistryID                  string                        `json:"registryId"`
		RepositoryCreationTemplates []*RepositoryCreationTemplate `json:"repositoryCreationTemplates"`
		NextToken                   *string                       `json:"nextToken,omitempty"`
	}{reg.Account, []*RepositoryCreationTemplate{}, strOrNil(next)}
	for _, k := range page {
		out.RepositoryCreationTemplates = append(out.RepositoryCreationTemplates, cloneTemplate(visible[k]))
	}
	return out, nil
}

func updateRepositoryCreationTemplate(r *request, reg *Registry) (any, error) {
	var in templateInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkTemplatePrefix(in.Prefix); err != nil {
		return nil, err
	}
	if err := checkTemplateMembers(&in); err != nil {
		return nil, err
	}
	t, ok := reg.Templates[prefixKey(*in.Prefix)]
	if !ok {
		return nil, errTemplateNotFound(*in.Prefix, reg.Account)
	}
	// The mutability and its filters are checked together as they will be
	// stored: a new mutability comes with its own filters (or none).
	mutability, filters := t.ImageTagMutability, t.ImageTagMutabilityExclusionFilters
	if in.ImageTagMutability != nil {
		mutability, filters = *in.ImageTagMutability, in.ImageTagMutabilityExclusionFilters
	} else if in.ImageTagMutabilityExclusionFilters != nil {
		filters = in.ImageTagMutabilityExclusionFilters
	}
	if mutability == "" {
		mutability = "MUTABLE"
	}
	if err := checkMutability(mutability, filters); err != nil {
		return nil, err
	}
	// The stored template is replaced by a changed copy
	// (storeCreationTemplate).
	t = cloneTemplate(t)
	applyTemplateInput(t, &in)
	t.UpdatedAt = ts(r.e.now())
	r.e.storeCreationTemplate(reg, prefixKey(*in.Prefix), t)
	return templateOutput{RegistryID: reg.Account, RepositoryCreationTemplate: cloneTemplate(t)}, nil
}

func deleteRepositoryCreationTemplate(r *request, reg *Registry) (any, error) {
	var in struct {
		Prefix *string `json:"prefix"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkTemplatePrefix(in.Prefix); err != nil {
		return nil, err
	}
	key := prefixKey(*in.Prefix)
	t, ok := reg.Templates[key]
	if !ok {
		return nil, errTemplateNotFound(*in.Prefix, reg.Account)
	}
	r.e.storeCreationTemplate(reg, key, nil)
	return templateOutput{RegistryID: reg.Account, RepositoryCreationTemplate: t}, nil
}
