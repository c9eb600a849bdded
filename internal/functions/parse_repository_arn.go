package functions

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
)

// NewParseRepositoryARNFunction is provider::ecr::parse_repository_arn.
func NewParseRepositoryARNFunction() function.Function { return parseRepositoryARNFunction{} }

type parseRepositoryARNFunction struct{}

var parsedRepositoryARNAttrTypes = map[string]attr.Type{
	"partition":   types.StringType,
	"region":      types.StringType,
	"registry_id": types.StringType,
	"repository":  types.StringType,
}

func (parseRepositoryARNFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_repository_arn"
}

func (parseRepositoryARNFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Parses the ARN of an ECR repository",
		MarkdownDescription: "Splits `arn:<partition>:ecr:<region>:<registry_id>:repository/<repository>` into an object with " +
			"`partition`, `region`, `registry_id` and `repository`. Any other ARN is an error.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "arn", MarkdownDescription: "Repository ARN."},
		},
		Return: function.ObjectReturn{AttributeTypes: parsedRepositoryARNAttrTypes},
	}
}

func (parseRepositoryARNFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var text string
	resp.Error = req.Arguments.Get(ctx, &text)
	if resp.Error != nil {
		return
	}
	parsed, err := parseRepositoryARN(text)
	if err != nil {
		tflog.Debug(ctx, "parse_repository_arn: invalid ARN", map[string]any{"error": err.Error()})
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	obj, diags := types.ObjectValue(parsedRepositoryARNAttrTypes, map[string]attr.Value{
		"partition":   types.StringValue(parsed.Partition),
		"region":      types.StringValue(parsed.Region),
		"registry_id": types.StringValue(parsed.AccountID),
		"repository":  types.StringValue(strings.TrimPrefix(parsed.Resource, "repository/")),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

// parseRepositoryARN parses and checks an ECR repository ARN.
func parseRepositoryARN(text string) (arn.ARN, error) {
	parsed, err := arn.Parse(text)
	if err != nil {
		return parsed, fmt.Errorf("%q is not an ARN: %w", text, err)
	}
	name, ok := strings.CutPrefix(parsed.Resource, "repository/")
	switch {
	case parsed.Service != "ecr" || !ok:
		return parsed, fmt.Errorf("%q is not an ECR repository ARN: want arn:<partition>:ecr:<region>:<account>:repository/<name>", text)
	case ecruri.CheckRegion(parsed.Region) != nil:
		return parsed, fmt.Errorf("%q: %w", text, ecruri.CheckRegion(parsed.Region))
	case ecruri.CheckRegistryID(parsed.AccountID) != nil:
		return parsed, fmt.Errorf("%q: %w", text, ecruri.CheckRegistryID(parsed.AccountID))
	case ecruri.CheckRepository(name) != nil:
		return parsed, fmt.Errorf("%q: %w", text, ecruri.CheckRepository(name))
	}
	return parsed, nil
}
