package ecr

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
	_ resource.ResourceWithImportState    = (*pullThroughCacheRuleResource)(nil)
	_ resource.ResourceWithIdentity       = (*pullThroughCacheRuleResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*pullThroughCacheRuleResource)(nil)
	_ resource.ResourceWithMoveState      = (*pullThroughCacheRuleResource)(nil)
	_ resource.ResourceWithValidateConfig = (*pullThroughCacheRuleResource)(nil)
)

// ECR's patterns (full match): a pull-through cache prefix (2 to 30
// characters, a repository-name path with an optional trailing `/`, or
// ROOT) and a credential, a Secrets Manager secret whose name starts with
// `ecr-pullthroughcache/`.
var (
	pullThroughCachePrefixPattern = regexp.MustCompile(`^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*/?|ROOT)$`)
	credentialARNPattern          = regexp.MustCompile(`^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr-pullthroughcache/[a-zA-Z0-9/_+=.@-]+$`)
	iamRoleARNPattern             = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
)

// rootPrefix is the prefix that matches every repository.
const rootPrefix = "ROOT"

// Upstream registries by host (the model doc of upstreamRegistryUrl), and
// which of them need a Secrets Manager credential (ECR user guide,
// "Pull through cache"): the others take none.
var (
	upstreamRegistryHosts = map[string]awstypes.UpstreamRegistry{
		"public.ecr.aws":       awstypes.UpstreamRegistryEcrPublic,
		"registry-1.docker.io": awstypes.UpstreamRegistryDockerHub,
		"ghcr.io":              awstypes.UpstreamRegistryGitHubContainerRegistry,
		"registry.gitlab.com":  awstypes.UpstreamRegistryGitLabContainerRegistry,
		"registry.k8s.io":      awstypes.UpstreamRegistryK8s,
		"quay.io":              awstypes.UpstreamRegistryQuay,
		"cgr.dev":              awstypes.UpstreamRegistryChainguard,
	}
	upstreamECRHost   = regexp.MustCompile(`^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)
	upstreamAzureHost = regexp.MustCompile(`^[a-zA-Z0-9-]+\.azurecr\.io$`)

	upstreamNeedsCredential = []awstypes.UpstreamRegistry{
		awstypes.UpstreamRegistryDockerHub, awstypes.UpstreamRegistryGitHubContainerRegistry,
		awstypes.UpstreamRegistryGitLabContainerRegistry, awstypes.UpstreamRegistryAzureContainerRegistry,
		awstypes.UpstreamRegistryChainguard,
	}
)

// upstreamRegistryOf derives the upstream registry from its URL, as ECR does.
func upstreamRegistryOf(url string) (awstypes.UpstreamRegistry, bool) {
	host := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
	if u, ok := upstreamRegistryHosts[host]; ok {
		return u, true
	}
	switch {
	case upstreamECRHost.MatchString(host):
		return awstypes.UpstreamRegistryEcr, true
	case upstreamAzureHost.MatchString(host):
		return awstypes.UpstreamRegistryAzureContainerRegistry, true
	}
	return "", false
}

// pullThroughCachePrefixValidators check a pull-through cache prefix.
func pullThroughCachePrefixValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(2, 30),
		stringvalidator.RegexMatches(pullThroughCachePrefixPattern,
			"must be `ROOT` or a repository name path (lowercase letters and digits in groups separated by `.`, `_`, "+
				"`__` or runs of `-`, with `/` between path parts), optionally ending in `/`"),
	}
}

// validPullThroughCachePrefix checks a prefix given where no validator runs
// (an import ID).
func validPullThroughCachePrefix(prefix string) error {
	if len(prefix) < 2 || len(prefix) > 30 || !pullThroughCachePrefixPattern.MatchString(prefix) {
		return fmt.Errorf("%q is not a pull through cache rule prefix; import by the rule's ecr_repository_prefix, "+
			"`prefix` or `prefix@region`", prefix)
	}
	return nil
}

// samePrefix reports whether two prefixes name the same rule or template:
// a trailing `/` is implied.
func samePrefix(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

// pullThroughCacheRuleTimeouts are the defaults of the timeouts.
var pullThroughCacheRuleTimeouts = operationTimeouts{
	create: 2 * time.Minute, update: 2 * time.Minute, delete: 2 * time.Minute,
	createWaits: "the wait until reads return the new rule (ECR is eventually consistent)",
	updateWaits: "the wait until reads return the new credential or role",
	waits:       "the wait until reads no longer return the rule",
}

// NewPullThroughCacheRuleResource is the ecr_pull_through_cache_rule resource.
func NewPullThroughCacheRuleResource() resource.Resource { return &pullThroughCacheRuleResource{} }

type pullThroughCacheRuleResource struct {
	framework.ResourceBase
}

func (r *pullThroughCacheRuleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pull_through_cache_rule"
}

func (r *pullThroughCacheRuleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A pull-through cache rule: repositories under `ecr_repository_prefix` cache images of an upstream " +
			"registry. Same arguments as `aws_ecr_pull_through_cache_rule` of the hashicorp/aws provider (a `moved` block " +
			"from it moves the state), plus `upstream_registry`. The credential is checked at plan time: the upstreams " +
			"that need one (Docker Hub, GitHub, GitLab, Azure, Chainguard) require a Secrets Manager secret whose name " +
			"starts with `ecr-pullthroughcache/`, the others take none. Changing `credential_arn` or `custom_role_arn` " +
			"updates the rule in place, except that removing the last of the two replaces it (ECR cannot update a rule " +
			"to have neither); any other change replaces it.",
		Attributes: map[string]schema.Attribute{
			"credential_arn": schema.StringAttribute{
				Optional:      true,
				PlanModifiers: []planmodifier.String{requiresReplaceWhenNoCredentialLeft("credential_arn", "custom_role_arn")},
				Validators: []validator.String{
					stringvalidator.LengthBetween(50, 612),
					stringvalidator.RegexMatches(credentialARNPattern, "must be the ARN of a Secrets Manager secret whose name "+
						"starts with `ecr-pullthroughcache/`, such as `arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub`"),
				},
				MarkdownDescription: "ARN of the Secrets Manager secret with the upstream's credentials; its name must start with " +
					"`ecr-pullthroughcache/`. Required for Docker Hub, GitHub, GitLab, Azure and Chainguard upstreams, not allowed " +
					"for the others. Changing it updates the rule in place; removing it when no `custom_role_arn` remains " +
					"replaces the rule.",
			},
			"custom_role_arn": schema.StringAttribute{
				Optional:      true,
				PlanModifiers: []planmodifier.String{requiresReplaceWhenNoCredentialLeft("custom_role_arn", "credential_arn")},
				Validators: []validator.String{
					stringvalidator.LengthAtMost(2048),
					stringvalidator.RegexMatches(iamRoleARNPattern, "must be the ARN of an IAM role"),
				},
				MarkdownDescription: "ARN of the IAM role ECR assumes to pull from an ECR upstream registry (of this account). " +
					"Changing it, or removing it while `credential_arn` stays, updates the rule in place; removing it when no " +
					"`credential_arn` remains replaces the rule.",
			},
			"ecr_repository_prefix": schema.StringAttribute{
				Required:      true,
				Validators:    pullThroughCachePrefixValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "Prefix of the repositories that cache the upstream, 2 to 30 characters; `ROOT` for every " +
					"repository. Changing it replaces the rule.",
			},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The `ecr_repository_prefix`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"region": regionAttribute(),
			"registry_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Registry (account) id of the rule.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"upstream_registry": schema.StringAttribute{
				Optional: true, Computed: true,
				Validators:    []validator.String{stringvalidator.OneOf(enumStrings(awstypes.UpstreamRegistry("").Values())...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "The upstream registry: `ecr`, `ecr-public`, `quay`, `k8s`, `docker-hub`, " +
					"`github-container-registry`, `azure-container-registry`, `gitlab-container-registry` or `chainguard`. " +
					"ECR derives it from `upstream_registry_url`, and so does the plan; set it only to assert it.",
			},
			"upstream_registry_url": schema.StringAttribute{
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "URL of the upstream registry, such as `public.ecr.aws`, `registry-1.docker.io`, `ghcr.io`, " +
					"`registry.gitlab.com`, `registry.k8s.io`, `quay.io`, `<name>.azurecr.io` or " +
					"`<account>.dkr.ecr.<region>.amazonaws.com`. Changing it replaces the rule.",
			},
			"upstream_repository_prefix": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(rootPrefix),
				Validators:    pullThroughCachePrefixValidators(),
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				MarkdownDescription: "Prefix of the upstream repositories to cache; `ROOT` (the default) for all. Only with an " +
					"`ecr_repository_prefix` other than `ROOT`. Changing it replaces the rule.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": pullThroughCacheRuleTimeouts.block(ctx),
		},
	}
}

// requiresReplaceWhenNoCredentialLeft plans a replacement when attr (the
// credential or the role) is removed and other is null in the plan:
// UpdatePullThroughCacheRule must name a credential or a role (ECR answers
// InvalidParameterException "Please set either credential arn or role arn
// to update the credentials", pulumi/pulumi-aws#5714), so a rule cannot be
// updated to have neither; a new rule can. An unknown other is configured,
// hence a value to come (an ARN another resource computes): the rule keeps
// it, and the update stays in place.
func requiresReplaceWhenNoCredentialLeft(attr, other string) planmodifier.String {
	desc := fmt.Sprintf("Removing %s when %s is not set replaces the rule: ECR cannot update a pull-through cache rule "+
		"to have neither a credential nor a role.", attr, other)
	return stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		if req.StateValue.IsNull() || !req.PlanValue.IsNull() {
			return // not a removal
		}
		var left types.String
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(other), &left)...)
		resp.RequiresReplace = left.IsNull()
	}, desc, desc)
}

func (r *pullThroughCacheRuleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identitySchema("ecr_repository_prefix", "Repository prefix of the rule.")
}

// ValidateConfig checks the arguments together: the upstream (given or
// derived from the URL) decides whether a credential is required or not
// allowed, and a ROOT rule takes no upstream prefix.
func (r *pullThroughCacheRuleResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg pullThroughCacheRuleModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validatePullThroughCacheRuleConfig(&cfg)...)
}

// validatePullThroughCacheRuleConfig is ValidateConfig's check.
func validatePullThroughCacheRuleConfig(cfg *pullThroughCacheRuleModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if p, up := cfg.ECRRepositoryPrefix, cfg.UpstreamRepositoryPrefix; p.ValueString() == rootPrefix && !up.IsNull() &&
		!up.IsUnknown() && up.ValueString() != rootPrefix {
		diags.AddAttributeError(path.Root("upstream_repository_prefix"), "Upstream prefix not allowed",
			"upstream_repository_prefix can only be set when ecr_repository_prefix is not \"ROOT\".")
	}
	if cfg.UpstreamRegistryURL.IsUnknown() || cfg.UpstreamRegistry.IsUnknown() || cfg.CredentialARN.IsUnknown() {
		return diags
	}
	url := cfg.UpstreamRegistryURL.ValueString()
	derived, known := upstreamRegistryOf(url)
	upstream := awstypes.UpstreamRegistry(cfg.UpstreamRegistry.ValueString())
	switch {
	case cfg.UpstreamRegistry.IsNull() && !known:
		diags.AddAttributeError(path.Root("upstream_registry_url"), "Unsupported upstream registry",
			fmt.Sprintf("%q is not an upstream registry ECR supports: use public.ecr.aws, registry-1.docker.io, ghcr.io, "+
				"registry.gitlab.com, registry.k8s.io, quay.io, cgr.dev, <name>.azurecr.io or "+
				"<account>.dkr.ecr.<region>.amazonaws.com.", url))
		return diags
	case cfg.UpstreamRegistry.IsNull():
		upstream = derived
	case known && derived != upstream:
		diags.AddAttributeError(path.Root("upstream_registry"), "Upstream registry does not match its URL",
			fmt.Sprintf("upstream_registry is %q, but upstream_registry_url %q is %q.", upstream, url, derived))
		return diags
	}
	needs := slices.Contains(upstreamNeedsCredential, upstream)
	switch {
	case needs && cfg.CredentialARN.IsNull():
		diags.AddAttributeError(path.Root("credential_arn"), "Missing credential",
			fmt.Sprintf("The upstream registry %q (%s) needs credentials: set credential_arn to the ARN of a Secrets Manager "+
				"secret whose name starts with \"ecr-pullthroughcache/\".", upstream, url))
	case !needs && !cfg.CredentialARN.IsNull():
		diags.AddAttributeError(path.Root("credential_arn"), "Credential not allowed",
			fmt.Sprintf("The upstream registry %q (%s) takes no credential_arn; remove it.", upstream, url))
	}
	return diags
}

// ModifyPlan plans region, and upstream_registry from the URL when it is
// not configured.
func (r *pullThroughCacheRuleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	planRegion(ctx, r.Meta, req, resp)
	var configured, url types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("upstream_registry"), &configured)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("upstream_registry_url"), &url)...)
	if resp.Diagnostics.HasError() || !configured.IsNull() {
		return
	}
	planned := types.StringUnknown()
	if !url.IsUnknown() {
		if u, ok := upstreamRegistryOf(url.ValueString()); ok {
			planned = types.StringValue(string(u))
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("upstream_registry"), planned)...)
}

func (r *pullThroughCacheRuleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan pullThroughCacheRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, pullThroughCacheRuleTimeouts.create)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := plan.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	plan.Region = types.StringValue(regionOf(r.Meta, plan.Region))
	client := r.Meta.ClientIn(plan.Region.ValueString())
	input := &ecr.CreatePullThroughCacheRuleInput{
		EcrRepositoryPrefix:      aws.String(prefix),
		UpstreamRegistryUrl:      plan.UpstreamRegistryURL.ValueStringPointer(),
		UpstreamRegistry:         awstypes.UpstreamRegistry(plan.UpstreamRegistry.ValueString()),
		CredentialArn:            plan.CredentialARN.ValueStringPointer(),
		CustomRoleArn:            plan.CustomRoleARN.ValueStringPointer(),
		UpstreamRepositoryPrefix: plan.UpstreamRepositoryPrefix.ValueStringPointer(),
	}
	if plan.ECRRepositoryPrefix.ValueString() == rootPrefix && plan.UpstreamRepositoryPrefix.ValueString() == rootPrefix {
		input.UpstreamRepositoryPrefix = nil // ECR's default; a ROOT rule takes none
	}
	rule, err := createPullThroughCacheRule(ctx, client, input)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("creating ECR Pull Through Cache Rule (%s)", prefix), err.Error())
		return
	}
	// Record the rule before waiting: a failed wait taints it instead of
	// orphaning it.
	plan.flatten(rule)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ecr_repository_prefix", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	rule, err = waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.PullThroughCacheRule, error) {
		return findPullThroughCacheRuleByPrefix(ctx, client, prefix)
	}, found)
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Through Cache Rule (%s) after creating it", prefix), err.Error())
		return
	}
	plan.flatten(rule)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *pullThroughCacheRuleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pullThroughCacheRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(checkStoredIdentity(ctx, r.Meta, req.Identity, "ecr_repository_prefix")...)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix := state.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	state.Region = types.StringValue(regionOf(r.Meta, state.Region))
	rule, err := findPullThroughCacheRuleByPrefix(ctx, r.Meta.ClientIn(state.Region.ValueString()), prefix)
	if isNotFound(err) {
		tflog.Warn(ctx, "ECR pull through cache rule not found, removing it from the state")
		resp.Diagnostics.Append(keepIdentityOnRemove(ctx, resp.Identity, "ecr_repository_prefix", state.identity())...)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Through Cache Rule (%s)", prefix), err.Error())
		return
	}
	state.flatten(rule)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ecr_repository_prefix", state.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes the credential and the role (the only changes that do
// not replace the rule). The plan leaves at least one of them set
// (requiresReplaceWhenNoCredentialLeft), as ECR requires.
func (r *pullThroughCacheRuleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state pullThroughCacheRuleModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, pullThroughCacheRuleTimeouts.update)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := state.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	summary := fmt.Sprintf("updating ECR Pull Through Cache Rule (%s)", prefix)
	client := r.Meta.ClientIn(state.Region.ValueString())

	if !plan.CredentialARN.Equal(state.CredentialARN) || !plan.CustomRoleARN.Equal(state.CustomRoleARN) {
		input := &ecr.UpdatePullThroughCacheRuleInput{
			EcrRepositoryPrefix: aws.String(prefix),
			CredentialArn:       plan.CredentialARN.ValueStringPointer(),
			CustomRoleArn:       plan.CustomRoleARN.ValueStringPointer(),
		}
		if plan.CustomRoleARN.IsNull() && !state.CustomRoleARN.IsNull() {
			input.CustomRoleArn = aws.String("") // removes the role
		}
		if _, err := client.UpdatePullThroughCacheRule(ctx, input); err != nil {
			resp.Diagnostics.AddError(summary, err.Error())
			return
		}
	}
	plan.ID, plan.RegistryID = state.ID, state.RegistryID
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, "ecr_repository_prefix", plan.identity())...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Wait until reads return the new credential and role.
	_, err := waitUntil(ctx, timeout, func(ctx context.Context) (*awstypes.PullThroughCacheRule, error) {
		return findPullThroughCacheRuleByPrefix(ctx, client, prefix)
	}, func(rule *awstypes.PullThroughCacheRule, err error) bool {
		return err == nil && aws.ToString(rule.CredentialArn) == plan.CredentialARN.ValueString() &&
			aws.ToString(rule.CustomRoleArn) == plan.CustomRoleARN.ValueString()
	})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("reading ECR Pull Through Cache Rule (%s) after updating it", prefix), err.Error())
	}
}

func (r *pullThroughCacheRuleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state pullThroughCacheRuleModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, pullThroughCacheRuleTimeouts.delete)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	prefix := state.ECRRepositoryPrefix.ValueString()
	ctx = tflog.SetField(ctx, "ecr_repository_prefix", prefix)
	summary := fmt.Sprintf("deleting ECR Pull Through Cache Rule (%s)", prefix)
	client := r.Meta.ClientIn(state.Region.ValueString())
	err := deleteAndWait(ctx, timeout, func(ctx context.Context) error {
		_, err := client.DeletePullThroughCacheRule(ctx, &ecr.DeletePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(prefix)})
		return err
	}, isPullThroughCacheRuleNotFound, func(ctx context.Context) (*awstypes.PullThroughCacheRule, error) {
		return findPullThroughCacheRuleByPrefix(ctx, client, prefix)
	})
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
	}
}

// ImportState imports by prefix (`prefix` or `prefix@region`) or by identity.
func (r *pullThroughCacheRuleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, r.Meta, "ecr_repository_prefix", validPullThroughCachePrefix, req, resp)
}

// awsPullThroughCacheRuleModel is the state of aws_ecr_pull_through_cache_rule
// (schema version 0) that moves.
type awsPullThroughCacheRuleModel struct {
	CredentialARN            types.String `tfsdk:"credential_arn"`
	CustomRoleARN            types.String `tfsdk:"custom_role_arn"`
	ECRRepositoryPrefix      types.String `tfsdk:"ecr_repository_prefix"`
	ID                       types.String `tfsdk:"id"`
	Region                   types.String `tfsdk:"region"`
	RegistryID               types.String `tfsdk:"registry_id"`
	UpstreamRegistryURL      types.String `tfsdk:"upstream_registry_url"`
	UpstreamRepositoryPrefix types.String `tfsdk:"upstream_repository_prefix"`
}

// MoveState takes over an aws_ecr_pull_through_cache_rule of hashicorp/aws.
func (r *pullThroughCacheRuleResource) MoveState(context.Context) []resource.StateMover {
	str := schema.StringAttribute{Optional: true}
	return []resource.StateMover{moveFromAWS("aws_ecr_pull_through_cache_rule", "ecr_repository_prefix", schema.Schema{
		Attributes: map[string]schema.Attribute{
			"credential_arn": str, "custom_role_arn": str, "ecr_repository_prefix": str, "id": str, "region": str,
			"registry_id": str, "upstream_registry_url": str, "upstream_repository_prefix": str,
		},
	}, func(_ context.Context, src *awsPullThroughCacheRuleModel) (any, identityModel, diag.Diagnostics) {
		if src.ECRRepositoryPrefix.ValueString() == "" {
			src.ECRRepositoryPrefix = src.ID
		}
		var diags diag.Diagnostics
		if src.ECRRepositoryPrefix.ValueString() == "" || src.UpstreamRegistryURL.ValueString() == "" {
			diags.AddError("Unable to move aws_ecr_pull_through_cache_rule",
				"The source state has no ecr_repository_prefix or upstream_registry_url: it is not a state hashicorp/aws writes.")
			return nil, identityModel{}, diags
		}
		rule := &awstypes.PullThroughCacheRule{
			EcrRepositoryPrefix:      src.ECRRepositoryPrefix.ValueStringPointer(),
			UpstreamRegistryUrl:      src.UpstreamRegistryURL.ValueStringPointer(),
			RegistryId:               src.RegistryID.ValueStringPointer(),
			CredentialArn:            src.CredentialARN.ValueStringPointer(),
			CustomRoleArn:            src.CustomRoleARN.ValueStringPointer(),
			UpstreamRepositoryPrefix: src.UpstreamRepositoryPrefix.ValueStringPointer(),
		}
		// hashicorp/aws does not store the upstream: derive it as ECR does
		// (the first Read sets what ECR reports).
		rule.UpstreamRegistry, _ = upstreamRegistryOf(src.UpstreamRegistryURL.ValueString())
		m := &pullThroughCacheRuleModel{Region: src.Region,
			Timeouts: timeouts.Value{Object: nullTimeouts("create", "update", "delete")}}
		m.flatten(rule)
		return m, m.identity(), nil
	})}
}

// ---- model ----

type pullThroughCacheRuleModel struct {
	CredentialARN            types.String   `tfsdk:"credential_arn"`
	CustomRoleARN            types.String   `tfsdk:"custom_role_arn"`
	ECRRepositoryPrefix      types.String   `tfsdk:"ecr_repository_prefix"`
	ID                       types.String   `tfsdk:"id"`
	Region                   types.String   `tfsdk:"region"`
	RegistryID               types.String   `tfsdk:"registry_id"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
	UpstreamRegistry         types.String   `tfsdk:"upstream_registry"`
	UpstreamRegistryURL      types.String   `tfsdk:"upstream_registry_url"`
	UpstreamRepositoryPrefix types.String   `tfsdk:"upstream_repository_prefix"`
}

// identity is the resource identity of the rule.
func (m *pullThroughCacheRuleModel) identity() identityModel {
	return identityModel{Key: m.ECRRepositoryPrefix.ValueString(), AccountID: m.RegistryID.ValueString(), Region: m.Region.ValueString()}
}

// flatten sets the model from a rule read from ECR. A prefix keeps the
// spelling it was given in (with or without the implied trailing `/`).
func (m *pullThroughCacheRuleModel) flatten(rule *awstypes.PullThroughCacheRule) {
	prefix := aws.ToString(rule.EcrRepositoryPrefix)
	if prior := m.ECRRepositoryPrefix; prior.IsNull() || prior.IsUnknown() || !samePrefix(prior.ValueString(), prefix) {
		m.ECRRepositoryPrefix = types.StringValue(prefix)
	}
	m.ID = m.ECRRepositoryPrefix
	m.UpstreamRegistryURL = types.StringPointerValue(rule.UpstreamRegistryUrl)
	m.RegistryID = types.StringPointerValue(rule.RegistryId)
	m.CredentialARN = stringOrNull(rule.CredentialArn)
	m.CustomRoleARN = stringOrNull(rule.CustomRoleArn)
	m.UpstreamRegistry = types.StringNull()
	if rule.UpstreamRegistry != "" {
		m.UpstreamRegistry = types.StringValue(string(rule.UpstreamRegistry))
	}
	up := aws.ToString(rule.UpstreamRepositoryPrefix)
	if up == "" {
		up = rootPrefix // ECR's default
	}
	if prior := m.UpstreamRepositoryPrefix; prior.IsNull() || prior.IsUnknown() || !samePrefix(prior.ValueString(), up) {
		m.UpstreamRepositoryPrefix = types.StringValue(up)
	}
}

// stringOrNull is null for a nil or empty string (ECR reports a removed
// value either way).
func stringOrNull(s *string) types.String {
	if aws.ToString(s) == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// ---- API ----

// createPullThroughCacheRule calls CreatePullThroughCacheRule, adopting the
// rule an earlier attempt created when the answer was lost (adopt.go).
func createPullThroughCacheRule(ctx context.Context, client *ecr.Client, input *ecr.CreatePullThroughCacheRuleInput) (*awstypes.PullThroughCacheRule, error) {
	prefix := aws.ToString(input.EcrRepositoryPrefix)
	return createOrAdopt(ctx, adoptableCreate[*awstypes.PullThroughCacheRule]{
		what: fmt.Sprintf("ECR Pull Through Cache Rule (%s)", prefix),
		create: func(ctx context.Context, optFns ...func(*ecr.Options)) (*awstypes.PullThroughCacheRule, error) {
			out, err := client.CreatePullThroughCacheRule(ctx, input, optFns...)
			if err != nil {
				return nil, err
			}
			return &awstypes.PullThroughCacheRule{
				EcrRepositoryPrefix: out.EcrRepositoryPrefix, UpstreamRegistryUrl: out.UpstreamRegistryUrl,
				CreatedAt: out.CreatedAt, RegistryId: out.RegistryId, UpstreamRegistry: out.UpstreamRegistry,
				CredentialArn: out.CredentialArn, CustomRoleArn: out.CustomRoleArn,
				UpstreamRepositoryPrefix: out.UpstreamRepositoryPrefix,
			}, nil
		},
		alreadyExists: isPullThroughCacheRuleAlreadyExists,
		mine: func(ctx context.Context, w createWindow) (*awstypes.PullThroughCacheRule, error) {
			rule, err := waitUntil(ctx, propagationTimeout, func(ctx context.Context) (*awstypes.PullThroughCacheRule, error) {
				return findPullThroughCacheRuleByPrefix(ctx, client, prefix)
			}, found[*awstypes.PullThroughCacheRule])
			if err != nil {
				return nil, err
			}
			if err := pullThroughCacheRuleMatches(rule, input, w); err != nil {
				return nil, err
			}
			return rule, nil
		},
	})
}

// pullThroughCacheRuleMatches says how rule differs from what input asked
// for, or whether it was created outside window; nil if it is input's.
func pullThroughCacheRuleMatches(rule *awstypes.PullThroughCacheRule, input *ecr.CreatePullThroughCacheRuleInput, w createWindow) error {
	if created := aws.ToTime(rule.CreatedAt); !w.contains(created) {
		return fmt.Errorf("it was created at %s, outside this call (%s)", created.UTC().Format(time.RFC3339), w)
	}
	wantUp := aws.ToString(input.UpstreamRepositoryPrefix)
	if wantUp == "" {
		wantUp = rootPrefix
	}
	gotUp := aws.ToString(rule.UpstreamRepositoryPrefix)
	if gotUp == "" {
		gotUp = rootPrefix
	}
	for _, c := range []struct{ what, got, want string }{
		{"upstream_registry_url", aws.ToString(rule.UpstreamRegistryUrl), aws.ToString(input.UpstreamRegistryUrl)},
		{"credential_arn", aws.ToString(rule.CredentialArn), aws.ToString(input.CredentialArn)},
		{"custom_role_arn", aws.ToString(rule.CustomRoleArn), aws.ToString(input.CustomRoleArn)},
		{"upstream_repository_prefix", strings.TrimSuffix(gotUp, "/"), strings.TrimSuffix(wantUp, "/")},
	} {
		if c.got != c.want {
			return fmt.Errorf("its %s is %q, not %q", c.what, c.got, c.want)
		}
	}
	return nil
}

// findPullThroughCacheRuleByPrefix returns the rule of the caller's
// registry with the prefix, or a notFoundError.
func findPullThroughCacheRuleByPrefix(ctx context.Context, client *ecr.Client, prefix string) (*awstypes.PullThroughCacheRule, error) {
	what := fmt.Sprintf("ECR Pull Through Cache Rule (%s)", prefix)
	out, err := client.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{prefix}})
	if isPullThroughCacheRuleNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	for i := range out.PullThroughCacheRules {
		if samePrefix(aws.ToString(out.PullThroughCacheRules[i].EcrRepositoryPrefix), prefix) {
			return &out.PullThroughCacheRules[i], nil
		}
	}
	return nil, &notFoundError{what: what}
}

// listPullThroughCacheRules pages through every rule of the registry.
func listPullThroughCacheRules(ctx context.Context, client *ecr.Client) iter.Seq2[awstypes.PullThroughCacheRule, error] {
	return func(yield func(awstypes.PullThroughCacheRule, error) bool) {
		p := ecr.NewDescribePullThroughCacheRulesPaginator(client, &ecr.DescribePullThroughCacheRulesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(awstypes.PullThroughCacheRule{}, err)
				return
			}
			for _, rule := range page.PullThroughCacheRules {
				if !yield(rule, nil) {
					return
				}
			}
		}
	}
}
