package ecr

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_repository_creation_template list resource: `terraform query`
// finds the registry's repository creation templates.

var _ list.ListResourceWithConfigure = (*repositoryCreationTemplateListResource)(nil)

// NewRepositoryCreationTemplateListResource is the ecr_repository_creation_template list resource.
func NewRepositoryCreationTemplateListResource() list.ListResource {
	return &repositoryCreationTemplateListResource{}
}

type repositoryCreationTemplateListResource struct {
	framework.ListResourceBase
}

type repositoryCreationTemplateListModel struct {
	AppliedFor types.String `tfsdk:"applied_for"`
	Region     types.String `tfsdk:"region"`
}

func (l *repositoryCreationTemplateListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_creation_template"
}

func (l *repositoryCreationTemplateListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the repository creation templates of the registry (`terraform query`), optionally only those " +
			"applied for one purpose. Each result has the identity (prefix, account, Region); with `include_resource = true` " +
			"also the template, as an import would read it.",
		Attributes: map[string]schema.Attribute{
			"applied_for": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.RCTAppliedFor("").Values())...)},
				MarkdownDescription: "Only templates applied for this: `REPLICATION`, `PULL_THROUGH_CACHE` or `CREATE_ON_PUSH`."},
			"region": listRegionAttribute(),
		},
	}
}

func (l *repositoryCreationTemplateListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg repositoryCreationTemplateListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	region := regionOf(l.Meta, cfg.Region)
	client := l.Meta.ClientIn(region)
	stream.Results = func(push func(list.ListResult) bool) {
		account, err := l.Meta.AccountID(ctx)
		if err != nil {
			var diags diag.Diagnostics
			diags.AddError("reading the provider's account id", err.Error())
			push(list.ListResult{Diagnostics: diags})
			return
		}
		n := int64(0)
		for t, err := range listRepositoryCreationTemplates(ctx, client) {
			if err != nil {
				var diags diag.Diagnostics
				diags.AddError("listing ECR Repository Creation Templates", err.Error())
				push(list.ListResult{Diagnostics: diags})
				return
			}
			if a := cfg.AppliedFor.ValueString(); a != "" && !slices.Contains(t.AppliedFor, awstypes.RCTAppliedFor(a)) {
				continue
			}
			result := req.NewListResult(ctx)
			// What Read gives after an import.
			m := repositoryCreationTemplateModel{Region: types.StringValue(region), RegistryID: types.StringValue(account),
				ResourceTags: types.MapNull(types.StringType),
				Timeouts:     timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
			result.Diagnostics.Append(m.flatten(ctx, &t)...)
			result.DisplayName = aws.ToString(t.Prefix)
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, "prefix", m.identity())...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
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
