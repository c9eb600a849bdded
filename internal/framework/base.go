package framework

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// ResourceBase is embedded by every resource: it receives the provider's Meta.
type ResourceBase struct {
	Meta *Meta
}

// Configure implements resource.ResourceWithConfigure.
func (r *ResourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return // ValidateConfig and plan before the provider is configured
	}
	m, ok := req.ProviderData.(*Meta)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("expected *framework.Meta, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	r.Meta = m
}

// DataSourceBase is embedded by every data source.
type DataSourceBase struct {
	Meta *Meta
}

// Configure implements datasource.DataSourceWithConfigure.
func (d *DataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	m, ok := req.ProviderData.(*Meta)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("expected *framework.Meta, got %T; this is a bug in the provider", req.ProviderData))
		return
	}
	d.Meta = m
}
