package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

func init() {
	register("GetAuthorizationToken", true, getAuthorizationToken)
}

// tokenLifetime is how long an authorization token is valid.
const tokenLifetime = 12 * time.Hour

type getAuthorizationTokenInput struct {
	RegistryIDs []string `json:"registryIds"`
}

type authorizationData struct {
	AuthorizationToken string `json:"authorizationToken"`
	ExpiresAt          *Time  `json:"expiresAt"`
	ProxyEndpoint      string `json:"proxyEndpoint"`
}

type getAuthorizationTokenOutput struct {
	AuthorizationData []authorizationData `json:"authorizationData"`
}

func getAuthorizationToken(r *request, _ *Registry) (any, error) {
	var in getAuthorizationTokenInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	ids := []string{r.account}
	if in.RegistryIDs != nil {
		if err := checkListSize("registryIds", len(in.RegistryIDs), 1, 10); err != nil {
			return nil, err
		}
		for _, id := range in.RegistryIDs {
			if !reRegistryID.MatchString(id) {
				return nil, errInvalidParam("registryIds.member", "Member must satisfy regular expression pattern: [0-9]{12}")
			}
		}
		ids = in.RegistryIDs
	}
	expires := ts(r.e.now().Add(tokenLifetime))
	out := getAuthorizationTokenOutput{AuthorizationData: []authorizationData{}}
	for _, id := range ids {
		// Assumption: every registry gets its own password; ECR's real one
		// is an opaque encrypted blob, so any random text will do.
		password := make([]byte, 48)
		_, _ = rand.Read(password)
		out.AuthorizationData = append(out.AuthorizationData, authorizationData{
			AuthorizationToken: base64.StdEncoding.EncodeToString(
				[]byte("AWS:" + base64.StdEncoding.EncodeToString(password))),
			ExpiresAt:     expires,
			ProxyEndpoint: "https://" + registryHost(r.region, id),
		})
	}
	return out, nil
}
