package provider

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer returns the provider's protocol 6 server: the framework's,
// with each request's context released when the request returns.
//
// Why: the framework (v1.19, internal/proto6server registerContext) keeps
// the cancel function of every request's context until StopProvider, which
// Terraform sends only on interrupt, so every context a provider process
// ever served stays reachable, and with it everything its values hold:
// terraform-plugin-go's per-request loggers (each a copy of the logger
// options with the request's fields), a few KB per request. In a plan of
// 3,000 resources that was the provider's peak RSS growing linearly with
// the configuration (98 MB at 600 resources, 294 MB at 3,000). Here the
// framework registers a context whose parent is detached once the request
// returns: what stays registered until StopProvider is a few hundred bytes
// per request instead.
//
// The streaming calls (ListResource, InvokeAction) keep using their context
// after they return, so they are passed through unchanged, as is
// StopProvider.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return Wrap(providerserver.NewProtocol6(New(version)())())
	}
}

// Wrap releases each request's context when the request returns (see
// NewServer). The framework's server implements list resources and
// actions; the wrapper forwards them.
func Wrap(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	w := &server{ProviderServer: s}
	w.ListResourceServer, _ = s.(tfprotov6.ListResourceServer)
	w.ActionServer, _ = s.(tfprotov6.ActionServer)
	return w
}

type server struct {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// tf6server finds list resources and actions through these interfaces
// (deprecated in favour of ProviderServer, which does not have the methods
// yet in terraform-plugin-go v0.31).
var (
	_ tfprotov6.ProviderServerWithListResource = (*server)(nil) //nolint:staticcheck // see above
	_ tfprotov6.ProviderServerWithActions      = (*server)(nil) //nolint:staticcheck // see above
)

// detachable is a context whose parent is replaced by an empty one when
// release is called: a context derived from it and kept after the request
// no longer keeps the request's values reachable. Until then it is its
// parent.
type detachable struct {
	mu     sync.RWMutex
	parent context.Context
}

func (c *detachable) get() context.Context {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.parent
}

func (c *detachable) release() {
	c.mu.Lock()
	c.parent = context.Background()
	c.mu.Unlock()
}

func (c *detachable) Deadline() (time.Time, bool) { return c.get().Deadline() }
func (c *detachable) Done() <-chan struct{}       { return c.get().Done() }
func (c *detachable) Err() error                  { return c.get().Err() }
func (c *detachable) Value(key any) any           { return c.get().Value(key) }

// serve calls f with a detachable context released when f returns.
func serve[Req, Resp any](ctx context.Context, req Req, f func(context.Context, Req) (Resp, error)) (Resp, error) {
	d := &detachable{parent: ctx}
	defer d.release()
	return f(d, req)
}

func (s *server) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return serve(ctx, req, s.ProviderServer.GetMetadata)
}

func (s *server) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return serve(ctx, req, s.ProviderServer.GetProviderSchema)
}

func (s *server) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return serve(ctx, req, s.ProviderServer.GetResourceIdentitySchemas)
}

func (s *server) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateProviderConfig)
}

func (s *server) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return serve(ctx, req, s.ProviderServer.ConfigureProvider)
}

// Resources.

func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadResource)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s *server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

// Data sources, functions, ephemeral resources.

func (s *server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s *server) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return serve(ctx, req, s.ProviderServer.GetFunctions)
}

func (s *server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(ctx, req, s.ProviderServer.CallFunction)
}

func (s *server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateEphemeralResourceConfig)
}

func (s *server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.OpenEphemeralResource)
}

func (s *server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.RenewEphemeralResource)
}

func (s *server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.CloseEphemeralResource)
}

// List resources and actions: validation and planning are unary; the
// streams (ListResource, InvokeAction) go through unchanged.

func (s *server) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return serve(ctx, req, s.ListResourceServer.ValidateListResourceConfig)
}

func (s *server) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return serve(ctx, req, s.ActionServer.ValidateActionConfig)
}

func (s *server) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return serve(ctx, req, s.ActionServer.PlanAction)
}
