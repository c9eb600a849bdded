package functions

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
)

// NewRepositoryARNFunction is provider::ecr::repository_arn.
func NewRepositoryARNFunction() function.Function { return repositoryARNFunction{} }

type repositoryARNFunction struct{}

func (repositoryARNFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "repository_arn"
}

func (repositoryARNFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Builds the ARN of an ECR repository",
		MarkdownDescription: "Returns `arn:<partition>:ecr:<region>:<registry_id>:repository/<repository>`, with the partition of " +
			"the Region (`aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`...), e.g. for an IAM policy naming a repository " +
			"that is not managed in this configuration.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "registry_id", MarkdownDescription: "Registry (AWS account) id, 12 digits."},
			function.StringParameter{Name: "region", MarkdownDescription: "AWS Region of the registry."},
			function.StringParameter{Name: "repository", MarkdownDescription: "Repository name."},
		},
		Return: function.StringReturn{},
	}
}

func (repositoryARNFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var registryID, region, repository string
	resp.Error = req.Arguments.Get(ctx, &registryID, &region, &repository)
	if resp.Error != nil {
		return
	}
	for i, err := range []error{ecruri.CheckRegistryID(registryID), ecruri.CheckRegion(region), ecruri.CheckRepository(repository)} {
		if err != nil {
			tflog.Debug(ctx, "repository_arn: invalid argument", map[string]any{"argument": i, "error": err.Error()})
			resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(int64(i), err.Error()))
		}
	}
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, ecruri.RepositoryARN(registryID, region, repository))
}
