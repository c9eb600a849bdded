package ecr

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

var (
	_ resource.ResourceWithImportState    = (*repositoryCreationTemplateResource)(nil)
	_ resource.ResourceWithIdentity       = (*repositoryCreationTemplateResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*repositoryCreationTemplateResource)(nil)
	_ resource.ResourceWithMoveState      = (*repositoryCreationTemplateResource)(nil)
	_ resource.ResourceWithValidateConfig = (*repositoryCreationTemplateResource)(nil)
)

// A template's prefix: 1 to 256 characters, a repository-name path with an
// optional trailing `/`, or ROOT (the same pattern as a pull-through cache
// prefix, longer).

// validTemplatePrefix checks a prefix given where no validator runs (an
// import ID).
func validTemplatePrefix(prefix string) error {
	if len(prefix) < 1 || len(prefix) > 256 || !pullThroughCachePrefixPattern.MatchString(prefix) {
		return fmt.Errorf("%q is not a repository creation template prefix; import by the template's prefix, "+
			"`prefix` or `prefix@region`", prefix)
	}
	return nil
}

// templateKMSKeyRegexp is the KMS key ECR accepts in a template: an ARN.
var templateKMSKeyRegexp = regexp.MustCompile(`^arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-z0-9-]+$`)

// repositoryCreationTemplateTimeouts are the defaults of the timeouts.
var repositoryCreationTemplateTimeouts = operationTimeouts{
	create: 2 * time.Minute, update: 2 * time.Minute, delete: 2 * time.Minute,
	createWaits: "the wait until reads return the new template (ECR is eventually consistent)",
	updateWaits: "the wait until reads return the changed template",
	waits:       "the wait until reads no longer return the template",
}

// NewRepositoryCreationTemplateResource is the ecr_repository_creation_template resource.
func NewRepositoryCreationTemplateResource() resource.Resource {
	return &repositoryCreationTemplateResource{}
}

type repositoryCreationTemplateResource struct {
	framework.ResourceBase
}

func (r *repositoryCreationTemplateResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_repository_creation_template"
}

func (r *repositoryCreationTemplateResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A repository creation template: the settings ECR gives repositories it creates under `prefix` " +
			"(by replication, pull-through cache or create-on-push). Same arguments as `aws_ecr_repository_creation_template` " +
			"of the hashicorp/aws provider (a `moved` block from it moves the state). The lifecycle policy is validated at " +
			"plan time and compared as `ecr_lifecycle_policy` does, the repository policy as `ecr_repository_policy` does. " +
			"Everything but `prefix` is updated in place (UpdateRepositoryCreationTemplate).",
		Attributes: map[string]schema.Attribute{
			"applied_for": schema.SetAttribute{
				Required: true, ElementType: types.StringType,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(
					stringvalidator.OneOf(enumStrings(awstypes.RCTAppliedFor("").Values())...))},
				MarkdownDescription: "What the template applies to: `REPLICATION`, `PULL_THROUGH_CACHE` and/or `CREATE_ON_PUSH`.",
			},
			"custom_role_arn": schema.StringAttribute{
				Optional: true,
				Validators: []validator.String{stringvalidator.LengthAtMost(2048),
					stringvalidator.RegexMatches(iamRoleARNPattern, "must be the ARN of an IAM role")},
				MarkdownDescription: "ARN of the IAM role ECR assumes to create repositories with this template (needed for " +
					"`resource_tags` and a KMS key).",
			},
			"description": schema.StringAttribute{
				Optional: true, Validators: []validator.String{stringvalidator.LengthAtMost(256)},
				MarkdownDescription: "Description of the template, up to 256 characters.",
			},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The `prefix`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"image_tag_mutability": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(string(awstypes.ImageTagMutabilityMutable)),
				Validators: []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ImageTagMutability("").Values())...)},
				MarkdownDescription: "Tag mutability of the repositories: `MUTABLE` (default), `IMMUTABLE`, " +
					"`IMMUTABLE_WITH_EXCLUSION` or `MUTABLE_WITH_EXCLUSION` (these need `image_tag_mutability_exclusion_filter` blocks).",
			},
			"lifecycle_policy": schema.StringAttribute{
				CustomType: jsonDocumentType[lifecyclePolicyDocument]{}, Optional: true,
				Validators:    []validator.String{stringvalidator.LengthAtMost(30720)},
				PlanModifiers: []planmodifier.String{useStateWhenEquivalent[lifecyclePolicyDocument]()},
				MarkdownDescription: "Lifecycle policy of the repositories, as JSON (`jsonencode` or the " +
					"`ecr_lifecycle_policy_document` data source); validated at plan time, with errors that name the rule. " +
					"A policy that means the same is not a change.",
			},
			"prefix": schema.StringAttribute{
				Required: true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 256),
					stringvalidator.RegexMatches(pullThroughCachePrefixPattern, "must be `ROOT` or a repository name path "+
						"(lowercase letters and digits in groups separated by `.`, `_`, `__` or runs of `-`, with `/` between "+
						"path parts), optionally ending in `/`")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "Prefix of the repositories the template applies to; `ROOT` for repositories no other " +
					"template matches. Changing it replaces the template.",
			},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (account) id of the template.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"repository_policy": schema.StringAttribute{
				CustomType: jsonDocumentType[iamPolicyDocument]{}, Optional: true,
				Validators:    []validator.String{stringvalidator.LengthAtMost(repositoryPolicyMaxLength)},
				PlanModifiers: []planmodifier.String{useStateWhenEquivalent[iamPolicyDocument]()},
				MarkdownDescription: "Repository policy of the repositories, as JSON; checked at plan time. A policy that " +
					"grants the same is not a change.",
			},
			"resource_tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				Validators:          []validator.Map{mapvalidator.SizeAtMost(50)},
				MarkdownDescription: "Tags of the repositories (not of the template; the provider's `default_tags` do not apply).",
			},
		},
		Blocks: map[string]schema.Block{
			"encryption_configuration": schema.ListNestedBlock{
				MarkdownDescription: "Encryption of the repositories; without the block, `AES256`. Changes in place.",
				Validators:          []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{Validators: []validator.Object{kmsKeyNeedsKMS{}}, Attributes: map[string]schema.Attribute{
					"encryption_type": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(string(awstypes.EncryptionTypeAes256)),
						Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.EncryptionType("").Values())...)},
						MarkdownDescription: "`AES256` (default), `KMS` or `KMS_DSSE`.",
					},
					"kms_key": schema.StringAttribute{
						Optional: true,
						Validators: []validator.String{stringvalidator.RegexMatches(templateKMSKeyRegexp,
							"must be the ARN of a KMS key (a template takes no key id or alias)")},
						MarkdownDescription: "ARN of the KMS key for `KMS`/`KMS_DSSE`; without it, the AWS managed key `aws/ecr`.",
					},
				}},
			},
			"image_tag_mutability_exclusion_filter": exclusionFilterBlock(),
			"timeouts":                              repositoryCreationTemplateTimeouts.block(ctx),
		},
	}
}

func (r *repositoryCreationTemplateResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("prefix", "Prefix of the template.")
}

// ValidateConfig checks tag mutability and its exclusion filters together.
func (r *repositoryCreationTemplateResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(validateTagMutabilityConfig(ctx, req.Config)...)
}

// ModifyPlan plans region.
func (r *repositoryCreationTemplateResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planRegion(ctx, r.Meta, req, resp)
}

func (r *repositoryCreationTemplateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan repositoryCreationTemplateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, repositoryCreationTemplateTimeouts.create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := plan.Prefix.ValueString()
	ctx = tflog.SetField(ctx, "prefix", prefix)
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())
	in, diags := plan.expand(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	input := &ecr.CreateRepositoryCreationTemplateInput{
		Prefix: aws.String(prefix), AppliedFor: in.AppliedFor, CustomRoleArn: in.CustomRoleArn, Description: in.Description,
		EncryptionConfiguration: in.EncryptionConfiguration, ImageTagMutability: in.ImageTagMutability,
		ImageTagMutabilityExclusionFilters: in.ImageTagMutabilityExclusionFilters, LifecyclePolicy: in.LifecyclePolicy,
		RepositoryPolicy: in.RepositoryPolicy, ResourceTags: in.ResourceTags,
	}
	template, err := createRepositoryCreationTemplate(ctx, client, input)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating ECR Repository Creation Template (%s)", prefix), err.Error())
		return
	}
	// Record the template before waiting: a failed wait taints it instead
	// of orphaning it.
	resp.Diagnostics.Append(plan.flatten(ctx, template)...)
	resp.Diagnostics.Append(r.setRegistryID(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "prefix", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	template, err = waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.RepositoryCreationTemplate, error) {
		return findRepositoryCreationTemplateByPrefix(ctx, client, prefix)
	}, found)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository Creation Template (%s) after creating it", prefix), err.Error())
		return
	}
	resp.Diagnostics.Append(plan.flatten(ctx, template)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *repositoryCreationTemplateResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state repositoryCreationTemplateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "prefix")...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := state.Prefix.ValueString()
	ctx = tflog.SetField(ctx, "prefix", prefix)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	template, err := findRepositoryCreationTemplateByPrefix(ctx, r.Meta.ClientIn(state.Region.ValueString()), prefix)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR repository creation template not found, removing it from the state")
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "prefix", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository Creation Template (%s)", prefix), err.Error())
		return
	}
	resp.Diagnostics.Append(state.flatten(ctx, template)...)
	resp.Diagnostics.Append(r.setRegistryID(ctx, &state)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "prefix", state.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update sends the whole planned template: UpdateRepositoryCreationTemplate
// keeps what a request leaves out, so removed settings are sent empty.
func (r *repositoryCreationTemplateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state repositoryCreationTemplateModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, repositoryCreationTemplateTimeouts.update)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := state.Prefix.ValueString()
	ctx = tflog.SetField(ctx, "prefix", prefix)
	client := r.Meta.ClientIn(state.Region.ValueString())
	in, diags := plan.expand(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	empty := aws.String("")
	input := &ecr.UpdateRepositoryCreationTemplateInput{
		Prefix: aws.String(prefix), AppliedFor: in.AppliedFor,
		CustomRoleArn: cmpOr(in.CustomRoleArn, empty), Description: cmpOr(in.Description, empty),
		EncryptionConfiguration: in.EncryptionConfiguration, ImageTagMutability: in.ImageTagMutability,
		ImageTagMutabilityExclusionFilters: in.ImageTagMutabilityExclusionFilters,
		LifecyclePolicy:                    cmpOr(in.LifecyclePolicy, empty), RepositoryPolicy: cmpOr(in.RepositoryPolicy, empty),
		ResourceTags: in.ResourceTags,
	}
	if input.EncryptionConfiguration == nil { // the block removed: ECR's default
		input.EncryptionConfiguration = &awstypes.EncryptionConfigurationForRepositoryCreationTemplate{EncryptionType: awstypes.EncryptionTypeAes256}
	}
	if input.ResourceTags == nil {
		input.ResourceTags = []awstypes.Tag{}
	}
	out, err := client.UpdateRepositoryCreationTemplate(ctx, input)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("updating ECR Repository Creation Template (%s)", prefix), err.Error())
		return
	}
	// What was planned is what ECR now has (every value of the plan is known).
	plan.ID, plan.RegistryID = state.ID, state.RegistryID
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "prefix", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Wait until reads return the update.
	var want time.Time
	if out.RepositoryCreationTemplate != nil {
		want = aws.ToTime(out.RepositoryCreationTemplate.UpdatedAt)
	}
	_, err = waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.RepositoryCreationTemplate, error) {
		return findRepositoryCreationTemplateByPrefix(ctx, client, prefix)
	}, func(t *awstypes.RepositoryCreationTemplate, err error) bool {
		return err == nil && !aws.ToTime(t.UpdatedAt).Before(want)
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Repository Creation Template (%s) after updating it", prefix), err.Error())
	}
}

// setRegistryID sets registry_id: a template is in the caller's registry
// (ECR reports the id beside the template, not in it).
func (r *repositoryCreationTemplateResource) setRegistryID(ctx context.Context, m *repositoryCreationTemplateModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.RegistryID.IsNull() && !m.RegistryID.IsUnknown() && m.RegistryID.ValueString() != "" {
		return diags
	}
	account, err := r.Meta.AccountID(ctx)
	if err != nil {
		diags.AddError("reading the provider's account id", err.Error())
		return diags
	}
	m.RegistryID = types.StringValue(account)
	return diags
}

// cmpOr is v, or def when v is nil.
func cmpOr[T any](v, def *T) *T {
	if v == nil {
		return def
	}
	return v
}

func (r *repositoryCreationTemplateResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state repositoryCreationTemplateModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, repositoryCreationTemplateTimeouts.delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := state.Prefix.ValueString()
	ctx = tflog.SetField(ctx, "prefix", prefix)
	summary := fmt.Sprintf("deleting ECR Repository Creation Template (%s)", prefix)
	client := r.Meta.ClientIn(state.Region.ValueString())
	err := deleteAndWait(ctx, timeout, func(ctx context.Context) error {
		_, err := client.DeleteRepositoryCreationTemplate(ctx, &ecr.DeleteRepositoryCreationTemplateInput{Prefix: aws.String(prefix)})
		return err
	}, isTemplateNotFound, func(ctx context.Context) (*awstypes.RepositoryCreationTemplate, error) {
		return findRepositoryCreationTemplateByPrefix(ctx, client, prefix)
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
	}
}

// ImportState imports by prefix (`prefix` or `prefix@region`) or by identity.
func (r *repositoryCreationTemplateResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "prefix", validTemplatePrefix, req, resp)
}

// awsRepositoryCreationTemplateModel is the state of
// aws_ecr_repository_creation_template (schema version 0) that moves.
type awsRepositoryCreationTemplateModel struct {
	AppliedFor              []string     `tfsdk:"applied_for"`
	CustomRoleARN           types.String `tfsdk:"custom_role_arn"`
	Description             types.String `tfsdk:"description"`
	EncryptionConfiguration []struct {
		EncryptionType types.String `tfsdk:"encryption_type"`
		KMSKey         types.String `tfsdk:"kms_key"`
	} `tfsdk:"encryption_configuration"`
	ID                                types.String `tfsdk:"id"`
	ImageTagMutability                types.String `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []struct {
		Filter     types.String `tfsdk:"filter"`
		FilterType types.String `tfsdk:"filter_type"`
	} `tfsdk:"image_tag_mutability_exclusion_filter"`
	LifecyclePolicy  types.String      `tfsdk:"lifecycle_policy"`
	Prefix           types.String      `tfsdk:"prefix"`
	Region           types.String      `tfsdk:"region"`
	RegistryID       types.String      `tfsdk:"registry_id"`
	RepositoryPolicy types.String      `tfsdk:"repository_policy"`
	ResourceTags     map[string]string `tfsdk:"resource_tags"`
}

// MoveState takes over an aws_ecr_repository_creation_template of hashicorp/aws.
func (r *repositoryCreationTemplateResource) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS("aws_ecr_repository_creation_template", "prefix", schema.Schema{
		Attributes: map[string]schema.Attribute{
			"applied_for":     schema.SetAttribute{Optional: true, ElementType: types.StringType},
			"custom_role_arn": str, "description": str, "id": str, "image_tag_mutability": str, "lifecycle_policy": str,
			"prefix": str, "region": str, "registry_id": str, "repository_policy": str,
			"resource_tags": schema.MapAttribute{Optional: true, ElementType: types.StringType},
		},
		Blocks: map[string]schema.Block{
			"encryption_configuration": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"encryption_type": str, "kms_key": str}}},
			"image_tag_mutability_exclusion_filter": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"filter": str, "filter_type": str}}},
		},
	}, func(ctx context.Context, src *awsRepositoryCreationTemplateModel) (any, identityModel, diag.Diagnostics) {
		var diags diag.Diagnostics
		if src.Prefix.ValueString() == "" {
			src.Prefix = src.ID
		}
		if src.Prefix.ValueString() == "" || len(src.AppliedFor) == 0 {
			diags.AddError("Unable to move aws_ecr_repository_creation_template",
				"The source state has no prefix or applied_for: it is not a state hashicorp/aws writes.")
			return nil, identityModel{}, diags
		}
		t := &awstypes.RepositoryCreationTemplate{
			Prefix: src.Prefix.ValueStringPointer(), CustomRoleArn: src.CustomRoleARN.ValueStringPointer(),
			Description: src.Description.ValueStringPointer(), LifecyclePolicy: src.LifecyclePolicy.ValueStringPointer(),
			RepositoryPolicy:   src.RepositoryPolicy.ValueStringPointer(),
			ImageTagMutability: awstypes.ImageTagMutability(cmpOrString(src.ImageTagMutability.ValueString(), string(awstypes.ImageTagMutabilityMutable))),
		}
		for _, a := range src.AppliedFor {
			t.AppliedFor = append(t.AppliedFor, awstypes.RCTAppliedFor(a))
		}
		for _, e := range src.EncryptionConfiguration {
			t.EncryptionConfiguration = &awstypes.EncryptionConfigurationForRepositoryCreationTemplate{
				EncryptionType: awstypes.EncryptionType(e.EncryptionType.ValueString()), KmsKey: e.KMSKey.ValueStringPointer()}
		}
		for _, f := range src.ImageTagMutabilityExclusionFilter {
			t.ImageTagMutabilityExclusionFilters = append(t.ImageTagMutabilityExclusionFilters, awstypes.ImageTagMutabilityExclusionFilter{
				Filter: f.Filter.ValueStringPointer(), FilterType: awstypes.ImageTagMutabilityExclusionFilterType(f.FilterType.ValueString())})
		}
		for _, k := range slices.Sorted(maps.Keys(src.ResourceTags)) {
			t.ResourceTags = append(t.ResourceTags, awstypes.Tag{Key: aws.String(k), Value: aws.String(src.ResourceTags[k])})
		}
		m := &repositoryCreationTemplateModel{Region: src.Region, RegistryID: src.RegistryID,
			// What an import would have: no prior blocks or tags.
			ResourceTags: types.MapNull(types.StringType),
			Timeouts:     timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
		diags.Append(m.flatten(ctx, t)...)
		m.RegistryID = src.RegistryID
		return m, m.identity(), diags
	})}
}

// cmpOrString is s, or def when s is empty.
func cmpOrString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ---- model ----

type repositoryCreationTemplateModel struct {
	AppliedFor                        types.Set                                  `tfsdk:"applied_for"`
	CustomRoleARN                     types.String                               `tfsdk:"custom_role_arn"`
	Description                       types.String                               `tfsdk:"description"`
	EncryptionConfiguration           []templateEncryptionConfigurationModel     `tfsdk:"encryption_configuration"`
	ID                                types.String                               `tfsdk:"id"`
	ImageTagMutability                types.String                               `tfsdk:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []exclusionFilterModel                     `tfsdk:"image_tag_mutability_exclusion_filter"`
	LifecyclePolicy                   jsonDocumentValue[lifecyclePolicyDocument] `tfsdk:"lifecycle_policy"`
	Prefix                            types.String                               `tfsdk:"prefix"`
	Region                            types.String                               `tfsdk:"region"`
	RegistryID                        types.String                               `tfsdk:"registry_id"`
	RepositoryPolicy                  jsonDocumentValue[iamPolicyDocument]       `tfsdk:"repository_policy"`
	ResourceTags                      types.Map                                  `tfsdk:"resource_tags"`
	Timeouts                          timeouts.Value                             `tfsdk:"timeouts"`
}

type templateEncryptionConfigurationModel struct {
	EncryptionType types.String `tfsdk:"encryption_type"`
	KMSKey         types.String `tfsdk:"kms_key"`
}

// identity is the resource identity of the template.
func (m *repositoryCreationTemplateModel) identity() identityModel {
	return identityModel{Key: m.Prefix.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// expand is the model as a template of the API (the members Create and
// Update share); nil for what is not set.
func (m *repositoryCreationTemplateModel) expand(ctx context.Context) (*awstypes.RepositoryCreationTemplate, diag.Diagnostics) {
	var diags diag.Diagnostics
	t := &awstypes.RepositoryCreationTemplate{
		CustomRoleArn: m.CustomRoleARN.ValueStringPointer(), Description: m.Description.ValueStringPointer(),
		ImageTagMutability:                 awstypes.ImageTagMutability(m.ImageTagMutability.ValueString()),
		ImageTagMutabilityExclusionFilters: expandExclusionFilters(m.ImageTagMutabilityExclusionFilter),
		LifecyclePolicy:                    m.LifecyclePolicy.ValueStringPointer(),
		RepositoryPolicy:                   m.RepositoryPolicy.ValueStringPointer(),
	}
	var applied []string
	diags.Append(m.AppliedFor.ElementsAs(ctx, &applied, false)...)
	for _, a := range applied {
		t.AppliedFor = append(t.AppliedFor, awstypes.RCTAppliedFor(a))
	}
	if len(m.EncryptionConfiguration) > 0 {
		e := m.EncryptionConfiguration[0]
		t.EncryptionConfiguration = &awstypes.EncryptionConfigurationForRepositoryCreationTemplate{
			EncryptionType: awstypes.EncryptionType(e.EncryptionType.ValueString()), KmsKey: e.KMSKey.ValueStringPointer()}
	}
	tags := map[string]string{}
	diags.Append(m.ResourceTags.ElementsAs(ctx, &tags, false)...)
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		t.ResourceTags = append(t.ResourceTags, awstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return t, diags
}

// flatten sets the model from a template read from ECR; the model's values
// are the prior ones. An encryption block left out stays out while ECR
// reports its default (AES256), policies keep an equivalent prior text
// (their semantic equality), and empty values read as null.
func (m *repositoryCreationTemplateModel) flatten(ctx context.Context, t *awstypes.RepositoryCreationTemplate) diag.Diagnostics {
	var diags, d diag.Diagnostics
	prefix := aws.ToString(t.Prefix)
	if prior := m.Prefix; prior.IsNull() || prior.IsUnknown() || !samePrefix(prior.ValueString(), prefix) {
		m.Prefix = types.StringValue(prefix)
	}
	m.ID = m.Prefix
	applied := make([]string, len(t.AppliedFor))
	for i, a := range t.AppliedFor {
		applied[i] = string(a)
	}
	m.AppliedFor, d = types.SetValueFrom(ctx, types.StringType, applied)
	diags.Append(d...)
	m.CustomRoleARN = stringOrNull(t.CustomRoleArn)
	m.Description = stringOrNull(t.Description)
	m.ImageTagMutability = types.StringValue(cmpOrString(string(t.ImageTagMutability), string(awstypes.ImageTagMutabilityMutable)))
	m.ImageTagMutabilityExclusionFilter = flattenExclusionFilters(t.ImageTagMutabilityExclusionFilters)

	enc := []templateEncryptionConfigurationModel{}
	if e := t.EncryptionConfiguration; e != nil {
		enc = append(enc, templateEncryptionConfigurationModel{
			EncryptionType: types.StringValue(string(e.EncryptionType)), KMSKey: stringOrNull(e.KmsKey)})
	}
	if len(m.EncryptionConfiguration) == 0 && len(enc) == 1 && enc[0].EncryptionType.ValueString() == string(awstypes.EncryptionTypeAes256) &&
		enc[0].KMSKey.IsNull() {
		enc = enc[:0]
	}
	m.EncryptionConfiguration = enc

	m.LifecyclePolicy = jsonDocumentValue[lifecyclePolicyDocument]{StringValue: types.StringNull()}
	if p := aws.ToString(t.LifecyclePolicy); p != "" {
		m.LifecyclePolicy = newJSONDocumentValue[lifecyclePolicyDocument](normalizeJSON(p))
	}
	m.RepositoryPolicy = jsonDocumentValue[iamPolicyDocument]{StringValue: types.StringNull()}
	if p := aws.ToString(t.RepositoryPolicy); p != "" {
		m.RepositoryPolicy = newJSONDocumentValue[iamPolicyDocument](normalizeJSON(p))
	}

	tags := map[string]string{}
	for _, tag := range t.ResourceTags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(tags) > 0 || (!m.ResourceTags.IsNull() && !m.ResourceTags.IsUnknown()) {
		m.ResourceTags, d = types.MapValueFrom(ctx, types.StringType, tags)
		diags.Append(d...)
	} else {
		m.ResourceTags = types.MapNull(types.StringType)
	}
	return diags
}

// ---- API ----

// createRepositoryCreationTemplate calls CreateRepositoryCreationTemplate,
// adopting the template an earlier attempt created when the answer was
// lost (adopt.go).
func createRepositoryCreationTemplate(ctx context.Context, client *ecr.Client, input *ecr.CreateRepositoryCreationTemplateInput) (*awstypes.RepositoryCreationTemplate, error) {
	prefix := aws.ToString(input.Prefix)
	return createOrAdopt(ctx, adoptableCreate[*awstypes.RepositoryCreationTemplate]{
		what: fmt.Sprintf("ECR Repository Creation Template (%s)", prefix),
		create: func(ctx context.Context, optFns ...func(*ecr.Options)) (*awstypes.RepositoryCreationTemplate, error) {
			out, err := client.CreateRepositoryCreationTemplate(ctx, input, optFns...)
			if err != nil {
				return nil, err
			}
			return out.RepositoryCreationTemplate, nil
		},
		alreadyExists: isTemplateAlreadyExists,
		mine: func(ctx context.Context, w createWindow) (*awstypes.RepositoryCreationTemplate, error) {
			t, err := waitUntil(ctx, propagationTimeout, func(ctx context.Context) (*awstypes.RepositoryCreationTemplate, error) {
				return findRepositoryCreationTemplateByPrefix(ctx, client, prefix)
			}, found[*awstypes.RepositoryCreationTemplate])
			if err != nil {
				return nil, err
			}
			if created := aws.ToTime(t.CreatedAt); !w.contains(created) {
				return nil, fmt.Errorf("it was created at %s, outside this call (%s)", created.UTC().Format(time.RFC3339), w)
			}
			sortedApplied := func(a []awstypes.RCTAppliedFor) []awstypes.RCTAppliedFor { return slices.Sorted(slices.Values(a)) }
			tagsOf := func(tags []awstypes.Tag) map[string]string {
				m := map[string]string{}
				for _, t := range tags {
					m[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				return m
			}
			switch {
			case !slices.Equal(sortedApplied(t.AppliedFor), sortedApplied(input.AppliedFor)):
				return nil, fmt.Errorf("its applied_for %v is not the requested %v", t.AppliedFor, input.AppliedFor)
			case aws.ToString(t.Description) != aws.ToString(input.Description):
				return nil, fmt.Errorf("its description %q is not the requested %q", aws.ToString(t.Description), aws.ToString(input.Description))
			case aws.ToString(t.CustomRoleArn) != aws.ToString(input.CustomRoleArn):
				return nil, fmt.Errorf("its custom_role_arn %q is not the requested %q", aws.ToString(t.CustomRoleArn), aws.ToString(input.CustomRoleArn))
			case !maps.Equal(tagsOf(t.ResourceTags), tagsOf(input.ResourceTags)):
				return nil, fmt.Errorf("its resource_tags %v are not the requested %v", tagsOf(t.ResourceTags), tagsOf(input.ResourceTags))
			}
			return t, nil
		},
	})
}

// findRepositoryCreationTemplateByPrefix returns the template of the
// caller's registry with the prefix, or a notFoundError. ECR answers an
// unknown prefix with an empty list or TemplateNotFoundException.
func findRepositoryCreationTemplateByPrefix(ctx context.Context, client *ecr.Client, prefix string) (*awstypes.RepositoryCreationTemplate, error) {
	what := fmt.Sprintf("ECR Repository Creation Template (%s)", prefix)
	out, err := client.DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{Prefixes: []string{prefix}})
	if isTemplateNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	for i := range out.RepositoryCreationTemplates {
		if samePrefix(aws.ToString(out.RepositoryCreationTemplates[i].Prefix), prefix) {
			return &out.RepositoryCreationTemplates[i], nil
		}
	}
	return nil, &notFoundError{what: what}
}

// listRepositoryCreationTemplates pages through every template of the registry.
func listRepositoryCreationTemplates(ctx context.Context, client *ecr.Client) iter.Seq2[awstypes.RepositoryCreationTemplate, error] {
	return func(yield func(awstypes.RepositoryCreationTemplate, error) bool) {
		p := ecr.NewDescribeRepositoryCreationTemplatesPaginator(client, &ecr.DescribeRepositoryCreationTemplatesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(awstypes.RepositoryCreationTemplate{}, err)
				return
			}
			for _, t := range page.RepositoryCreationTemplates {
				if !yield(t, nil) {
					return
				}
			}
		}
	}
}
