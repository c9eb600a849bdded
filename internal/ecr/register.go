// Package ecr holds every ECR resource, data source and ephemeral resource.
package ecr

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists every resource of the provider.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewRepositoryResource,
		NewRepositoryPolicyResource,
		NewLifecyclePolicyResource,
		NewPullThroughCacheRuleResource,
		NewRepositoryCreationTemplateResource,
		NewAccountSettingResource,
		NewPullTimeUpdateExclusionResource,
		NewRegistryPolicyResource,
		NewRegistryScanningConfigurationResource,
		NewReplicationConfigurationResource,
		NewSigningConfigurationResource,
		NewReplicationRuleResource,
		NewImageTagResource,
		NewImageStorageClassResource,
	}
}

// DataSources lists every data source of the provider.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRepositoryDataSource,
		NewRepositoriesDataSource,
		NewLifecyclePolicyDocumentDataSource,
		NewPullThroughCacheRuleDataSource,
		NewPullThroughCacheRulesDataSource,
		NewRepositoryCreationTemplateDataSource,
		NewRepositoryCreationTemplatesDataSource,
		NewAccountSettingDataSource,
		NewAccountSettingsDataSource,
		NewPullTimeUpdateExclusionsDataSource,
		NewRepositoryScanningConfigurationDataSource,
		NewRegistryPolicyDataSource,
		NewRegistryScanningConfigurationDataSource,
		NewRegistryDataSource,
		NewSigningConfigurationDataSource,
		NewImageDataSource,
		NewImagesDataSource,
		NewAuthorizationTokenDataSource,
		NewImageScanFindingsDataSource,
		NewImageReferrersDataSource,
		NewImageReplicationStatusDataSource,
		NewImageSigningStatusDataSource,
		NewLifecyclePolicyPreviewDataSource,
	}
}

// EphemeralResources lists every ephemeral resource of the provider.
func EphemeralResources() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewAuthorizationTokenEphemeralResource,
	}
}

// ListResources lists every list resource (`terraform query`) of the provider.
func ListResources() []func() list.ListResource {
	return []func() list.ListResource{
		NewRepositoryListResource,
		NewRepositoryPolicyListResource,
		NewLifecyclePolicyListResource,
		NewPullThroughCacheRuleListResource,
		NewRepositoryCreationTemplateListResource,
		NewPullTimeUpdateExclusionListResource,
	}
}

// Actions lists every action of the provider.
func Actions() []func() action.Action {
	return []func() action.Action{
		NewLifecyclePolicyPreviewAction,
		NewValidatePullThroughCacheRuleAction,
		NewStartImageScanAction,
		NewImageStorageClassChangeAction,
		NewReplicationBackfillAction,
	}
}
