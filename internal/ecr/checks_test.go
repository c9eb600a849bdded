package ecr_test

// Check and step builders every entity's acceptance tests share.

import (
	"context"
	"fmt"

	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// finder is an entity's finder as exported for the tests: the object a key
// (the value of a resource's key attribute) names, or a not-found error.
type finder[T any] func(ctx context.Context, client *awsecr.Client, key string) (*T, error)

// testAccCheckExists fails unless find finds the object of the resource at
// addr, named by its attribute keyAttr. With v not nil it stores the object.
func testAccCheckExists[T any](b *acctest.Backend, addr, keyAttr string, find finder[T], v *T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not found in state", addr)
		}
		out, err := find(acctest.Context(), b.Client, rs.Primary.Attributes[keyAttr])
		if err != nil {
			return err
		}
		if v != nil {
			*v = *out
		}
		return nil
	}
}

// testAccCheckDestroy is a CheckDestroy: it fails while find still finds
// the object of any resource of typeName (named by its attribute keyAttr).
func testAccCheckDestroy[T any](b *acctest.Backend, typeName, keyAttr string, find finder[T]) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typeName {
				continue
			}
			key := rs.Primary.Attributes[keyAttr]
			_, err := find(acctest.Context(), b.Client, key)
			if ecr.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("%s %s still exists", typeName, key)
		}
		return nil
	}
}

// testAccStepDisappears applies config, then destroy deletes out of band
// what the apply created: the refresh must notice, and plan to create the
// resource at addr again.
func testAccStepDisappears(config, addr string, exists resource.TestCheckFunc, destroy func() error) resource.TestStep {
	return resource.TestStep{
		Config: config,
		Check: resource.ComposeTestCheckFunc(exists, func(*terraform.State) error {
			return destroy()
		}),
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		},
	}
}

// testAccDeleteRepository deletes a repository out of band, with its
// images and policies.
func testAccDeleteRepository(b *acctest.Backend, name string) func() error {
	return func() error {
		_, err := b.Client.DeleteRepository(acctest.Context(), &awsecr.DeleteRepositoryInput{RepositoryName: &name, Force: true})
		return err
	}
}

// stateValueAt checks the value of attr of the resource at addr.
func stateValueAt(addr, attr string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check)
}

// expectActionAt checks that the plan does action to the resource at addr.
func expectActionAt(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}}
}

// expectEmptyPlanAfterApply checks that the refresh after the apply plans
// nothing.
func expectEmptyPlanAfterApply() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
}

// expectActionThenEmptyPlan checks that the plan does action to the
// resource at addr, and that the refresh after the apply plans nothing.
func expectActionThenEmptyPlan(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	checks := expectActionAt(addr, action)
	checks.PostApplyPostRefresh = []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	return checks
}
