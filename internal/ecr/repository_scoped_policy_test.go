package ecr_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// testAccPolicy describes a repository-scoped policy resource
// (ecr_repository_policy, ecr_lifecycle_policy) for the acceptance tests
// they share. T is what its finder returns.
type testAccPolicy[T any] struct {
	typeName string // "ecr_repository_policy"
	prefix   string // of the random repository names
	// config is a repository and its policy; versions 1 and 2 differ in
	// the policy.
	config func(rName string, version int) string
	// text is what jsonencode writes for the policy of config.
	text   func(version int) string
	find   finder[T]
	delete func(b *acctest.Backend, rName string) error // the policy, out of band
	// lagKind is the emulator's object kind of the policy (for lag faults);
	// getOp and notFoundCode are its read operation and the error code of a
	// read that finds no policy.
	lagKind, getOp, notFoundCode string
}

func (p testAccPolicy[T]) addr() string { return p.typeName + ".test" }

func (p testAccPolicy[T]) checkExists(b *acctest.Backend) resource.TestCheckFunc {
	return testAccCheckExists(b, p.addr(), "repository", p.find, nil)
}

// run runs the steps for a new repository name as a parallel test, and
// checks that the policy is gone afterwards.
func (p testAccPolicy[T]) run(t *testing.T, steps func(b *acctest.Backend, rName string) []resource.TestStep) {
	b := acctest.NewBackend(t)
	rName := acctest.RandomName(p.prefix)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, p.typeName, "repository", p.find),
		Steps:                    steps(b, rName),
	})
}

// basicSteps: create (the configured text stays in state, nothing to plan
// after the refresh), import, and a policy change applied in place.
func (p testAccPolicy[T]) basicSteps(b *acctest.Backend, rName string) []resource.TestStep {
	return []resource.TestStep{
		{
			Config: b.Config(p.config(rName, 1)),
			Check:  p.checkExists(b),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValueAt(p.addr(), "id", knownvalue.StringExact(rName)),
				stateValueAt(p.addr(), "repository", knownvalue.StringExact(rName)),
				stateValueAt(p.addr(), "registry_id", knownvalue.StringExact(b.AccountID)),
				// The configured text stays although ECR may store it reformatted.
				stateValueAt(p.addr(), "policy", knownvalue.StringExact(p.text(1))),
			},
			ConfigPlanChecks: expectEmptyPlanAfterApply(),
		},
		{
			ResourceName:      p.addr(),
			ImportState:       true,
			ImportStateVerify: true,
		},
		{
			// In place (hashicorp/aws replaces a lifecycle policy).
			Config:           b.Config(p.config(rName, 2)),
			Check:            p.checkExists(b),
			ConfigPlanChecks: expectActionThenEmptyPlan(p.addr(), plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValueAt(p.addr(), "policy", knownvalue.StringExact(p.text(2))),
			},
		},
	}
}

// disappearsSteps: the policy deleted out of band is planned again.
func (p testAccPolicy[T]) disappearsSteps(b *acctest.Backend, rName string) []resource.TestStep {
	return []resource.TestStep{testAccStepDisappears(b.Config(p.config(rName, 1)), p.addr(), p.checkExists(b),
		func() error { return p.delete(b, rName) })}
}

// disappearsRepositorySteps: after the repository is deleted out of band
// (with its policy), the policy is planned again.
func (p testAccPolicy[T]) disappearsRepositorySteps(b *acctest.Backend, rName string) []resource.TestStep {
	return []resource.TestStep{testAccStepDisappears(b.Config(p.config(rName, 1)), p.addr(), p.checkExists(b),
		testAccRepositoryDelete(b, rName))}
}

// runEventualConsistency: while every new policy stays invisible to its
// first reads, create waits until the policy is readable and update until
// the new one is, so the refresh after each apply plans nothing; while a
// deleted policy stays visible to its first reads, destroy waits until it
// is gone.
func (p testAccPolicy[T]) runEventualConsistency(t *testing.T) {
	const lagReads = 3
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "consistency lag fault")
	b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: p.lagKind, LagReads: lagReads})
	rName := acctest.RandomName(p.prefix)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckDestroy(b, p.typeName, "repository", p.find),
		Steps: []resource.TestStep{
			{
				Config: b.Config(p.config(rName, 1)),
				Check: resource.ComposeTestCheckFunc(p.checkExists(b), func(*terraform.State) error {
					var hidden int
					for _, c := range b.Emulator.Calls() {
						if c.Op == p.getOp && c.ErrorCode == p.notFoundCode {
							hidden++
						}
					}
					if hidden < lagReads {
						return fmt.Errorf("%d %s calls did not find the new policy, want at least %d: the lag did not apply",
							hidden, p.getOp, lagReads)
					}
					return nil
				}),
				ConfigPlanChecks: expectEmptyPlanAfterApply(),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(p.addr(), "policy", knownvalue.StringExact(p.text(1))),
				},
			},
			{
				Config:           b.Config(p.config(rName, 2)),
				Check:            p.checkExists(b),
				ConfigPlanChecks: expectActionThenEmptyPlan(p.addr(), plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(p.addr(), "policy", knownvalue.StringExact(p.text(2))),
				},
			},
			{
				// The policy alone is destroyed: the delete waits until
				// reads stop returning it, so no read after the apply does.
				Config: b.Config(testAccRepositoryConfig_basic(rName)),
				Check: func(*terraform.State) error {
					_, err := p.find(acctest.Context(), b.Client, rName)
					switch {
					case err == nil:
						return fmt.Errorf("after destroying %s, a read still returns the policy", p.addr())
					case !ecr.IsNotFound(err):
						return fmt.Errorf("after destroying %s, reading it: %w", p.addr(), err)
					}
					return nil
				},
			},
		},
	})
}

// testAccPolicyConfig_raw is a repository and a policy of typeName given as
// literal text.
func testAccPolicyConfig_raw(typeName, rName, policy string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource %[2]q "test" {
  repository = ecr_repository.test.name
  policy     = <<EOT
%[3]s
EOT
}
`, rName, typeName, policy)
}
