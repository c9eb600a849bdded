package emulator

import "net/http"

// extras holds fault injection, the call log and the consistency lag.
type extras struct{}

func (x *extras) init() {}

// intercept applies injected faults; true means the response was written.
func (x *extras) intercept(w http.ResponseWriter, r *http.Request, req *request) bool { return false }

// record appends the call to the call log.
func (x *extras) record(req *request, err error) {}

// created notes that an object was created (eventual-consistency lag).
func (x *extras) created(kind string, reg *Registry, key string) {}

// deleted notes that an object was deleted; ghost is what reads may still see.
func (x *extras) deleted(kind string, reg *Registry, key string, ghost any) {}
