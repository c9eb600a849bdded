package ecr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// TestAccRepositoryScanningConfigurationDataSource_basic: 30 repositories
// and a missing one, read 25 per call (two calls); the registry's
// scan-on-push filter applies to them; the missing one is a failure; without
// names, every repository is read.
func TestAccRepositoryScanningConfigurationDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "reads every repository of the registry; moto's registry is shared by the tests running beside this one")
	prefix := acctest.RandomName("tf-acc-scan")
	var names []string
	for i := range 30 {
		names = append(names, fmt.Sprintf("%s/app-%02d", prefix, i))
	}
	missing := prefix + "/missing"
	quoted := make([]string, 0, len(names)+1)
	for _, n := range append(append([]string{}, names...), missing) {
		quoted = append(quoted, fmt.Sprintf("%q", n))
	}
	const named, all = "data.ecr_repository_scanning_configuration.named", "data.ecr_repository_scanning_configuration.all"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				ctx := acctest.Context()
				for _, n := range names {
					if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(n)}); err != nil {
						t.Fatal(err)
					}
				}
				_, err := b.Client.PutRegistryScanningConfiguration(ctx, &awsecr.PutRegistryScanningConfigurationInput{
					ScanType: awstypes.ScanTypeBasic,
					Rules: []awstypes.RegistryScanningRule{{ScanFrequency: awstypes.ScanFrequencyScanOnPush,
						RepositoryFilters: []awstypes.ScanningRepositoryFilter{{Filter: aws.String(prefix + "*"), FilterType: awstypes.ScanningRepositoryFilterTypeWildcard}}}},
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			Config: b.Config(fmt.Sprintf(`
data "ecr_repository_scanning_configuration" "named" {
  repository_names = [%s]
}

data "ecr_repository_scanning_configuration" "all" {}
`, strings.Join(quoted, ", "))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(named, tfjsonpath.New("scanning_configurations"), knownvalue.ListSizeExact(30)),
				statecheck.ExpectKnownValue(named, tfjsonpath.New("scanning_configurations").AtSliceIndex(29),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"repository_name": knownvalue.StringExact(names[29]),
						"repository_arn":  knownvalue.StringExact(fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", b.Region, b.AccountID, names[29])),
					})),
				statecheck.ExpectKnownValue(named, tfjsonpath.New("failures"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"repository_name": knownvalue.StringExact(missing),
						"failure_code":    knownvalue.StringExact("REPOSITORY_NOT_FOUND"),
					})})),
				statecheck.ExpectKnownValue(all, tfjsonpath.New("scanning_configurations"), knownvalue.ListSizeExact(30)),
				statecheck.ExpectKnownValue(all, tfjsonpath.New("repository_names"), knownvalue.ListSizeExact(30)),
			},
			Check: func(*terraform.State) error {
				if b.Emulator == nil {
					return nil // moto keeps no call log, and matches filters loosely
				}
				calls := 0
				for _, c := range b.Emulator.Calls() {
					if c.Op == "BatchGetRepositoryScanningConfiguration" {
						calls++
					}
				}
				// named: 31 names in 2 calls; all: 30 in 2; each read twice
				// at most (apply and the plan after it).
				if calls == 0 || calls%2 != 0 {
					return fmt.Errorf("%d BatchGetRepositoryScanningConfiguration calls: want pairs of calls of at most 25 names", calls)
				}
				out, err := b.Client.BatchGetRepositoryScanningConfiguration(acctest.Context(),
					&awsecr.BatchGetRepositoryScanningConfigurationInput{RepositoryNames: names[:1]})
				if err != nil {
					return err
				}
				if f := out.ScanningConfigurations[0]; f.ScanFrequency != awstypes.ScanFrequencyScanOnPush || len(f.AppliedScanFilters) != 1 {
					return fmt.Errorf("the registry's scan-on-push filter does not apply: %+v", f)
				}
				return nil
			},
		}},
	})
}
