package ecr_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// testAccValidateRuleBackend is an emulator whose quay.io upstream is a
// dead address: rules for it fail validation, others pass.
func testAccValidateRuleBackend(t *testing.T) *acctest.Backend {
	t.Helper()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	b := acctest.NewBackend(t, emulator.WithUpstream("quay.io", deadURL))
	b.RequireEmulator(t, "moto has no pull-through cache rules")
	for prefix, url := range map[string]string{"quay": "quay.io", "k8s": "registry.k8s.io"} {
		if _, err := b.Client.CreatePullThroughCacheRule(context.Background(), &awsecr.CreatePullThroughCacheRuleInput{
			EcrRepositoryPrefix: aws.String(prefix), UpstreamRegistryUrl: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// The action at the protocol level (every CLI): a valid rule reports
// progress, an unreachable upstream fails with its reason, a missing rule
// says so.
func TestValidatePullThroughCacheRuleAction_protocol(t *testing.T) {
	b := testAccValidateRuleBackend(t)
	p := newProtoProvider(t, b)
	typ := p.schemas.ActionSchemas["ecr_validate_pull_through_cache_rule"].Schema.ValueType()
	actions := p.srv.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // InvokeAction is only there in v0.31
	invoke := func(prefix string) (messages []string, diags []*tfprotov6.Diagnostic) {
		cfg := mustDynamicValue(t, typ, tftypes.NewValue(typ, map[string]tftypes.Value{
			"ecr_repository_prefix": tftypes.NewValue(tftypes.String, prefix),
			"region":                tftypes.NewValue(tftypes.String, nil),
		}))
		stream, err := actions.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
			ActionType: "ecr_validate_pull_through_cache_rule", Config: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		for e := range stream.Events {
			switch ev := e.Type.(type) {
			case tfprotov6.ProgressInvokeActionEventType:
				messages = append(messages, ev.Message)
			case tfprotov6.CompletedInvokeActionEventType:
				diags = ev.Diagnostics
			}
		}
		return messages, diags
	}
	messages, diags := invoke("k8s")
	requireNoDiags(t, diags)
	if out := strings.Join(messages, "\n"); !strings.Contains(out, "k8s: the rule is valid (ECR reaches registry.k8s.io)") {
		t.Errorf("progress of a valid rule = %q", out)
	}
	_, diags = invoke("quay")
	requireError(t, diags, "the upstream quay.io answered: Unable to connect to the upstream registry 'quay.io'")
	_, diags = invoke("nope")
	requireError(t, diags, "has no pull through cache rule with this prefix")
}

// The action from the CLI (Terraform 1.14+): `-invoke` of a failing rule
// fails the apply with the upstream's reason.
func TestAccValidatePullThroughCacheRuleAction_cli(t *testing.T) {
	b := testAccValidateRuleBackend(t)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(`
action "ecr_validate_pull_through_cache_rule" "k8s" {
  config {
    ecr_repository_prefix = "k8s"
  }
}

action "ecr_validate_pull_through_cache_rule" "quay" {
  config {
    ecr_repository_prefix = "quay"
  }
}
`)
	out := cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_validate_pull_through_cache_rule.k8s")
	if !strings.Contains(out, "the rule is valid") {
		t.Errorf("invoking a valid rule: output lacks the progress message:\n%s", out)
	}
	out, err := cli.Run("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_validate_pull_through_cache_rule.quay")
	if err == nil || !strings.Contains(out, "Unable to connect to the upstream registry") {
		t.Errorf("invoking a rule whose upstream is unreachable: want the upstream's reason, got %v:\n%s", err, out)
	}
}
