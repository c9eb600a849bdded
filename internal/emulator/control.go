package emulator

import (
	"encoding/json"
	"net/http"
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
//	POST   /_emulator/reset         drop all ECR state (faults and calls are kept)
//	GET    /_emulator/state         the state snapshot (see Snapshot)
//	GET    /_emulator/layers/...    layer content: the URLs GetDownloadUrlForLayer answers
//	POST   /_emulator/lifecycle/run apply every lifecycle policy now; answers
//	                                {"results":[<LifecycleRunResult>...]}
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
//	                                  // repository_policy | lifecycle_policy | registry_policy (a glob)
//	}
//
// Errors are answered as {"error": "..."} with status 400 or 404.
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
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&f); err != nil {
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
	mux.HandleFunc("POST "+p+"reset", func(w http.ResponseWriter, _ *http.Request) {
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
	mux.HandleFunc("POST "+p+"lifecycle/run", func(w http.ResponseWriter, _ *http.Request) {
		results, err := e.RunLifecyclePolicies()
		if err != nil {
			controlError(w, http.StatusInternalServerError, "lifecycle run: "+err.Error())
			return
		}
		controlJSON(w, http.StatusOK, map[string][]LifecycleRunResult{"results": results})
	})
	mux.HandleFunc("GET "+LayerPathPrefix, e.serveLayer)
	mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) {
		controlError(w, http.StatusNotFound, "unknown control endpoint")
	})
	return mux
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
