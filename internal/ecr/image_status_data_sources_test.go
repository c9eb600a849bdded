package ecr_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// TestAccImageReferrersDataSource_scenario reads the referrers and the
// replication and signing statuses of a multi-platform image with a
// signature and an SBOM.
func TestAccImageReferrersDataSource_scenario(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "pushes through the registry protocol")
	rName := acctest.RandomName("tf-acc-refs")
	var index, sig, sbom string
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: func(*terraform.State) error {
				mp, err := b.PushMultiPlatform(rName, "v1")
				index, sig, sbom = mp.Index, mp.Signature, mp.SBOM
				return err
			}},
			{
				Config: b.Config(repo + fmt.Sprintf(`
data "ecr_image_referrers" "all" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}
data "ecr_image_referrers" "sboms" {
  repository_name = ecr_repository.test.name
  image_digest    = data.ecr_image_referrers.all.image_digest
  artifact_types  = [%[1]q]
}
data "ecr_image_replication_status" "test" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}
data "ecr_image_signing_status" "test" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}
`, acctest.SBOMArtifactType)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("data.ecr_image_referrers.all", "image_digest", stringAt(&index)),
					stateValueAt("data.ecr_image_referrers.all", "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt("data.ecr_image_referrers.all", "referrers", knownvalue.ListExact([]knownvalue.Check{
						referrerOneOf(&sig, &sbom), referrerOneOf(&sig, &sbom)})),
					stateValueAt("data.ecr_image_referrers.sboms", "referrers", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"digest": stringAt(&sbom), "artifact_type": knownvalue.StringExact(acctest.SBOMArtifactType),
							"artifact_status": knownvalue.StringExact("ACTIVE"),
							"media_type":      knownvalue.StringExact("application/vnd.oci.image.manifest.v1+json"),
						}),
					})),
					stateValueAt("data.ecr_image_replication_status.test", "image_digest", stringAt(&index)),
					stateValueAt("data.ecr_image_replication_status.test", "replication_statuses", knownvalue.ListExact([]knownvalue.Check{})),
					stateValueAt("data.ecr_image_signing_status.test", "signing_statuses", knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

// referrerOneOf checks that a referrer's digest is one of several.
func referrerOneOf(ps ...*string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{"digest": knownvalue.StringFunc(func(v string) error {
		for _, p := range ps {
			if v == *p {
				return nil
			}
		}
		return fmt.Errorf("referrer %q is none of the expected ones", v)
	})})
}

// TestAccImageScanFindingsDataSource_basic waits for the scan on push of
// an image and reads its findings; an image never scanned is an error that
// says how to scan it.
func TestAccImageScanFindingsDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "scan findings: moto 5.2 never scans a pushed image (ScanNotFoundException)")
	rName := acctest.RandomName("tf-acc-scan")
	scanned := fmt.Sprintf(`
resource "ecr_repository" "test" {
  name         = %[1]q
  force_delete = true
  image_scanning_configuration {
    scan_on_push = true
  }
}
`, rName)
	var findings int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{
				Config:      b.Config(`data "ecr_image_scan_findings" "test" { repository_name = "repo" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)At least one of these attributes must be configured`),
			},
			{
				Config:      b.Config(`data "ecr_image_scan_findings" "test" {` + "\n" + `repository_name = "repo"` + "\n" + `image_tag = "v1"` + "\n" + `timeout = "soon"` + "\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)timeout must be a positive duration`),
			},
			{Config: b.Config(scanned), Check: testAccPutImage(b, rName, "v1")},
			{
				Config: b.Config(scanned + `
data "ecr_image_scan_findings" "test" {
  repository_name     = ecr_repository.test.name
  image_tag           = "v1"
  wait_for_completion = true
  timeout             = "1m"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("data.ecr_image_scan_findings.test", "scan_status", knownvalue.StringExact("COMPLETE")),
					stateValueAt("data.ecr_image_scan_findings.test", "scan_completed_at", knownvalue.NotNull()),
					stateValueAt("data.ecr_image_scan_findings.test", "enhanced_findings", knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: func(s *terraform.State) error {
					// The severity counts add up to the findings.
					a := s.RootModule().Resources["data.ecr_image_scan_findings.test"].Primary.Attributes
					total := 0
					for k, v := range a {
						if strings.HasPrefix(k, "finding_severity_counts.") && k != "finding_severity_counts.%" {
							var n int
							fmt.Sscan(v, &n)
							total += n
						}
					}
					fmt.Sscan(a["findings.#"], &findings)
					if total != findings {
						return fmt.Errorf("severity counts add up to %d, %d findings", total, findings)
					}
					return nil
				},
			},
			{
				Config: b.Config(scanned + `
resource "ecr_repository" "unscanned" {
  name         = "${ecr_repository.test.name}-unscanned"
  force_delete = true
}
data "ecr_image_scan_findings" "test" {
  repository_name = ecr_repository.unscanned.name
  image_tag       = "v1"
}
`),
				ExpectError: regexp.MustCompile(`(?s)image .*-unscanned:v1 not found`),
			},
		},
	})
}

// TestAccImageScanFindingsDataSource_notScanned: an image that was never
// scanned is an error that says how to scan it.
func TestAccImageScanFindingsDataSource_notScanned(t *testing.T) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName("tf-acc-scan")
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccPutImage(b, rName, "v1")},
			{
				Config: b.Config(repo + `
data "ecr_image_scan_findings" "test" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}
`),
				ExpectError: regexp.MustCompile(`(?s)reading the scan findings of ECR Image.*ScanNotFoundException.*has not been scanned`),
			},
		},
	})
}

// TestAccImageStatusDataSources_replicatedAndSigned: with a replication
// configuration (the same account's eu-west-1, and another account whose
// registry policy does not allow it) and a signing configuration (one
// rule for the repository, one for others), the status data sources of a
// pushed image read one entry per destination and per applicable profile,
// as they ended.
func TestAccImageStatusDataSources_replicatedAndSigned(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "runs replications and signs images")
	rName := acctest.RandomName("tf-acc-status")
	const otherAccount = "210987654321"
	profile := func(name string) string {
		return fmt.Sprintf("arn:aws:signer:%s:%s:/signing-profiles/%s", b.Region, b.AccountID, name)
	}
	ctx := acctest.Context()
	if _, err := b.Client.PutReplicationConfiguration(ctx, &awsecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{{
			Destinations: []awstypes.ReplicationDestination{
				{Region: aws.String(acctest.OtherRegion), RegistryId: aws.String(b.AccountID)},
				{Region: aws.String(b.Region), RegistryId: aws.String(otherAccount)},
			},
			RepositoryFilters: []awstypes.RepositoryFilter{{Filter: aws.String(rName), FilterType: awstypes.RepositoryFilterTypePrefixMatch}},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Client.PutSigningConfiguration(ctx, &awsecr.PutSigningConfigurationInput{
		SigningConfiguration: &awstypes.SigningConfiguration{Rules: []awstypes.SigningRule{
			{SigningProfileArn: aws.String(profile("release")), RepositoryFilters: []awstypes.SigningRepositoryFilter{
				{Filter: aws.String(rName), FilterType: awstypes.SigningRepositoryFilterTypeWildcardMatch}}},
			{SigningProfileArn: aws.String(profile("others")), RepositoryFilters: []awstypes.SigningRepositoryFilter{
				{Filter: aws.String("other/*"), FilterType: awstypes.SigningRepositoryFilterTypeWildcardMatch}}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	repo := fmt.Sprintf(testAccImageRepositoryConfig, rName)
	replication := func(region, registry, status string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"region": knownvalue.StringExact(region),
			"registry_id": knownvalue.StringExact(registry), "status": knownvalue.StringExact(status), "failure_code": knownvalue.Null()})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{
			{Config: b.Config(repo), Check: testAccPutImage(b, rName, "v1")},
			{
				Config: b.Config(repo + `
data "ecr_image_replication_status" "test" {
  repository_name = ecr_repository.test.name
  image_tag       = "v1"
}
data "ecr_image_signing_status" "test" {
  repository_name = ecr_repository.test.name
  image_digest    = data.ecr_image_replication_status.test.image_digest
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt("data.ecr_image_replication_status.test", "image_digest", knownvalue.StringExact(acctest.ImageDigest("v1"))),
					stateValueAt("data.ecr_image_replication_status.test", "replication_statuses", knownvalue.SetExact([]knownvalue.Check{
						replication(acctest.OtherRegion, b.AccountID, "COMPLETE"),
						replication(b.Region, otherAccount, "FAILED"),
					})),
					stateValueAt("data.ecr_image_signing_status.test", "signing_statuses", knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"signing_profile_arn": knownvalue.StringExact(profile("release")), "status": knownvalue.StringExact("COMPLETE"),
							"failure_code": knownvalue.Null(), "failure_reason": knownvalue.Null(),
						}),
					})),
				},
				Check: func(*terraform.State) error {
					// The replica is in eu-west-1.
					_, err := b.ClientIn(acctest.OtherRegion).DescribeImages(ctx, &awsecr.DescribeImagesInput{RepositoryName: aws.String(rName),
						ImageIds: []awstypes.ImageIdentifier{{ImageTag: aws.String("v1")}}})
					return err
				},
			},
		},
	})
}
