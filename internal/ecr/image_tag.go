package ecr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// ecr_image_tag puts a tag on an image already in the repository, server
// side: the image's manifest is read (BatchGetImage) and put again under
// the tag (PutImage) with the same bytes and media type, so the digest is
// the same and nothing is pulled or pushed. This is how images are
// promoted (`dev` -> `prod`).

var (
	_ resource.ResourceWithConfigure        = (*imageTagResource)(nil)
	_ resource.ResourceWithImportState      = (*imageTagResource)(nil)
	_ resource.ResourceWithIdentity         = (*imageTagResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*imageTagResource)(nil)
	_ resource.ResourceWithConfigValidators = (*imageTagResource)(nil)
)

// NewImageTagResource is the ecr_image_tag resource.
func NewImageTagResource() resource.Resource { return &imageTagResource{} }

type imageTagResource struct {
	framework.ResourceBase
}

// Defaults of the timeouts.
const (
	imageTagWriteTimeout  = 2 * time.Minute
	imageTagDeleteTimeout = 2 * time.Minute
)

var imageTagTimeouts = operationTimeouts{create: imageTagWriteTimeout, update: imageTagWriteTimeout, delete: imageTagDeleteTimeout,
	createWaits: "the wait until reads return the tag on the image", updateWaits: "the wait until reads return the tag on the image",
	waits: "the wait until reads no longer return the tag"}

// allManifestMediaTypes are the media types BatchGetImage is asked to
// accept, so that it returns a manifest as it was pushed (it would convert
// a Docker schema 2 manifest to schema 1 without them).
var allManifestMediaTypes = []string{
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.v2+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v1+prettyjws",
	"application/vnd.docker.distribution.manifest.v1+json",
}

func (r *imageTagResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_tag"
}

func (r *imageTagResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Puts a tag on an image already in a repository, chosen by digest or by another tag, without pulling " +
			"or pushing: ECR is given the image's own manifest again under the new tag (`BatchGetImage` + `PutImage`), so the " +
			"digest stays the same. This is how images are promoted (`dev` to `prod`). If the tag is moved outside Terraform, " +
			"the plan moves it back; with `source_tag`, a plan moves the tag to where `source_tag` points now. Destroying the " +
			"resource removes the tag only if it still points at the image it manages (otherwise it warns and leaves the tag); " +
			"as ECR does, removing an image's last tag deletes the image.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "`<repository>:<tag>`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"image_digest": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Digest of the image the tag points at (the source's at apply time)."},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (AWS account) id of the repository.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository. Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"source_digest": schema.StringAttribute{Optional: true, Validators: imageDigestValidators(),
				MarkdownDescription: "Digest of the image to tag. Exactly one of `source_digest` and `source_tag`."},
			"source_tag": schema.StringAttribute{Optional: true, Validators: imageTagValidators(),
				MarkdownDescription: "Tag of the image to tag (e.g. `dev`), resolved to its digest at plan and apply time."},
			"tag": schema.StringAttribute{Required: true, Validators: imageTagValidators(),
				MarkdownDescription: "The tag to put on the image (e.g. `prod`). Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		},
		Blocks: map[string]schema.Block{"timeouts": imageTagTimeouts.block(ctx)},
	}
}

func (r *imageTagResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("source_digest"), path.MatchRoot("source_tag"))}
}

// ModifyPlan plans region, and image_digest: the digest the source names
// now (source_tag is looked up), so that a tag moved outside Terraform, or
// a source tag that moved, plans an update.
func (r *imageTagResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan imageTagModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Repository.IsUnknown() && !plan.Tag.IsUnknown() {
		plan.ID = types.StringValue(imageTagID(plan.Repository.ValueString(), plan.Tag.ValueString()))
	}
	// Otherwise the framework's plan stands: the state's digest when
	// nothing changed, unknown when something did.
	digest := plan.ImageDigest
	switch {
	case !plan.SourceDigest.IsNull() && !plan.SourceDigest.IsUnknown():
		digest = plan.SourceDigest
	case !plan.SourceTag.IsNull() && !plan.SourceTag.IsUnknown() && !plan.Repository.IsUnknown() && !plan.Region.IsUnknown() && r.Meta != nil:
		// The repository may not exist yet (created by this apply): then
		// the digest is known only at apply.
		img, err := findImageByID(ctx, r.Meta.ClientIn(plan.Region.ValueString()), nil, plan.Repository.ValueString(),
			awstypes.ImageIdentifier{ImageTag: plan.SourceTag.ValueStringPointer()})
		if err == nil {
			digest = types.StringPointerValue(img.ImageDigest)
		} else {
			tflog.Debug(ctx, "source_tag not resolved at plan time", map[string]any{"error": err.Error()})
		}
	}
	plan.ImageDigest = digest
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *imageTagResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageTagModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, imageTagWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.put(ctx, &plan, timeout, resp, "creating")
}

func (r *imageTagResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan imageTagModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, imageTagWriteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Update and Create respond alike (state and identity).
	cr := &resource.CreateResponse{State: resp.State, Identity: resp.Identity, Private: resp.Private}
	r.put(ctx, &plan, timeout, cr, "updating")
	resp.State, resp.Identity, resp.Private = cr.State, cr.Identity, cr.Private
	resp.Diagnostics.Append(cr.Diagnostics...)
}

// put resolves the source, tags its image, records the state, and waits
// until reads return the tag on the image; all of it within timeout.
func (r *imageTagResource) put(ctx context.Context, plan *imageTagModel, timeout time.Duration, resp *resource.CreateResponse, verb string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	repository, tag := plan.Repository.ValueString(), plan.Tag.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", repository)
	summary := fmt.Sprintf("%s ECR Image Tag (%s)", verb, imageTagID(repository, tag))
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())

	source := awstypes.ImageIdentifier{ImageDigest: plan.SourceDigest.ValueStringPointer(), ImageTag: plan.SourceTag.ValueStringPointer()}
	src, err := findImageByID(ctx, client, nil, repository, source)
	if err != nil {
		resp.Diagnostics.AddError(summary, "finding the source image: "+err.Error())
		return
	}
	digest := aws.ToString(src.ImageDigest)
	if err := putImageTag(ctx, client, repository, tag, digest); err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	plan.ID = types.StringValue(imageTagID(repository, tag))
	plan.ImageDigest = types.StringValue(digest)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, managedDigestKey, managedDigestJSON(digest))...)
	plan.RegistryID = types.StringPointerValue(src.RegistryId)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", plan.identity())...)
	// The tag is on the image: record it before waiting, so that a failed
	// wait leaves it in state (tainted) instead of orphaning it.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err = waitUntil(ctx, time.Until(deadlineOf(ctx, timeout)), func(ctx context.Context) (*awstypes.ImageDetail, error) {
		return findImageTag(ctx, client, repository, tag)
	}, func(img *awstypes.ImageDetail, err error) bool {
		return err == nil && aws.ToString(img.ImageDigest) == digest
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Image Tag (%s) after %s it", imageTagID(repository, tag), verb), err.Error())
	}
}

// deadlineOf is ctx's deadline, or timeout from now.
func deadlineOf(ctx context.Context, timeout time.Duration) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(timeout)
}

// putImageTag puts tag on the image digest of repository: its manifest,
// as pushed, put again under the tag.
func putImageTag(ctx context.Context, client *ecr.Client, repository, tag, digest string) error {
	got, err := client.BatchGetImage(ctx, &ecr.BatchGetImageInput{
		RepositoryName: aws.String(repository), ImageIds: []awstypes.ImageIdentifier{{ImageDigest: aws.String(digest)}},
		AcceptedMediaTypes: allManifestMediaTypes,
	})
	if err != nil {
		return fmt.Errorf("reading the manifest of %s@%s: %w", repository, digest, err)
	}
	if len(got.Images) == 0 {
		msg := "no such image"
		if len(got.Failures) > 0 {
			msg = fmt.Sprintf("%s: %s", got.Failures[0].FailureCode, aws.ToString(got.Failures[0].FailureReason))
		}
		return fmt.Errorf("reading the manifest of %s@%s: %s", repository, digest, msg)
	}
	img := got.Images[0]
	_, err = client.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName: aws.String(repository), ImageManifest: img.ImageManifest,
		ImageManifestMediaType: img.ImageManifestMediaType, ImageTag: aws.String(tag), ImageDigest: aws.String(digest),
	})
	if _, ok := errors.AsType[*awstypes.ImageAlreadyExistsException](err); ok {
		return nil // the tag is on this image already
	}
	if _, ok := errors.AsType[*awstypes.ImageTagAlreadyExistsException](err); ok {
		return immutableTagError(ctx, client, repository, tag, err)
	}
	if err != nil {
		return fmt.Errorf("putting the manifest of %s under tag %s: %w", digest, tag, err)
	}
	return nil
}

// immutableTagError explains ECR's refusal to move a tag: the repository's
// tag mutability, and its exclusion filters, which the tag does not match.
func immutableTagError(ctx context.Context, client *ecr.Client, repository, tag string, err error) error {
	repo, rerr := findRepository(ctx, client, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repository}})
	if rerr != nil {
		return fmt.Errorf("tag %q is already on another image, and repository %s does not allow moving it: %w", tag, repository, err)
	}
	var filters []string
	for _, f := range repo.ImageTagMutabilityExclusionFilters {
		filters = append(filters, aws.ToString(f.Filter))
	}
	why := fmt.Sprintf("its image_tag_mutability is %s", repo.ImageTagMutability)
	if len(filters) > 0 {
		why += fmt.Sprintf(" and the tag matches none of its exclusion filters (%s)", strings.Join(filters, ", "))
	}
	return fmt.Errorf("tag %q is already on another image in repository %s, and %s, so ECR refuses to move it. "+
		"Use a new tag, remove the tag from the other image first, or make the tag mutable (image_tag_mutability, or an "+
		"exclusion filter matching it). ECR said: %w", tag, repository, why, err)
}

func (r *imageTagResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state imageTagModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "id")...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.Repository.IsNull() || state.Tag.IsNull() {
		// Imported: only id is known.
		repository, tag, err := parseImageTagID(state.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("reading ECR Image Tag", err.Error())
			return
		}
		state.Repository, state.Tag = types.StringValue(repository), types.StringValue(tag)
	}
	repository, tag := state.Repository.ValueString(), state.Tag.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", repository)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	img, err := findImageTag(ctx, r.Meta.ClientIn(state.Region.ValueString()), repository, tag)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR Image Tag not found, removing from state", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "id", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Image Tag (%s)", imageTagID(repository, tag)), err.Error())
		return
	}
	state.flatten(img)
	if state.SourceDigest.IsNull() && state.SourceTag.IsNull() {
		// Imported: the image it is on is the source.
		state.SourceDigest = state.ImageDigest
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", state.identity())...)
}

func (r *imageTagResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state imageTagModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, imageTagDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The digest this resource put the tag on: kept in private state, as
	// a refresh sets image_digest to wherever the tag is now.
	repository, tag, managed := state.Repository.ValueString(), state.Tag.ValueString(), state.ImageDigest.ValueString()
	if raw, d := req.Private.GetKey(ctx, managedDigestKey); !d.HasError() && raw != nil {
		var v string
		if json.Unmarshal(raw, &v) == nil && v != "" {
			managed = v
		}
	}
	id := imageTagID(repository, tag)
	ctx = tflog.SetField(ctx, "repository_name", repository)
	client := r.Meta.ClientIn(regionOf(r.Meta, state.Region))

	img, err := findImageTag(ctx, client, repository, tag)
	if isNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Image Tag (%s)", id), err.Error())
		return
	}
	if now := aws.ToString(img.ImageDigest); now != managed {
		resp.Diagnostics.AddWarning(fmt.Sprintf("ECR Image Tag (%s) left in place", id),
			fmt.Sprintf("The tag now points at %s, not at %s, the image this resource put it on: it was moved outside "+
				"Terraform, so it is left as it is. Remove it yourself if it should go.", now, managed))
		return
	}
	out, err := client.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{
		RepositoryName: aws.String(repository), ImageIds: []awstypes.ImageIdentifier{{ImageTag: aws.String(tag)}},
	})
	if isRepositoryNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Image Tag (%s)", id), err.Error())
		return
	}
	for _, f := range out.Failures {
		if f.FailureCode != awstypes.ImageFailureCodeImageNotFound && f.FailureCode != awstypes.ImageFailureCodeImageTagDoesNotMatchDigest {
			resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Image Tag (%s)", id),
				fmt.Sprintf("%s: %s", f.FailureCode, aws.ToString(f.FailureReason)))
			return
		}
	}
	_, err = waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.ImageDetail, error) {
		return findImageTag(ctx, client, repository, tag)
	}, func(img *awstypes.ImageDetail, err error) bool {
		return isNotFound(err) || err == nil && aws.ToString(img.ImageDigest) != managed
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for ECR Image Tag (%s) to go", id), err.Error())
	}
}

// managedDigestKey is the private state key of the digest the resource
// put the tag on (JSON string).
const managedDigestKey = "managed_digest"

func managedDigestJSON(digest string) []byte {
	b, _ := json.Marshal(digest)
	return b
}

// ---- identity and import ----

func (r *imageTagResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("id", "`<repository>:<tag>`.")
}

// ImportState imports by `<repository>:<tag>` (`<repository>:<tag>@<region>`
// for another Region than the provider's) or by identity.
func (r *imageTagResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "id", func(id string) error {
		_, _, err := parseImageTagID(id)
		return err
	}, req, resp)
}

// ---- model ----

type imageTagModel struct {
	ID           types.String   `tfsdk:"id"`
	ImageDigest  types.String   `tfsdk:"image_digest"`
	Region       types.String   `tfsdk:"region"`
	RegistryID   types.String   `tfsdk:"registry_id"`
	Repository   types.String   `tfsdk:"repository"`
	SourceDigest types.String   `tfsdk:"source_digest"`
	SourceTag    types.String   `tfsdk:"source_tag"`
	Tag          types.String   `tfsdk:"tag"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (m *imageTagModel) identity() identityModel {
	return identityModel{Key: m.ID.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// flatten sets what a read of the tag tells: the image it is on.
func (m *imageTagModel) flatten(img *awstypes.ImageDetail) {
	m.ID = types.StringValue(imageTagID(m.Repository.ValueString(), m.Tag.ValueString()))
	m.ImageDigest = types.StringPointerValue(img.ImageDigest)
	m.RegistryID = types.StringPointerValue(img.RegistryId)
}

// imageTagID is `<repository>:<tag>`.
func imageTagID(repository, tag string) string { return repository + ":" + tag }

// parseImageTagID splits `<repository>:<tag>`.
func parseImageTagID(id string) (repository, tag string, err error) {
	repository, tag, ok := strings.Cut(id, ":")
	if err := validRepositoryName(repository); err != nil {
		return "", "", fmt.Errorf("%q is not a repository name followed by :<tag>; import by `<repository>:<tag>` or `<repository>:<tag>@<region>`", repository)
	}
	if !ok || !imageTagPattern.MatchString(tag) {
		return "", "", fmt.Errorf("%q names no tag; import by `<repository>:<tag>` or `<repository>:<tag>@<region>`", id)
	}
	return repository, tag, nil
}

// findImageTag returns the image a tag of a repository (of the caller's
// registry) is on, or a notFoundError when the repository or tag does not
// exist.
func findImageTag(ctx context.Context, client *ecr.Client, repository, tag string) (*awstypes.ImageDetail, error) {
	return findImageByID(ctx, client, nil, repository, awstypes.ImageIdentifier{ImageTag: aws.String(tag)})
}
