package ecr

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// ecr_image_storage_class keeps one image in the ARCHIVE or STANDARD
// storage class (UpdateImageStorageClass). Archiving is immediate; a
// restore goes through ACTIVATING, which the resource waits out. Destroy
// restores STANDARD.

var (
	_ resource.ResourceWithConfigure   = (*imageStorageClassResource)(nil)
	_ resource.ResourceWithImportState = (*imageStorageClassResource)(nil)
	_ resource.ResourceWithIdentity    = (*imageStorageClassResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*imageStorageClassResource)(nil)
)

// NewImageStorageClassResource is the ecr_image_storage_class resource.
func NewImageStorageClassResource() resource.Resource { return &imageStorageClassResource{} }

type imageStorageClassResource struct {
	framework.ResourceBase
}

// A restore can take hours in ECR: the default timeouts allow for one.
const imageStorageClassTimeout = 8 * time.Hour

var imageStorageClassTimeouts = operationTimeouts{create: imageStorageClassTimeout, update: imageStorageClassTimeout, delete: imageStorageClassTimeout,
	createWaits: "the wait through `ACTIVATING` while a restore completes", updateWaits: "the wait through `ACTIVATING` while a restore completes",
	waits: "the restore to `STANDARD`, through `ACTIVATING`"}

func (r *imageStorageClassResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_storage_class"
}

func (r *imageStorageClassResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Keeps one image in the `ARCHIVE` or `STANDARD` storage class (`UpdateImageStorageClass`). Archiving " +
			"is immediate; restoring goes through `ACTIVATING`, which create and update wait out. A change made outside " +
			"Terraform (or by a lifecycle policy) plans an update. Destroying the resource restores the image to `STANDARD`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "`<repository>:<image_digest>`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"image_digest": schema.StringAttribute{Required: true, Validators: imageDigestValidators(),
				MarkdownDescription: "Digest of the image. Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"image_status": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The image's status: `ACTIVE`, `ARCHIVED` or `ACTIVATING`."},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (AWS account) id of the repository.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"repository": schema.StringAttribute{Required: true, Validators: repositoryNameValidators(),
				MarkdownDescription: "Name of the repository. Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"storage_class": schema.StringAttribute{Required: true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.TargetStorageClass("").Values())...)},
				MarkdownDescription: "`ARCHIVE` or `STANDARD`. Changes in place."},
		},
		Blocks: map[string]schema.Block{"timeouts": imageStorageClassTimeouts.block(ctx)},
	}
}

// ModifyPlan plans region, id, and image_status after a change of class.
func (r *imageStorageClassResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan imageStorageClassModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Repository.IsUnknown() && !plan.ImageDigest.IsUnknown() {
		plan.ID = types.StringValue(imageStorageClassID(plan.Repository.ValueString(), plan.ImageDigest.ValueString()))
	}
	if !plan.StorageClass.IsUnknown() {
		plan.ImageStatus = types.StringValue(settledStatus(plan.StorageClass.ValueString()))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// settledStatus is the image status a storage class ends in.
func settledStatus(class string) string {
	if class == string(awstypes.TargetStorageClassArchive) {
		return string(awstypes.ImageStatusArchived)
	}
	return string(awstypes.ImageStatusActive)
}

// storageClassOf is the storage class an image status belongs to (a
// restore in progress is on its way to STANDARD).
func storageClassOf(status awstypes.ImageStatus) string {
	if status == awstypes.ImageStatusArchived {
		return string(awstypes.TargetStorageClassArchive)
	}
	return string(awstypes.TargetStorageClassStandard)
}

func (r *imageStorageClassResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageStorageClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, imageStorageClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, &plan, timeout, resp, "creating")
}

func (r *imageStorageClassResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan imageStorageClassModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, imageStorageClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cr := &resource.CreateResponse{State: resp.State, Identity: resp.Identity}
	r.apply(ctx, &plan, timeout, cr, "updating")
	resp.State, resp.Identity = cr.State, cr.Identity
	resp.Diagnostics.Append(cr.Diagnostics...)
}

// apply moves the image to the planned class, records the state, and
// waits until the image is settled in it.
func (r *imageStorageClassResource) apply(ctx context.Context, plan *imageStorageClassModel, timeout time.Duration, resp *resource.CreateResponse, verb string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	repository, digest, class := plan.Repository.ValueString(), plan.ImageDigest.ValueString(), plan.StorageClass.ValueString()
	id := imageStorageClassID(repository, digest)
	ctx = tflog.SetField(ctx, "repository_name", repository)
	summary := fmt.Sprintf("%s ECR Image Storage Class (%s)", verb, id)
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())

	img, err := changeStorageClass(ctx, client, repository, digest, class)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	plan.RegistryID = types.StringPointerValue(img.RegistryId)
	plan.ImageStatus = types.StringValue(settledStatus(class))
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", plan.identity())...)
	// The change is made: record it before waiting, so that a failed wait
	// leaves it in state (tainted) instead of orphaning it.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := waitForImageStatus(ctx, client, repository, digest, settledStatus(class)); err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for ECR Image Storage Class (%s) after %s it", id, verb), err.Error())
	}
}

// changeStorageClass moves an image to class unless it is in it (or on
// its way: a restore in progress, for STANDARD) already; it returns the
// image as described before the change.
func changeStorageClass(ctx context.Context, client *ecr.Client, repository, digest, class string) (*awstypes.ImageDetail, error) {
	img, err := findImageByID(ctx, client, nil, repository, awstypes.ImageIdentifier{ImageDigest: aws.String(digest)})
	if err != nil {
		return nil, err
	}
	if storageClassOf(img.ImageStatus) == class {
		return img, nil
	}
	if err := updateImageStorageClass(ctx, client, repository, digest, class); err != nil {
		return nil, fmt.Errorf("ECR refused to move the image to %s: %w\n\nECR archives only images it allows to (not, for example, "+
			"one just pushed or still being restored); wait, or choose another image", class, err)
	}
	return img, nil
}

// updateImageStorageClass asks ECR to move an image to class.
func updateImageStorageClass(ctx context.Context, client *ecr.Client, repository, digest, class string) error {
	_, err := client.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{
		RepositoryName: aws.String(repository), ImageId: &awstypes.ImageIdentifier{ImageDigest: aws.String(digest)},
		TargetStorageClass: awstypes.TargetStorageClass(class),
	})
	return err
}

// waitForImageStatus waits until the image reads with status.
func waitForImageStatus(ctx context.Context, client *ecr.Client, repository, digest, status string) (*awstypes.ImageDetail, error) {
	timeout := time.Minute
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	return waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.ImageDetail, error) {
		return findImageByID(ctx, client, nil, repository, awstypes.ImageIdentifier{ImageDigest: aws.String(digest)})
	}, func(img *awstypes.ImageDetail, err error) bool {
		return err == nil && string(img.ImageStatus) == status
	})
}

func (r *imageStorageClassResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state imageStorageClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "id")...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.Repository.IsNull() || state.ImageDigest.IsNull() {
		// Imported: only id is known.
		repository, digest, err := parseImageStorageClassID(state.ID.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("reading ECR Image Storage Class", err.Error())
			return
		}
		state.Repository, state.ImageDigest = types.StringValue(repository), types.StringValue(digest)
	}
	repository, digest := state.Repository.ValueString(), state.ImageDigest.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", repository)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	img, err := findImageByID(ctx, r.Meta.ClientIn(state.Region.ValueString()), nil, repository, awstypes.ImageIdentifier{ImageDigest: aws.String(digest)})
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR image not found, removing its storage class from state", map[string]any{"error": err.Error()})
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "id", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Image Storage Class (%s)", imageStorageClassID(repository, digest)), err.Error())
		return
	}
	state.ID = types.StringValue(imageStorageClassID(repository, digest))
	state.ImageStatus = types.StringValue(string(img.ImageStatus))
	state.RegistryID = types.StringPointerValue(img.RegistryId)
	state.StorageClass = types.StringValue(storageClassOf(img.ImageStatus))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "id", state.identity())...)
}

// Delete restores the image to STANDARD and waits through ACTIVATING.
func (r *imageStorageClassResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state imageStorageClassModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, imageStorageClassTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	repository, digest := state.Repository.ValueString(), state.ImageDigest.ValueString()
	id := imageStorageClassID(repository, digest)
	client := r.Meta.ClientIn(regionOf(r.Meta, state.Region))
	standard := string(awstypes.TargetStorageClassStandard)
	if _, err := changeStorageClass(ctx, client, repository, digest, standard); err != nil {
		if isNotFound(err) {
			return
		}
		resp.Diagnostics.AddError(fmt.Sprintf("deleting ECR Image Storage Class (%s)", id), err.Error())
		return
	}
	if _, err := waitForImageStatus(ctx, client, repository, digest, settledStatus(standard)); err != nil && !isNotFound(err) {
		resp.Diagnostics.AddError(fmt.Sprintf("waiting for ECR Image Storage Class (%s) to restore STANDARD", id), err.Error())
	}
}

// ---- identity and import ----

func (r *imageStorageClassResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("id", "`<repository>:<image_digest>`.")
}

// ImportState imports by `<repository>:<image_digest>` (with `@<region>`
// for another Region than the provider's) or by identity.
func (r *imageStorageClassResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "id", func(id string) error {
		_, _, err := parseImageStorageClassID(id)
		return err
	}, req, resp)
}

// ---- model ----

type imageStorageClassModel struct {
	ID           types.String   `tfsdk:"id"`
	ImageDigest  types.String   `tfsdk:"image_digest"`
	ImageStatus  types.String   `tfsdk:"image_status"`
	Region       types.String   `tfsdk:"region"`
	RegistryID   types.String   `tfsdk:"registry_id"`
	Repository   types.String   `tfsdk:"repository"`
	StorageClass types.String   `tfsdk:"storage_class"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

func (m *imageStorageClassModel) identity() identityModel {
	return identityModel{Key: m.ID.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// imageStorageClassID is `<repository>:<digest>` ('@' would clash with the
// `@<region>` of import IDs).
func imageStorageClassID(repository, digest string) string { return repository + ":" + digest }

// parseImageStorageClassID splits `<repository>:<digest>`.
func parseImageStorageClassID(id string) (repository, digest string, err error) {
	repository, digest, ok := strings.Cut(id, ":")
	if err := validRepositoryName(repository); err != nil {
		return "", "", fmt.Errorf("%q is not a repository name followed by :<image_digest>; import by `<repository>:<image_digest>`, "+
			"with `@<region>` for another Region", repository)
	}
	if !ok || !imageDigestPattern.MatchString(digest) {
		return "", "", fmt.Errorf("%q names no image digest; import by `<repository>:<image_digest>` (sha256:...)", id)
	}
	return repository, digest, nil
}
