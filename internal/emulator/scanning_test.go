package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func scanRule(freq types.ScanFrequency, filters ...string) types.RegistryScanningRule {
	r := types.RegistryScanningRule{ScanFrequency: freq, RepositoryFilters: []types.ScanningRepositoryFilter{}}
	for _, f := range filters {
		r.RepositoryFilters = append(r.RepositoryFilters, types.ScanningRepositoryFilter{
			Filter: aws.String(f), FilterType: types.ScanningRepositoryFilterTypeWildcard})
	}
	return r
}

func TestGetRegistryScanningConfiguration_default(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	out, err := c.GetRegistryScanningConfiguration(context.Background(), &ecr.GetRegistryScanningConfigurationInput{})
	if err != nil {
		t.Fatal(err)
	}
	sc := out.ScanningConfiguration
	if aws.ToString(out.RegistryId) != "123456789012" || sc == nil || sc.ScanType != types.ScanTypeBasic ||
		sc.Rules == nil || len(sc.Rules) != 0 {
		t.Errorf("default = %+v / %+v", out, sc)
	}
}

func TestPutRegistryScanningConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name     string
		scanType types.ScanType
		rules    []types.RegistryScanningRule
		want     string
	}{
		{"basic scan on push", types.ScanTypeBasic, []types.RegistryScanningRule{scanRule(types.ScanFrequencyScanOnPush, "*")}, ""},
		{"enhanced two rules", types.ScanTypeEnhanced, []types.RegistryScanningRule{
			scanRule(types.ScanFrequencyContinuousScan, "prod-*"), scanRule(types.ScanFrequencyScanOnPush, "*")}, ""},
		{"enhanced no rules", types.ScanTypeEnhanced, nil, ""},
		{"absent scan type", "", nil, ""},
		{"bad scan type", "DEEP", nil, "InvalidParameterException"},
		{"three rules", types.ScanTypeEnhanced, []types.RegistryScanningRule{
			scanRule(types.ScanFrequencyScanOnPush, "a*"), scanRule(types.ScanFrequencyScanOnPush, "b*"),
			scanRule(types.ScanFrequencyScanOnPush, "c*")}, "InvalidParameterException"},
		{"basic continuous", types.ScanTypeBasic, []types.RegistryScanningRule{scanRule(types.ScanFrequencyContinuousScan, "*")}, "ValidationException"},
		{"enhanced manual", types.ScanTypeEnhanced, []types.RegistryScanningRule{scanRule(types.ScanFrequencyManual, "*")}, "ValidationException"},
		{"bad frequency", types.ScanTypeBasic, []types.RegistryScanningRule{scanRule("HOURLY", "*")}, "InvalidParameterException"},
		{"bad filter", types.ScanTypeBasic, []types.RegistryScanningRule{scanRule(types.ScanFrequencyScanOnPush, "Prod")}, "InvalidParameterException"},
		{"bad filter type", types.ScanTypeBasic, []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush,
			RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String("x"), FilterType: "PREFIX_MATCH"}}}}, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: tc.scanType, Rules: tc.rules})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			get, gerr := c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
			if gerr != nil {
				t.Fatal(gerr)
			}
			if err != nil {
				if get.ScanningConfiguration.ScanType != types.ScanTypeBasic || len(get.ScanningConfiguration.Rules) != 0 {
					t.Errorf("rejected configuration was stored: %+v", get.ScanningConfiguration)
				}
				return
			}
			wantType := tc.scanType
			if wantType == "" {
				wantType = types.ScanTypeBasic
			}
			for _, sc := range []*types.RegistryScanningConfiguration{out.RegistryScanningConfiguration, get.ScanningConfiguration} {
				if sc.ScanType != wantType || len(sc.Rules) != len(tc.rules) || sc.Rules == nil {
					t.Errorf("configuration = %+v, want %s with %d rules", sc, wantType, len(tc.rules))
				}
			}
		})
	}
}

func TestBatchGetRepositoryScanningConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	for _, r := range []string{"prod-api", "prod/web", "dev", "legacy"} {
		mustCreateRepo(t, c, r)
	}
	if _, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("legacy"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		t.Fatal(err)
	}
	get := func(names ...string) *ecr.BatchGetRepositoryScanningConfigurationOutput {
		t.Helper()
		out, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	type want struct {
		freq    types.ScanFrequency
		onPush  bool
		filters int
	}
	check := func(out *ecr.BatchGetRepositoryScanningConfigurationOutput, wants map[string]want) {
		t.Helper()
		if len(out.ScanningConfigurations) != len(wants) {
			t.Fatalf("got %d configurations, want %d", len(out.ScanningConfigurations), len(wants))
		}
		for _, sc := range out.ScanningConfigurations {
			name := aws.ToString(sc.RepositoryName)
			w := wants[name]
			if sc.ScanFrequency != w.freq || sc.ScanOnPush != w.onPush || len(sc.AppliedScanFilters) != w.filters ||
				aws.ToString(sc.RepositoryArn) != "arn:aws:ecr:us-west-2:123456789012:repository/"+name {
				t.Errorf("%s: %+v, want %+v", name, sc, w)
			}
		}
	}
	// Default BASIC with no rules: MANUAL, except the repository's own
	// scan-on-push setting.
	out := get("prod-api", "legacy", "missing")
	check(out, map[string]want{"prod-api": {types.ScanFrequencyManual, false, 0}, "legacy": {types.ScanFrequencyScanOnPush, true, 0}})
	if len(out.Failures) != 1 || aws.ToString(out.Failures[0].RepositoryName) != "missing" ||
		out.Failures[0].FailureCode != types.ScanningConfigurationFailureCodeRepositoryNotFound {
		t.Errorf("failures = %+v", out.Failures)
	}
	if _, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: types.ScanTypeEnhanced,
		Rules: []types.RegistryScanningRule{scanRule(types.ScanFrequencyContinuousScan, "prod*"), scanRule(types.ScanFrequencyScanOnPush, "*")}}); err != nil {
		t.Fatal(err)
	}
	check(get("prod-api", "prod/web", "dev", "legacy"), map[string]want{
		"prod-api": {types.ScanFrequencyContinuousScan, true, 1},
		"prod/web": {types.ScanFrequencyContinuousScan, true, 1},
		"dev":      {types.ScanFrequencyScanOnPush, true, 1},
		"legacy":   {types.ScanFrequencyScanOnPush, true, 1},
	})
	names := make([]string, 26)
	for i := range names {
		names[i] = "dev"
	}
	for _, tc := range []struct {
		name  string
		names []string
	}{{"too many", names}, {"empty", []string{}}, {"bad name", []string{"Bad"}}} {
		_, err := c.BatchGetRepositoryScanningConfiguration(ctx, &ecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: tc.names})
		if got := errCode(err); got != "InvalidParameterException" {
			t.Errorf("%s: %q (%v)", tc.name, got, err)
		}
	}
}
