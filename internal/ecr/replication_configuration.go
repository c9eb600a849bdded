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
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Limits of a replication configuration (ecr-api.md 3.8).
const (
	maxReplicationRules        = 10
	maxReplicationDestinations = 25
	maxReplicationFilters      = 100
)

// replicationFilterPattern is the pattern of a replication rule's
// repository filter (RepositoryFilter.filter in the API model).
var replicationFilterPattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$`)

// replicationRegionPattern is the pattern of a destination Region.
var replicationRegionPattern = regexp.MustCompile(`^[0-9a-z-]{2,25}$`)

// NewReplicationConfigurationResource returns the
// ecr_replication_configuration resource.
func NewReplicationConfigurationResource() resource.Resource {
	return newRegistrySingletonResource(replicationConfiguration)
}

// NewRegistryDataSource returns the ecr_registry data source
// (DescribeRegistry: the registry id and its replication configuration).
func NewRegistryDataSource() datasource.DataSource {
	return newRegistrySingletonDataSource(replicationConfiguration)
}

type replicationConfigurationModel struct {
	singletonBase
	Configuration []replicationConfigurationBlockModel `tfsdk:"replication_configuration"`
}

type replicationConfigurationBlockModel struct {
	Rules []replicationRuleModel `tfsdk:"rule"`
}

type replicationRuleModel struct {
	DeleteReplication []deleteReplicationModel           `tfsdk:"delete_replication"`
	Destinations      []replicationDestinationModel      `tfsdk:"destination"`
	RepositoryFilters []replicationRepositoryFilterModel `tfsdk:"repository_filter"`
}

type deleteReplicationModel struct {
	Enabled types.Bool `tfsdk:"enabled"`
}

type replicationDestinationModel struct {
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
}

type replicationRepositoryFilterModel struct {
	Filter     types.String `tfsdk:"filter"`
	FilterType types.String `tfsdk:"filter_type"`
}

type registryDataSourceModel struct {
	ID            types.String                         `tfsdk:"id"`
	Region        types.String                         `tfsdk:"region"`
	RegistryID    types.String                         `tfsdk:"registry_id"`
	Configuration []replicationConfigurationBlockModel `tfsdk:"replication_configuration"`
}

// replicationRuleBlock is the `rule` block: one replication rule.
func replicationRuleBlock() schema.NestedBlockObject {
	return schema.NestedBlockObject{Blocks: map[string]schema.Block{
		"destination": schema.ListNestedBlock{
			MarkdownDescription: fmt.Sprintf("Where images are replicated to (1 to %d destinations; at most %d distinct ones "+
				"across all rules).", maxReplicationDestinations, maxReplicationDestinations),
			Validators: []validator.List{listvalidator.IsRequired(), listvalidator.SizeBetween(1, maxReplicationDestinations)},
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"region": schema.StringAttribute{Required: true, MarkdownDescription: "Destination Region.",
					Validators: []validator.String{stringvalidator.RegexMatches(replicationRegionPattern, "must be an AWS Region name")}},
				"registry_id": schema.StringAttribute{Required: true, Validators: registryIDValidators(),
					MarkdownDescription: "Destination registry (AWS account) id; another account's registry must allow it in its registry policy."},
			}},
		},
		"repository_filter": schema.ListNestedBlock{
			MarkdownDescription: fmt.Sprintf("Repositories the rule replicates (at most %d filters); without filters, every repository.",
				maxReplicationFilters),
			Validators: []validator.List{listvalidator.SizeAtMost(maxReplicationFilters)},
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"filter": schema.StringAttribute{Required: true, MarkdownDescription: "Repository name prefix.",
					Validators: []validator.String{stringvalidator.LengthBetween(2, 256),
						stringvalidator.RegexMatches(replicationFilterPattern, "must be a repository name prefix (lowercase letters, digits, `.`, `_`, `-`, `/`)")}},
				"filter_type": schema.StringAttribute{Required: true, MarkdownDescription: "`PREFIX_MATCH`.",
					Validators: []validator.String{stringvalidator.OneOf(enumStrings(awstypes.RepositoryFilterType("").Values())...)}},
			}},
		},
		"delete_replication": schema.ListNestedBlock{
			MarkdownDescription: "Whether image deletions and tag removals in the source are replicated to the destinations " +
				"(ECR's `deleteReplication`; not replicated when the block is absent).",
			Validators: []validator.List{listvalidator.SizeAtMost(1)},
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"enabled": schema.BoolAttribute{Required: true, MarkdownDescription: "`true` replicates deletions."},
			}},
		},
	}}
}

// replicationConfiguration is the registry's replication configuration:
// the whole document, every rule.
var replicationConfiguration = registrySingleton[replicationConfigurationModel, *replicationConfigurationModel]{
	typeName: "_replication_configuration",
	what:     "ECR Replication Configuration",
	description: "Manages the replication configuration of an ECR registry: every replication rule of one account and " +
		"Region. Creating it replaces the registry's configuration; destroying it removes every rule. Do not combine it " +
		"with `ecr_replication_rule` for the same registry: each would remove the other's rules.",
	blocks: map[string]schema.Block{
		"replication_configuration": schema.ListNestedBlock{
			MarkdownDescription: "The replication configuration (exactly one block).",
			Validators:          []validator.List{listvalidator.IsRequired(), listvalidator.SizeBetween(1, 1)},
			NestedObject: schema.NestedBlockObject{Blocks: map[string]schema.Block{
				"rule": schema.ListNestedBlock{
					MarkdownDescription: fmt.Sprintf("Replication rules (1 to %d).", maxReplicationRules),
					Validators:          []validator.List{listvalidator.IsRequired(), listvalidator.SizeBetween(1, maxReplicationRules)},
					NestedObject:        replicationRuleBlock(),
				},
			}},
		},
	},
	put: func(ctx context.Context, client *ecr.Client, m *replicationConfigurationModel) error {
		var rules []awstypes.ReplicationRule
		for _, c := range m.Configuration {
			rules = append(rules, expandReplicationRules(c.Rules)...)
		}
		_, err := client.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
			ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: rules}})
		return err
	},
	read: func(ctx context.Context, client *ecr.Client, m *replicationConfigurationModel) error {
		out, err := findReplicationConfiguration(ctx, client)
		if out != nil {
			// Also when there are no rules: the ecr_registry data source
			// reports the registry then.
			m.RegistryID = types.StringPointerValue(out.RegistryId)
			var rules []awstypes.ReplicationRule
			if out.ReplicationConfiguration != nil {
				rules = out.ReplicationConfiguration.Rules
			}
			m.Configuration = []replicationConfigurationBlockModel{{Rules: flattenReplicationRules(rules)}}
		}
		return err
	},
	agrees: func(want, got *replicationConfigurationModel) bool {
		// fmt prints the values (types.String is a Stringer), and nil and
		// empty lists alike.
		return fmt.Sprint(want.Configuration) == fmt.Sprint(got.Configuration)
	},
	remove: func(ctx context.Context, client *ecr.Client) error {
		// ECR has no delete: an empty rule set is no configuration.
		_, err := client.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
			ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{}}})
		return err
	},
	dataSource: singletonDataSource[*replicationConfigurationModel]{
		typeName: "_registry",
		description: "Reads an ECR registry (DescribeRegistry): its id and its replication configuration, with no rules " +
			"when it replicates nothing.",
		attributes: map[string]dsschema.Attribute{
			"replication_configuration": dsschema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The replication configuration (one element).",
				NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
					"rule": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "Replication rules.",
						NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
							"destination": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "Destinations.",
								NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
									"region":      dsschema.StringAttribute{Computed: true, MarkdownDescription: "Destination Region."},
									"registry_id": dsschema.StringAttribute{Computed: true, MarkdownDescription: "Destination registry id."},
								}}},
							"repository_filter": dsschema.ListNestedAttribute{Computed: true, MarkdownDescription: "Repository filters.",
								NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
									"filter":      dsschema.StringAttribute{Computed: true, MarkdownDescription: "Repository name prefix."},
									"filter_type": dsschema.StringAttribute{Computed: true, MarkdownDescription: "`PREFIX_MATCH`."},
								}}},
							"delete_replication": dsschema.ListNestedAttribute{Computed: true,
								MarkdownDescription: "Whether deletions are replicated (empty when ECR reports nothing).",
								NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
									"enabled": dsschema.BoolAttribute{Computed: true, MarkdownDescription: "Deletions are replicated."},
								}}},
						}}},
				}}},
		},
		model: func(m *replicationConfigurationModel) any {
			return &registryDataSourceModel{ID: m.ID, Region: m.Region, RegistryID: m.RegistryID, Configuration: m.Configuration}
		},
		notFoundIsEmpty: true,
	},
	move: []resource.StateMover{moveFromAWS("aws_ecr_replication_configuration", "", schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Optional: true}, "region": schema.StringAttribute{Optional: true},
			"registry_id": schema.StringAttribute{Optional: true},
		},
		Blocks: map[string]schema.Block{"replication_configuration": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
			Blocks: map[string]schema.Block{"rule": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Blocks: map[string]schema.Block{
					"destination": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
						"region": schema.StringAttribute{Optional: true}, "registry_id": schema.StringAttribute{Optional: true},
					}}},
					"repository_filter": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
						"filter": schema.StringAttribute{Optional: true}, "filter_type": schema.StringAttribute{Optional: true},
					}}},
				},
			}}},
		}}},
	}, func(_ context.Context, src *awsReplicationConfigurationModel) (any, identityModel, diag.Diagnostics) {
		m := &replicationConfigurationModel{singletonBase: movedSingletonBase(src.ID, src.RegistryID, src.Region)}
		for _, c := range src.Configuration {
			block := replicationConfigurationBlockModel{Rules: []replicationRuleModel{}}
			for _, r := range c.Rules {
				block.Rules = append(block.Rules, replicationRuleModel{DeleteReplication: []deleteReplicationModel{},
					Destinations: r.Destinations, RepositoryFilters: nonNil(r.RepositoryFilters)})
			}
			m.Configuration = append(m.Configuration, block)
		}
		if m.Configuration == nil {
			m.Configuration = []replicationConfigurationBlockModel{}
		}
		return m, m.identity(), nil
	})},
}

// awsReplicationConfigurationModel is the state hashicorp/aws writes for
// aws_ecr_replication_configuration (it has no delete_replication).
type awsReplicationConfigurationModel struct {
	ID            types.String `tfsdk:"id"`
	Region        types.String `tfsdk:"region"`
	RegistryID    types.String `tfsdk:"registry_id"`
	Configuration []struct {
		Rules []struct {
			Destinations      []replicationDestinationModel      `tfsdk:"destination"`
			RepositoryFilters []replicationRepositoryFilterModel `tfsdk:"repository_filter"`
		} `tfsdk:"rule"`
	} `tfsdk:"replication_configuration"`
}

// nonNil is s, or an empty slice for nil (an empty block list in state).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func expandReplicationRules(rules []replicationRuleModel) []awstypes.ReplicationRule {
	out := make([]awstypes.ReplicationRule, 0, len(rules))
	for _, r := range rules {
		rule := awstypes.ReplicationRule{Destinations: make([]awstypes.ReplicationDestination, 0, len(r.Destinations))}
		for _, d := range r.Destinations {
			rule.Destinations = append(rule.Destinations, awstypes.ReplicationDestination{
				Region: aws.String(d.Region.ValueString()), RegistryId: aws.String(d.RegistryID.ValueString())})
		}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, awstypes.RepositoryFilter{
				Filter: aws.String(f.Filter.ValueString()), FilterType: awstypes.RepositoryFilterType(f.FilterType.ValueString())})
		}
		for _, d := range r.DeleteReplication {
			rule.DeleteReplication = &awstypes.DeleteReplication{Enabled: d.Enabled.ValueBool()}
		}
		out = append(out, rule)
	}
	return out
}

func flattenReplicationRules(rules []awstypes.ReplicationRule) []replicationRuleModel {
	out := make([]replicationRuleModel, 0, len(rules))
	for _, r := range rules {
		rule := replicationRuleModel{
			DeleteReplication: []deleteReplicationModel{},
			Destinations:      make([]replicationDestinationModel, 0, len(r.Destinations)),
			RepositoryFilters: make([]replicationRepositoryFilterModel, 0, len(r.RepositoryFilters)),
		}
		for _, d := range r.Destinations {
			rule.Destinations = append(rule.Destinations, replicationDestinationModel{
				Region: types.StringPointerValue(d.Region), RegistryID: types.StringPointerValue(d.RegistryId)})
		}
		for _, f := range r.RepositoryFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, replicationRepositoryFilterModel{
				Filter: types.StringPointerValue(f.Filter), FilterType: types.StringValue(string(f.FilterType))})
		}
		if r.DeleteReplication != nil {
			rule.DeleteReplication = []deleteReplicationModel{{Enabled: types.BoolValue(r.DeleteReplication.Enabled)}}
		}
		out = append(out, rule)
	}
	return out
}

// findReplicationConfiguration returns the registry and its replication
// configuration, or a notFoundError when the registry replicates nothing
// (no rules).
func findReplicationConfiguration(ctx context.Context, client *ecr.Client) (*ecr.DescribeRegistryOutput, error) {
	out, err := client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		return nil, err
	}
	if out.ReplicationConfiguration == nil || len(out.ReplicationConfiguration.Rules) == 0 {
		return out, &notFoundError{what: "ECR Replication Configuration"}
	}
	return out, nil
}
