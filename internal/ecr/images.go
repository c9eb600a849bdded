package ecr

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// countImages counts the distinct image digests of a repository.
func countImages(ctx context.Context, client *ecr.Client, name, registryID string) (int, error) {
	digests := map[string]bool{}
	p := ecr.NewListImagesPaginator(client, &ecr.ListImagesInput{RepositoryName: aws.String(name), RegistryId: aws.String(registryID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, id := range page.ImageIds {
			digests[aws.ToString(id.ImageDigest)] = true
		}
	}
	return len(digests), nil
}

// imageSelectorModel names one image, for the data sources that read
// something about an image: the repository and a tag or digest.
type imageSelectorModel struct {
	ImageDigest    types.String `tfsdk:"image_digest"`
	ImageTag       types.String `tfsdk:"image_tag"`
	Region         types.String `tfsdk:"region"`
	RegistryID     types.String `tfsdk:"registry_id"`
	RepositoryName types.String `tfsdk:"repository_name"`
}

// imageSelectorAttributes are the selector's attributes, added to attrs.
// image_digest is also computed: a tag's digest.
func imageSelectorAttributes(attrs map[string]dsschema.Attribute) map[string]dsschema.Attribute {
	attrs["image_digest"] = dsschema.StringAttribute{Optional: true, Computed: true, Validators: imageDigestValidators(),
		MarkdownDescription: "Digest of the image; with `image_tag`, the digest the tag points at."}
	attrs["image_tag"] = dsschema.StringAttribute{Optional: true, Validators: imageTagValidators(),
		MarkdownDescription: "Tag of the image. At least one of `image_tag` and `image_digest`."}
	attrs["region"] = dataSourceRegionAttribute()
	attrs["registry_id"] = dsschema.StringAttribute{Optional: true, Computed: true, Validators: registryIDValidators(),
		MarkdownDescription: "Registry (account) id, 12 digits; defaults to the caller's."}
	attrs["repository_name"] = dsschema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
		MarkdownDescription: "Name of the repository."}
	return attrs
}

// imageSelectorValidators require a tag or a digest.
func imageSelectorValidators() []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.AtLeastOneOf(path.MatchRoot("image_tag"), path.MatchRoot("image_digest"))}
}

// id is the selector's image identifier.
func (m *imageSelectorModel) id() *awstypes.ImageIdentifier {
	return &awstypes.ImageIdentifier{ImageTag: m.ImageTag.ValueStringPointer(), ImageDigest: m.ImageDigest.ValueStringPointer()}
}

// ref names the image for messages.
func (m *imageSelectorModel) ref() string { return imageRef(m.RepositoryName.ValueString(), *m.id()) }

// resolve fills region, and the digest and registry of the image (one
// DescribeImages), and returns the Region's client.
func (m *imageSelectorModel) resolve(ctx context.Context, meta *framework.Meta) (*ecr.Client, error) {
	m.Region = types.StringValue(regionOf(meta, m.Region))
	client := meta.ClientIn(m.Region.ValueString())
	img, err := findImageByID(ctx, client, m.RegistryID.ValueStringPointer(), m.RepositoryName.ValueString(), *m.id())
	if err != nil {
		return nil, err
	}
	m.ImageDigest = types.StringPointerValue(img.ImageDigest)
	m.RegistryID = types.StringPointerValue(img.RegistryId)
	return client, nil
}

// imageFilter is what the image lists (ecr_images, the
// ecr_image_storage_class_change action) filter on that DescribeImages has
// no parameter for.
type imageFilter struct {
	after, before   time.Time // pushed at or after, before; zero: no bound
	prefix, pattern string    // a tag with this prefix, matching this pattern
	withArtifacts   bool      // keep signatures, attestations, SBOMs, SOCI indexes
}

// newImageFilter parses the filter arguments: RFC 3339 times (validated
// at plan time), a tag prefix, a tag pattern (`*` any characters).
func newImageFilter(pushedAfter, pushedBefore, tagPrefix, tagPattern types.String, withArtifacts bool) (imageFilter, error) {
	f := imageFilter{prefix: tagPrefix.ValueString(), pattern: tagPattern.ValueString(), withArtifacts: withArtifacts}
	var err error
	if s := pushedAfter.ValueString(); s != "" {
		if f.after, err = time.Parse(time.RFC3339, s); err != nil {
			return f, err
		}
	}
	if s := pushedBefore.ValueString(); s != "" {
		if f.before, err = time.Parse(time.RFC3339, s); err != nil {
			return f, err
		}
	}
	return f, nil
}

// keep reports whether an image passes the filter.
func (f imageFilter) keep(img *awstypes.ImageDetail) bool {
	pushed := aws.ToTime(img.ImagePushedAt)
	switch {
	case !f.withArtifacts && isArtifact(img),
		!f.after.IsZero() && pushed.Before(f.after),
		!f.before.IsZero() && !pushed.Before(f.before):
		return false
	}
	for _, t := range img.ImageTags {
		if (f.prefix == "" || strings.HasPrefix(t, f.prefix)) && (f.pattern == "" || wildcardMatch(f.pattern, t)) {
			return true
		}
	}
	return f.prefix == "" && f.pattern == ""
}
