package ecr_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const testAccSigningConfigurationAddr = "ecr_signing_configuration.test"

func findSigningConfiguration(ctx context.Context, client *awsecr.Client, _ string) (*awsecr.GetSigningConfigurationOutput, error) {
	return ecr.FindSigningConfiguration(ctx, client)
}

// testAccSigningProfile is the ARN of a signing profile named name.
func testAccSigningProfile(b *acctest.Backend, name string) string {
	return fmt.Sprintf("arn:aws:signer:%s:%s:/signing-profiles/%s", b.Region, b.AccountID, name)
}

// testAccCheckSigningRules checks the rules ECR has, each rendered as
// "profile|filter,filter".
func testAccCheckSigningRules(b *acctest.Backend, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := ecr.FindSigningConfiguration(acctest.Context(), b.Client)
		if err != nil {
			return err
		}
		var got []string
		for _, r := range out.SigningConfiguration.Rules {
			var filters []string
			for _, f := range r.RepositoryFilters {
				filters = append(filters, aws.ToString(f.Filter))
			}
			got = append(got, aws.ToString(r.SigningProfileArn)+"|"+strings.Join(filters, ","))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("signing rules = %q, want %q", got, want)
		}
		return nil
	}
}

func testAccSigningConfigurationConfig(b *acctest.Backend, rules ...[2]string) string {
	var body strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&body, "  rule {\n    signing_profile_arn = %q\n", r[0])
		for f := range strings.SplitSeq(r[1], ",") {
			if f != "" {
				fmt.Fprintf(&body, "    repository_filter {\n      filter      = %q\n      filter_type = \"WILDCARD_MATCH\"\n    }\n", f)
			}
		}
		body.WriteString("  }\n")
	}
	return b.Config("resource \"ecr_signing_configuration\" \"test\" {\n" + body.String() + "}\n")
}

func TestAccSigningConfiguration_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no signing configuration")
	prod, all := testAccSigningProfile(b, "prod_signer"), testAccSigningProfile(b, "all_signer")
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_signing_configuration", "id", findSigningConfiguration),
		Steps: []resource.TestStep{
			{
				Config: testAccSigningConfigurationConfig(b, [2]string{prod, "myapp/*,*/production"}),
				Check:  testAccCheckSigningRules(b, prod+"|myapp/*,*/production"),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(testAccSigningConfigurationAddr, "id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccSigningConfigurationAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
					stateValueAt(testAccSigningConfigurationAddr, "rule", knownvalue.ListSizeExact(1)),
				},
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
			},
			{ResourceName: testAccSigningConfigurationAddr, ImportState: true, ImportStateVerify: true},
			{
				// A second rule without filters: every repository.
				Config:           testAccSigningConfigurationConfig(b, [2]string{prod, "myapp/*"}, [2]string{all, ""}),
				Check:            testAccCheckSigningRules(b, prod+"|myapp/*", all+"|"),
				ConfigPlanChecks: expectActionThenEmptyPlan(testAccSigningConfigurationAddr, plancheck.ResourceActionUpdate),
			},
			{ResourceName: testAccSigningConfigurationAddr, ImportState: true, ImportStateVerify: true,
				ImportStateId: b.AccountID + "@" + b.Region},
		},
	})
}

func TestAccSigningConfiguration_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no signing configuration")
	testAccSingletonTest(t, b, resource.TestCase{
		CheckDestroy: testAccCheckDestroy(b, "ecr_signing_configuration", "id", findSigningConfiguration),
		Steps: []resource.TestStep{testAccStepDisappears(
			testAccSigningConfigurationConfig(b, [2]string{testAccSigningProfile(b, "prod_signer"), ""}),
			testAccSigningConfigurationAddr, testAccCheckExists(b, testAccSigningConfigurationAddr, "id", findSigningConfiguration, nil),
			func() error {
				_, err := b.Client.DeleteSigningConfiguration(acctest.Context(), &awsecr.DeleteSigningConfigurationInput{})
				return err
			})},
	})
}

func TestAccSigningConfiguration_invalid(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "moto has no signing configuration")
	var tooMany [][2]string
	for i := range 11 {
		tooMany = append(tooMany, [2]string{testAccSigningProfile(b, fmt.Sprintf("p_%d", i)), ""})
	}
	testAccSingletonTest(t, b, resource.TestCase{
		Steps: []resource.TestStep{
			{Config: testAccSigningConfigurationConfig(b, [2]string{"arn:aws:iam::123456789012:role/signer", ""}), PlanOnly: true,
				ExpectError: expectWrapped(`signing_profile_arn.*must be an AWS Signer signing profile ARN`)},
			{Config: testAccSigningConfigurationConfig(b, [2]string{testAccSigningProfile(b, "ok_profile"), "MyApp/*"}), PlanOnly: true,
				ExpectError: expectWrapped(`filter.*must be a repository name pattern`)},
			{Config: testAccSigningConfigurationConfig(b, tooMany...), PlanOnly: true,
				ExpectError: expectWrapped(`rule.*at most 10`)},
		},
	})
}
