package ecr

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
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

// The ecr_repository list resource: `list "ecr_repository" "x" {}` blocks
// of `terraform query` (Terraform 1.14+) find the repositories of the
// registry, to import them or generate their configuration.
// hashicorp/aws lists every repository; the `name_prefix` and `tags`
// filters here keep a query to the repositories one means.

var (
	_ list.ListResourceWithConfigure = (*repositoryListResource)(nil)
)

// NewRepositoryListResource is the ecr_repository list resource.
func NewRepositoryListResource() list.ListResource { return &repositoryListResource{} }

type repositoryListResource struct {
	framework.ListResourceBase
}

type repositoryListModel struct {
	NamePrefix types.String `tfsdk:"name_prefix"`
	Region     types.String `tfsdk:"region"`
	Tags       types.Map    `tfsdk:"tags"`
}

func (l *repositoryListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository"
}

func (l *repositoryListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the repositories of the registry (`terraform query`), optionally only those whose name " +
			"starts with `name_prefix` and that carry all of `tags`. Each result has the repository's identity; with " +
			"`include_resource = true` also its full state, as an import would read it.",
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
				MarkdownDescription: "Only repositories whose name starts with this prefix, e.g. `team-a/`."},
			"region": listRegionAttribute(),
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Only repositories that have every one of these tags, with the same value. " +
					"Costs one `ListTagsForResource` call per repository whose name matches."},
		},
	}
}

func (l *repositoryListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg repositoryListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var want map[string]string
	if !cfg.Tags.IsNull() {
		if diags := cfg.Tags.ElementsAs(ctx, &want, false); diags.HasError() {
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
	}
	prefix := cfg.NamePrefix.ValueString()
	region := regionOf(l.Meta, cfg.Region)
	client := l.Meta.ClientIn(region)
	stream.Results = func(push func(list.ListResult) bool) {
		n := int64(0)
		for repo, err := range listRepositories(ctx, client, prefix) {
			if err != nil {
				var diags diag.Diagnostics
				diags.AddError("listing ECR Repositories", err.Error())
				push(list.ListResult{Diagnostics: diags})
				return
			}
			result, ok := l.result(ctx, req, client, region, repo, want)
			if !ok {
				continue
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

// result is the list result of one repository; false when the tags filter
// leaves it out (or it was deleted while listing).
func (l *repositoryListResource) result(ctx context.Context, req list.ListRequest, client *ecr.Client, region string,
	repo awstypes.Repository, want map[string]string) (list.ListResult, bool) {
	name := aws.ToString(repo.RepositoryName)
	ctx = tflog.SetField(ctx, "repository_name", name)
	result := req.NewListResult(ctx)
	result.DisplayName = name

	var remote map[string]string
	if len(want) > 0 || req.IncludeResource {
		var err error
		remote, err = listTags(ctx, client, aws.ToString(repo.RepositoryArn))
		if isRepositoryNotFound(err) {
			return result, false // deleted since DescribeRepositories
		}
		if err != nil {
			result.Diagnostics.AddError(fmt.Sprintf("listing tags of ECR Repository (%s)", name), err.Error())
			return result, true
		}
		if !hasTags(remote, want) {
			return result, false
		}
	}

	// What Read gives after an import: no prior configuration.
	m := repositoryResourceModel{
		ForceDelete: types.BoolValue(false),
		Region:      types.StringValue(region),
		Timeouts:    timeouts.Value{Object: nullTimeouts("create", "update", "delete")},
	}
	m.flatten(&repo)
	result.Diagnostics.Append(setIdentity(ctx, result.Identity, "name", m.identity())...)
	if req.IncludeResource {
		var diags diag.Diagnostics
		m.Tags, m.TagsAll, diags = readTags(ctx, l.Meta, remote, types.MapNull(types.StringType))
		result.Diagnostics.Append(diags...)
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	return result, true
}

// hasTags reports whether tags has every key of want with the same value.
func hasTags(tags, want map[string]string) bool {
	for k, v := range want {
		if got, ok := tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// listRepositories yields the repositories of the caller's registry whose
// name starts with prefix, page by page as the consumer asks for them; an
// error ends the sequence.
func listRepositories(ctx context.Context, client *ecr.Client, prefix string) iter.Seq2[awstypes.Repository, error] {
	return func(yield func(awstypes.Repository, error) bool) {
		p := ecr.NewDescribeRepositoriesPaginator(client, &ecr.DescribeRepositoriesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(awstypes.Repository{}, err)
				return
			}
			for _, repo := range page.Repositories {
				if !strings.HasPrefix(aws.ToString(repo.RepositoryName), prefix) {
					continue
				}
				if !yield(repo, nil) {
					return
				}
			}
		}
	}
}
