package functions

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
)

// NewParseImageURIFunction is provider::ecr::parse_image_uri.
func NewParseImageURIFunction() function.Function { return parseImageURIFunction{} }

type parseImageURIFunction struct{}

var parsedImageURIAttrTypes = map[string]attr.Type{
	"registry_id": types.StringType,
	"region":      types.StringType,
	"repository":  types.StringType,
	"tag":         types.StringType,
	"digest":      types.StringType,
}

func (parseImageURIFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_image_uri"
}

func (parseImageURIFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Parses the URI of an ECR image",
		MarkdownDescription: "Splits `<registry_id>.dkr.ecr.<region>.<domain>/<repository>[:<tag>][@<digest>]` (any partition's " +
			"domain, FIPS endpoints too) into an object with `registry_id`, `region`, `repository`, `tag` and `digest`; " +
			"`tag` or `digest` is null when the URI has none. A URI without either is an error.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "uri", MarkdownDescription: "Image URI, as `docker pull` takes it."},
		},
		Return: function.ObjectReturn{AttributeTypes: parsedImageURIAttrTypes},
	}
}

func (parseImageURIFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var uri string
	resp.Error = req.Arguments.Get(ctx, &uri)
	if resp.Error != nil {
		return
	}
	img, err := ecruri.ParseImageURI(uri)
	if err != nil {
		tflog.Debug(ctx, "parse_image_uri: invalid URI", map[string]any{"error": err.Error()})
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	orNull := func(s string) attr.Value {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	obj, diags := types.ObjectValue(parsedImageURIAttrTypes, map[string]attr.Value{
		"registry_id": types.StringValue(img.RegistryID),
		"region":      types.StringValue(img.Region),
		"repository":  types.StringValue(img.Repository),
		"tag":         orNull(img.Tag),
		"digest":      orNull(img.Digest),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}
