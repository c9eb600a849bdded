package framework

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// metaFrom returns the provider's Meta from the ProviderData of any
// Configure request. nil ProviderData (validation and plans before the
// provider is configured) is nil Meta without an error.
func metaFrom(providerData any) (*Meta, diag.Diagnostics) {
	var diags diag.Diagnostics
	if providerData == nil {
		return nil, diags
	}
	m, ok := providerData.(*Meta)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("expected *framework.Meta, got %T; this is a bug in the provider", providerData))
	}
	return m, diags
}

// ResourceBase is embedded by every resource: it receives the provider's Meta.
type ResourceBase struct {
	Meta *Meta
}

// Configure implements resource.ResourceWithConfigure.
func (r *ResourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.Meta, resp.Diagnostics = metaFrom(req.ProviderData)
}

// DataSourceBase is embedded by every data source.
type DataSourceBase struct {
	Meta *Meta
}

// Configure implements datasource.DataSourceWithConfigure.
func (d *DataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.Meta, resp.Diagnostics = metaFrom(req.ProviderData)
}

// EphemeralResourceBase is embedded by every ephemeral resource.
type EphemeralResourceBase struct {
	Meta *Meta
}

// Configure implements ephemeral.EphemeralResourceWithConfigure.
func (e *EphemeralResourceBase) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.Meta, resp.Diagnostics = metaFrom(req.ProviderData)
}

// ListResourceBase is embedded by every list resource.
type ListResourceBase struct {
	Meta *Meta
}

// Configure implements list.ListResourceWithConfigure, whose Configure has
// the resource's signature (framework v1.19): with list.ConfigureRequest it
// would never be called and Meta would stay nil.
func (l *ListResourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.Meta, resp.Diagnostics = metaFrom(req.ProviderData)
}

// ActionBase is embedded by every action.
type ActionBase struct {
	Meta *Meta
}

// Configure implements action.ActionWithConfigure.
func (a *ActionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.Meta, resp.Diagnostics = metaFrom(req.ProviderData)
}

// The bases satisfy the framework's Configure interfaces (a wrong signature
// compiles but is never called).
var (
	_ interface {
		Configure(context.Context, resource.ConfigureRequest, *resource.ConfigureResponse)
	} = (*ListResourceBase)(nil)
)
