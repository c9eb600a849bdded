// Command echoprovider is the provider's schemas with no work behind them:
// a lower bound for what any provider with these schemas costs Terraform in
// a plan. It answers GetProviderSchema (and everything but the calls below)
// with the real provider's server, and the calls Terraform makes for every
// resource in a plan with what a provider that has nothing to do would
// answer:
//   - ValidateResourceConfig: no diagnostics;
//   - UpgradeResourceState: the stored JSON, decoded with the schema;
//   - ReadResource: the prior state, private data and identity, unchanged;
//   - PlanResourceChange: the prior state (no change).
//
// It plans only resources that exist (a create gets an error). make
// bench-plan runs the same plan with it: the difference between it and the
// floor (terraform_data, in Terraform core) is the plugin protocol's cost,
// which no provider avoids, and the difference between it and the real
// provider is the provider's own. A test tool, never shipped.
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
)

func main() {
	err := tf6server.Serve("registry.terraform.io/ecrkit/ecr", func() tfprotov6.ProviderServer {
		return &echo{ProviderServer: provider.NewServer("echo")()}
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

type echo struct {
	tfprotov6.ProviderServer

	once  sync.Once
	types map[string]tftypes.Type // of each resource type's state
	err   error
}

// stateType is the type of typeName's state, from the real provider's schema.
func (e *echo) stateType(ctx context.Context, typeName string) (tftypes.Type, error) {
	e.once.Do(func() {
		resp, err := e.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil {
			e.err = err
			return
		}
		e.types = map[string]tftypes.Type{}
		for name, s := range resp.ResourceSchemas {
			e.types[name] = s.ValueType()
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	ty, ok := e.types[typeName]
	if !ok {
		return nil, fmt.Errorf("echoprovider: no resource type %q", typeName)
	}
	return ty, nil
}

func errorDiags(err error) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: "echoprovider", Detail: err.Error()}}
}

func (e *echo) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (e *echo) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	ty, err := e.stateType(ctx, req.TypeName)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiags(err)}, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(ty, tfprotov6.UnmarshalOpts{
		ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
	})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiags(err)}, nil
	}
	dv, err := tfprotov6.NewDynamicValue(ty, v)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errorDiags(err)}, nil
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (e *echo) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private, NewIdentity: req.CurrentIdentity}, nil
}

func (e *echo) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	// Terraform sends MessagePack, where null is the single byte 0xc0.
	if req.PriorState == nil || bytes.Equal(req.PriorState.MsgPack, []byte{0xc0}) {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errorDiags(fmt.Errorf("plans only resources that exist; %s would be created", req.TypeName))}, nil
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.PriorState, PlannedPrivate: req.PriorPrivate, PlannedIdentity: req.PriorIdentity}, nil
}
