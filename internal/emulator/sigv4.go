package emulator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
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
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

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
	signingTime, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || signingTime.Format("20060102") != cred.date {
		return errForbidden("InvalidSignatureException", msgSignatureMismach)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	switch h := r.Header.Get("X-Amz-Content-Sha256"); h {
	case "", payloadHash:
	case unsignedPayload:
		payloadHash = unsignedPayload
	default:
		// Assumption: a body that does not match its declared hash is
		// reported as a signature mismatch.
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
