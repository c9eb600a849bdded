package provider

import (
	"context"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ctxKey struct{}

// keeper is a provider server that keeps the context of every request, as
// the framework's registerContext does, and reports what it saw during it.
type keeper struct {
	tfprotov6.ProviderServer
	kept   []context.Context
	during []any
}

func (k *keeper) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	_ = cancel
	k.kept = append(k.kept, ctx)
	k.during = append(k.during, ctx.Value(ctxKey{}))
	return &tfprotov6.ReadResourceResponse{}, nil
}

func TestServer_releasesRequestContexts(t *testing.T) {
	k := &keeper{}
	s := Wrap(k)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "request values"))
	for range 3 {
		if _, err := s.ReadResource(parent, &tfprotov6.ReadResourceRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, ctx := range k.kept {
		if k.during[i] != "request values" {
			t.Errorf("request %d saw %v during the call, want the request's values", i, k.during[i])
		}
		if v := ctx.Value(ctxKey{}); v != nil {
			t.Errorf("request %d: a context kept after the call still reaches the request's values (%v)", i, v)
		}
	}
	// Cancellation during the request still reaches the framework's context.
	cancel()
	runtime.Gosched()
	for i, ctx := range k.kept {
		if ctx.Err() == nil {
			t.Errorf("request %d: the context derived during the call was not canceled with the request", i)
		}
	}
}

// The framework's server implements list resources and actions; the wrapper
// must keep both, or Terraform would find neither.
func TestServer_keepsOptionalServers(t *testing.T) {
	s := NewServer("test")()
	if _, ok := s.(tfprotov6.ProviderServerWithListResource); !ok { //nolint:staticcheck // what tf6server looks for
		t.Error("the server does not implement list resources")
	}
	if _, ok := s.(tfprotov6.ProviderServerWithActions); !ok { //nolint:staticcheck // what tf6server looks for
		t.Error("the server does not implement actions")
	}
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.ResourceSchemas) == 0 || len(resp.ListResourceSchemas) == 0 || len(resp.ActionSchemas) == 0 {
		t.Fatalf("GetProviderSchema through the wrapper: %v, %d resources, %d list resources, %d actions",
			err, len(resp.ResourceSchemas), len(resp.ListResourceSchemas), len(resp.ActionSchemas))
	}
}
