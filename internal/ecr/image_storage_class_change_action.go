package ecr

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_image_storage_class_change action (Terraform 1.14+) archives or
// restores, once, the images of a repository that match a filter: what
// ecr_image_storage_class keeps for one image, done to many without
// managing them. Restores are waited out through ACTIVATING.

var (
	_ action.ActionWithConfigure        = (*imageStorageClassChangeAction)(nil)
	_ action.ActionWithConfigValidators = (*imageStorageClassChangeAction)(nil)
)

// NewImageStorageClassChangeAction is the ecr_image_storage_class_change action.
func NewImageStorageClassChangeAction() action.Action { return &imageStorageClassChangeAction{} }

type imageStorageClassChangeAction struct {
	framework.ActionBase
}

type imageStorageClassChangeModel struct {
	ImageDigests       []string     `tfsdk:"image_digests"`
	ImageTags          []string     `tfsdk:"image_tags"`
	PushedAfter        types.String `tfsdk:"pushed_after"`
	PushedBefore       types.String `tfsdk:"pushed_before"`
	Region             types.String `tfsdk:"region"`
	Repository         types.String `tfsdk:"repository"`
	TagPattern         types.String `tfsdk:"tag_pattern"`
	TagPrefix          types.String `tfsdk:"tag_prefix"`
	TargetStorageClass types.String `tfsdk:"target_storage_class"`
	Timeout            types.String `tfsdk:"timeout"`
}

// imageStorageClassChangeFilters are the arguments that select images; the
// action needs at least one, so that it never moves a whole repository by
// omission.
var imageStorageClassChangeFilters = []string{"image_digests", "image_tags", "pushed_after", "pushed_before", "tag_pattern", "tag_prefix"}

func (a *imageStorageClassChangeAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_storage_class_change"
}

func (a *imageStorageClassChangeAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Archives or restores, once, the images of a repository that match a filter " +
			"(`UpdateImageStorageClass` per image), without managing them as `ecr_image_storage_class` does. The images " +
			"named in `image_tags` or `image_digests` (each must exist), narrowed by the other filters, which select " +
			"among all the repository's images when neither list is set; signatures, attestations, SBOMs and SOCI indexes " +
			"are moved only when named. Images already in the target class are left alone; a restore is waited out " +
			"through `ACTIVATING`. Each image is reported as a progress message; an image ECR refuses to move fails the " +
			"action with ECR's message, after the others have moved. Invoke it with `terraform apply " +
			"-invoke=action.ecr_image_storage_class_change.<name>` or from an `action_trigger`. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"image_digests": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(imageDigestValidators()...)},
				MarkdownDescription: "Digests of images to move."},
			"image_tags": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(imageTagValidators()...)},
				MarkdownDescription: "Tags of images to move."},
			"pushed_after": schema.StringAttribute{Optional: true, Validators: []validator.String{rfc3339Validator{}},
				MarkdownDescription: "Only images pushed at or after this time (RFC 3339, e.g. `2026-01-01T00:00:00Z`)."},
			"pushed_before": schema.StringAttribute{Optional: true, Validators: []validator.String{rfc3339Validator{}},
				MarkdownDescription: "Only images pushed before this time (RFC 3339)."},
			"region": schema.StringAttribute{Optional: true, Validators: regionValidators(), MarkdownDescription: regionDescription},
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository."},
			"tag_pattern": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.LengthBetween(1, 300)},
				MarkdownDescription: "Only images with a tag matching this pattern, where `*` matches any characters (`release-*`)."},
			"tag_prefix": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.LengthBetween(1, 300)},
				MarkdownDescription: "Only images with a tag starting with this prefix."},
			"target_storage_class": schema.StringAttribute{Required: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.TargetStorageClass("").Values())...)},
				MarkdownDescription: "`ARCHIVE` (archive the images) or `STANDARD` (restore them)."},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}},
				MarkdownDescription: "How long the whole change may take, restores included, e.g. `\"1h\"`. Default `\"8h\"` " +
					"(an ECR restore can take hours)."},
		},
	}
}

func (a *imageStorageClassChangeAction) ConfigValidators(context.Context) []action.ConfigValidator {
	paths := make([]path.Expression, len(imageStorageClassChangeFilters))
	for i, name := range imageStorageClassChangeFilters {
		paths[i] = path.MatchRoot(name)
	}
	return []action.ConfigValidator{actionvalidator.AtLeastOneOf(paths...)}
}

func (a *imageStorageClassChangeAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg imageStorageClassChangeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := imageStorageClassTimeout
	if s := cfg.Timeout.ValueString(); s != "" {
		timeout, _ = time.ParseDuration(s) // validated
	}
	name, class := cfg.Repository.ValueString(), cfg.TargetStorageClass.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("moving ECR Images of %s to %s", name, class)
	progress := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		tflog.Debug(ctx, msg)
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := a.Meta.ClientIn(regionOf(a.Meta, cfg.Region))

	images, err := cfg.selectImages(ctx, client)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	progress("%s: %d image(s) match", name, len(images))

	// Move every image first, then wait for the restores together.
	var restoring []awstypes.ImageDetail
	moved, already := 0, 0
	for _, img := range images {
		ref := describeImage(name, &img)
		digest := aws.ToString(img.ImageDigest)
		switch {
		case img.ImageStatus == awstypes.ImageStatusActivating && class == string(awstypes.TargetStorageClassStandard):
			progress("%s: being restored already", ref)
			restoring = append(restoring, img)
			continue
		case storageClassOf(img.ImageStatus) == class:
			progress("%s: in %s already", ref, class)
			already++
			continue
		}
		if err := updateImageStorageClass(ctx, client, name, digest, class); err != nil {
			progress("%s: ECR refused to move it to %s", ref, class)
			resp.Diagnostics.AddError(fmt.Sprintf("moving ECR Image (%s@%s) to %s", name, digest, class), err.Error())
			continue
		}
		moved++
		if class == string(awstypes.TargetStorageClassArchive) {
			progress("%s: archived", ref)
			continue
		}
		progress("%s: restore started (ACTIVATING)", ref)
		restoring = append(restoring, img)
	}
	start := time.Now()
	for _, img := range restoring {
		digest := aws.ToString(img.ImageDigest)
		if _, err := waitForImageStatus(ctx, client, name, digest, string(awstypes.ImageStatusActive)); err != nil {
			resp.Diagnostics.AddError(fmt.Sprintf("waiting for the restore of ECR Image (%s@%s)", name, digest),
				fmt.Sprintf("%s; set a longer `timeout` if it was still ACTIVATING", err))
			continue
		}
		progress("%s: restored (ACTIVE) after %s", describeImage(name, &img), time.Since(start).Round(time.Second))
	}
	refused := ""
	if n := resp.Diagnostics.ErrorsCount(); n > 0 {
		refused = fmt.Sprintf(", %d failed", n)
	}
	progress("%s: %d image(s) moved to %s, %d in it already%s", name, moved, class, already, refused)
}

// selectImages lists the repository's images (every page, any storage
// status) and keeps those the filters select. Images named in image_tags
// or image_digests must exist.
func (m *imageStorageClassChangeModel) selectImages(ctx context.Context, client *ecr.Client) ([]awstypes.ImageDetail, error) {
	named := len(m.ImageTags) > 0 || len(m.ImageDigests) > 0
	filter, err := newImageFilter(m.PushedAfter, m.PushedBefore, m.TagPrefix, m.TagPattern, named)
	if err != nil {
		return nil, err
	}
	missingTags, missingDigests := slices.Clone(m.ImageTags), slices.Clone(m.ImageDigests)
	var out []awstypes.ImageDetail
	p := ecr.NewDescribeImagesPaginator(client, &ecr.DescribeImagesInput{RepositoryName: m.Repository.ValueStringPointer(),
		Filter: &awstypes.DescribeImagesFilter{ImageStatus: awstypes.ImageStatusFilterAny}},
		func(o *ecr.DescribeImagesPaginatorOptions) { o.Limit = 1000 })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, img := range page.ImageDetails {
			isNamed := slices.Contains(m.ImageDigests, aws.ToString(img.ImageDigest)) ||
				slices.ContainsFunc(img.ImageTags, func(t string) bool { return slices.Contains(m.ImageTags, t) })
			missingDigests = slices.DeleteFunc(missingDigests, func(d string) bool { return d == aws.ToString(img.ImageDigest) })
			missingTags = slices.DeleteFunc(missingTags, func(t string) bool { return slices.Contains(img.ImageTags, t) })
			if (isNamed || !named) && filter.keep(&img) {
				out = append(out, img)
			}
		}
	}
	if missing := slices.Concat(missingTags, missingDigests); len(missing) > 0 {
		return nil, fmt.Errorf("%s has no image %s; nothing was moved", m.Repository.ValueString(), strings.Join(missing, ", "))
	}
	sortNewestFirst(out)
	return out, nil
}

// describeImage names an image for progress messages:
// "repo@sha256:... (tags: v1, latest)".
func describeImage(repository string, img *awstypes.ImageDetail) string {
	tags := "untagged"
	if len(img.ImageTags) > 0 {
		tags = "tags: " + strings.Join(img.ImageTags, ", ")
	}
	return fmt.Sprintf("%s@%s (%s)", repository, aws.ToString(img.ImageDigest), tags)
}
