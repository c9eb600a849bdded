package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// awscliPolicy is the policy of the awscli example get-repository-policy.rst,
// compact; awscliPolicyFormatted is how ECR returns it.
const (
	awscliPolicy = `{"Version":"2008-10-17","Statement":[{"Sid":"allow public pull","Effect":"Allow","Principal":"*",` +
		`"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
	awscliPolicyFormatted = "{\n  \"Version\" : \"2008-10-17\",\n  \"Statement\" : [ {\n    \"Sid\" : \"allow public pull\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : \"*\",\n    \"Action\" : [ \"ecr:BatchCheckLayerAvailability\", \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\" ]\n  } ]\n}"
)

// registryPolicy grants actions to another account.
func registryPolicy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"r","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
		`"Action":["` + strings.Join(actions, `","`) + `"],"Resource":"arn:aws:ecr:us-west-2:123456789012:repository/*"}]}`
}

func TestSetRepositoryPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const invalidMsg = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"
	cases := []struct {
		name, repo, policy string
		force              bool
		want, wantMsg      string
	}{
		{"awscli example", "repo", awscliPolicy, false, "", ""},
		{"with force", "repo", awscliPolicy, true, "", ""},
		{"not json", "repo", `{"Version":`, false, "InvalidParameterException", invalidMsg},
		{"empty", "repo", ``, false, "InvalidParameterException", invalidMsg},
		{"no principal", "repo", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*"}]}`, false,
			"InvalidParameterException", invalidMsg},
		{"bad effect", "repo", `{"Version":"2012-10-17","Statement":{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}}`, false,
			"InvalidParameterException", invalidMsg},
		{"too long", "repo", `{"Version":"2012-10-17","Statement":{"Sid":"` + strings.Repeat("x", 10240) + `","Effect":"Allow","Principal":"*","Action":"ecr:*"}}`,
			false, "InvalidParameterException", "Member must have length less than or equal to 10240"},
		{"missing repository", "missing", awscliPolicy, false, "RepositoryNotFoundException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			mustCreateRepo(t, c, "repo")
			out, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(tc.repo),
				PolicyText: aws.String(tc.policy), Force: tc.force})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("message %q does not contain %q", err, tc.wantMsg)
				}
				_, gerr := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("repo")})
				if errCode(gerr) != "RepositoryPolicyNotFoundException" {
					t.Errorf("a rejected policy was stored: %v", gerr)
				}
				return
			}
			if got := aws.ToString(out.PolicyText); got != awscliPolicyFormatted {
				t.Errorf("policyText = %q, want %q", got, awscliPolicyFormatted)
			}
			if aws.ToString(out.RegistryId) != "123456789012" || aws.ToString(out.RepositoryName) != "repo" {
				t.Errorf("response = %+v", out)
			}
			get, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("repo")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(get.PolicyText) != awscliPolicyFormatted {
				t.Errorf("stored policy = %q", aws.ToString(get.PolicyText))
			}
		})
	}
}

func TestGetDeleteRepositoryPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "repo")
	const notFound = "Repository policy does not exist for the repository with name 'repo' in the registry with id '123456789012'"
	_, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("repo")})
	if errCode(err) != "RepositoryPolicyNotFoundException" || !strings.Contains(err.Error(), notFound) {
		t.Fatalf("get before set: %v", err)
	}
	_, err = c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("repo")})
	if errCode(err) != "RepositoryPolicyNotFoundException" {
		t.Fatalf("delete before set: %v", err)
	}
	if _, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("repo"), PolicyText: aws.String(awscliPolicy)}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("repo")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(del.PolicyText) != awscliPolicyFormatted || aws.ToString(del.RepositoryName) != "repo" {
		t.Errorf("delete response = %+v", del)
	}
	if _, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("repo")}); errCode(err) != "RepositoryPolicyNotFoundException" {
		t.Errorf("get after delete: %v", err)
	}
	for name, call := range map[string]func() error{
		"get": func() error {
			_, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("missing")})
			return err
		},
		"delete": func() error {
			_, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String("missing")})
			return err
		},
	} {
		if err := call(); errCode(err) != "RepositoryNotFoundException" {
			t.Errorf("%s on a missing repository: %v", name, err)
		}
	}
}

func TestPutRegistryPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name, scope, policy string // scope "" leaves the default (V2)
		want                string
	}{
		{"v2 any ecr action", "", registryPolicy("ecr:BatchGetImage", "ecr:ReplicateImage", "ecr:*"), ""},
		{"v2 explicit", "V2", registryPolicy("ecr:GetDownloadUrlForLayer"), ""},
		{"v2 other service", "", registryPolicy("s3:GetObject"), "InvalidParameterException"},
		{"v2 star", "", registryPolicy("*"), "InvalidParameterException"},
		{"v1 allowed actions", "V1", registryPolicy("ecr:ReplicateImage", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"), ""},
		{"v1 other ecr action", "V1", registryPolicy("ecr:ReplicateImage", "ecr:BatchGetImage"), "InvalidParameterException"},
		{"v1 wildcard", "V1", registryPolicy("ecr:*"), "InvalidParameterException"},
		{"not a policy", "", `{"Statement":[]}`, "InvalidParameterException"},
		{"not json", "", `nope`, "InvalidParameterException"},
		{"too long", "", registryPolicy("ecr:" + strings.Repeat("a", 10240)), "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			if tc.scope != "" {
				if _, err := c.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String("REGISTRY_POLICY_SCOPE"), Value: aws.String(tc.scope)}); err != nil {
					t.Fatal(err)
				}
			}
			out, err := c.PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{PolicyText: aws.String(tc.policy)})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			want := "{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : [ {\n    \"Sid\" : \"r\","
			if got := aws.ToString(out.PolicyText); !strings.HasPrefix(got, want) || aws.ToString(out.RegistryId) != "123456789012" {
				t.Errorf("response = %q / %s", got, aws.ToString(out.RegistryId))
			}
			get, err := c.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(get.PolicyText) != aws.ToString(out.PolicyText) {
				t.Errorf("stored = %q", aws.ToString(get.PolicyText))
			}
		})
	}
}

func TestGetDeleteRegistryPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	const notFound = "Registry policy does not exist in the registry with id '123456789012'"
	_, err := c.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
	if errCode(err) != "RegistryPolicyNotFoundException" || !strings.Contains(err.Error(), notFound) {
		t.Fatalf("get before put: %v", err)
	}
	if _, err := c.DeleteRegistryPolicy(ctx, &ecr.DeleteRegistryPolicyInput{}); errCode(err) != "RegistryPolicyNotFoundException" {
		t.Fatalf("delete before put: %v", err)
	}
	put, err := c.PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{PolicyText: aws.String(registryPolicy("ecr:ReplicateImage"))})
	if err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteRegistryPolicy(ctx, &ecr.DeleteRegistryPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(del.PolicyText) != aws.ToString(put.PolicyText) || aws.ToString(del.RegistryId) != "123456789012" {
		t.Errorf("delete response = %+v", del)
	}
	if _, err := c.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{}); errCode(err) != "RegistryPolicyNotFoundException" {
		t.Errorf("get after delete: %v", err)
	}
}
