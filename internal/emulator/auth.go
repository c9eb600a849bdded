package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
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
		out.AuthorizationData = append(out.AuthorizationData, authorizationData{
			AuthorizationToken: base64.StdEncoding.EncodeToString(
				[]byte("AWS:" + r.e.registryPassword(id, r.region, expires.Time))),
			ExpiresAt:     expires,
			ProxyEndpoint: "https://" + registryHost(r.region, id),
		})
	}
	return out, nil
}

// The password of an authorization token is opaque to clients, like ECR's
// (an encrypted blob). The emulator's says which registry (account and
// region) it was issued for and when it expires, signed with a key the
// emulator draws when it first issues one, so the registry protocol
// (registryv2.go) can verify it without keeping every token issued.
// With -data-dir, ecr-emulator keeps the key there (WithTokenKey), so a
// login outlives a restart as an ECR token does; in memory only, the key
// lives as long as the process and tokens issued before a restart are
// refused after it (log in again).

// tokenPasswordVersion starts the signed part of a password.
const tokenPasswordVersion = "ecr-emulator-1"

func (e *Emulator) tokenSecret() []byte {
	e.tokenOnce.Do(func() {
		e.tokenKey = make([]byte, 32)
		_, _ = rand.Read(e.tokenKey)
	})
	return e.tokenKey
}

// registryPassword is the password of a token for (account, region)
// expiring at expires: base64 of the claims and their HMAC-SHA256. A random
// nonce makes each token unique, as ECR's are.
func (e *Emulator) registryPassword(account, region string, expires time.Time) string {
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	claims := strings.Join([]string{tokenPasswordVersion, account, region, strconv.FormatInt(expires.Unix(), 10),
		hex.EncodeToString(nonce)}, "|")
	mac := hmac.New(sha256.New, e.tokenSecret())
	mac.Write([]byte(claims))
	return base64.StdEncoding.EncodeToString(append([]byte(claims+"|"), mac.Sum(nil)...))
}

// tokenClaims is what a verified password says.
type tokenClaims struct {
	account, region string
	expires         time.Time
}

// verifyPassword checks a password registryPassword made; ok is false for
// anything else (expiry is the caller's to check).
func (e *Emulator) verifyPassword(password string) (c tokenClaims, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(password)
	if err != nil || len(raw) < sha256.Size+1 {
		return c, false
	}
	claims, sum := raw[:len(raw)-sha256.Size-1], raw[len(raw)-sha256.Size:]
	if raw[len(claims)] != '|' {
		return c, false
	}
	mac := hmac.New(sha256.New, e.tokenSecret())
	mac.Write(claims)
	if !hmac.Equal(mac.Sum(nil), sum) {
		return c, false
	}
	f := bytes.Split(claims, []byte("|"))
	if len(f) != 5 || string(f[0]) != tokenPasswordVersion {
		return c, false
	}
	sec, err := strconv.ParseInt(string(f[3]), 10, 64)
	if err != nil {
		return c, false
	}
	return tokenClaims{account: string(f[1]), region: string(f[2]), expires: time.Unix(sec, 0).UTC()}, true
}
