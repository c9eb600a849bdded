package ecr

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
)

// registryPolicyMaxLength is the longest policyText PutRegistryPolicy accepts.
const registryPolicyMaxLength = 10240

// registryPolicyV1Actions are the only actions a registry policy may grant
// while the registry's REGISTRY_POLICY_SCOPE is V1.
var registryPolicyV1Actions = []string{"ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"}

// NewRegistryPolicyResource returns the ecr_registry_policy resource.
func NewRegistryPolicyResource() resource.Resource {
	return newRegistrySingletonResource(registryPolicy)
}

// NewRegistryPolicyDataSource returns the ecr_registry_policy data source.
func NewRegistryPolicyDataSource() datasource.DataSource {
	return newRegistrySingletonDataSource(registryPolicy)
}

type registryPolicyDataSourceModel struct {
	ID         types.String `tfsdk:"id"`
	Policy     types.String `tfsdk:"policy"`
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
}

type registryPolicyModel struct {
	singletonBase
	Policy jsonDocumentValue[iamPolicyDocument] `tfsdk:"policy"`
}

// registryPolicy is the registry's permissions policy (one per registry).
var registryPolicy = registrySingleton[registryPolicyModel, *registryPolicyModel]{
	typeName: "_registry_policy",
	what:     "ECR Registry Policy",
	description: "Manages the registry policy (registry permissions) of an ECR registry: one per account and Region. " +
		"Creating it replaces any policy the registry has; destroying it deletes the policy. What the policy may grant " +
		"depends on the registry's `REGISTRY_POLICY_SCOPE` account setting: `V1` allows only `ecr:ReplicateImage`, " +
		"`ecr:BatchImportUpstreamImage` and `ecr:CreateRepository`; `V2` (the default) allows every `ecr:` action.",
	attributes: map[string]schema.Attribute{
		"policy": schema.StringAttribute{
			CustomType: jsonDocumentType[iamPolicyDocument]{},
			Required:   true,
			MarkdownDescription: "The policy document as JSON, for example from `jsonencode` or the `aws_iam_policy_document` " +
				"data source. It is checked at plan time. ECR stores the policy reformatted; a policy that grants the same is " +
				"not a change.",
			Validators:    []validator.String{stringvalidator.LengthAtMost(registryPolicyMaxLength)},
			PlanModifiers: []planmodifier.String{useStateWhenEquivalent[iamPolicyDocument]()},
		},
	},
	put: func(ctx context.Context, client *ecr.Client, m *registryPolicyModel) error {
		_, err := client.PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{PolicyText: aws.String(m.Policy.ValueString())})
		if isInvalidParameter(err) {
			return explainRegistryPolicyScope(ctx, client, m.Policy.ValueString(), err)
		}
		return err
	},
	read: func(ctx context.Context, client *ecr.Client, m *registryPolicyModel) error {
		out, err := findRegistryPolicy(ctx, client)
		if err != nil {
			return err
		}
		m.RegistryID = types.StringPointerValue(out.RegistryId)
		// The framework keeps the prior text when this one is equivalent.
		m.Policy = newJSONDocumentValue[iamPolicyDocument](normalizeJSON(aws.ToString(out.PolicyText)))
		return nil
	},
	agrees: func(want, got *registryPolicyModel) bool {
		return iamPoliciesEquivalent(want.Policy.ValueString(), got.Policy.ValueString())
	},
	remove: func(ctx context.Context, client *ecr.Client) error {
		_, err := client.DeleteRegistryPolicy(ctx, &ecr.DeleteRegistryPolicyInput{})
		return err
	},
	isRemoved: isRegistryPolicyNotFound,
	dataSource: singletonDataSource[*registryPolicyModel]{
		description: "Reads the registry policy of an ECR registry (account and Region); an error when the registry has none.",
		attributes: map[string]dsschema.Attribute{
			"policy": dsschema.StringAttribute{Computed: true, MarkdownDescription: "The policy document as JSON, as ECR stores it."},
		},
		model: func(m *registryPolicyModel) any {
			return &registryPolicyDataSourceModel{ID: m.ID, Policy: m.Policy.StringValue, Region: m.Region, RegistryID: m.RegistryID}
		},
	},
	move: []resource.StateMover{moveFromAWS("aws_ecr_registry_policy", "", schema.Schema{Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{Optional: true}, "policy": schema.StringAttribute{Optional: true},
		"region": schema.StringAttribute{Optional: true}, "registry_id": schema.StringAttribute{Optional: true},
	}}, func(_ context.Context, src *awsRegistryPolicyModel) (any, identityModel, diag.Diagnostics) {
		m := &registryPolicyModel{singletonBase: movedSingletonBase(src.ID, src.RegistryID, src.Region),
			Policy: jsonDocumentValue[iamPolicyDocument]{StringValue: src.Policy}}
		return m, m.identity(), nil
	})},
}

// awsRegistryPolicyModel is the state hashicorp/aws writes for aws_ecr_registry_policy.
type awsRegistryPolicyModel struct {
	ID         types.String `tfsdk:"id"`
	Policy     types.String `tfsdk:"policy"`
	Region     types.String `tfsdk:"region"`
	RegistryID types.String `tfsdk:"registry_id"`
}

// explainRegistryPolicyScope turns ECR's terse rejection of a registry
// policy into one that says what the registry's REGISTRY_POLICY_SCOPE
// allows and which of the policy's actions it does not.
func explainRegistryPolicyScope(ctx context.Context, client *ecr.Client, text string, err error) error {
	scope := "V2"
	out, gerr := client.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String("REGISTRY_POLICY_SCOPE")})
	if gerr == nil && aws.ToString(out.Value) != "" {
		scope = aws.ToString(out.Value)
	}
	var outside []string
	if doc, perr := iampolicy.Parse(text); perr == nil {
		for _, s := range doc.Statements {
			if len(s.NotAction) > 0 {
				outside = append(outside, "NotAction "+strings.Join(s.NotAction, ", "))
			}
			for _, a := range s.Action {
				allowed := strings.HasPrefix(strings.ToLower(a), "ecr:")
				if scope == "V1" {
					allowed = slices.ContainsFunc(registryPolicyV1Actions, func(v string) bool { return strings.EqualFold(v, a) })
				}
				if !allowed && !slices.Contains(outside, a) {
					outside = append(outside, a)
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nThe registry's REGISTRY_POLICY_SCOPE account setting is %s. ", err, scope)
	if scope == "V1" {
		fmt.Fprintf(&b, "Under V1 a registry policy may grant only %s. ", strings.Join(registryPolicyV1Actions, ", "))
	} else {
		b.WriteString("Under V2 (the default) a registry policy may grant any ecr: action, and nothing outside ecr. ")
	}
	if len(outside) > 0 {
		fmt.Fprintf(&b, "This policy also names: %s. ", strings.Join(outside, "; "))
	}
	if scope == "V1" {
		b.WriteString("Remove those actions, or switch the registry to V2 (ecr_account_setting name = \"REGISTRY_POLICY_SCOPE\", value = \"V2\").")
	} else {
		b.WriteString("Remove those actions; an IAM principal the policy names must also exist.")
	}
	return errors.New(b.String())
}

// findRegistryPolicy returns the policy of the caller's registry, or a
// notFoundError when it has none.
func findRegistryPolicy(ctx context.Context, client *ecr.Client) (*ecr.GetRegistryPolicyOutput, error) {
	out, err := client.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
	if isRegistryPolicyNotFound(err) {
		return nil, &notFoundError{what: "ECR Registry Policy", err: err}
	}
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.PolicyText) == "" {
		return nil, &notFoundError{what: "ECR Registry Policy"}
	}
	return out, nil
}
