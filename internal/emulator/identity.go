package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unique"
)

var reTwelveDigits = regexp.MustCompile(`^[0-9]{12}$`)

// authenticate reads the caller's access key and region from the SigV4
// Authorization header and, when credentials are configured, verifies the
// signature (sigv4.go). It fills req.account and req.region.
func (e *Emulator) authenticate(r *http.Request, body []byte, req *request) *APIError {
	auth := r.Header.Get("Authorization")
	cred := parseCredentialScope(auth)
	// The region and account are substrings of the Authorization header;
	// the call log and the state keep them, so they are interned rather
	// than left pinning every request's whole header in memory.
	if cred.region != "" {
		req.region = unique.Make(cred.region).Value()
	}
	if reTwelveDigits.MatchString(cred.accessKey) {
		req.account = unique.Make(cred.accessKey).Value()
	}
	if e.credentials != nil {
		return e.verifySignature(r, body, auth, cred)
	}
	return nil
}

type credentialScope struct {
	accessKey, date, region, service string
}

// parseCredentialScope extracts Credential=AKID/DATE/REGION/SERVICE/aws4_request.
func parseCredentialScope(auth string) credentialScope {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return credentialScope{}
	}
	if i := strings.IndexAny(rest, ", "); i >= 0 {
		rest = rest[:i]
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 5 {
		return credentialScope{}
	}
	return credentialScope{accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3]}
}

// ---- ids, ARNs, URIs ----

type idSource struct{}

// uuid returns a random RFC 4122 version 4 UUID.
func (idSource) uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// partition returns the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	default:
		return "aws"
	}
}

// dnsSuffix returns the DNS suffix of a region's partition.
func dnsSuffix(region string) string {
	switch partition(region) {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	default:
		return "amazonaws.com"
	}
}

func repositoryARN(region, registryID, name string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition(region), region, registryID, name)
}

func registryHost(region, registryID string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.%s", registryID, region, dnsSuffix(region))
}

func repositoryURI(region, registryID, name string) string {
	return registryHost(region, registryID) + "/" + name
}
