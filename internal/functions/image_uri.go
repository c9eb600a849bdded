// Package functions holds the provider functions (Terraform 1.8+, OpenTofu
// 1.7+), one file each; what they compute is in package ecruri.
package functions

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
)

// NewImageURIFunction is provider::ecr::image_uri.
func NewImageURIFunction() function.Function { return imageURIFunction{} }

type imageURIFunction struct{}

func (imageURIFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "image_uri"
}

func (imageURIFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Builds the URI of an ECR image",
		MarkdownDescription: "Returns `<registry_id>.dkr.ecr.<region>.<domain>/<repository>:<tag>` for a tag, or `...@<digest>` for a " +
			"digest (`sha256:...`), with the domain of the Region's partition (`amazonaws.com.cn` for `cn-*` Regions, " +
			"`c2s.ic.gov` for `us-iso-*`...).",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "registry_id", MarkdownDescription: "Registry (AWS account) id, 12 digits."},
			function.StringParameter{Name: "region", MarkdownDescription: "AWS Region of the registry, e.g. `us-west-2`."},
			function.StringParameter{Name: "repository", MarkdownDescription: "Repository name, e.g. `team-a/service`."},
			function.StringParameter{Name: "tag_or_digest", MarkdownDescription: "Image tag (`v1.2.3`) or digest (`sha256:...`)."},
		},
		Return: function.StringReturn{},
	}
}

func (imageURIFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var registryID, region, repository, ref string
	resp.Error = req.Arguments.Get(ctx, &registryID, &region, &repository, &ref)
	if resp.Error != nil {
		return
	}
	for i, err := range []error{ecruri.CheckRegistryID(registryID), ecruri.CheckRegion(region),
		ecruri.CheckRepository(repository), ecruri.CheckTagOrDigest(ref)} {
		if err != nil {
			tflog.Debug(ctx, "image_uri: invalid argument", map[string]any{"argument": i, "error": err.Error()})
			resp.Error = function.ConcatFuncErrors(resp.Error, function.NewArgumentFuncError(int64(i), err.Error()))
		}
	}
	if resp.Error != nil {
		return
	}
	resp.Error = resp.Result.Set(ctx, ecruri.ImageURI(registryID, region, repository, ref))
}
