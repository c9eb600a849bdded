package emulator

import (
	"regexp"
	"strings"
)

func init() {
	register("PutRegistryScanningConfiguration", false, putRegistryScanningConfiguration)
	register("GetRegistryScanningConfiguration", true, getRegistryScanningConfiguration)
	register("BatchGetRepositoryScanningConfiguration", true, batchGetRepositoryScanningConfiguration)
}

var reScanningFilter = regexp.MustCompile(`^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`)

const scanningFilterPattern = `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`

// filterWildcardMatch matches name against a registry-level filter in which
// '*' stands for any run of characters, '/' included.
func filterWildcardMatch(filter, name string) bool {
	// Assumption: '*' also spans '/', since repository names are flat
	// strings to these filters.
	parts := strings.Split(filter, "*")
	if len(parts) == 1 {
		return filter == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	rest := name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, last)
}

type registryScanningOutput struct {
	ScanType string                 `json:"scanType"`
	Rules    []RegistryScanningRule `json:"rules"`
}

func scanningOutput(c RegistryScanningConfig) registryScanningOutput {
	out := registryScanningOutput(c)
	if out.ScanType == "" {
		out.ScanType = "BASIC"
	}
	if out.Rules == nil {
		out.Rules = []RegistryScanningRule{}
	}
	return out
}

type putRegistryScanningConfigurationInput struct {
	ScanType *string                `json:"scanType"`
	Rules    []RegistryScanningRule `json:"rules"`
}

func putRegistryScanningConfiguration(r *request, reg *Registry) (any, error) {
	var in putRegistryScanningConfigurationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	// Assumption: an absent scanType means BASIC, the registry default.
	scanType := "BASIC"
	if in.ScanType != nil {
		scanType = *in.ScanType
	}
	if err := checkEnum("scanType", scanType, []string{"BASIC", "ENHANCED"}); err != nil {
		return nil, err
	}
	if err := checkListSize("rules", len(in.Rules), 0, 2); err != nil {
		return nil, err
	}
	for i := range in.Rules {
		rule := &in.Rules[i]
		if err := checkRequired("rules.member.scanFrequency", rule.ScanFrequency != ""); err != nil {
			return nil, err
		}
		if err := checkEnum("rules.member.scanFrequency", rule.ScanFrequency, []string{"SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"}); err != nil {
			return nil, err
		}
		if err := checkRequired("rules.member.repositoryFilters", rule.RepositoryFilters != nil); err != nil {
			return nil, err
		}
		if err := checkListSize("rules.member.repositoryFilters", len(rule.RepositoryFilters), 0, 100); err != nil {
			return nil, err
		}
		for _, f := range rule.RepositoryFilters {
			if err := checkLength("rules.member.repositoryFilters.member.filter", f.Filter, 1, 255); err != nil {
				return nil, err
			}
			if err := checkPattern("rules.member.repositoryFilters.member.filter", f.Filter, reScanningFilter, scanningFilterPattern); err != nil {
				return nil, err
			}
			if err := checkEnum("rules.member.repositoryFilters.member.filterType", f.FilterType, []string{"WILDCARD"}); err != nil {
				return nil, err
			}
		}
		// Model doc of RegistryScanningRule: BASIC supports SCAN_ON_PUSH
		// only; ENHANCED supports SCAN_ON_PUSH and CONTINUOUS_SCAN; MANUAL
		// is the implicit default and cannot be set in a rule.
		switch {
		case scanType == "BASIC" && rule.ScanFrequency != "SCAN_ON_PUSH":
			return nil, errValidation("The scan frequency '%s' is not supported for scan type BASIC; only SCAN_ON_PUSH is supported", rule.ScanFrequency)
		case rule.ScanFrequency == "MANUAL":
			return nil, errValidation("The scan frequency 'MANUAL' is not supported for scan type %s; use SCAN_ON_PUSH or CONTINUOUS_SCAN", scanType)
		}
	}
	rules := in.Rules
	if rules == nil {
		rules = []RegistryScanningRule{}
	}
	c := RegistryScanningConfig{ScanType: scanType, Rules: rules}
	r.e.storeScanning(reg, c)
	return struct {
		RegistryScanningConfiguration registryScanningOutput `json:"registryScanningConfiguration"`
	}{scanningOutput(c)}, nil
}

func getRegistryScanningConfiguration(r *request, reg *Registry) (any, error) {
	var in struct{}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	return struct {
		RegistryID            string                 `json:"registryId"`
		ScanningConfiguration registryScanningOutput `json:"scanningConfiguration"`
	}{reg.Account, scanningOutput(r.e.lookupScanning(reg))}, nil
}

type repositoryScanningConfiguration struct {
	RepositoryArn      string                     `json:"repositoryArn"`
	RepositoryName     string                     `json:"repositoryName"`
	ScanOnPush         bool                       `json:"scanOnPush"`
	ScanFrequency      string                     `json:"scanFrequency"`
	AppliedScanFilters []ScanningRepositoryFilter `json:"appliedScanFilters"`
}

type repositoryScanningFailure struct {
	RepositoryName string `json:"repositoryName"`
	FailureCode    string `json:"failureCode"`
	FailureReason  string `json:"failureReason"`
}

// effectiveScanning computes what applies to one repository.
func effectiveScanning(reg *Registry, repo *Repository) repositoryScanningConfiguration {
	out := repositoryScanningConfiguration{
		RepositoryArn:      repo.RepositoryArn,
		RepositoryName:     repo.RepositoryName,
		ScanFrequency:      "MANUAL",
		AppliedScanFilters: []ScanningRepositoryFilter{},
	}
	scanType := scanningOutput(reg.Scanning).ScanType
	// Assumption: when several rules match, CONTINUOUS_SCAN wins over
	// SCAN_ON_PUSH (continuous scanning also scans on push).
	for _, rule := range reg.Scanning.Rules {
		var applied []ScanningRepositoryFilter
		for _, f := range rule.RepositoryFilters {
			if filterWildcardMatch(f.Filter, repo.RepositoryName) {
				applied = append(applied, f)
			}
		}
		if len(applied) == 0 || (out.ScanFrequency == "CONTINUOUS_SCAN" && rule.ScanFrequency != "CONTINUOUS_SCAN") {
			continue
		}
		out.ScanFrequency, out.ScanOnPush, out.AppliedScanFilters = rule.ScanFrequency, true, applied
	}
	// Assumption: under BASIC, a repository's own (legacy) scanOnPush
	// setting still applies when no registry rule matches it.
	if out.ScanFrequency == "MANUAL" && scanType == "BASIC" &&
		repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush {
		out.ScanFrequency, out.ScanOnPush = "SCAN_ON_PUSH", true
	}
	return out
}

type batchGetRepositoryScanningConfigurationInput struct {
	RepositoryNames []string `json:"repositoryNames"`
}

func batchGetRepositoryScanningConfiguration(r *request, reg *Registry) (any, error) {
	var in batchGetRepositoryScanningConfigurationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("repositoryNames", in.RepositoryNames != nil); err != nil {
		return nil, err
	}
	if err := checkListSize("repositoryNames", len(in.RepositoryNames), 1, 25); err != nil {
		return nil, err
	}
	for i := range in.RepositoryNames {
		if err := checkRepositoryName("repositoryNames.member", &in.RepositoryNames[i]); err != nil {
			return nil, err
		}
	}
	out := struct {
		ScanningConfigurations []repositoryScanningConfiguration `json:"scanningConfigurations"`
		Failures               []repositoryScanningFailure       `json:"failures"`
	}{[]repositoryScanningConfiguration{}, []repositoryScanningFailure{}}
	for _, name := range in.RepositoryNames {
		repo, ok := r.e.lookupRepository(reg, name)
		if !ok || repo.RegistryID != reg.Account {
			out.Failures = append(out.Failures, repositoryScanningFailure{RepositoryName: name,
				FailureCode: "REPOSITORY_NOT_FOUND", FailureReason: "REPOSITORY_NOT_FOUND"})
			continue
		}
		out.ScanningConfigurations = append(out.ScanningConfigurations, effectiveScanning(reg, repo))
	}
	return out, nil
}
