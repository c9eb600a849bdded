package ecr

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

var (
	_ resource.ResourceWithImportState    = (*repositoryResource)(nil)
	_ resource.ResourceWithIdentity       = (*repositoryResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*repositoryResource)(nil)
	_ resource.ResourceWithMoveState      = (*repositoryResource)(nil)
	_ resource.ResourceWithValidateConfig = (*repositoryResource)(nil)
)

// exclusionFilterRegexp is ECR's exclusion filter pattern (full match).
// ECR states no limit on the number of `*` in a filter (the API reference
// gives only this pattern and 1 to 128 characters); the "at most two" of
// hashicorp/aws cites no ECR source, so none is enforced here or in the
// emulator.
var exclusionFilterRegexp = regexp.MustCompile(`^[a-zA-Z0-9._*-]+$`)

// repositoryTimeouts are the defaults of the timeouts. Deleting waits
// until reads no longer return the repository; a force delete of many
// images can take long.
var repositoryTimeouts = operationTimeouts{
	create: 5 * time.Minute, update: 5 * time.Minute, delete: 20 * time.Minute,
	createWaits: "the wait until reads return the new repository (ECR is eventually consistent)",
	waits:       "the wait until reads no longer return the repository",
}

// NewRepositoryResource is the ecr_repository resource.
func NewRepositoryResource() resource.Resource { return &repositoryResource{} }

type repositoryResource struct {
	framework.ResourceBase
}

func (r *repositoryResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository"
}

func (r *repositoryResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An ECR repository. Same arguments as `aws_ecr_repository` of the hashicorp/aws provider: " +
			"a `moved` block from `aws_ecr_repository` moves the state.",
		Attributes: map[string]schema.Attribute{
			"arn": schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the repository.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"force_delete": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Delete the repository even if it contains images (the images are deleted with it). " +
					"Must be in the state before the destroy, i.e. set and applied first. Default `false`.",
			},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The repository name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"image_tag_mutability": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(string(awstypes.ImageTagMutabilityMutable)),
				Validators: []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ImageTagMutability("").Values())...)},
				MarkdownDescription: "Tag mutability: `MUTABLE` (default), `IMMUTABLE`, `IMMUTABLE_WITH_EXCLUSION` or " +
					"`MUTABLE_WITH_EXCLUSION`. The `*_WITH_EXCLUSION` settings need `image_tag_mutability_exclusion_filter` blocks.",
			},
			"name": schema.StringAttribute{
				Required:            true,
				Validators:          repositoryNameValidators(),
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "Name of the repository (2 to 256 characters). Changing it replaces the repository.",
			},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (account) id of the repository.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"repository_url": schema.StringAttribute{Computed: true, MarkdownDescription: "URL of the repository, `<registry_id>.dkr.ecr.<region>.amazonaws.com/<name>`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"tags":     tagsAttribute(),
			"tags_all": tagsAllAttribute(),
		},
		Blocks: map[string]schema.Block{
			"encryption_configuration": schema.ListNestedBlock{
				MarkdownDescription: "Encryption at rest. Changing it replaces the repository; giving a key as id instead of ARN " +
					"(or the reverse), or adding a block with the default `AES256`, does not.",
				Validators:    []validator.List{listvalidator.SizeAtMost(1)},
				PlanModifiers: []planmodifier.List{encryptionConfigurationReplace{}},
				NestedObject: schema.NestedBlockObject{Validators: []validator.Object{kmsKeyNeedsKMS{}}, Attributes: map[string]schema.Attribute{
					"encryption_type": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(string(awstypes.EncryptionTypeAes256)),
						Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.EncryptionType("").Values())...)},
						MarkdownDescription: "`AES256` (default), `KMS` or `KMS_DSSE`.",
					},
					"kms_key": schema.StringAttribute{
						Optional: true, Computed: true,
						PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
						MarkdownDescription: "KMS key (id, alias or ARN) for `KMS`/`KMS_DSSE`. Defaults to the AWS managed key `aws/ecr`.",
					},
				}},
			},
			"image_scanning_configuration": schema.ListNestedBlock{
				MarkdownDescription: "Basic scan on push (AWS recommends registry-level scanning instead). " +
					"Removing the block turns scan on push off.",
				Validators: []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"scan_on_push": schema.BoolAttribute{Required: true, MarkdownDescription: "Scan images when they are pushed."},
				}},
			},
			"image_tag_mutability_exclusion_filter": exclusionFilterBlock(),
			"timeouts":                              repositoryTimeouts.block(ctx),
		},
	}
}

func (r *repositoryResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("name", "Repository name.")
}

// ValidateConfig checks tag mutability and its exclusion filters together.
func (r *repositoryResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateTagMutabilityConfig(ctx, req.Config)...)
}

// validateTagMutabilityConfig checks `image_tag_mutability` and its
// `image_tag_mutability_exclusion_filter` blocks together (every type that
// has them): filters need a `*_WITH_EXCLUSION` setting, which needs filters.
func validateTagMutabilityConfig(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	var mutability types.String
	var filters types.List
	diags.Append(config.GetAttribute(ctx, path.Root("image_tag_mutability"), &mutability)...)
	diags.Append(config.GetAttribute(ctx, path.Root("image_tag_mutability_exclusion_filter"), &filters)...)
	if diags.HasError() || mutability.IsUnknown() || filters.IsUnknown() {
		return diags
	}
	m := mutability.ValueString()
	if mutability.IsNull() {
		m = string(awstypes.ImageTagMutabilityMutable)
	}
	withExclusion, n := strings.HasSuffix(m, "_WITH_EXCLUSION"), len(filters.Elements())
	at := path.Root("image_tag_mutability_exclusion_filter")
	switch {
	case withExclusion && n == 0:
		diags.AddAttributeError(at, "Missing exclusion filter",
			fmt.Sprintf("image_tag_mutability = %q needs at least one image_tag_mutability_exclusion_filter block.", m))
	case !withExclusion && n > 0:
		diags.AddAttributeError(at, "Exclusion filter not allowed",
			fmt.Sprintf("image_tag_mutability_exclusion_filter blocks need image_tag_mutability IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not %q.", m))
	}
	return diags
}

// ModifyPlan plans region, and tags_all from tags and the provider's default_tags.
func (r *repositoryResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	planRegion(ctx, r.Meta, req, resp)
	var tags types.Map
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("tags"), &tags)...)
	all, diags := planTagsAll(ctx, r.Meta, tags)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(warnIgnoredTags(r.Meta, tags)...)
	resp.Diagnostics.Append(setPlanRoot(ctx, &resp.Plan, "tags_all", all)...)
}

func (r *repositoryResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan repositoryResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, repositoryTimeouts.create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := plan.Name.ValueString()
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())
	ctx = tflog.SetField(ctx, "repository_name", name)
	tagsAll, diags := planTagsAll(ctx, r.Meta, plan.Tags)
	resp.Diagnostics.Append(diags...)
	tags, diags := tagsMap(ctx, tagsAll)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	input := &ecr.CreateRepositoryInput{
		RepositoryName:                     aws.String(name),
		EncryptionConfiguration:            expandEncryptionConfiguration(plan.EncryptionConfiguration),
		ImageTagMutability:                 awstypes.ImageTagMutability(plan.ImageTagMutability.ValueString()),
		ImageTagMutabilityExclusionFilters: expandExclusionFilters(plan.ImageTagMutabilityExclusionFilter),
		Tags:                               svcTags(tags),
	}
	if len(plan.ImageScanningConfiguration) > 0 {
		input.ImageScanningConfiguration = expandImageScanningConfiguration(plan.ImageScanningConfiguration)
	}
	// A lost answer is adopted, not orphaned (adopt.go).
	created, err := createRepository(ctx, client, input)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating ECR Repository (%s)", name), err.Error())
		return
	}
	tflog.Debug(ctx, "created ECR repository")

	// The repository exists from here on: record it before anything else can
	// fail, so a failed read below leaves it in state (tainted) instead of
	// orphaning it and failing the next apply with RepositoryAlreadyExists.
	plan.flatten(created)
	plan.TagsAll = tagsAll
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// ECR is eventually consistent: a new repository may not be readable yet.
	repo, err := waitUntil(ctx, propagationTimeout, func(ctx context.Context) (*awstypes.Repository, error) {
		return findRepositoryByName(ctx, client, name)
	}, found)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository (%s) after creating it", name), err.Error())
		return
	}
	plan.flatten(repo)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *repositoryResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state repositoryResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "name")...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	client := r.Meta.ClientIn(state.Region.ValueString())
	name := state.Name.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	repo, err := findRepositoryByName(ctx, client, name)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR repository not found, removing it from the state")
		r.removeFromState(ctx, &state, resp)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository (%s)", name), err.Error())
		return
	}
	state.flatten(repo)
	remote, err := listTags(ctx, client, state.ARN.ValueString())
	if isRepositoryNotFound(err) {
		r.removeFromState(ctx, &state, resp)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("listing tags of ECR Repository (%s)", name), err.Error())
		return
	}
	var diags diag.Diagnostics
	state.Tags, state.TagsAll, diags = readTags(ctx, r.Meta, remote, state.Tags)
	resp.Diagnostics.Append(diags...)
	if state.ForceDelete.IsNull() {
		state.ForceDelete = types.BoolValue(false) // after import
	}
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", state.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// removeFromState forgets a repository deleted out of band. The framework
// wants an identity even then, and Terraform < 1.12 keeps none: use the
// state's.
func (r *repositoryResource) removeFromState(ctx context.Context, state *repositoryResourceModel, resp *resource.ReadResponse) {
	resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "name", state.identity())...)
	resp.State.RemoveResource(ctx)
}

func (r *repositoryResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state repositoryResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, repositoryTimeouts.update)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Name.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("updating ECR Repository (%s)", name)
	client := r.Meta.ClientIn(state.Region.ValueString())

	if !plan.ImageTagMutability.Equal(state.ImageTagMutability) ||
		!slices.Equal(plan.ImageTagMutabilityExclusionFilter, state.ImageTagMutabilityExclusionFilter) {
		repositoryWritten(client)
		_, err := client.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{
			RepositoryName:                     aws.String(name),
			RegistryId:                         state.RegistryID.ValueStringPointer(),
			ImageTagMutability:                 awstypes.ImageTagMutability(plan.ImageTagMutability.ValueString()),
			ImageTagMutabilityExclusionFilters: expandExclusionFilters(plan.ImageTagMutabilityExclusionFilter),
		})
		if err != nil {
			resp.Diagnostics.AddError(summary, "setting image tag mutability: "+err.Error())
			return
		}
	}
	if !slices.Equal(plan.ImageScanningConfiguration, state.ImageScanningConfiguration) {
		repositoryWritten(client)
		_, err := client.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{
			RepositoryName:             aws.String(name),
			RegistryId:                 state.RegistryID.ValueStringPointer(),
			ImageScanningConfiguration: expandImageScanningConfiguration(plan.ImageScanningConfiguration),
		})
		if err != nil {
			resp.Diagnostics.AddError(summary, "setting image scanning configuration: "+err.Error())
			return
		}
	}
	tagsAll, diags := planTagsAll(ctx, r.Meta, plan.Tags)
	resp.Diagnostics.Append(diags...)
	oldTags, diags := tagsMap(ctx, state.TagsAll)
	resp.Diagnostics.Append(diags...)
	newTags, diags := tagsMap(ctx, tagsAll)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := updateTags(ctx, client, state.ARN.ValueString(), oldTags, newTags); err != nil {
		resp.Diagnostics.AddError(summary, "updating tags: "+err.Error())
		return
	}

	// What was planned is what ECR now has. No read here: it would cost a
	// call, and a stale answer (ECR is eventually consistent) would
	// contradict the plan. The one value the plan may not know is the key
	// of an encryption block added without replacement: that block means
	// ECR's default, AES256, which has no key.
	for i := range plan.EncryptionConfiguration {
		if plan.EncryptionConfiguration[i].KMSKey.IsUnknown() {
			plan.EncryptionConfiguration[i].KMSKey = types.StringNull()
		}
	}
	plan.TagsAll = tagsAll
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "name", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *repositoryResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state repositoryResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, repositoryTimeouts.delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name := state.Name.ValueString()
	ctx = tflog.SetField(ctx, "repository_name", name)
	summary := fmt.Sprintf("deleting ECR Repository (%s)", name)

	client := r.Meta.ClientIn(state.Region.ValueString())
	repositoryWritten(client)
	err := deleteAndWait(ctx, timeout, func(ctx context.Context) error {
		_, err := client.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{
			RepositoryName: aws.String(name),
			RegistryId:     state.RegistryID.ValueStringPointer(),
			Force:          state.ForceDelete.ValueBool(),
		})
		return err
	}, isRepositoryNotFound, func(ctx context.Context) (*awstypes.Repository, error) {
		return findRepositoryByName(ctx, client, name)
	})
	switch {
	case isRepositoryNotEmpty(err):
		resp.Diagnostics.AddError(summary, r.notEmptyDetail(ctx, &state, err))
	case err != nil:
		resp.Diagnostics.AddError(summary, err.Error())
	}
}

// notEmptyDetail explains a RepositoryNotEmptyException: how many images
// remain and what to do about them.
func (r *repositoryResource) notEmptyDetail(ctx context.Context, state *repositoryResourceModel, err error) string {
	what := "images"
	if n, cerr := countImages(ctx, r.Meta.ClientIn(state.Region.ValueString()), state.Name.ValueString(), state.RegistryID.ValueString()); cerr == nil {
		what = fmt.Sprintf("%d image(s)", n)
	} else {
		tflog.Warn(ctx, "counting the images of a non-empty repository", map[string]any{"error": cerr.Error()})
	}
	return fmt.Sprintf("The repository still contains %s. To delete them with the repository, set force_delete = true "+
		"and apply that before destroying; or delete the images first.\n\n%s", what, err)
}

// ImportState imports by name (`terraform import`, an `import` block's id;
// `name@region` for another Region than the provider's) or by identity.
func (r *repositoryResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "name", validRepositoryName, req, resp)
}

// MoveState takes over an aws_ecr_repository of hashicorp/aws.
func (r *repositoryResource) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS("aws_ecr_repository", "name", schema.Schema{
		Attributes: map[string]schema.Attribute{
			"arn": str, "force_delete": schema.BoolAttribute{Optional: true}, "image_tag_mutability": str, "name": str,
			"region": str, "registry_id": str, "repository_url": str,
			"tags":     schema.MapAttribute{Optional: true, ElementType: types.StringType},
			"tags_all": schema.MapAttribute{Optional: true, ElementType: types.StringType},
			"timeouts": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{"delete": str}},
		},
		Blocks: map[string]schema.Block{
			"encryption_configuration": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"encryption_type": str, "kms_key": str}}},
			"image_scanning_configuration": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"scan_on_push": schema.BoolAttribute{Optional: true}}}},
			"image_tag_mutability_exclusion_filter": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"filter": str, "filter_type": str}}},
		},
	}, moveRepositoryFromAWS)}
}

// awsRepositoryModel is the part of aws_ecr_repository's state (schema
// version 0) that moves.
type awsRepositoryModel struct {
	ARN                     types.String `tfsdk:"arn"`
	EncryptionConfiguration []struct {
		EncryptionType types.String `tfsdk:"encryption_type"`
		KMSKey         types.String `tfsdk:"kms_key"`
	} `tfsdk:"encryption_configuration"`
	ForceDelete                types.Bool `tfsdk:"force_delete"`
	ImageScanningConfiguration []struct {
		ScanOnPush types.Bool `tfsdk:"scan_on_push"`
	} `tfsdk:"image_scanning_configuration"`
	ImageTagMutability                types.String `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []struct {
		Filter     types.String `tfsdk:"filter"`
		FilterType types.String `tfsdk:"filter_type"`
	} `tfsdk:"image_tag_mutability_exclusion_filter"`
	Name          types.String      `tfsdk:"name"`
	Region        types.String      `tfsdk:"region"`
	RegistryID    types.String      `tfsdk:"registry_id"`
	RepositoryURL types.String      `tfsdk:"repository_url"`
	Tags          map[string]string `tfsdk:"tags"`
	TagsAll       map[string]string `tfsdk:"tags_all"`
	Timeouts      *struct {
		Delete types.String `tfsdk:"delete"`
	} `tfsdk:"timeouts"`
}

// moveRepositoryFromAWS converts the source state. It goes through the
// same flatten as a read, so blocks that only repeat ECR's defaults
// (hashicorp/aws stores them always) are dropped, as for a repository
// created here.
func moveRepositoryFromAWS(ctx context.Context, src *awsRepositoryModel) (any, identityModel, diag.Diagnostics) {
	repo := &awstypes.Repository{
		RepositoryArn:      src.ARN.ValueStringPointer(),
		RepositoryName:     src.Name.ValueStringPointer(),
		RegistryId:         src.RegistryID.ValueStringPointer(),
		RepositoryUri:      src.RepositoryURL.ValueStringPointer(),
		ImageTagMutability: awstypes.ImageTagMutability(src.ImageTagMutability.ValueString()),
	}
	if len(src.EncryptionConfiguration) > 0 {
		e := src.EncryptionConfiguration[0]
		repo.EncryptionConfiguration = &awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionType(e.EncryptionType.ValueString())}
		if k := e.KMSKey.ValueString(); k != "" {
			repo.EncryptionConfiguration.KmsKey = aws.String(k)
		}
	}
	if len(src.ImageScanningConfiguration) > 0 {
		repo.ImageScanningConfiguration = &awstypes.ImageScanningConfiguration{ScanOnPush: src.ImageScanningConfiguration[0].ScanOnPush.ValueBool()}
	}
	for _, f := range src.ImageTagMutabilityExclusionFilter {
		repo.ImageTagMutabilityExclusionFilters = append(repo.ImageTagMutabilityExclusionFilters,
			awstypes.ImageTagMutabilityExclusionFilter{Filter: f.Filter.ValueStringPointer(), FilterType: awstypes.ImageTagMutabilityExclusionFilterType(f.FilterType.ValueString())})
	}
	if repo.ImageTagMutability == "" {
		repo.ImageTagMutability = awstypes.ImageTagMutabilityMutable
	}

	m := &repositoryResourceModel{ForceDelete: types.BoolValue(src.ForceDelete.ValueBool()), Region: src.Region}
	m.flatten(repo)
	var diags, d diag.Diagnostics
	m.Tags = types.MapNull(types.StringType)
	if len(src.Tags) > 0 {
		m.Tags, d = types.MapValueFrom(ctx, types.StringType, src.Tags)
		diags.Append(d...)
	}
	if src.TagsAll == nil {
		src.TagsAll = map[string]string{}
	}
	m.TagsAll, d = types.MapValueFrom(ctx, types.StringType, src.TagsAll)
	diags.Append(d...)
	m.Timeouts = timeouts.Value{Object: nullTimeouts("create", "update", "delete")}
	if src.Timeouts != nil {
		m.Timeouts.Object, d = types.ObjectValue(timeoutsAttrTypes("create", "update", "delete"),
			map[string]attr.Value{"create": types.StringNull(), "update": types.StringNull(), "delete": src.Timeouts.Delete})
		diags.Append(d...)
	}
	return m, m.identity(), diags
}

// ---- models ----

type repositoryResourceModel struct {
	ARN                               types.String                      `tfsdk:"arn"`
	EncryptionConfiguration           []encryptionConfigurationModel    `tfsdk:"encryption_configuration"`
	ForceDelete                       types.Bool                        `tfsdk:"force_delete"`
	ID                                types.String                      `tfsdk:"id"`
	ImageScanningConfiguration        []imageScanningConfigurationModel `tfsdk:"image_scanning_configuration"`
	ImageTagMutability                types.String                      `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []exclusionFilterModel            `tfsdk:"image_tag_mutability_exclusion_filter"`
	Name                              types.String                      `tfsdk:"name"`
	Region                            types.String                      `tfsdk:"region"`
	RegistryID                        types.String                      `tfsdk:"registry_id"`
	RepositoryURL                     types.String                      `tfsdk:"repository_url"`
	Tags                              types.Map                         `tfsdk:"tags"`
	TagsAll                           types.Map                         `tfsdk:"tags_all"`
	Timeouts                          timeouts.Value                    `tfsdk:"timeouts"`
}

// identity is the resource identity of the repository.
func (m *repositoryResourceModel) identity() identityModel {
	return identityModel{Key: m.Name.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// flatten sets the model from a repository read from ECR; the model's
// values are the prior ones. A block left out of the configuration stays
// out while ECR reports its default (AES256 encryption, scan on push off),
// and a KMS key keeps the form (id or ARN) it was given in.
func (m *repositoryResourceModel) flatten(repo *awstypes.Repository) {
	m.ARN = types.StringPointerValue(repo.RepositoryArn)
	m.ID = types.StringPointerValue(repo.RepositoryName)
	m.Name = types.StringPointerValue(repo.RepositoryName)
	m.RegistryID = types.StringPointerValue(repo.RegistryId)
	m.RepositoryURL = types.StringPointerValue(repo.RepositoryUri)
	m.ImageTagMutability = types.StringValue(string(repo.ImageTagMutability))
	m.ImageTagMutabilityExclusionFilter = flattenExclusionFilters(repo.ImageTagMutabilityExclusionFilters)

	enc := flattenEncryptionConfiguration(repo.EncryptionConfiguration)
	switch {
	case len(m.EncryptionConfiguration) == 0 && isDefaultEncryption(enc):
		enc = enc[:0]
	case len(m.EncryptionConfiguration) > 0 && len(enc) > 0:
		prior := m.EncryptionConfiguration[0].KMSKey
		if !prior.IsNull() && !prior.IsUnknown() && sameKMSKey(prior.ValueString(), enc[0].KMSKey.ValueString()) {
			enc[0].KMSKey = prior
		}
	}
	m.EncryptionConfiguration = enc

	scan := flattenImageScanningConfiguration(repo.ImageScanningConfiguration)
	if c := repo.ImageScanningConfiguration; len(m.ImageScanningConfiguration) == 0 && (c == nil || !c.ScanOnPush) {
		scan = scan[:0]
	}
	m.ImageScanningConfiguration = scan
}

// encryptionConfigurationReplace replaces the repository when its
// encryption changes (ECR cannot change it), but not for a key given in
// another form or an explicit block with ECR's default.
type encryptionConfigurationReplace struct{}

func (encryptionConfigurationReplace) Description(context.Context) string {
	return "Replaces the repository when the encryption configuration changes in meaning."
}

func (m encryptionConfigurationReplace) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (encryptionConfigurationReplace) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return // create or destroy
	}
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	var state, plan []encryptionConfigurationModel
	resp.Diagnostics.Append(req.StateValue.ElementsAs(ctx, &state, false)...)
	resp.Diagnostics.Append(req.PlanValue.ElementsAs(ctx, &plan, false)...)
	if !resp.Diagnostics.HasError() && !sameEncryption(state, plan) {
		resp.RequiresReplace = true
	}
}

// sameEncryption reports whether a planned encryption configuration means
// the same as the one in the state. An unknown planned key is the state's
// (kms_key is optional and computed).
func sameEncryption(state, plan []encryptionConfigurationModel) bool {
	if isDefaultEncryption(state) || isDefaultEncryption(plan) {
		return isDefaultEncryption(state) && isDefaultEncryption(plan)
	}
	s, p := state[0], plan[0]
	if p.EncryptionType.IsUnknown() || !p.EncryptionType.Equal(s.EncryptionType) {
		return false
	}
	return p.KMSKey.IsUnknown() || sameKMSKey(p.KMSKey.ValueString(), s.KMSKey.ValueString())
}

// findRepositoryByName returns the repository of the caller's registry, or
// a notFoundError. Concurrent calls share DescribeRepositories calls
// (repository_batch.go).
func findRepositoryByName(ctx context.Context, client *ecr.Client, name string) (*awstypes.Repository, error) {
	return repositoryBatcherFor(client).find(ctx, client, name)
}

// findRepository returns the single repository that input names.
func findRepository(ctx context.Context, client *ecr.Client, input *ecr.DescribeRepositoriesInput) (*awstypes.Repository, error) {
	what := fmt.Sprintf("ECR Repository (%v)", input.RepositoryNames)
	out, err := client.DescribeRepositories(ctx, input)
	if isRepositoryNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	for i := range out.Repositories {
		// Eventual consistency: only the name asked for counts.
		if aws.ToString(out.Repositories[i].RepositoryName) == input.RepositoryNames[0] {
			return &out.Repositories[i], nil
		}
	}
	return nil, &notFoundError{what: what}
}
