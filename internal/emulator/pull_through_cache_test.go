package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const testSecretArn = "arn:aws:secretsmanager:us-west-2:123456789012:secret:ecr-pullthroughcache/docker-AbCdEf"

func TestCreatePullThroughCacheRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name         string
		in           ecr.CreatePullThroughCacheRuleInput
		want         string
		wantUpstream types.UpstreamRegistry
	}{
		{"ecr public", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("ecr-public"),
			UpstreamRegistryUrl: aws.String("public.ecr.aws")}, "", types.UpstreamRegistryEcrPublic},
		{"docker hub with secret", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub"),
			UpstreamRegistryUrl: aws.String("registry-1.docker.io"), CredentialArn: aws.String(testSecretArn)}, "", types.UpstreamRegistryDockerHub},
		{"azure", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("azure"),
			UpstreamRegistryUrl: aws.String("myreg.azurecr.io"), CredentialArn: aws.String(testSecretArn)}, "", types.UpstreamRegistryAzureContainerRegistry},
		{"private ecr with role and upstream prefix", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("mirror/"),
			UpstreamRegistryUrl: aws.String("111111111111.dkr.ecr.eu-west-1.amazonaws.com"), UpstreamRegistry: types.UpstreamRegistryEcr,
			CustomRoleArn: aws.String("arn:aws:iam::123456789012:role/ptc"), UpstreamRepositoryPrefix: aws.String("team")}, "", types.UpstreamRegistryEcr},
		{"root", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("ROOT"),
			UpstreamRegistryUrl: aws.String("quay.io")}, "", types.UpstreamRegistryQuay},
		{"root with upstream prefix", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("ROOT"),
			UpstreamRegistryUrl: aws.String("quay.io"), UpstreamRepositoryPrefix: aws.String("team")}, "ValidationException", ""},
		{"prefix too short", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("a"),
			UpstreamRegistryUrl: aws.String("quay.io")}, "InvalidParameterException", ""},
		{"prefix too long", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("abcdefghijklmnopqrstuvwxyz01234"),
			UpstreamRegistryUrl: aws.String("quay.io")}, "InvalidParameterException", ""},
		{"prefix pattern", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("Quay"),
			UpstreamRegistryUrl: aws.String("quay.io")}, "InvalidParameterException", ""},
		{"unknown upstream", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("mine"),
			UpstreamRegistryUrl: aws.String("registry.example.com")}, "UnsupportedUpstreamRegistryException", ""},
		{"upstream mismatch", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("k8s"),
			UpstreamRegistryUrl: aws.String("registry.k8s.io"), UpstreamRegistry: types.UpstreamRegistryQuay}, "UnsupportedUpstreamRegistryException", ""},
		{"docker hub without secret", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub"),
			UpstreamRegistryUrl: aws.String("registry-1.docker.io")}, "ValidationException", ""},
		{"k8s with secret", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("k8s"),
			UpstreamRegistryUrl: aws.String("registry.k8s.io"), CredentialArn: aws.String(testSecretArn)}, "ValidationException", ""},
		{"secret outside ecr-pullthroughcache/", ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("ghcr"),
			UpstreamRegistryUrl: aws.String("ghcr.io"), CredentialArn: aws.String("arn:aws:secretsmanager:us-west-2:123456789012:secret:other/github-AbCdEf")},
			"InvalidParameterException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.CreatePullThroughCacheRule(ctx, &tc.in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			if out.UpstreamRegistry != tc.wantUpstream || out.CreatedAt == nil || aws.ToString(out.RegistryId) != "123456789012" ||
				aws.ToString(out.EcrRepositoryPrefix) != aws.ToString(tc.in.EcrRepositoryPrefix) {
				t.Errorf("created %+v", out)
			}
			wantUpstreamPrefix := "ROOT"
			if tc.in.UpstreamRepositoryPrefix != nil {
				wantUpstreamPrefix = *tc.in.UpstreamRepositoryPrefix
			}
			if got := aws.ToString(out.UpstreamRepositoryPrefix); got != wantUpstreamPrefix {
				t.Errorf("upstreamRepositoryPrefix = %q, want %q", got, wantUpstreamPrefix)
			}
			if _, err := c.CreatePullThroughCacheRule(ctx, &tc.in); errCode(err) != "PullThroughCacheRuleAlreadyExistsException" {
				t.Errorf("duplicate: %v", err)
			}
		})
	}
}

func TestPullThroughCacheRule_limit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	fillToLimit(t, "rule", 50, func(i int) error {
		_, err := c.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{
			EcrRepositoryPrefix: aws.String(fmt.Sprintf("quay%02d", i)), UpstreamRegistryUrl: aws.String("quay.io")})
		return err
	})
	// Paging through the 50 rules.
	var n int
	p := ecr.NewDescribePullThroughCacheRulesPaginator(c, &ecr.DescribePullThroughCacheRulesInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.PullThroughCacheRules) > 20 {
			t.Fatalf("page of %d", len(page.PullThroughCacheRules))
		}
		n += len(page.PullThroughCacheRules)
	}
	if n != 50 {
		t.Errorf("described %d rules, want 50", n)
	}
}

func TestPullThroughCacheRule_describeUpdateValidateDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	if _, err := c.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub"),
		UpstreamRegistryUrl: aws.String("registry-1.docker.io"), CredentialArn: aws.String(testSecretArn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("k8s"),
		UpstreamRegistryUrl: aws.String("registry.k8s.io")}); err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"k8s"}})
	if err != nil || len(desc.PullThroughCacheRules) != 1 || desc.PullThroughCacheRules[0].UpstreamRegistry != types.UpstreamRegistryK8s {
		t.Fatalf("describe k8s: %+v, %v", desc, err)
	}
	newSecret := testSecretArn + "-v2"
	upd, err := c.UpdatePullThroughCacheRule(ctx, &ecr.UpdatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub"),
		CredentialArn: aws.String(newSecret)})
	if err != nil || aws.ToString(upd.CredentialArn) != newSecret || upd.UpdatedAt == nil {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	desc, err = c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"docker-hub"}})
	if err != nil || aws.ToString(desc.PullThroughCacheRules[0].CredentialArn) != newSecret ||
		aws.ToString(desc.PullThroughCacheRules[0].UpstreamRegistryUrl) != "registry-1.docker.io" || desc.PullThroughCacheRules[0].UpdatedAt == nil {
		t.Errorf("after update: %+v, %v", desc, err)
	}
	val, err := c.ValidatePullThroughCacheRule(ctx, &ecr.ValidatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub")})
	if err != nil || !val.IsValid || aws.ToString(val.CredentialArn) != newSecret || aws.ToString(val.UpstreamRegistryUrl) != "registry-1.docker.io" {
		t.Errorf("validate: %+v, %v", val, err)
	}
	del, err := c.DeletePullThroughCacheRule(ctx, &ecr.DeletePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub")})
	if err != nil || aws.ToString(del.EcrRepositoryPrefix) != "docker-hub" || aws.ToString(del.CredentialArn) != newSecret {
		t.Errorf("delete: %+v, %v", del, err)
	}

	cases := []errorCase{
		{"describe deleted", func() error {
			_, err := c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"docker-hub"}})
			return err
		}, "PullThroughCacheRuleNotFoundException"},
		{"describe bad prefix", func() error {
			_, err := c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"X"}})
			return err
		}, "InvalidParameterException"},
		{"update missing", func() error {
			_, err := c.UpdatePullThroughCacheRule(ctx, &ecr.UpdatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub"),
				CredentialArn: aws.String(testSecretArn)})
			return err
		}, "PullThroughCacheRuleNotFoundException"},
		{"update credential on k8s", func() error {
			_, err := c.UpdatePullThroughCacheRule(ctx, &ecr.UpdatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("k8s"),
				CredentialArn: aws.String(testSecretArn)})
			return err
		}, "ValidationException"},
		{"update bad credential", func() error {
			_, err := c.UpdatePullThroughCacheRule(ctx, &ecr.UpdatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("k8s"),
				CredentialArn: aws.String("not-an-arn-but-long-enough-to-pass-the-length-check-x")})
			return err
		}, "InvalidParameterException"},
		{"delete missing", func() error {
			_, err := c.DeletePullThroughCacheRule(ctx, &ecr.DeletePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub")})
			return err
		}, "PullThroughCacheRuleNotFoundException"},
		{"validate missing", func() error {
			_, err := c.ValidatePullThroughCacheRule(ctx, &ecr.ValidatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("docker-hub")})
			return err
		}, "PullThroughCacheRuleNotFoundException"},
	}
	runErrorCases(t, cases)
}

// ValidatePullThroughCacheRule reaches an upstream mapped by WithUpstream:
// one that answers validates, one that does not fails with ECR's reason;
// an unmapped upstream validates (the emulator cannot reach it).
func TestValidatePullThroughCacheRule_upstream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	t.Cleanup(up.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there any more
	c, _ := newClient(t, emulator.WithUpstream("quay.io", up.URL), emulator.WithUpstream("registry.k8s.io", deadURL))
	for prefix, url := range map[string]string{"quay": "quay.io", "k8s": "registry.k8s.io", "ecr-public": "public.ecr.aws"} {
		if _, err := c.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(prefix),
			UpstreamRegistryUrl: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
	}
	for prefix, wantValid := range map[string]bool{"quay": true, "k8s": false, "ecr-public": true} {
		out, err := c.ValidatePullThroughCacheRule(ctx, &ecr.ValidatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		if out.IsValid != wantValid || (wantValid != (aws.ToString(out.Failure) == "")) {
			t.Errorf("%s: isValid %t, failure %q; want valid %t", prefix, out.IsValid, aws.ToString(out.Failure), wantValid)
		}
	}
}

// UpdatePullThroughCacheRule must name a credential or a role: ECR refuses
// an update with neither (the message of pulumi/pulumi-aws#5714), so a
// rule cannot be updated to "no credential and no role". An empty role
// next to a credential removes the role.
func TestUpdatePullThroughCacheRule_credentialOrRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const neither = "Invalid input: Please set either credential arn or role arn to update the credentials"
	role := "arn:aws:iam::123456789012:role/ptc"
	cases := []struct {
		name               string
		create             ecr.CreatePullThroughCacheRuleInput
		update             ecr.UpdatePullThroughCacheRuleInput
		wantCode, wantMsg  string
		wantCred, wantRole string
	}{
		{name: "neither, on a rule without credential (quay)",
			create:   ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("quay.io")},
			wantCode: "InvalidParameterException", wantMsg: neither},
		{name: "neither, on a rule with a credential",
			create:   ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("ghcr.io"), CredentialArn: aws.String(testSecretArn)},
			wantCode: "InvalidParameterException", wantMsg: neither},
		{name: "only an empty role, on an ECR upstream with a role",
			create: ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("111111111111.dkr.ecr.eu-west-1.amazonaws.com"),
				CustomRoleArn: aws.String(role)},
			update:   ecr.UpdatePullThroughCacheRuleInput{CustomRoleArn: aws.String("")},
			wantCode: "InvalidParameterException", wantMsg: neither},
		{name: "an empty credential and an empty role",
			create:   ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("ghcr.io"), CredentialArn: aws.String(testSecretArn)},
			update:   ecr.UpdatePullThroughCacheRuleInput{CredentialArn: aws.String(""), CustomRoleArn: aws.String("")},
			wantCode: "InvalidParameterException", wantMsg: neither},
		{name: "a new role",
			create: ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("111111111111.dkr.ecr.eu-west-1.amazonaws.com"),
				CustomRoleArn: aws.String(role)},
			update:   ecr.UpdatePullThroughCacheRuleInput{CustomRoleArn: aws.String(role + "-2")},
			wantRole: role + "-2"},
		{name: "a role removed, the credential kept",
			create: ecr.CreatePullThroughCacheRuleInput{UpstreamRegistryUrl: aws.String("ghcr.io"), CredentialArn: aws.String(testSecretArn),
				CustomRoleArn: aws.String(role)},
			update:   ecr.UpdatePullThroughCacheRuleInput{CredentialArn: aws.String(testSecretArn), CustomRoleArn: aws.String("")},
			wantCred: testSecretArn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			tc.create.EcrRepositoryPrefix = aws.String("cache")
			if _, err := c.CreatePullThroughCacheRule(ctx, &tc.create); err != nil {
				t.Fatal(err)
			}
			tc.update.EcrRepositoryPrefix = aws.String("cache")
			_, err := c.UpdatePullThroughCacheRule(ctx, &tc.update)
			if got := errCode(err); got != tc.wantCode {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.wantCode)
			}
			if err != nil {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorMessage() != tc.wantMsg {
					t.Errorf("message = %q, want %q", ae.ErrorMessage(), tc.wantMsg)
				}
				tc.wantCred, tc.wantRole = aws.ToString(tc.create.CredentialArn), aws.ToString(tc.create.CustomRoleArn)
			}
			desc, err := c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"cache"}})
			if err != nil {
				t.Fatal(err)
			}
			got := desc.PullThroughCacheRules[0]
			if aws.ToString(got.CredentialArn) != tc.wantCred || aws.ToString(got.CustomRoleArn) != tc.wantRole {
				t.Errorf("rule has credential %q, role %q; want %q, %q",
					aws.ToString(got.CredentialArn), aws.ToString(got.CustomRoleArn), tc.wantCred, tc.wantRole)
			}
		})
	}
}
