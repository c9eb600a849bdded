package emulator

import "net/http"

// verifySignature checks a SigV4 signature against the configured
// credentials. Unknown key: UnrecognizedClientException; bad signature:
// InvalidSignatureException.
func (e *Emulator) verifySignature(r *http.Request, body []byte, auth string, cred credentialScope) *APIError {
	if _, ok := e.credentials[cred.accessKey]; !ok {
		return &APIError{Type: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
	}
	// TODO(H-D): full SigV4 verification.
	return nil
}
