package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// ControlPrefix is the path under which ControlHandler serves.
const ControlPrefix = "/_emulator/"

// ControlHandler returns the control API of the standalone server. It
// serves only paths under ControlPrefix, so it can share a mux with the ECR
// API at "/":
//
//	GET    /_emulator/health        {"status":"ok"}
//	GET    /_emulator/calls         {"calls":[{"op","account","region","errorCode","fault","attempt","time"}...]}
//	DELETE /_emulator/calls         empty the call log and counts
//	GET    /_emulator/counts        {"DescribeRepositories":3,...}
//	GET    /_emulator/faults        {"faults":[<rule>...]}
//	POST   /_emulator/faults        install a rule; answers {"id":"f1"}
//	DELETE /_emulator/faults        remove every rule
//	DELETE /_emulator/faults/{id}   remove one rule (404 if unknown)
//	POST   /_emulator/reset         drop all ECR state and layer content (faults and calls are kept)
//	GET    /_emulator/state         the state snapshot (see Snapshot)
//	GET    /_emulator/layers/...    layer content: the URLs GetDownloadUrlForLayer answers
//	                                (presigned under credentials, see LayerPathPrefix)
//	POST   /_emulator/lifecycle/run apply every lifecycle policy now; answers
//	                                {"results":[<LifecycleRunResult>...]}
//	POST   /_emulator/upstream-secrets  {"arn":"arn:aws:secretsmanager:...:secret:ecr-pullthroughcache/...",
//	                                "username":"...","accessToken":"..."}: the value of a pull-through
//	                                cache rule's credentialArn (see SetUpstreamSecret); answers {"arn":...}
//	DELETE /_emulator/upstream-secrets  forget every secret
//
// A rule is the JSON form of Fault:
//
//	{
//	  "op":          "Describe*",     // path.Match glob over the operation name; default "*"
//	  "account":     "111122223333",  // optional: only this caller account
//	  "region":      "eu-west-1",     // optional: only this region
//	  "probability": 0.5,             // optional: chance a matching call fires; default always
//	  "count":       2,               // optional: fire for the first N matching calls only
//	  "action":      "throttle",      // throttle | throttle429 | server-error | unavailable |
//	                                  // latency | hang | drop | error | lag
//	  "after":       true,            // optional: run the operation first, then answer the fault
//	  "latency":     "250ms",         // latency: the delay
//	  "errorType":   "LimitExceededException", "message": "...", "status": 400,  // error
//	  "extra":       {"kmsError": "DisabledException"},  // error: more members of its body
//	  "kind":        "repository", "lagReads": 2, "lagFor": "5s"                 // lag; kind: repository |
//	                                  // repository_policy | lifecycle_policy | registry_policy |
//	                                  // replication_configuration | scanning_configuration |
//	                                  // signing_configuration | pull_through_cache_rule |
//	                                  // repository_creation_template | account_setting |
//	                                  // pull_time_update_exclusion (a glob)
//	}
//
// Every request body is JSON: a member the endpoint does not know is a 400
// naming it; the bodies of reset and lifecycle/run may be empty or {}.
// POST requests must be Content-Type application/json; browsers'
// cross-origin state-changing requests are refused; with credentials,
// requests must be SigV4-signed (see guardControl).
//
// Errors are answered as {"error": "..."} with status 400, 403, 404 or 415.
func (e *Emulator) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	p := ControlPrefix
	mux.HandleFunc("GET "+p+"health", func(w http.ResponseWriter, _ *http.Request) {
		controlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+p+"calls", func(w http.ResponseWriter, _ *http.Request) {
		controlJSON(w, http.StatusOK, map[string][]Call{"calls": nonNil(e.Calls())})
	})
	mux.HandleFunc("DELETE "+p+"calls", func(w http.ResponseWriter, _ *http.Request) {
		e.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"counts", func(w http.ResponseWriter, _ *http.Request) {
		controlJSON(w, http.StatusOK, e.CallCounts())
	})
	mux.HandleFunc("GET "+p+"faults", func(w http.ResponseWriter, _ *http.Request) {
		controlJSON(w, http.StatusOK, map[string][]Fault{"faults": nonNil(e.Faults().List())})
	})
	mux.HandleFunc("POST "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := decodeControl(r, &f, false); err != nil {
			controlError(w, http.StatusBadRequest, "invalid fault: "+err.Error())
			return
		}
		f.ID = ""
		id, err := e.Faults().Add(f)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		controlJSON(w, http.StatusCreated, map[string]string{"id": id})
	})
	mux.HandleFunc("DELETE "+p+"faults", func(w http.ResponseWriter, _ *http.Request) {
		e.Faults().Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE "+p+"faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !e.Faults().Remove(r.PathValue("id")) {
			controlError(w, http.StatusNotFound, "no fault "+r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+p+"reset", func(w http.ResponseWriter, r *http.Request) {
		if err := decodeControl(r, &struct{}{}, true); err != nil {
			controlError(w, http.StatusBadRequest, "invalid reset: "+err.Error())
			return
		}
		if err := e.resetState(); err != nil {
			controlError(w, http.StatusInternalServerError, "reset: "+err.Error())
			return
		}
		controlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+p+"state", func(w http.ResponseWriter, _ *http.Request) {
		snap, err := e.Snapshot()
		if err != nil {
			controlError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(snap)
	})
	mux.HandleFunc("POST "+p+"lifecycle/run", func(w http.ResponseWriter, r *http.Request) {
		if err := decodeControl(r, &struct{}{}, true); err != nil {
			controlError(w, http.StatusBadRequest, "invalid lifecycle run: "+err.Error())
			return
		}
		results, err := e.RunLifecyclePolicies()
		if err != nil {
			controlError(w, http.StatusInternalServerError, "lifecycle run: "+err.Error())
			return
		}
		controlJSON(w, http.StatusOK, map[string][]LifecycleRunResult{"results": results})
	})
	mux.HandleFunc("POST "+p+"upstream-secrets", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ARN string `json:"arn"`
			UpstreamSecret
		}
		if err := decodeControl(r, &in, false); err != nil {
			controlError(w, http.StatusBadRequest, "invalid upstream secret: "+err.Error())
			return
		}
		if err := e.SetUpstreamSecret(in.ARN, in.UpstreamSecret); err != nil {
			controlError(w, http.StatusBadRequest, "invalid upstream secret: "+err.Error())
			return
		}
		controlJSON(w, http.StatusCreated, map[string]string{"arn": in.ARN})
	})
	mux.HandleFunc("DELETE "+p+"upstream-secrets", func(w http.ResponseWriter, _ *http.Request) {
		e.ClearUpstreamSecrets()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+LayerPathPrefix, e.serveLayer)
	mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) {
		controlError(w, http.StatusNotFound, "unknown control endpoint")
	})
	return e.guardControl(mux)
}

// maxControlBody bounds a control API request body.
const maxControlBody = 1 << 20

// guardControl is what every control request passes before next:
//
//   - A state-changing request (any method but GET, HEAD, OPTIONS) is
//     refused (403) when a browser says it comes from another origin (an
//     Origin header whose host is not the request's Host, or Sec-Fetch-Site
//     other than same-origin/none), and a POST must be Content-Type
//     application/json: a cross-origin page can only send text/plain, form
//     or multipart bodies without a CORS preflight, and the emulator never
//     answers one (no Access-Control-* headers), so a page cannot wipe or
//     fault the emulator. curl and SDKs pay one header.
//   - With credentials (WithCredentials), every control request but GET
//     health and the layer download URLs (presigned, see serveLayer) must
//     be SigV4-signed by one of the configured keys, fresh and with its
//     payload signed, as ECR API requests are (any region and service in
//     the credential scope): e.g. curl --aws-sigv4 aws:amz:us-east-1:ecr
//     --user KEY:SECRET.
func (e *Emulator) guardControl(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.bodyDeadline(w, r)
		if strings.HasPrefix(r.URL.Path, LayerPathPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		stateChanging := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
		if stateChanging {
			if msg := crossOrigin(r); msg != "" {
				controlError(w, http.StatusForbidden, msg)
				return
			}
			if r.Method == http.MethodPost && !isJSON(r.Header.Get("Content-Type")) {
				controlError(w, http.StatusUnsupportedMediaType,
					"control API POST requests must have Content-Type: application/json")
				return
			}
		}
		if r.Method == http.MethodGet && r.URL.Path == ControlPrefix+"health" {
			next.ServeHTTP(w, r)
			return
		}
		// The body is read here, under the limits of every body (body.go),
		// and handed on in memory.
		body, err := e.readBody(w, r, maxControlBody)
		if err != nil {
			status := http.StatusBadRequest
			switch {
			case errors.Is(err, ErrBodyTooLarge):
				status = http.StatusRequestEntityTooLarge
			case errors.Is(err, ErrBodyBusy):
				status = http.StatusServiceUnavailable
			}
			controlError(w, status, "reading the request body: "+err.Error())
			return
		}
		if e.credentials != nil {
			auth := r.Header.Get("Authorization")
			if apiErr := e.verifySignature(r, body, auth, parseCredentialScope(auth)); apiErr != nil {
				controlError(w, apiErr.status(), apiErr.Type+": "+apiErr.Message)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// crossOrigin says why a browser request comes from another origin, or "".
func crossOrigin(r *http.Request) string {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "cross-origin control requests are refused (Sec-Fetch-Site: " + site + ")"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return "cross-origin control requests are refused (Origin: " + origin + ")"
		}
	}
	return ""
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// decodeControl decodes the JSON body of a control request into v,
// refusing unknown fields (the error names the field) and trailing data;
// an empty body is allowed when optional.
func decodeControl(r *http.Request, v any, optional bool) error {
	body, err := io.ReadAll(r.Body) // in memory: read by guardControl
	if err != nil {
		return err
	}
	if optional && len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func controlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		controlError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func controlError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
