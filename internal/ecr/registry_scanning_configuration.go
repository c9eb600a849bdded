package ecr

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// scanningFilterPattern is the pattern of a registry scanning rule's
// repository filter (ScanningRepositoryFilter.filter in the API model).
var scanningFilterPattern = regexp.MustCompile(`^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`)

// NewRegistryScanningConfigurationResource returns the
// ecr_registry_scanning_configuration resource.
func NewRegistryScanningConfigurationResource() resource.Resource {
	return newRegistrySingletonResource(registryScanningConfiguration)
}

// NewRegistryScanningConfigurationDataSource returns the
// ecr_registry_scanning_configuration data source.
func NewRegistryScanningConfigurationDataSource() datasource.DataSource {
	return newRegistrySingletonDataSource(registryScanningConfiguration)
}

type registryScanningConfigurationModel struct {
	singletonBase
	ScanType types.String        `tfsdk:"scan_type"`
	Rules    []scanningRuleModel `tfsdk:"rule"`
}

type scanningRuleModel struct {
	ScanFrequency     types.String                    `tfsdk:"scan_frequency"`
	RepositoryFilters []scanningRepositoryFilterModel `tfsdk:"repository_filter"`
}

type scanningRepositoryFilterModel struct {
	Filter     types.String `tfsdk:"filter"`
	FilterType types.String `tfsdk:"filter_type"`
}

type registryScanningConfigurationDataSourceModel struct {
	ID         types.String        `tfsdk:"id"`
	Region     types.String        `tfsdk:"region"`
	RegistryID types.String        `tfsdk:"registry_id"`
	ScanType   types.String        `tfsdk:"scan_type"`
	Rules      []scanningRuleModel `tfsdk:"rule"`
}

// registryScanningConfiguration is the registry's image scanning
// configuration. ECR always has one: BASIC with no rules by default, which
// destroy puts back.
var registryScanningConfiguration = registrySingleton[registryScanningConfigurationModel, *registryScanningConfigurationModel]{
	typeName: "_registry_scanning_configuration",
	what:     "ECR Registry Scanning Configuration",
	description: "Manages the image scanning configuration of an ECR registry: one per account and Region. Creating it " +
		"replaces the registry's configuration; destroying it returns the registry to ECR's default (`BASIC`, no rules).",
	attributes: map[string]schema.Attribute{
		"scan_type": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "`BASIC` or `ENHANCED` (Amazon Inspector).",
			Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ScanType("").Values())...)},
		},
	},
	blocks: map[string]schema.Block{
		"rule": schema.ListNestedBlock{
			MarkdownDescription: "Which repositories are scanned how; at most 2 rules. A repository no rule matches is scanned " +
				"only on request (`MANUAL`).",
			Validators: []validator.List{listvalidator.SizeAtMost(2)},
			NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{
					"scan_frequency": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "`SCAN_ON_PUSH` or, with `ENHANCED`, `CONTINUOUS_SCAN`. (`MANUAL` is what applies " +
							"to repositories no rule matches; ECR does not accept it in a rule.)",
						Validators: []validator.String{stringvalidator.OneOf(
							string(awstypes.ScanFrequencyScanOnPush), string(awstypes.ScanFrequencyContinuousScan))},
					},
				},
				Blocks: map[string]schema.Block{
					"repository_filter": schema.ListNestedBlock{
						MarkdownDescription: "Repositories the rule applies to (1 to 100 filters).",
						Validators:          []validator.List{listvalidator.SizeBetween(1, 100)},
						NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
							"filter": schema.StringAttribute{
								Required:            true,
								MarkdownDescription: "Repository name pattern; `*` matches any characters.",
								Validators: []validator.String{stringvalidator.LengthBetween(1, 255),
									stringvalidator.RegexMatches(scanningFilterPattern,
										"must be lowercase letters, digits, `*` and the separators `.`, `_`, `-`, `/`")},
							},
							"filter_type": schema.StringAttribute{
								Required:            true,
								MarkdownDescription: "`WILDCARD`.",
								Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ScanningRepositoryFilterType("").Values())...)},
							},
						}},
					},
				},
			},
		},
	},
	modifyPlan: func(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
		var scanType types.String
		var rules []scanningRuleModel
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("scan_type"), &scanType)...)
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rule"), &rules)...)
		if resp.Diagnostics.HasError() || scanType.ValueString() != string(awstypes.ScanTypeBasic) {
			return
		}
		for i, r := range rules {
			if r.ScanFrequency.ValueString() == string(awstypes.ScanFrequencyContinuousScan) {
				resp.Diagnostics.AddAttributeError(path.Root("rule").AtListIndex(i).AtName("scan_frequency"),
					"Scan frequency not supported by scan type",
					"With scan_type = \"BASIC\" ECR supports only SCAN_ON_PUSH; CONTINUOUS_SCAN needs scan_type = \"ENHANCED\".")
			}
		}
	},
	put: func(ctx context.Context, client *ecr.Client, m *registryScanningConfigurationModel) error {
		_, err := client.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
			ScanType: awstypes.ScanType(m.ScanType.ValueString()),
			Rules:    expandScanningRules(m.Rules),
		})
		return err
	},
	read: func(ctx context.Context, client *ecr.Client, m *registryScanningConfigurationModel) error {
		out, err := findRegistryScanningConfiguration(ctx, client)
		if err != nil {
			return err
		}
		m.RegistryID = types.StringPointerValue(out.RegistryId)
		m.ScanType = types.StringValue(string(out.ScanningConfiguration.ScanType))
		m.Rules = flattenScanningRules(out.ScanningConfiguration.Rules)
		return nil
	},
	agrees: func(want, got *registryScanningConfigurationModel) bool {
		// fmt prints the values (types.String is a Stringer), and nil and
		// empty lists alike.
		return want.ScanType.Equal(got.ScanType) && fmt.Sprint(want.Rules) == fmt.Sprint(got.Rules)
	},
	remove: func(ctx context.Context, client *ecr.Client) error {
		_, err := client.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{
			ScanType: awstypes.ScanTypeBasic, Rules: []awstypes.RegistryScanningRule{},
		})
		return err
	},
	removed: func(got *registryScanningConfigurationModel) bool {
		return got.ScanType.ValueString() == string(awstypes.ScanTypeBasic) && len(got.Rules) == 0
	},
	dataSource: singletonDataSource[*registryScanningConfigurationModel]{
		description: "Reads the image scanning configuration of an ECR registry (account and Region).",
		attributes: map[string]dsschema.Attribute{
			"scan_type": dsschema.StringAttribute{Computed: true, MarkdownDescription: "`BASIC` or `ENHANCED`."},
			"rule": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "The scanning rules.",
				NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
					"scan_frequency": dsschema.StringAttribute{Computed: true, MarkdownDescription: "`SCAN_ON_PUSH` or `CONTINUOUS_SCAN`."},
					"repository_filter": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "Repositories the rule applies to.",
						NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
							"filter":      dsschema.StringAttribute{Computed: true, MarkdownDescription: "Repository name pattern."},
							"filter_type": dsschema.StringAttribute{Computed: true, MarkdownDescription: "`WILDCARD`."},
						}}},
				}}},
		},
		model: func(m *registryScanningConfigurationModel) any {
			return &registryScanningConfigurationDataSourceModel{ID: m.ID, Region: m.Region, RegistryID: m.RegistryID,
				ScanType: m.ScanType, Rules: m.Rules}
		},
	},
	move: []resource.StateMover{moveFromAWS("aws_ecr_registry_scanning_configuration", "", schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Optional: true}, "region": schema.StringAttribute{Optional: true},
			"registry_id": schema.StringAttribute{Optional: true}, "scan_type": schema.StringAttribute{Optional: true},
		},
		Blocks: map[string]schema.Block{"rule": schema.SetNestedBlock{NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{"scan_frequency": schema.StringAttribute{Optional: true}},
			Blocks: map[string]schema.Block{"repository_filter": schema.SetNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{
					"filter": schema.StringAttribute{Optional: true}, "filter_type": schema.StringAttribute{Optional: true},
				},
			}}},
		}}},
	}, func(_ context.Context, src *awsRegistryScanningConfigurationModel) (any, identityModel, diag.Diagnostics) {
		m := &registryScanningConfigurationModel{singletonBase: movedSingletonBase(src.ID, src.RegistryID, src.Region),
			ScanType: src.ScanType, Rules: src.Rules}
		if m.Rules == nil {
			m.Rules = []scanningRuleModel{}
		}
		return m, m.identity(), nil
	})},
}

// awsRegistryScanningConfigurationModel is the state hashicorp/aws writes
// for aws_ecr_registry_scanning_configuration.
type awsRegistryScanningConfigurationModel struct {
	ID         types.String        `tfsdk:"id"`
	Region     types.String        `tfsdk:"region"`
	RegistryID types.String        `tfsdk:"registry_id"`
	ScanType   types.String        `tfsdk:"scan_type"`
	Rules      []scanningRuleModel `tfsdk:"rule"`
}

func expandScanningRules(rules []scanningRuleModel) []awstypes.RegistryScanningRule {
	out := make([]awstypes.RegistryScanningRule, 0, len(rules))
	for _, r := range rules {
		rule := awstypes.RegistryScanningRule{ScanFrequency: awstypes.ScanFrequency(r.ScanFrequency.ValueString()),
			RepositoryFilters: make([]awstypes.ScanningRepositoryFilter, 0, len(r.RepositoryFilters))}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, awstypes.ScanningRepositoryFilter{
				Filter: aws.String(f.Filter.ValueString()), FilterType: awstypes.ScanningRepositoryFilterType(f.FilterType.ValueString())})
		}
		out = append(out, rule)
	}
	return out
}

func flattenScanningRules(rules []awstypes.RegistryScanningRule) []scanningRuleModel {
	out := make([]scanningRuleModel, 0, len(rules))
	for _, r := range rules {
		rule := scanningRuleModel{ScanFrequency: types.StringValue(string(r.ScanFrequency)),
			RepositoryFilters: make([]scanningRepositoryFilterModel, 0, len(r.RepositoryFilters))}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, scanningRepositoryFilterModel{
				Filter: types.StringPointerValue(f.Filter), FilterType: types.StringValue(string(f.FilterType))})
		}
		out = append(out, rule)
	}
	return out
}

// findRegistryScanningConfiguration returns the scanning configuration of
// the caller's registry (ECR always has one).
func findRegistryScanningConfiguration(ctx context.Context, client *ecr.Client) (*ecr.GetRegistryScanningConfigurationOutput, error) {
	out, err := client.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		return nil, err
	}
	if out.ScanningConfiguration == nil {
		return nil, &notFoundError{what: "ECR Registry Scanning Configuration"}
	}
	return out, nil
}
