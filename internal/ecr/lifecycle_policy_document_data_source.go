package ecr

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

var (
	_ datasource.DataSource                   = (*lifecyclePolicyDocumentDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*lifecyclePolicyDocumentDataSource)(nil)
)

// NewLifecyclePolicyDocumentDataSource returns the
// ecr_lifecycle_policy_document data source. It calls no API.
func NewLifecyclePolicyDocumentDataSource() datasource.DataSource {
	return &lifecyclePolicyDocumentDataSource{}
}

type lifecyclePolicyDocumentDataSource struct{}

func (d *lifecyclePolicyDocumentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_lifecycle_policy_document"
}

func (d *lifecyclePolicyDocumentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Builds an ECR lifecycle policy document (JSON) from typed rules, for `ecr_lifecycle_policy`. " +
			"The document is validated as ECR does, at plan time when the rules are known. Calls no API.",
		Attributes: map[string]schema.Attribute{
			"json": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The lifecycle policy as JSON.",
			},
		},
		Blocks: map[string]schema.Block{
			"rule": schema.ListNestedBlock{
				MarkdownDescription: "A lifecycle policy rule. At least one is required.",
				Validators:          []validator.List{listvalidator.IsRequired(), listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"priority": schema.Int64Attribute{
							Required: true,
							MarkdownDescription: "Order in which rules are evaluated, lowest first (`rulePriority`); unique " +
								"within the policy. A rule with `tag_status = \"any\"` must have the highest priority.",
							Validators: []validator.Int64{int64validator.AtLeast(1)},
						},
						"description": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Describes the rule.",
						},
					},
					Blocks: map[string]schema.Block{
						"selection": schema.ListNestedBlock{
							MarkdownDescription: "Which images the rule applies to. Exactly one is required.",
							Validators:          []validator.List{listvalidator.IsRequired(), listvalidator.SizeBetween(1, 1)},
							NestedObject: schema.NestedBlockObject{
								Attributes: map[string]schema.Attribute{
									"tag_status": schema.StringAttribute{
										Required: true,
										MarkdownDescription: "`tagged`, `untagged` or `any`. `tagged` needs `tag_pattern_list` " +
											"or `tag_prefix_list`; `untagged` allows neither.",
										Validators: []validator.String{stringvalidator.OneOf(
											lifecyclepolicy.TagStatusTagged, lifecyclepolicy.TagStatusUntagged, lifecyclepolicy.TagStatusAny)},
									},
									"tag_pattern_list": schema.ListAttribute{
										Optional:            true,
										ElementType:         types.StringType,
										MarkdownDescription: "Tag patterns with `*` wildcards (at most 4 per pattern); an image matches when a tag matches every pattern.",
									},
									"tag_prefix_list": schema.ListAttribute{
										Optional:            true,
										ElementType:         types.StringType,
										MarkdownDescription: "Tag prefixes; an image matches when it has a tag starting with every prefix.",
									},
									"count_type": schema.StringAttribute{
										Required: true,
										MarkdownDescription: "`imageCountMoreThan`, `sinceImagePushed`, `sinceImagePulled` or " +
											"`sinceImageTransitioned` (the last needs `storage_class = \"archive\"`).",
										Validators: []validator.String{stringvalidator.OneOf(
											lifecyclepolicy.CountTypeImageCountMoreThan, lifecyclepolicy.CountTypeSinceImagePushed,
											lifecyclepolicy.CountTypeSinceImagePulled, lifecyclepolicy.CountTypeSinceImageTransitioned)},
									},
									"count_unit": schema.StringAttribute{
										Optional:            true,
										MarkdownDescription: "`days`; required by the `since*` count types, not allowed with `imageCountMoreThan`.",
										Validators:          []validator.String{stringvalidator.OneOf(lifecyclepolicy.CountUnitDays)},
									},
									"count_number": schema.Int64Attribute{
										Required:            true,
										MarkdownDescription: "The image count or the number of days.",
										Validators:          []validator.Int64{int64validator.AtLeast(1)},
									},
									"storage_class": schema.StringAttribute{
										Optional:            true,
										MarkdownDescription: "Storage class the rule selects from: `standard` (the default) or `archive`.",
										Validators: []validator.String{stringvalidator.OneOf(
											lifecyclepolicy.StorageClassStandard, lifecyclepolicy.StorageClassArchive)},
									},
								},
							},
						},
						"action": schema.ListNestedBlock{
							MarkdownDescription: "What the rule does; `expire` when omitted.",
							Validators:          []validator.List{listvalidator.SizeAtMost(1)},
							NestedObject: schema.NestedBlockObject{
								Attributes: map[string]schema.Attribute{
									"type": schema.StringAttribute{
										Required:            true,
										MarkdownDescription: "`expire` (delete the images) or `transition` (move them to `target_storage_class`).",
										Validators: []validator.String{stringvalidator.OneOf(
											lifecyclepolicy.ActionExpire, lifecyclepolicy.ActionTransition)},
									},
									"target_storage_class": schema.StringAttribute{
										Optional:            true,
										MarkdownDescription: "`archive`; required by `transition`, not allowed with `expire`.",
										Validators:          []validator.String{stringvalidator.OneOf(lifecyclepolicy.StorageClassArchive)},
									},
								},
							},
						},
					},
				},
			},
		},
	}
}

func (d *lifecyclePolicyDocumentDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var config lifecyclePolicyDocumentDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policy, known, diags := expandLifecyclePolicyDocument(ctx, config)
	resp.Diagnostics.Append(diags...)
	if !known || resp.Diagnostics.HasError() {
		return // checked again in Read, once every value is known
	}
	resp.Diagnostics.Append(validateLifecyclePolicyDocument(policy)...)
}

func (d *lifecyclePolicyDocumentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config lifecyclePolicyDocumentDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policy, _, diags := expandLifecyclePolicyDocument(ctx, config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateLifecyclePolicyDocument(policy)...)
	if resp.Diagnostics.HasError() {
		return
	}
	text, err := marshalLifecyclePolicy(policy)
	if err != nil {
		resp.Diagnostics.AddError("encoding the lifecycle policy as JSON", err.Error())
		return
	}
	config.JSON = types.StringValue(text)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// marshalLifecyclePolicy writes a policy as indented JSON. Every field,
// including the archive ones (storageClass, targetStorageClass), goes out
// when set.
func marshalLifecyclePolicy(p *lifecyclepolicy.Policy) (string, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	return string(b), err
}

// validateLifecyclePolicyDocument runs ECR's validation on the document and
// reports a failure on the attribute of the rule it is about.
func validateLifecyclePolicyDocument(p *lifecyclepolicy.Policy) diag.Diagnostics {
	var diags diag.Diagnostics
	text, err := json.Marshal(p)
	if err != nil {
		diags.AddError("encoding the lifecycle policy as JSON", err.Error())
		return diags
	}
	err = lifecyclepolicy.Validate(string(text))
	if err == nil || lifecyclepolicy.AttributeChecked(p, err) {
		return diags // the attribute's own validator reports it, once
	}
	var le *lifecyclepolicy.Error
	if errors.As(err, &le) && le.RuleIndex >= 0 {
		diags.AddAttributeError(documentPathOf(le), "Invalid lifecycle policy rule", describeLifecyclePolicyError(err))
		return diags
	}
	diags.AddAttributeError(path.Root("rule"), "Invalid lifecycle policy", describeLifecyclePolicyError(err))
	return diags
}

// documentFieldPaths maps a policy property (lifecyclepolicy.Error.Field) to
// its attribute inside a rule block.
var documentFieldPaths = map[string][]string{
	"rulePriority":              {"priority"},
	"description":               {"description"},
	"selection":                 {"selection"},
	"selection.tagStatus":       {"selection", "tag_status"},
	"selection.tagPatternList":  {"selection", "tag_pattern_list"},
	"selection.tagPrefixList":   {"selection", "tag_prefix_list"},
	"selection.countType":       {"selection", "count_type"},
	"selection.countUnit":       {"selection", "count_unit"},
	"selection.countNumber":     {"selection", "count_number"},
	"selection.storageClass":    {"selection", "storage_class"},
	"action":                    {"action"},
	"action.type":               {"action", "type"},
	"action.targetStorageClass": {"action", "target_storage_class"},
}

func documentPathOf(le *lifecyclepolicy.Error) path.Path {
	p := path.Root("rule").AtListIndex(le.RuleIndex)
	field := le.Field
	if i := strings.IndexByte(field, '['); i >= 0 { // e.g. selection.tagPatternList[0]
		field = field[:i]
	}
	for i, step := range documentFieldPaths[field] {
		p = p.AtName(step)
		if i == 0 && (step == "selection" || step == "action") {
			p = p.AtListIndex(0)
		}
	}
	return p
}

// expandLifecyclePolicyDocument builds the policy from the configuration.
// known is false when some value is not known yet (the policy is then
// incomplete and must not be validated).
func expandLifecyclePolicyDocument(ctx context.Context, m lifecyclePolicyDocumentDataSourceModel) (*lifecyclepolicy.Policy, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	known := true
	p := &lifecyclepolicy.Policy{Rules: []lifecyclepolicy.Rule{}}
	if m.Rules.IsUnknown() {
		return p, false, diags
	}
	var rules []lifecyclePolicyDocumentRuleModel
	diags.Append(m.Rules.ElementsAs(ctx, &rules, false)...)
	if diags.HasError() {
		return p, false, diags
	}
	for _, rm := range rules {
		rule := lifecyclepolicy.Rule{
			RulePriority: int(rm.Priority.ValueInt64()),
			Description:  rm.Description.ValueString(),
			Action:       lifecyclepolicy.Action{Type: lifecyclepolicy.ActionExpire},
		}
		known = known && !rm.Priority.IsUnknown() && !rm.Description.IsUnknown()

		if rm.Selection.IsUnknown() {
			known = false
		} else {
			var sels []lifecyclePolicyDocumentSelectionModel
			diags.Append(rm.Selection.ElementsAs(ctx, &sels, false)...)
			if len(sels) > 0 {
				s := sels[0]
				rule.Selection = lifecyclepolicy.Selection{
					TagStatus:    s.TagStatus.ValueString(),
					StorageClass: s.StorageClass.ValueString(),
					CountType:    s.CountType.ValueString(),
					CountUnit:    s.CountUnit.ValueString(),
					CountNumber:  int(s.CountNumber.ValueInt64()),
				}
				known = known && !s.TagStatus.IsUnknown() && !s.StorageClass.IsUnknown() && !s.CountType.IsUnknown() &&
					!s.CountUnit.IsUnknown() && !s.CountNumber.IsUnknown() &&
					!s.TagPatternList.IsUnknown() && !s.TagPrefixList.IsUnknown()
				diags.Append(s.TagPatternList.ElementsAs(ctx, &rule.Selection.TagPatternList, true)...)
				diags.Append(s.TagPrefixList.ElementsAs(ctx, &rule.Selection.TagPrefixList, true)...)
			}
		}

		if rm.Action.IsUnknown() {
			known = false
		} else {
			var acts []lifecyclePolicyDocumentActionModel
			diags.Append(rm.Action.ElementsAs(ctx, &acts, false)...)
			if len(acts) > 0 {
				rule.Action = lifecyclepolicy.Action{
					Type:               acts[0].Type.ValueString(),
					TargetStorageClass: acts[0].TargetStorageClass.ValueString(),
				}
				known = known && !acts[0].Type.IsUnknown() && !acts[0].TargetStorageClass.IsUnknown()
			}
		}
		p.Rules = append(p.Rules, rule)
	}
	return p, known, diags
}

type lifecyclePolicyDocumentDataSourceModel struct {
	JSON  types.String `tfsdk:"json"`
	Rules types.List   `tfsdk:"rule"`
}

type lifecyclePolicyDocumentRuleModel struct {
	Priority    types.Int64  `tfsdk:"priority"`
	Description types.String `tfsdk:"description"`
	Selection   types.List   `tfsdk:"selection"`
	Action      types.List   `tfsdk:"action"`
}

type lifecyclePolicyDocumentSelectionModel struct {
	TagStatus      types.String `tfsdk:"tag_status"`
	TagPatternList types.List   `tfsdk:"tag_pattern_list"`
	TagPrefixList  types.List   `tfsdk:"tag_prefix_list"`
	CountType      types.String `tfsdk:"count_type"`
	CountUnit      types.String `tfsdk:"count_unit"`
	CountNumber    types.Int64  `tfsdk:"count_number"`
	StorageClass   types.String `tfsdk:"storage_class"`
}

type lifecyclePolicyDocumentActionModel struct {
	Type               types.String `tfsdk:"type"`
	TargetStorageClass types.String `tfsdk:"target_storage_class"`
}
