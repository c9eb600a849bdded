package ecr

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImageDataSource is the ecr_image data source.
func NewImageDataSource() datasource.DataSource { return &imageDataSource{} }

type imageDataSource struct {
	framework.DataSourceBase
}

func (d *imageDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image"
}

func (d *imageDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one image of a repository by tag, by digest, or the most recent one, like `aws_ecr_image` of the " +
			"hashicorp/aws provider, with the image's media types, storage class and pull time too. `most_recent` picks the " +
			"image a user would deploy: never a signature, attestation, SBOM or SOCI index (an image with a subject, a " +
			"non-image artifact type, or a cosign `sha256-<digest>.sig`/`.att`/`.sbom` tag), and for a multi-platform image " +
			"its index, never one of the per-platform images the index lists. Only `ACTIVE` (not archived) images are considered.",
		Attributes: map[string]schema.Attribute{
			"artifact_media_type": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Media type of the image's config (`application/vnd.oci.image.config.v1+json` for an image; an artifact's own type otherwise; null for an index)."},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The image digest."},
			"image_digest": schema.StringAttribute{Optional: true, Computed: true, Validators: imageDigestValidators(),
				MarkdownDescription: "Digest of the image (`sha256:...`) to read."},
			"image_manifest_media_type": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Media type of the manifest (an OCI or Docker image manifest, or an image index for a multi-platform image)."},
			"image_pushed_at": schema.Int64Attribute{Computed: true,
				MarkdownDescription: "When the image was pushed, in seconds since the Unix epoch (as `aws_ecr_image`)."},
			"image_size_in_bytes": schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the image in bytes (the largest image for an index)."},
			"image_status": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Storage class status: `ACTIVE`, `ARCHIVED` or `ACTIVATING` (being restored)."},
			"image_tag": schema.StringAttribute{Optional: true, Validators: imageTagValidators(),
				MarkdownDescription: "Tag of the image to read."},
			"image_tags": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Every tag of the image."},
			"image_uri": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`<registry_id>.dkr.ecr.<region>.<domain>/<repository>@<digest>`, to pull exactly this image."},
			"last_activated_at": schema.StringAttribute{Computed: true,
				MarkdownDescription: "When the image was last restored from archive (RFC 3339), null if never."},
			"last_archived_at": schema.StringAttribute{Computed: true,
				MarkdownDescription: "When the image was last archived (RFC 3339), null if never."},
			"last_recorded_pull_time": schema.StringAttribute{Computed: true,
				MarkdownDescription: "When ECR last recorded a pull of the image (RFC 3339), null if never pulled."},
			"most_recent": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Read the most recently pushed deployable image (see above). Conflicts with `image_tag` and `image_digest`."},
			"region": dataSourceRegionAttribute(),
			"registry_id": schema.StringAttribute{Optional: true, Computed: true, Validators: registryIDValidators(),
				MarkdownDescription: "Registry (account) id, 12 digits; defaults to the caller's."},
			"repository_name": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository."},
			"subject_manifest_digest": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Digest of the image this one refers to (for a signature, attestation or SBOM), null otherwise."},
		},
	}
}

func (d *imageDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.AtLeastOneOf(path.MatchRoot("image_tag"), path.MatchRoot("image_digest"), path.MatchRoot("most_recent")),
		datasourcevalidator.Conflicting(path.MatchRoot("most_recent"), path.MatchRoot("image_tag")),
		datasourcevalidator.Conflicting(path.MatchRoot("most_recent"), path.MatchRoot("image_digest")),
	}
}

func (d *imageDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imageDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := data.RepositoryName.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	id := awstypes.ImageIdentifier{ImageTag: data.ImageTag.ValueStringPointer(), ImageDigest: data.ImageDigest.ValueStringPointer()}
	summary := fmt.Sprintf("reading ECR Image (%s)", imageRef(name, id))
	data.Region = types.StringValue(regionOf(d.Meta, data.Region))
	client := d.Meta.ClientIn(data.Region.ValueString())
	registryID := data.RegistryID.ValueStringPointer()

	var img *awstypes.ImageDetail
	var err error
	switch {
	case data.MostRecent.ValueBool():
		summary = fmt.Sprintf("reading the most recent ECR Image of %s", name)
		img, err = findMostRecentImage(ctx, client, registryID, name)
	case id.ImageTag == nil && id.ImageDigest == nil:
		resp.Diagnostics.AddAttributeError(path.Root("most_recent"), summary,
			"most_recent = false names no image: set image_tag, image_digest, or most_recent = true.")
		return
	default:
		img, err = findImageByID(ctx, client, registryID, name, id)
	}
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	data.flatten(img, data.Region.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type imageDataSourceModel struct {
	ArtifactMediaType      types.String `tfsdk:"artifact_media_type"`
	ID                     types.String `tfsdk:"id"`
	ImageDigest            types.String `tfsdk:"image_digest"`
	ImageManifestMediaType types.String `tfsdk:"image_manifest_media_type"`
	ImagePushedAt          types.Int64  `tfsdk:"image_pushed_at"`
	ImageSizeInBytes       types.Int64  `tfsdk:"image_size_in_bytes"`
	ImageStatus            types.String `tfsdk:"image_status"`
	ImageTag               types.String `tfsdk:"image_tag"`
	ImageTags              []string     `tfsdk:"image_tags"`
	ImageURI               types.String `tfsdk:"image_uri"`
	LastActivatedAt        types.String `tfsdk:"last_activated_at"`
	LastArchivedAt         types.String `tfsdk:"last_archived_at"`
	LastRecordedPullTime   types.String `tfsdk:"last_recorded_pull_time"`
	MostRecent             types.Bool   `tfsdk:"most_recent"`
	Region                 types.String `tfsdk:"region"`
	RegistryID             types.String `tfsdk:"registry_id"`
	RepositoryName         types.String `tfsdk:"repository_name"`
	SubjectManifestDigest  types.String `tfsdk:"subject_manifest_digest"`
}

func (m *imageDataSourceModel) flatten(img *awstypes.ImageDetail, region string) {
	m.ArtifactMediaType = types.StringPointerValue(img.ArtifactMediaType)
	m.ID = types.StringPointerValue(img.ImageDigest)
	m.ImageDigest = types.StringPointerValue(img.ImageDigest)
	m.ImageManifestMediaType = types.StringPointerValue(img.ImageManifestMediaType)
	m.ImagePushedAt = epochSeconds(img.ImagePushedAt)
	m.ImageSizeInBytes = types.Int64PointerValue(img.ImageSizeInBytes)
	m.ImageStatus = types.StringValue(string(img.ImageStatus))
	m.ImageTags = append([]string{}, img.ImageTags...)
	m.ImageURI = types.StringValue(ecruri.ImageURI(aws.ToString(img.RegistryId), region, aws.ToString(img.RepositoryName), aws.ToString(img.ImageDigest)))
	m.LastActivatedAt = rfc3339(img.LastActivatedAt)
	m.LastArchivedAt = rfc3339(img.LastArchivedAt)
	m.LastRecordedPullTime = rfc3339(img.LastRecordedPullTime)
	m.RegistryID = types.StringPointerValue(img.RegistryId)
	m.SubjectManifestDigest = types.StringPointerValue(img.SubjectManifestDigest)
}

// rfc3339 is a timestamp attribute: RFC 3339 in UTC, null when absent.
func rfc3339(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// epochSeconds is a timestamp in seconds since the Unix epoch, null when absent.
func epochSeconds(t *time.Time) types.Int64 {
	if t == nil {
		return types.Int64Null()
	}
	return types.Int64Value(t.Unix())
}

// imageTagPattern is ECR's ImageTag: up to 300 characters; the OCI tag
// grammar limits what a client can push to this.
var imageTagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$`)

func imageTagValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(imageTagPattern,
		"must be an image tag: letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, at most 300 characters")}
}

// imageDigestPattern is an OCI digest (<algorithm>:<encoded>).
var imageDigestPattern = regexp.MustCompile(`^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)

func imageDigestValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(imageDigestPattern, "must be an image digest such as `sha256:<64 hex digits>`")}
}

// imageRef names an image for messages: repository:tag, repository@digest
// or both.
func imageRef(repository string, id awstypes.ImageIdentifier) string {
	s := repository
	if id.ImageTag != nil {
		s += ":" + aws.ToString(id.ImageTag)
	}
	if id.ImageDigest != nil {
		s += "@" + aws.ToString(id.ImageDigest)
	}
	return s
}

// imageConfigMediaTypes are the config media types of container images:
// an image whose config has another type is an artifact.
var imageConfigMediaTypes = []string{
	"application/vnd.oci.image.config.v1+json",
	"application/vnd.docker.container.image.v1+json",
}

// cosignTagPattern is the tag cosign gives signatures, attestations and
// SBOMs it stores without the referrers API (no subject): sha256-<hex>.sig.
var cosignTagPattern = regexp.MustCompile(`^sha256-[0-9a-f]{64}\.(sig|att|sbom)$`)

// isArtifact reports whether an image is something other than a
// deployable image: a signature, attestation, SBOM or SOCI index (it has a
// subject, or a non-image config type, or a cosign tag).
func isArtifact(img *awstypes.ImageDetail) bool {
	if aws.ToString(img.SubjectManifestDigest) != "" {
		return true
	}
	if t := aws.ToString(img.ArtifactMediaType); t != "" && !slices.Contains(imageConfigMediaTypes, t) {
		return true
	}
	return len(img.ImageTags) > 0 && slices.ContainsFunc(img.ImageTags, cosignTagPattern.MatchString)
}

// isIndex reports whether an image is a multi-platform image (an OCI image
// index or a Docker manifest list).
func isIndex(img *awstypes.ImageDetail) bool {
	switch aws.ToString(img.ImageManifestMediaType) {
	case "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json":
		return true
	}
	return false
}

// findImageByID describes one image by tag and/or digest, in any storage
// class.
func findImageByID(ctx context.Context, client *ecr.Client, registryID *string, repository string, id awstypes.ImageIdentifier) (*awstypes.ImageDetail, error) {
	out, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RegistryId: registryID, RepositoryName: aws.String(repository), ImageIds: []awstypes.ImageIdentifier{id},
	})
	what := fmt.Sprintf("image %s", imageRef(repository, id))
	switch {
	case isImageNotFound(err), isRepositoryNotFound(err):
		return nil, &notFoundError{what: what, err: err}
	case err != nil:
		return nil, err
	case len(out.ImageDetails) == 0:
		return nil, &notFoundError{what: what}
	}
	return &out.ImageDetails[0], nil
}

// findMostRecentImage returns the most recently pushed ACTIVE image of a
// repository that is neither an artifact nor an image a multi-platform
// index of the repository lists. It reads every page of DescribeImages and,
// only when the newest candidate is not an index while the repository has
// indexes, their manifests (BatchGetImage, 100 a call): an index is pushed
// after the images it lists, so this is rare (equal push times are
// resolved in favour of the index), but a listed image pushed again later
// must not win.
func findMostRecentImage(ctx context.Context, client *ecr.Client, registryID *string, repository string) (*awstypes.ImageDetail, error) {
	var candidates []awstypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{RegistryId: registryID, RepositoryName: aws.String(repository)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isRepositoryNotFound(err) {
			return nil, &notFoundError{what: "repository " + repository, err: err}
		}
		if err != nil {
			return nil, err
		}
		for _, img := range page.ImageDetails {
			if !isArtifact(&img) {
				candidates = append(candidates, img)
			}
		}
	}
	sortNewestFirst(candidates)
	var listed map[string]bool // digests some index lists, read on first need
	for i := range candidates {
		img := &candidates[i]
		if !isIndex(img) {
			if listed == nil {
				var err error
				if listed, err = indexedDigests(ctx, client, registryID, repository, candidates); err != nil {
					return nil, fmt.Errorf("reading the manifests of the multi-platform images: %w", err)
				}
			}
			if listed[aws.ToString(img.ImageDigest)] {
				continue
			}
		}
		return img, nil
	}
	return nil, &notFoundError{what: fmt.Sprintf("image in repository %s (it has no ACTIVE image other than signatures, attestations and SBOMs)", repository)}
}

// sortNewestFirst sorts images by push time, newest first; on equal times
// an index comes before other images (it lists them), then by digest.
func sortNewestFirst(images []awstypes.ImageDetail) {
	slices.SortStableFunc(images, func(a, b awstypes.ImageDetail) int {
		if c := aws.ToTime(b.ImagePushedAt).Compare(aws.ToTime(a.ImagePushedAt)); c != 0 {
			return c
		}
		if ia, ib := isIndex(&a), isIndex(&b); ia != ib {
			if ia {
				return -1
			}
			return 1
		}
		return strings.Compare(aws.ToString(a.ImageDigest), aws.ToString(b.ImageDigest))
	})
}

// indexedDigests returns the digests the indexes among images list (an
// empty, non-nil map when there are none).
func indexedDigests(ctx context.Context, client *ecr.Client, registryID *string, repository string, images []awstypes.ImageDetail) (map[string]bool, error) {
	listed := map[string]bool{}
	var ids []awstypes.ImageIdentifier
	for i := range images {
		if isIndex(&images[i]) {
			ids = append(ids, awstypes.ImageIdentifier{ImageDigest: images[i].ImageDigest})
		}
	}
	for batch := range slices.Chunk(ids, 100) {
		out, err := client.BatchGetImage(ctx, &ecr.BatchGetImageInput{
			RegistryId: registryID, RepositoryName: aws.String(repository), ImageIds: batch,
			AcceptedMediaTypes: []string{"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"},
		})
		if err != nil {
			return nil, err
		}
		for _, img := range out.Images {
			var index struct {
				Manifests []struct {
					Digest string `json:"digest"`
				} `json:"manifests"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(img.ImageManifest)), &index); err != nil {
				return nil, fmt.Errorf("manifest %s: %w", aws.ToString(img.ImageId.ImageDigest), err)
			}
			for _, m := range index.Manifests {
				listed[m.Digest] = true
			}
		}
	}
	return listed, nil
}
