package emulator

// Credentials of pull-through cache upstreams. ECR reads a rule's
// credentialArn, a Secrets Manager secret whose value is
// {"username": ..., "accessToken": ...}, and signs in to the upstream
// with it. The emulator has no Secrets Manager: tests and users give it
// that value under the secret's ARN (WithUpstreamSecret, SetUpstreamSecret,
// or POST /_emulator/upstream-secrets), and the pull-through fetches and
// ValidatePullThroughCacheRule of a rule with that credentialArn sign in
// with it (basic auth, or the upstream's token flow). A rule whose
// credentialArn the emulator was not given asks the upstream anonymously,
// as a rule without one does. Secrets are configuration, like WithUpstream:
// they are not part of the state (not saved under -data-dir, kept by reset).

import (
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
)

// UpstreamSecret is the value of the Secrets Manager secret a pull-through
// cache rule's credentialArn names, in the JSON shape ECR reads.
type UpstreamSecret struct {
	Username    string `json:"username"`
	AccessToken string `json:"accessToken"`
}

// upstreamSecrets holds the secrets by ARN.
type upstreamSecrets struct {
	mu sync.RWMutex
	m  map[string]UpstreamSecret
}

// WithUpstreamSecret gives the emulator the value of the secret arn (see
// SetUpstreamSecret); it panics on a value SetUpstreamSecret refuses.
func WithUpstreamSecret(arn string, s UpstreamSecret) Option {
	return func(e *Emulator) {
		if err := e.SetUpstreamSecret(arn, s); err != nil {
			panic(err)
		}
	}
}

// SetUpstreamSecret makes pull-through cache rules whose credentialArn is
// arn sign in to their upstream as s.Username with s.AccessToken. arn must
// be a credentialArn ECR accepts (a secret named ecr-pullthroughcache/...),
// and both members set. A second call for arn replaces its value.
func (e *Emulator) SetUpstreamSecret(arn string, s UpstreamSecret) error {
	if err := checkCredentialArn(arn); err != nil {
		return fmt.Errorf("arn: %s", toAPIError(err).Message)
	}
	if s.Username == "" || s.AccessToken == "" {
		return fmt.Errorf("the secret %s needs a username and an accessToken", arn)
	}
	e.secrets.mu.Lock()
	defer e.secrets.mu.Unlock()
	if e.secrets.m == nil {
		e.secrets.m = map[string]UpstreamSecret{}
	}
	e.secrets.m[arn] = s
	return nil
}

// ClearUpstreamSecrets forgets every secret.
func (e *Emulator) ClearUpstreamSecrets() {
	e.secrets.mu.Lock()
	defer e.secrets.mu.Unlock()
	e.secrets.m = nil
}

// upstreamAuth is how a rule with credentialArn signs in to its upstream:
// with the secret's value when the emulator has it, else anonymously.
func (e *Emulator) upstreamAuth(credentialArn string) (authn.Authenticator, bool) {
	if credentialArn == "" {
		return authn.Anonymous, false
	}
	e.secrets.mu.RLock()
	defer e.secrets.mu.RUnlock()
	s, ok := e.secrets.m[credentialArn]
	if !ok {
		return authn.Anonymous, false
	}
	return &authn.Basic{Username: s.Username, Password: s.AccessToken}, true
}
