package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

const testSigningProfile = "arn:aws:signer:us-west-2:123456789012:/signing-profiles/MyProfile_1"

func signingRule(profile string, filters ...string) types.SigningRule {
	r := types.SigningRule{SigningProfileArn: aws.String(profile)}
	for _, f := range filters {
		r.RepositoryFilters = append(r.RepositoryFilters, types.SigningRepositoryFilter{
			Filter: aws.String(f), FilterType: types.SigningRepositoryFilterTypeWildcardMatch})
	}
	return r
}

func TestPutSigningConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	elevenRules := make([]types.SigningRule, 11)
	for i := range elevenRules {
		elevenRules[i] = signingRule(testSigningProfile)
	}
	manyFilters := make([]string, 101)
	for i := range manyFilters {
		manyFilters[i] = "prod-*"
	}
	cases := []struct {
		name  string
		rules []types.SigningRule
		want  string
	}{
		{"all repositories", []types.SigningRule{signingRule(testSigningProfile)}, ""},
		{"filtered", []types.SigningRule{signingRule(testSigningProfile, "prod-*", "team/*/api")}, ""},
		{"ten rules", elevenRules[:10], ""},
		{"no rules", []types.SigningRule{}, ""},
		{"eleven rules", elevenRules, "InvalidParameterException"},
		{"bad profile", []types.SigningRule{signingRule("arn:aws:iam::123456789012:role/signer")}, "InvalidParameterException"},
		{"bad filter", []types.SigningRule{signingRule(testSigningProfile, "Prod")}, "InvalidParameterException"},
		{"bad filter type", []types.SigningRule{{SigningProfileArn: aws.String(testSigningProfile),
			RepositoryFilters: []types.SigningRepositoryFilter{{Filter: aws.String("prod"), FilterType: "WILDCARD"}}}}, "InvalidParameterException"},
		{"empty filters", []types.SigningRule{{SigningProfileArn: aws.String(testSigningProfile),
			RepositoryFilters: []types.SigningRepositoryFilter{}}}, "InvalidParameterException"},
		{"101 filters", []types.SigningRule{signingRule(testSigningProfile, manyFilters...)}, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{
				SigningConfiguration: &types.SigningConfiguration{Rules: tc.rules}})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			get, gerr := c.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
			if err != nil {
				if errCode(gerr) != "SigningConfigurationNotFoundException" {
					t.Errorf("rejected configuration was stored: %+v, %v", get, gerr)
				}
				return
			}
			if gerr != nil {
				t.Fatal(gerr)
			}
			if len(out.SigningConfiguration.Rules) != len(tc.rules) || len(get.SigningConfiguration.Rules) != len(tc.rules) ||
				aws.ToString(get.RegistryId) != "123456789012" {
				t.Errorf("put %+v, get %+v", out.SigningConfiguration, get)
			}
			if len(tc.rules) > 0 && len(get.SigningConfiguration.Rules[0].RepositoryFilters) != len(tc.rules[0].RepositoryFilters) {
				t.Errorf("filters: %+v", get.SigningConfiguration.Rules[0])
			}
		})
	}
}

func TestDeleteSigningConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	if _, err := c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{}); errCode(err) != "SigningConfigurationNotFoundException" {
		t.Errorf("delete before put: %v", err)
	}
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{
		Rules: []types.SigningRule{signingRule(testSigningProfile, "prod-*")}}}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{})
	if err != nil || aws.ToString(del.RegistryId) != "123456789012" || len(del.SigningConfiguration.Rules) != 1 ||
		aws.ToString(del.SigningConfiguration.Rules[0].SigningProfileArn) != testSigningProfile {
		t.Fatalf("delete returned %+v, %v", del, err)
	}
	if _, err := c.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{}); errCode(err) != "SigningConfigurationNotFoundException" {
		t.Errorf("get after delete: %v", err)
	}
	if _, err := c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{}); errCode(err) != "SigningConfigurationNotFoundException" {
		t.Errorf("second delete: %v", err)
	}
}
