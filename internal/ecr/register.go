// Package ecr holds every ECR resource, data source and ephemeral resource.
package ecr

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists every resource of the provider.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewRepositoryResource,
		NewRepositoryPolicyResource,
		NewLifecyclePolicyResource,
	}
}

// DataSources lists every data source of the provider.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRepositoryDataSource,
		NewRepositoriesDataSource,
		NewLifecyclePolicyDocumentDataSource,
	}
}
