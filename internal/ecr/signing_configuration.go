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
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Patterns of a signing rule (SigningRule and SigningRepositoryFilter in
// the API model).
var (
	signingProfileARNPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$`)
	signingFilterPattern     = regexp.MustCompile(`^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$`)
)

// Limits of a signing configuration.
const (
	maxSigningRules   = 10
	maxSigningFilters = 100
)

// NewSigningConfigurationResource returns the ecr_signing_configuration resource.
func NewSigningConfigurationResource() resource.Resource {
	return newRegistrySingletonResource(signingConfiguration)
}

// NewSigningConfigurationDataSource returns the ecr_signing_configuration data source.
func NewSigningConfigurationDataSource() datasource.DataSource {
	return newRegistrySingletonDataSource(signingConfiguration)
}

type signingConfigurationModel struct {
	singletonBase
	Rules []signingRuleModel `tfsdk:"rule"`
}

type signingRuleModel struct {
	SigningProfileARN types.String                   `tfsdk:"signing_profile_arn"`
	RepositoryFilters []signingRepositoryFilterModel `tfsdk:"repository_filter"`
}

type signingRepositoryFilterModel struct {
	Filter     types.String `tfsdk:"filter"`
	FilterType types.String `tfsdk:"filter_type"`
}

type signingConfigurationDataSourceModel struct {
	ID         types.String       `tfsdk:"id"`
	Region     types.String       `tfsdk:"region"`
	RegistryID types.String       `tfsdk:"registry_id"`
	Rules      []signingRuleModel `tfsdk:"rule"`
}

// signingConfiguration is the registry's signing configuration: which
// images ECR signs on push with which AWS Signer profile.
var signingConfiguration = registrySingleton[signingConfigurationModel, *signingConfigurationModel]{
	typeName: "_signing_configuration",
	what:     "ECR Signing Configuration",
	description: "Manages the signing configuration of an ECR registry (one per account and Region): images pushed to " +
		"matching repositories are signed with an AWS Signer signing profile. Creating it replaces the registry's " +
		"configuration; destroying it deletes the configuration.",
	blocks: map[string]schema.Block{
		"rule": schema.ListNestedBlock{
			MarkdownDescription: fmt.Sprintf("Signing rules (at most %d). An image is signed by every rule that matches its repository.",
				maxSigningRules),
			Validators: []validator.List{listvalidator.SizeAtMost(maxSigningRules)},
			NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{
					"signing_profile_arn": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "ARN of the AWS Signer signing profile (`arn:aws:signer:<region>:<account>:/signing-profiles/<name>`).",
						Validators: []validator.String{stringvalidator.LengthAtMost(200),
							stringvalidator.RegexMatches(signingProfileARNPattern, "must be an AWS Signer signing profile ARN")},
					},
				},
				Blocks: map[string]schema.Block{
					"repository_filter": schema.ListNestedBlock{
						MarkdownDescription: fmt.Sprintf("Repositories the rule signs (at most %d filters); without filters, every repository.",
							maxSigningFilters),
						Validators: []validator.List{listvalidator.SizeAtMost(maxSigningFilters)},
						NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
							"filter": schema.StringAttribute{Required: true,
								MarkdownDescription: "Repository name pattern; `*` matches any characters (`myapp/*`, `*/production`).",
								Validators: []validator.String{stringvalidator.LengthBetween(1, 256),
									stringvalidator.RegexMatches(signingFilterPattern, "must be a repository name pattern (lowercase letters, digits, `*`, `.`, `_`, `-`, `/`)")}},
							"filter_type": schema.StringAttribute{Required: true, MarkdownDescription: "`WILDCARD_MATCH`.",
								Validators: []validator.String{stringvalidator.OneOf(enumStrings(awstypes.SigningRepositoryFilterType("").Values())...)}},
						}},
					},
				},
			},
		},
	},
	put: func(ctx context.Context, client *ecr.Client, m *signingConfigurationModel) error {
		_, err := client.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{
			SigningConfiguration: &awstypes.SigningConfiguration{Rules: expandSigningRules(m.Rules)}})
		return err
	},
	read: func(ctx context.Context, client *ecr.Client, m *signingConfigurationModel) error {
		out, err := findSigningConfiguration(ctx, client)
		if err != nil {
			return err
		}
		m.RegistryID = types.StringPointerValue(out.RegistryId)
		m.Rules = flattenSigningRules(out.SigningConfiguration.Rules)
		return nil
	},
	agrees: func(want, got *signingConfigurationModel) bool {
		// fmt prints the values (types.String is a Stringer), and nil and
		// empty lists alike.
		return fmt.Sprint(want.Rules) == fmt.Sprint(got.Rules)
	},
	remove: func(ctx context.Context, client *ecr.Client) error {
		_, err := client.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{})
		return err
	},
	isRemoved: isSigningConfigurationNotFound,
	dataSource: singletonDataSource[*signingConfigurationModel]{
		description: "Reads the signing configuration of an ECR registry (account and Region); an error when it has none.",
		attributes: map[string]dsschema.Attribute{
			"rule": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "The signing rules.",
				NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
					"signing_profile_arn": dsschema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the signing profile."},
					"repository_filter": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "Repositories the rule signs.",
						NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
							"filter":      dsschema.StringAttribute{Computed: true, MarkdownDescription: "Repository name pattern."},
							"filter_type": dsschema.StringAttribute{Computed: true, MarkdownDescription: "`WILDCARD_MATCH`."},
						}}},
				}}},
		},
		model: func(m *signingConfigurationModel) any {
			return &signingConfigurationDataSourceModel{ID: m.ID, Region: m.Region, RegistryID: m.RegistryID, Rules: m.Rules}
		},
	},
}

func expandSigningRules(rules []signingRuleModel) []awstypes.SigningRule {
	out := make([]awstypes.SigningRule, 0, len(rules))
	for _, r := range rules {
		rule := awstypes.SigningRule{SigningProfileArn: aws.String(r.SigningProfileARN.ValueString())}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, awstypes.SigningRepositoryFilter{
				Filter: aws.String(f.Filter.ValueString()), FilterType: awstypes.SigningRepositoryFilterType(f.FilterType.ValueString())})
		}
		out = append(out, rule)
	}
	return out
}

func flattenSigningRules(rules []awstypes.SigningRule) []signingRuleModel {
	out := make([]signingRuleModel, 0, len(rules))
	for _, r := range rules {
		rule := signingRuleModel{SigningProfileARN: types.StringPointerValue(r.SigningProfileArn),
			RepositoryFilters: make([]signingRepositoryFilterModel, 0, len(r.RepositoryFilters))}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, signingRepositoryFilterModel{
				Filter: types.StringPointerValue(f.Filter), FilterType: types.StringValue(string(f.FilterType))})
		}
		out = append(out, rule)
	}
	return out
}

// findSigningConfiguration returns the signing configuration of the
// caller's registry, or a notFoundError when it has none.
func findSigningConfiguration(ctx context.Context, client *ecr.Client) (*ecr.GetSigningConfigurationOutput, error) {
	out, err := client.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
	if isSigningConfigurationNotFound(err) {
		return nil, &notFoundError{what: "ECR Signing Configuration", err: err}
	}
	if err != nil {
		return nil, err
	}
	if out.SigningConfiguration == nil {
		return nil, &notFoundError{what: "ECR Signing Configuration"}
	}
	return out, nil
}
