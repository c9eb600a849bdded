package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// The ecr_validate_pull_through_cache_rule action (Terraform 1.14+) asks
// ECR to check a pull-through cache rule (ValidatePullThroughCacheRule: can
// it reach the upstream with the rule's credentials?) and fails with the
// upstream's reason when it cannot. It changes nothing.

var _ action.ActionWithConfigure = (*validatePullThroughCacheRuleAction)(nil)

// NewValidatePullThroughCacheRuleAction is the ecr_validate_pull_through_cache_rule action.
func NewValidatePullThroughCacheRuleAction() action.Action {
	return &validatePullThroughCacheRuleAction{}
}

type validatePullThroughCacheRuleAction struct {
	framework.ActionBase
}

type validatePullThroughCacheRuleModel struct {
	ECRRepositoryPrefix types.String `tfsdk:"ecr_repository_prefix"`
	Region              types.String `tfsdk:"region"`
}

func (a *validatePullThroughCacheRuleAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_validate_pull_through_cache_rule"
}

func (a *validatePullThroughCacheRuleAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks a pull-through cache rule (`ValidatePullThroughCacheRule`): whether ECR can reach the " +
			"upstream registry with the rule's credentials. Fails with the upstream's reason when it cannot. Nothing is " +
			"changed. Invoke it with `terraform apply -invoke=action.ecr_validate_pull_through_cache_rule.<name>`, or from " +
			"an `ecr_pull_through_cache_rule`'s `lifecycle { action_trigger { ... } }`, e.g. after each credential " +
			"rotation. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"ecr_repository_prefix": schema.StringAttribute{Required: true, Validators: pullThroughCachePrefixValidators(),
				MarkdownDescription: "Prefix of the rule to check (`ROOT` included)."},
			"region": schema.StringAttribute{Optional: true, Validators: regionValidators(),
				MarkdownDescription: regionDescription},
		},
	}
}

func (a *validatePullThroughCacheRuleAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg validatePullThroughCacheRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := cfg.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	summary := fmt.Sprintf("validating ECR Pull Through Cache Rule (%s)", prefix)
	client := a.Meta.ClientIn(regionOf(a.Meta, cfg.Region))
	out, err := client.ValidatePullThroughCacheRule(ctx, &ecr.ValidatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(prefix)})
	if err != nil {
		detail := err.Error()
		if isPullThroughCacheRuleNotFound(err) {
			detail = "The registry has no pull through cache rule with this prefix: apply the ecr_pull_through_cache_rule first.\n\n" + detail
		}
		resp.Diagnostics.AddError(summary, detail)
		return
	}
	if !out.IsValid {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("ECR cannot use the rule: the upstream %s answered: %s",
			aws.ToString(out.UpstreamRegistryUrl), aws.ToString(out.Failure)))
		return
	}
	msg := fmt.Sprintf("%s: the rule is valid (ECR reaches %s)", prefix, aws.ToString(out.UpstreamRegistryUrl))
	tflog.Debug(ctx, msg)
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}
}
