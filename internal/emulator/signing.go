package emulator

import "regexp"

func init() {
	register("PutSigningConfiguration", false, putSigningConfiguration)
	register("GetSigningConfiguration", true, getSigningConfiguration)
	register("DeleteSigningConfiguration", false, deleteSigningConfiguration)
}

const (
	signingProfileArnPattern = `^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$`
	signingFilterPattern     = `^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$`
)

var (
	reSigningProfileArn = regexp.MustCompile(signingProfileArnPattern)
	reSigningFilter     = regexp.MustCompile(signingFilterPattern)
)

type signingConfigurationIO struct {
	Rules []SigningRule `json:"rules"`
}

type signingConfigurationOutput struct {
	RegistryID           string                  `json:"registryId,omitempty"`
	SigningConfiguration *signingConfigurationIO `json:"signingConfiguration"`
}

func checkSigningRules(rules []SigningRule) error {
	const m = "signingConfiguration.rules"
	if err := checkListSize(m, len(rules), 0, 10); err != nil {
		return err
	}
	for _, rule := range rules {
		if err := checkRequired(m+".member.signingProfileArn", rule.SigningProfileArn != ""); err != nil {
			return err
		}
		if err := checkLength(m+".member.signingProfileArn", rule.SigningProfileArn, 0, 200); err != nil {
			return err
		}
		if err := checkPattern(m+".member.signingProfileArn", rule.SigningProfileArn, reSigningProfileArn, signingProfileArnPattern); err != nil {
			return err
		}
		if rule.RepositoryFilters == nil {
			continue // no filters: the rule applies to every repository
		}
		if err := checkListSize(m+".member.repositoryFilters", len(rule.RepositoryFilters), 1, 100); err != nil {
			return err
		}
		for _, f := range rule.RepositoryFilters {
			fm := m + ".member.repositoryFilters.member"
			if err := checkLength(fm+".filter", f.Filter, 1, 256); err != nil {
				return err
			}
			if err := checkPattern(fm+".filter", f.Filter, reSigningFilter, signingFilterPattern); err != nil {
				return err
			}
			if err := checkEnum(fm+".filterType", f.FilterType, []string{"WILDCARD_MATCH"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func putSigningConfiguration(r *request, reg *Registry) (any, error) {
	var in struct {
		SigningConfiguration *signingConfigurationIO `json:"signingConfiguration"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("signingConfiguration", in.SigningConfiguration != nil); err != nil {
		return nil, err
	}
	rules := in.SigningConfiguration.Rules
	if err := checkRequired("signingConfiguration.rules", rules != nil); err != nil {
		return nil, err
	}
	if err := checkSigningRules(rules); err != nil {
		return nil, err
	}
	// Assumption: rules [] is stored as an empty configuration (Get then
	// answers with no rules rather than SigningConfigurationNotFound).
	r.e.storeSigning(reg, &SigningConfiguration{Rules: rules})
	return signingConfigurationOutput{SigningConfiguration: &signingConfigurationIO{Rules: rules}}, nil
}

func errSigningNotFound(registryID string) error {
	return apiErr("SigningConfigurationNotFoundException",
		"Signing configuration does not exist in the registry with id '%s'", registryID)
}

func getSigningConfiguration(r *request, reg *Registry) (any, error) {
	var in struct{}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	c, ok := r.e.lookupSigning(reg)
	if !ok {
		return nil, errSigningNotFound(reg.Account)
	}
	return signingConfigurationOutput{RegistryID: reg.Account,
		SigningConfiguration: &signingConfigurationIO{Rules: c.Rules}}, nil
}

func deleteSigningConfiguration(r *request, reg *Registry) (any, error) {
	var in struct{}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if reg.Signing == nil {
		return nil, errSigningNotFound(reg.Account)
	}
	removed := reg.Signing
	r.e.storeSigning(reg, nil)
	return signingConfigurationOutput{RegistryID: reg.Account,
		SigningConfiguration: &signingConfigurationIO{Rules: removed.Rules}}, nil
}
