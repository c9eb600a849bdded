package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The list resources of the repository-scoped policies (ecr_repository_policy,
// ecr_lifecycle_policy): `terraform query` finds the repositories that have
// such a policy. One Get call per repository: ECR has no call that lists
// policies.

var _ list.ListResourceWithConfigure = (*repositoryScopedPolicyListResource[iamPolicyDocument])(nil)

// NewRepositoryPolicyListResource is the ecr_repository_policy list resource.
func NewRepositoryPolicyListResource() list.ListResource {
	return &repositoryScopedPolicyListResource[iamPolicyDocument]{policy: repositoryPolicy}
}

// NewLifecyclePolicyListResource is the ecr_lifecycle_policy list resource.
func NewLifecyclePolicyListResource() list.ListResource {
	return &repositoryScopedPolicyListResource[lifecyclePolicyDocument]{policy: lifecyclePolicy}
}

type repositoryScopedPolicyListResource[K documentKind] struct {
	framework.ListResourceBase
	policy repositoryScopedPolicy[K]
}

type repositoryScopedPolicyListModel struct {
	NamePrefix types.String `tfsdk:"name_prefix"`
	Region     types.String `tfsdk:"region"`
}

func (l *repositoryScopedPolicyListResource[K]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + l.policy.typeName
}

func (l *repositoryScopedPolicyListResource[K]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the %ss of the registry (`terraform query`): one result per repository that has "+
			"one, optionally only repositories whose name starts with `name_prefix`. Each result has the identity "+
			"(repository, account, Region); with `include_resource = true` also the policy, as an import would read it.", l.policy.what),
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
				MarkdownDescription: "Only repositories whose name starts with this prefix, e.g. `team-a/`."},
			"region": listRegionAttribute(),
		},
	}
}

func (l *repositoryScopedPolicyListResource[K]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg repositoryScopedPolicyListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	region := regionOf(l.Meta, cfg.Region)
	client := l.Meta.ClientIn(region)
	stream.Results = func(push func(list.ListResult) bool) {
		n := int64(0)
		for repo, err := range listRepositories(ctx, client, cfg.NamePrefix.ValueString()) {
			if err != nil {
				var diags diag.Diagnostics
				diags.AddError("listing ECR Repositories", err.Error())
				push(list.ListResult{Diagnostics: diags})
				return
			}
			name := aws.ToString(repo.RepositoryName)
			out, err := l.policy.find(tflog.SetField(ctx, "repository_name", name), client, name)
			if isNotFound(err) {
				continue // no policy (or no repository any more)
			}
			result := req.NewListResult(ctx)
			result.DisplayName = name
			if err != nil {
				result.Diagnostics.AddError(fmt.Sprintf("reading %s (%s)", l.policy.what, name), err.Error())
			} else {
				l.fill(ctx, req, &result, region, name, out)
			}
			if !push(result) {
				return
			}
			if n++; req.Limit > 0 && n >= req.Limit {
				return
			}
		}
	}
}

// fill sets the identity of a policy found, and its state when asked for.
func (l *repositoryScopedPolicyListResource[K]) fill(ctx context.Context, req list.ListRequest, result *list.ListResult, region, name string, out repositoryScopedPolicyOutput) {
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, "repository",
		identityModel{Key: name, AccountID: aws.ToString(out.registryID), Region: region})...)
	if !req.IncludeResource {
		return
	}
	// What Read gives after an import (see its comment on the policy).
	result.Diagnostics.Append(result.Resource.Set(ctx, &repositoryScopedPolicyModel[K]{
		ID:         types.StringValue(name),
		Repository: types.StringValue(name),
		Policy:     newJSONDocumentValue[K](normalizeJSON(aws.ToString(out.text))),
		Region:     types.StringValue(region),
		RegistryID: types.StringPointerValue(out.registryID),
		Timeouts:   timeouts.Value{Object: nullTimeouts("create", "update", "delete")},
	})...)
}
