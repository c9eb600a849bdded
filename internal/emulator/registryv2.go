package emulator

// The registry protocol (OCI distribution spec v1.1, the Docker registry
// HTTP API v2) on the emulator's own listener, under /v2/, as ECR serves it
// on <account>.dkr.ecr.<region>.amazonaws.com. It works on the same state
// as the JSON API: an image pushed here is what DescribeImages,
// BatchGetImage and ListImages see, and the reverse. Each request runs as
// the ECR operation ECR's CloudTrail logs for it (a manifest GET is
// BatchGetImage, a blob upload InitiateLayerUpload, UploadLayerPart and
// CompleteLayerUpload...), so fault rules and the call log apply to it under
// that name, and through the same locking and persistence as the JSON API.
//
// Authentication is ECR's: HTTP Basic with user AWS and the password of a
// GetAuthorizationToken token (auth.go). Repository and registry policies
// are not evaluated (neither are they on the JSON API).

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unique"
)

// RegistryPathPrefix is where the registry protocol is served.
const RegistryPathPrefix = "/v2/"

// reRegistryHost picks the registry a request names from its Host, as
// ECR's <account>.dkr.ecr.<region>.<domain> endpoints do.
var reRegistryHost = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.`)

// registryRoute is a parsed /v2/ path.
type registryRoute struct {
	name string // repository name
	kind string // "", "catalog", "tags", "manifests", "blobs", "uploads", "referrers"
	ref  string // tag or digest, blob digest, upload id
}

// parseRegistryPath splits the path after /v2/. A repository name may hold
// slashes, so the last of the endpoint markers decides.
func parseRegistryPath(p string) (registryRoute, bool) {
	if p == "" {
		return registryRoute{}, true
	}
	if p == "_catalog" {
		return registryRoute{kind: "catalog"}, true
	}
	if name, ok := strings.CutSuffix(p, "/tags/list"); ok {
		return registryRoute{name: name, kind: "tags"}, true
	}
	if name, ok := strings.CutSuffix(p, "/blobs/uploads"); ok {
		return registryRoute{name: name, kind: "uploads"}, true
	}
	best, route := -1, registryRoute{}
	for _, m := range []struct{ marker, kind string }{
		{"/blobs/uploads/", "uploads"}, {"/manifests/", "manifests"}, {"/blobs/", "blobs"}, {"/referrers/", "referrers"},
	} {
		i := strings.LastIndex(p, m.marker)
		// "/blobs/" also occurs in "/blobs/uploads/": the longer marker,
		// found at the same place, wins.
		if i > best {
			best, route = i, registryRoute{name: p[:i], kind: m.kind, ref: p[i+len(m.marker):]}
		}
	}
	if best < 0 || strings.Contains(route.ref, "/") {
		return registryRoute{}, false
	}
	return route, true
}

// registryCaller is who a registry request comes from and which registry it
// addresses.
type registryCaller struct {
	account, region string
}

// serveRegistry answers a request under RegistryPathPrefix.
func (e *Emulator) serveRegistry(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	c, oerr := e.registryAuth(r)
	if oerr != nil {
		if oerr.Status == http.StatusUnauthorized {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Basic realm="%s://%s/",service="ecr.amazonaws.com"`, scheme, r.Host))
		}
		writeOCIError(w, oerr)
		return
	}
	route, ok := parseRegistryPath(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/v2"), "/"))
	if !ok {
		writeOCIError(w, ociErr(http.StatusNotFound, "UNSUPPORTED", "no such endpoint: "+r.URL.Path))
		return
	}
	if route.kind != "" && route.kind != "catalog" && !reRepositoryName.MatchString(route.name) {
		writeOCIError(w, ociErr(http.StatusBadRequest, "NAME_INVALID", "invalid repository name '"+route.name+"'"))
		return
	}
	m := r.Method
	switch {
	case route.kind == "" && (m == http.MethodGet || m == http.MethodHead):
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		if m == http.MethodGet {
			_, _ = w.Write([]byte("{}"))
		}
	case route.kind == "catalog" && m == http.MethodGet:
		e.serveCatalog(w, r, c)
	case route.kind == "tags" && m == http.MethodGet:
		e.serveTagsList(w, r, c, route)
	case route.kind == "manifests" && (m == http.MethodGet || m == http.MethodHead):
		e.serveManifestGet(w, r, c, route)
	case route.kind == "manifests" && m == http.MethodPut:
		e.serveManifestPut(w, r, c, route)
	case route.kind == "manifests" && m == http.MethodDelete:
		e.serveManifestDelete(w, r, c, route)
	case route.kind == "referrers" && m == http.MethodGet:
		e.serveReferrers(w, r, c, route)
	case route.kind == "blobs" && (m == http.MethodGet || m == http.MethodHead):
		e.serveBlob(w, r, c, route)
	case route.kind == "uploads" && route.ref == "" && m == http.MethodPost:
		e.serveUploadStart(w, r, c, route)
	case route.kind == "uploads" && route.ref != "":
		e.serveUpload(w, r, c, route)
	default:
		// ECR does not delete blobs through the protocol either.
		writeOCIError(w, ociErr(http.StatusMethodNotAllowed, "UNSUPPORTED", r.Method+" is not supported on "+r.URL.Path))
	}
}

// registryAuth verifies the Basic credentials of a registry request: user
// AWS and the password of a token GetAuthorizationToken issued, not
// expired by the emulator's clock. The registry addressed is the one the
// Host names (<account>.dkr.ecr.<region>.<domain>), else the token's own: a
// token of another account is DENIED, one of another region UNAUTHORIZED.
func (e *Emulator) registryAuth(r *http.Request) (registryCaller, *ociError) {
	unauthorized := func(msg string) (registryCaller, *ociError) {
		return registryCaller{}, ociErr(http.StatusUnauthorized, "UNAUTHORIZED", msg)
	}
	user, password, ok := r.BasicAuth()
	if !ok {
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			// A token ECR issues is used the way Basic auth is: decode it.
			tok, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			if err == nil {
				user, password, ok = strings.Cut(string(tok), ":")
			}
		}
		if !ok {
			return unauthorized("authentication required: log in with the password of aws ecr get-login-password (user AWS)")
		}
	}
	claims, valid := e.verifyPassword(password)
	if user != "AWS" || !valid {
		return unauthorized("Your authorization token is invalid.")
	}
	if !e.now().Before(claims.expires) {
		return unauthorized("Your authorization token has expired. Reauthenticate and try again.")
	}
	c := registryCaller{account: unique.Make(claims.account).Value(), region: unique.Make(claims.region).Value()}
	if m := reRegistryHost.FindStringSubmatch(r.Host); m != nil {
		if m[1] != c.account {
			return registryCaller{}, ociErr(http.StatusForbidden, "DENIED",
				fmt.Sprintf("Your authorization token was issued for registry %s and does not give access to registry %s.", c.account, m[1]))
		}
		if m[2] != c.region {
			return unauthorized(fmt.Sprintf("Your authorization token was issued for region %s, not %s.", c.region, m[2]))
		}
	}
	return c, nil
}

// registryCall runs fn as the ECR operation op for the caller: fault rules
// for op apply (answered in the registry's form), fn runs under the state
// lock (read or write) and a write is persisted before registryCall
// returns, as for the JSON API. It answers the error itself and reports
// whether fn succeeded.
func (e *Emulator) registryCall(w http.ResponseWriter, r *http.Request, c registryCaller, op string, readOnly bool, fn func(req *request, reg *Registry) error) bool {
	req := &request{ctx: r.Context(), op: op, e: e, account: c.account, region: c.region, host: r.Host, tls: r.TLS != nil}
	capture := newFaultCapture(w)
	done, after := e.extra.intercept(capture, r, req)
	if done {
		capture.flush()
		return false
	}
	_, err := e.dispatch(operation{name: op, readOnly: readOnly, fn: func(req *request, reg *Registry) (any, error) {
		return nil, fn(req, reg)
	}}, req)
	if after != nil {
		e.extra.strike(capture, r, req, after)
		capture.flush()
		return false
	}
	if err != nil {
		// The call log names the ECR error when there is one.
		logged, oe := err, toOCIError(err)
		if errors.As(err, &oe) {
			logged = &APIError{Type: oe.Code, Status: oe.Status, Message: oe.Message}
		}
		e.extra.record(r, req, logged)
		writeOCIError(w, oe)
		return false
	}
	e.extra.record(r, req, nil)
	return true
}
