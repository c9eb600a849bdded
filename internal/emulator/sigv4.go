package emulator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	msgInvalidToken     = "The security token included in the request is invalid."
	msgSignatureMismach = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// amzDateFormat is the form of X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// maxClockSkew is how far a request's signing time may be from the
// server's clock, as AWS allows.
const maxClockSkew = 15 * time.Minute

// checkSigningTime refuses a signing time more than maxClockSkew away from
// now, with AWS's answers (InvalidSignatureException, these messages).
func checkSigningTime(signed, now time.Time) *APIError {
	now = now.UTC().Truncate(time.Second)
	switch {
	case signed.Before(now.Add(-maxClockSkew)):
		return errForbidden("InvalidSignatureException", fmt.Sprintf(
			"Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signed.Format(amzDateFormat), now.Add(-maxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat)))
	case signed.After(now.Add(maxClockSkew)):
		return errForbidden("InvalidSignatureException", fmt.Sprintf(
			"Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signed.Format(amzDateFormat), now.Add(maxClockSkew).Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	return nil
}

func errForbidden(typ, msg string) *APIError {
	return &APIError{Type: typ, Status: http.StatusForbidden, Message: msg}
}

// verifySignature checks a SigV4 signature against the configured
// credentials by signing a copy of the request (only the headers the client
// signed) with the same key, scope and time, and comparing signatures.
// Unknown key: UnrecognizedClientException; bad signature:
// InvalidSignatureException.
func (e *Emulator) verifySignature(r *http.Request, body []byte, auth string, cred credentialScope) *APIError {
	if auth == "" {
		// Assumption: AWS's answer to an unsigned request to a JSON service.
		return errForbidden("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	sig := authField(auth, "Signature=")
	signed := authField(auth, "SignedHeaders=")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || cred.accessKey == "" || sig == "" || signed == "" {
		return &APIError{Type: "IncompleteSignatureException", Status: http.StatusBadRequest,
			Message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters."}
	}
	secret, ok := e.credentials[cred.accessKey]
	if !ok {
		return errForbidden("UnrecognizedClientException", msgInvalidToken)
	}
	signingTime, err := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if err != nil || signingTime.Format("20060102") != cred.date {
		return errForbidden("InvalidSignatureException", msgSignatureMismach)
	}
	if apiErr := checkSigningTime(signingTime, e.now()); apiErr != nil {
		return apiErr
	}
	// The payload hash signed is the body's: as AWS's JSON services do, the
	// canonical request is built from the body received, so a request
	// signed with UNSIGNED-PAYLOAD, or whose body is not the one signed,
	// does not match its signature. A declared hash that is not the body's
	// is refused before the signature is computed.
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		// Assumption: a body that does not match its declared hash (or
		// UNSIGNED-PAYLOAD) is reported as a signature mismatch.
		return errForbidden("InvalidSignatureException", msgSignatureMismach)
	}

	cp := &http.Request{Method: r.Method, URL: &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host: r.Host, Header: http.Header{}}
	for _, h := range strings.Split(signed, ";") {
		switch h {
		case "host":
		case "content-length":
			cp.ContentLength = int64(len(body))
		default:
			if v, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
				cp.Header[http.CanonicalHeaderKey(h)] = v
			}
		}
	}
	// A signed X-Amz-Security-Token was copied above like any other header.
	creds := aws.Credentials{AccessKeyID: cred.accessKey, SecretAccessKey: secret}
	signer := v4.NewSigner()
	if err := signer.SignHTTP(context.Background(), creds, cp, payloadHash, cred.service, cred.region, signingTime); err != nil {
		return errForbidden("InvalidSignatureException", msgSignatureMismach)
	}
	want := cp.Header.Get("Authorization")
	if authField(want, "SignedHeaders=") != signed ||
		subtle.ConstantTimeCompare([]byte(authField(want, "Signature=")), []byte(sig)) != 1 {
		return errForbidden("InvalidSignatureException", msgSignatureMismach)
	}
	return nil
}

// authField returns the value of one "Name=value" field of an Authorization
// header ("" if absent).
func authField(auth, name string) string {
	i := strings.Index(auth, name)
	if i < 0 {
		return ""
	}
	v := auth[i+len(name):]
	if j := strings.IndexAny(v, ", "); j >= 0 {
		v = v[:j]
	}
	return v
}
