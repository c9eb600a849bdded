package ecr_test

// Reproducer of a provider bug, kept out of the default build until it is
// fixed (then remove the build line): ecr_repository's Create does not save
// the repository in the state when the read after CreateRepository fails,
// so the repository is orphaned and the next apply fails with
// RepositoryAlreadyExistsException. Run with -tags wip_F.

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// TestAccFaults_failedReadAfterCreate: when the read that follows
// CreateRepository fails for good, the repository exists; the state must
// know it so that the next apply neither fails on the name nor orphans it.
func TestAccFaults_failedReadAfterCreate(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	b.Emulator.Faults().MustAdd(emulator.Fault{
		Op: "DescribeRepositories", Action: emulator.ActionError, ErrorType: "AccessDeniedException",
		Message: "User is not authorized to perform: ecr:DescribeRepositories",
	})
	rName := acctest.RandomName("tf-acc-faults-read")
	config := b.Config(testAccRepositoryConfig_basic(rName))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)reading ECR Repository.*AccessDeniedException`),
			},
			{
				PreConfig: func() { b.Emulator.Faults().Clear() },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
