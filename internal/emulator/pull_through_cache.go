package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func init() {
	register("CreatePullThroughCacheRule", false, createPullThroughCacheRule)
	register("DescribePullThroughCacheRules", true, describePullThroughCacheRules)
	register("UpdatePullThroughCacheRule", false, updatePullThroughCacheRule)
	register("DeletePullThroughCacheRule", false, deletePullThroughCacheRule)
	register("ValidatePullThroughCacheRule", true, validatePullThroughCacheRule)
}

const (
	registryPrefixPattern   = `^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$`
	credentialArnPattern    = `^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$`
	maxPullThroughCacheRule = 50
)

var (
	reRegistryPrefix = regexp.MustCompile(registryPrefixPattern)
	reCredentialArn  = regexp.MustCompile(credentialArnPattern)
	reUpstreamECR    = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)
	reUpstreamACR    = regexp.MustCompile(`^[a-zA-Z0-9-]+\.azurecr\.io$`)
)

// upstreamRegistries maps fixed upstream hosts to ECR's UpstreamRegistry
// enum (model doc of upstreamRegistryUrl).
var upstreamRegistries = map[string]string{
	"public.ecr.aws":       "ecr-public",
	"registry-1.docker.io": "docker-hub",
	"ghcr.io":              "github-container-registry",
	"registry.gitlab.com":  "gitlab-container-registry",
	"registry.k8s.io":      "k8s",
	"quay.io":              "quay",
	// Assumption: the model doc names no URL for chainguard; cgr.dev is
	// Chainguard's registry host.
	"cgr.dev": "chainguard",
}

var enumUpstreamRegistry = []string{"ecr", "ecr-public", "quay", "k8s", "docker-hub",
	"github-container-registry", "azure-container-registry", "gitlab-container-registry", "chainguard"}

// upstreams that need a Secrets Manager credential, and those that take none.
var (
	upstreamNeedsCredential = []string{"docker-hub", "github-container-registry", "gitlab-container-registry",
		"azure-container-registry", "chainguard"}
	upstreamNoCredential = []string{"ecr-public", "k8s", "quay", "ecr"}
)

// upstreamRegistryOf derives the upstream registry from its URL.
func upstreamRegistryOf(url string) (string, bool) {
	// Assumption: an https:// scheme in front of the host is tolerated.
	host := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
	if u, ok := upstreamRegistries[host]; ok {
		return u, true
	}
	switch {
	case reUpstreamECR.MatchString(host):
		return "ecr", true
	case reUpstreamACR.MatchString(host):
		return "azure-container-registry", true
	}
	return "", false
}

// checkPTCPrefix validates a PullThroughCacheRuleRepositoryPrefix member.
func checkPTCPrefix(member string, v *string) error {
	if err := checkRequired(member, v != nil); err != nil {
		return err
	}
	if err := checkLength(member, *v, 2, 30); err != nil {
		return err
	}
	return checkPattern(member, *v, reRegistryPrefix, registryPrefixPattern)
}

// prefixKey is the key of a pull-through cache rule or a creation template:
// a trailing '/' is implied, so "a" and "a/" name the same one (assumption).
func prefixKey(prefix string) string { return strings.TrimSuffix(prefix, "/") }

func checkCredentialArn(v string) error {
	if err := checkLength("credentialArn", v, 50, 612); err != nil {
		return err
	}
	return checkPattern("credentialArn", v, reCredentialArn, credentialArnPattern)
}

func checkCustomRoleArn(v *string) error {
	if v == nil {
		return nil
	}
	return checkLength("customRoleArn", *v, 0, 2048)
}

func errPTCNotFound(prefix, registryID string) error {
	return apiErr("PullThroughCacheRuleNotFoundException",
		"The pull through cache rule with prefix '%s' does not exist in the registry with id '%s'", prefix, registryID)
}

// findPTCRule resolves registryId and ecrRepositoryPrefix to a rule.
func findPTCRule(r *request, reg *Registry, registryID, prefix *string) (*PullThroughCacheRule, error) {
	id, err := checkOwnRegistry(r, reg, registryID)
	if err != nil {
		return nil, err
	}
	if err := checkPTCPrefix("ecrRepositoryPrefix", prefix); err != nil {
		return nil, err
	}
	rule, ok := reg.PullThroughRules[prefixKey(*prefix)]
	if !ok {
		return nil, errPTCNotFound(*prefix, id)
	}
	return rule, nil
}

type createPullThroughCacheRuleInput struct {
	RegistryID               *string `json:"registryId"`
	EcrRepositoryPrefix      *string `json:"ecrRepositoryPrefix"`
	UpstreamRegistryURL      *string `json:"upstreamRegistryUrl"`
	UpstreamRegistry         *string `json:"upstreamRegistry"`
	CredentialArn            *string `json:"credentialArn"`
	CustomRoleArn            *string `json:"customRoleArn"`
	UpstreamRepositoryPrefix *string `json:"upstreamRepositoryPrefix"`
}

// ptcRuleOutput is the member set of Create/Delete/Describe responses.
type ptcRuleOutput struct {
	EcrRepositoryPrefix      string  `json:"ecrRepositoryPrefix"`
	UpstreamRegistryURL      string  `json:"upstreamRegistryUrl,omitempty"`
	CreatedAt                *Time   `json:"createdAt,omitempty"`
	RegistryID               string  `json:"registryId"`
	UpstreamRegistry         string  `json:"upstreamRegistry,omitempty"`
	CredentialArn            *string `json:"credentialArn,omitempty"`
	CustomRoleArn            *string `json:"customRoleArn,omitempty"`
	UpstreamRepositoryPrefix string  `json:"upstreamRepositoryPrefix,omitempty"`
	UpdatedAt                *Time   `json:"updatedAt,omitempty"`
	IsValid                  *bool   `json:"isValid,omitempty"`
	Failure                  *string `json:"failure,omitempty"`
}

func ptcOutput(rule *PullThroughCacheRule) ptcRuleOutput {
	return ptcRuleOutput{
		EcrRepositoryPrefix:      rule.EcrRepositoryPrefix,
		UpstreamRegistryURL:      rule.UpstreamRegistryURL,
		CreatedAt:                rule.CreatedAt,
		RegistryID:               rule.RegistryID,
		UpstreamRegistry:         rule.UpstreamRegistry,
		CredentialArn:            strOrNil(rule.CredentialArn),
		CustomRoleArn:            strOrNil(rule.CustomRoleArn),
		UpstreamRepositoryPrefix: rule.UpstreamRepositoryPrefix,
		UpdatedAt:                rule.UpdatedAt,
	}
}

func createPullThroughCacheRule(r *request, reg *Registry) (any, error) {
	var in createPullThroughCacheRuleInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if err := checkPTCPrefix("ecrRepositoryPrefix", in.EcrRepositoryPrefix); err != nil {
		return nil, err
	}
	if err := checkRequired("upstreamRegistryUrl", in.UpstreamRegistryURL != nil); err != nil {
		return nil, err
	}
	if in.UpstreamRegistry != nil {
		if err := checkEnum("upstreamRegistry", *in.UpstreamRegistry, enumUpstreamRegistry); err != nil {
			return nil, err
		}
	}
	if in.CredentialArn != nil {
		if err := checkCredentialArn(*in.CredentialArn); err != nil {
			return nil, err
		}
	}
	if err := checkCustomRoleArn(in.CustomRoleArn); err != nil {
		return nil, err
	}
	prefix := *in.EcrRepositoryPrefix
	upstreamPrefix := "ROOT"
	if in.UpstreamRepositoryPrefix != nil {
		if err := checkPTCPrefix("upstreamRepositoryPrefix", in.UpstreamRepositoryPrefix); err != nil {
			return nil, err
		}
		upstreamPrefix = *in.UpstreamRepositoryPrefix
		if prefix == "ROOT" && upstreamPrefix != "ROOT" {
			return nil, errValidation("upstreamRepositoryPrefix can only be set when ecrRepositoryPrefix is not ROOT")
		}
	}
	url := *in.UpstreamRegistryURL
	upstream, ok := upstreamRegistryOf(url)
	if !ok {
		return nil, apiErr("UnsupportedUpstreamRegistryException",
			"The upstream registry URL '%s' is not supported for pull through cache rules", url)
	}
	if in.UpstreamRegistry != nil && *in.UpstreamRegistry != upstream {
		// Assumption: an explicit upstreamRegistry must agree with the URL.
		return nil, apiErr("UnsupportedUpstreamRegistryException",
			"The upstream registry '%s' does not match the upstream registry URL '%s'", *in.UpstreamRegistry, url)
	}
	// Assumption on the codes: a missing or forbidden credential is a
	// ValidationException.
	switch {
	case slices.Contains(upstreamNeedsCredential, upstream) && in.CredentialArn == nil:
		return nil, errValidation("A credentialArn is required for the upstream registry '%s'", upstream)
	case slices.Contains(upstreamNoCredential, upstream) && in.CredentialArn != nil:
		return nil, errValidation("A credentialArn is not supported for the upstream registry '%s'", upstream)
	}
	key := prefixKey(prefix)
	if _, exists := reg.PullThroughRules[key]; exists {
		return nil, apiErr("PullThroughCacheRuleAlreadyExistsException",
			"A pull through cache rule with prefix '%s' already exists in the registry with id '%s'", prefix, registryID)
	}
	if len(reg.PullThroughRules) >= maxPullThroughCacheRule {
		return nil, apiErr("LimitExceededException",
			"The maximum number of pull through cache rules (%d) for the registry with id '%s' has been reached", maxPullThroughCacheRule, registryID)
	}
	rule := &PullThroughCacheRule{
		EcrRepositoryPrefix:      prefix,
		UpstreamRegistryURL:      url,
		CreatedAt:                ts(r.e.now()),
		RegistryID:               registryID,
		UpstreamRegistry:         upstream,
		UpstreamRepositoryPrefix: upstreamPrefix,
	}
	if in.CredentialArn != nil {
		rule.CredentialArn = *in.CredentialArn
	}
	if in.CustomRoleArn != nil {
		rule.CustomRoleArn = *in.CustomRoleArn
	}
	r.e.storePullThroughRule(reg, key, rule)
	return ptcOutput(rule), nil
}

type describePullThroughCacheRulesInput struct {
	RegistryID            *string  `json:"registryId"`
	EcrRepositoryPrefixes []string `json:"ecrRepositoryPrefixes"`
	NextToken             *string  `json:"nextToken"`
	MaxResults            *int64   `json:"maxResults"`
}

func describePullThroughCacheRules(r *request, reg *Registry) (any, error) {
	var in describePullThroughCacheRulesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkOwnRegistry(r, reg, in.RegistryID)
	if err != nil {
		return nil, err
	}
	var keys []string
	visible := map[string]*PullThroughCacheRule{}
	if in.EcrRepositoryPrefixes != nil {
		if err := checkListSize("ecrRepositoryPrefixes", len(in.EcrRepositoryPrefixes), 1, 100); err != nil {
			return nil, err
		}
		for i := range in.EcrRepositoryPrefixes {
			if err := checkPTCPrefix("ecrRepositoryPrefixes.member", &in.EcrRepositoryPrefixes[i]); err != nil {
				return nil, err
			}
		}
		for _, p := range in.EcrRepositoryPrefixes {
			if slices.Contains(keys, prefixKey(p)) {
				continue
			}
			rule, ok := r.e.lookupPullThroughRule(reg, prefixKey(p))
			if !ok {
				return nil, errPTCNotFound(p, registryID)
			}
			keys = append(keys, prefixKey(p))
			visible[prefixKey(p)] = rule
		}
		slices.Sort(keys)
	} else {
		visible = r.e.listPullThroughRules(reg)
		keys = sortedKeys(visible)
	}
	page, next, err := paginate(r, keys, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	out := struct {
		PullThroughCacheRules []ptcRuleOutput `json:"pullThroughCacheRules"`
		NextToken             *string         `json:"nextToken,omitempty"`
	}{PullThroughCacheRules: []ptcRuleOutput{}, NextToken: strOrNil(next)}
	for _, k := range page {
		out.PullThroughCacheRules = append(out.PullThroughCacheRules, ptcOutput(visible[k]))
	}
	return out, nil
}

type updatePullThroughCacheRuleInput struct {
	RegistryID          *string `json:"registryId"`
	EcrRepositoryPrefix *string `json:"ecrRepositoryPrefix"`
	CredentialArn       *string `json:"credentialArn"`
	CustomRoleArn       *string `json:"customRoleArn"`
}

func updatePullThroughCacheRule(r *request, reg *Registry) (any, error) {
	var in updatePullThroughCacheRuleInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	rule, err := findPTCRule(r, reg, in.RegistryID, in.EcrRepositoryPrefix)
	if err != nil {
		return nil, err
	}
	// ECR refuses an update that names neither a credential nor a role
	// (the message users of hashicorp/aws 6 met, pulumi/pulumi-aws#5714):
	// a rule cannot be updated to "no credential and no role". Assumption:
	// an empty customRoleArn does not count as set, and the check comes
	// after the rule is found.
	if deref(in.CredentialArn) == "" && deref(in.CustomRoleArn) == "" {
		return nil, apiErr("InvalidParameterException",
			"Invalid input: Please set either credential arn or role arn to update the credentials")
	}
	if in.CredentialArn != nil {
		if err := checkCredentialArn(*in.CredentialArn); err != nil {
			return nil, err
		}
		if slices.Contains(upstreamNoCredential, rule.UpstreamRegistry) {
			return nil, errValidation("A credentialArn is not supported for the upstream registry '%s'", rule.UpstreamRegistry)
		}
	}
	if err := checkCustomRoleArn(in.CustomRoleArn); err != nil {
		return nil, err
	}
	// Absent members keep their value; customRoleArn "" clears it
	// (assumption, the model allows length 0). The stored rule is
	// replaced by a changed copy (storePullThroughRule).
	changed := *rule
	rule = &changed
	if in.CredentialArn != nil {
		rule.CredentialArn = *in.CredentialArn
	}
	if in.CustomRoleArn != nil {
		rule.CustomRoleArn = *in.CustomRoleArn
	}
	rule.UpdatedAt = ts(r.e.now())
	r.e.storePullThroughRule(reg, prefixKey(rule.EcrRepositoryPrefix), rule)
	return ptcRuleOutput{
		EcrRepositoryPrefix:      rule.EcrRepositoryPrefix,
		RegistryID:               rule.RegistryID,
		UpdatedAt:                rule.UpdatedAt,
		CredentialArn:            strOrNil(rule.CredentialArn),
		CustomRoleArn:            strOrNil(rule.CustomRoleArn),
		UpstreamRepositoryPrefix: rule.UpstreamRepositoryPrefix,
	}, nil
}

type ptcPrefixInput struct {
	RegistryID          *string `json:"registryId"`
	EcrRepositoryPrefix *string `json:"ecrRepositoryPrefix"`
}

func deletePullThroughCacheRule(r *request, reg *Registry) (any, error) {
	var in ptcPrefixInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	rule, err := findPTCRule(r, reg, in.RegistryID, in.EcrRepositoryPrefix)
	if err != nil {
		return nil, err
	}
	r.e.storePullThroughRule(reg, prefixKey(rule.EcrRepositoryPrefix), nil)
	out := ptcOutput(rule)
	out.UpstreamRegistry, out.UpdatedAt = "", nil // not members of the Delete response
	return out, nil
}

func validatePullThroughCacheRule(r *request, reg *Registry) (any, error) {
	var in ptcPrefixInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	rule, err := findPTCRule(r, reg, in.RegistryID, in.EcrRepositoryPrefix)
	if err != nil {
		return nil, err
	}
	// ECR checks that it can reach the upstream with the rule's
	// credentials. The emulator reaches the upstream only when WithUpstream
	// maps its host (a registry on loopback), and reports ECR's failure
	// when that registry does not answer, or refuses the rule's secret (when
	// the emulator was given it, upstream_secret.go); any other rule
	// validates.
	valid := true
	out := ptcOutput(rule)
	if failure := r.e.checkUpstreamReachable(rule); failure != "" {
		valid = false
		out.Failure = &failure
	}
	out.CreatedAt, out.UpstreamRegistry, out.UpdatedAt, out.IsValid = nil, "", nil, &valid
	return out, nil
}

// upstreamCheckTimeout bounds each request of checkUpstreamReachable: it
// runs under the registry's lock.
const upstreamCheckTimeout = 3 * time.Second

// checkUpstreamReachable returns why the upstream of rule, when WithUpstream
// maps its host, cannot be reached (its /v2/ endpoint does not answer, or
// answers 5xx) or refuses the rule's secret (when the emulator has it), or
// "" when it can or is not mapped. Without a known secret, a 401 is not a
// failure: the anonymous token flow may follow.
func (e *Emulator) checkUpstreamReachable(rule *PullThroughCacheRule) string {
	upstreamURL := rule.UpstreamRegistryURL
	host := strings.TrimSuffix(strings.TrimPrefix(upstreamURL, "https://"), "/")
	base, ok := e.upstreams[host]
	if !ok {
		return ""
	}
	base = strings.TrimSuffix(base, "/")
	client := &http.Client{Timeout: upstreamCheckTimeout}
	resp, err := client.Get(base + "/v2/")
	if err != nil {
		return fmt.Sprintf("Unable to connect to the upstream registry '%s': %v", upstreamURL, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Sprintf("The upstream registry '%s' answered %s", upstreamURL, resp.Status)
	}
	auth, known := e.upstreamAuth(rule.CredentialArn)
	if !known || resp.StatusCode != http.StatusUnauthorized {
		return ""
	}
	refused := func(reason any) string {
		return fmt.Sprintf("The upstream registry '%s' refused the credentials of the secret '%s': %v",
			upstreamURL, rule.CredentialArn, reason)
	}
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Sprintf("Unable to connect to the upstream registry '%s': %v", upstreamURL, err)
	}
	var opts []name.Option
	if u.Scheme == "http" {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(u.Host, opts...)
	if err != nil {
		return fmt.Sprintf("Unable to connect to the upstream registry '%s': %v", upstreamURL, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), upstreamCheckTimeout)
	defer cancel()
	// The handshake a pull makes: basic auth, or a token for the secret.
	tr, err := transport.NewWithContext(ctx, reg, auth, http.DefaultTransport, nil)
	if err != nil {
		return refused(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2/", nil)
	if err != nil {
		return refused(err)
	}
	resp, err = (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return refused(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return refused(resp.Status)
	}
	return ""
}
