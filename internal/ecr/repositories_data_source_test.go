package ecr_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestAccRepositoriesDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	prefix := acctest.RandomName("tf-acc")
	names := []string{prefix + "-a/one", prefix + "-a/two", prefix + "-b"}
	config := b.Config(fmt.Sprintf(`
resource "ecr_repository" "one" {
  name = %[1]q
}

resource "ecr_repository" "two" {
  name = %[2]q
}

resource "ecr_repository" "other" {
  name = %[3]q
}

data "ecr_repositories" "all" {
  depends_on = [ecr_repository.one, ecr_repository.two, ecr_repository.other]
}

data "ecr_repositories" "prefixed" {
  name_prefix = "%[4]s-a/"
  depends_on  = [ecr_repository.one, ecr_repository.two, ecr_repository.other]
}
`, names[0], names[1], names[2], prefix))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckRepositoryDestroy(b),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ecr_repositories.all", tfjsonpath.New("names"), knownvalue.SetPartial([]knownvalue.Check{
					knownvalue.StringExact(names[0]), knownvalue.StringExact(names[1]), knownvalue.StringExact(names[2]),
				})),
				statecheck.ExpectKnownValue("data.ecr_repositories.prefixed", tfjsonpath.New("names"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(names[0]), knownvalue.StringExact(names[1]),
				})),
				statecheck.ExpectKnownValue("data.ecr_repositories.all", tfjsonpath.New("id"), knownvalue.StringExact(b.Region)),
			},
		}},
	})
}

// TestAccRepositoriesDataSource_paged lists more repositories than fit in
// one DescribeRepositories page (100).
func TestAccRepositoriesDataSource_paged(t *testing.T) {
	b := acctest.NewBackend(t)
	prefix := acctest.RandomName("tf-acc-bulk")
	const n = 105
	var created []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				var wg sync.WaitGroup
				errs := make(chan error, n)
				for i := range n {
					name := fmt.Sprintf("%s/%03d", prefix, i)
					created = append(created, name)
					wg.Go(func() {
						_, err := b.Client.CreateRepository(acctest.Context(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
						errs <- err
					})
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
			},
			Config: b.Config(fmt.Sprintf(`
data "ecr_repositories" "test" {
  name_prefix = "%s/"
}
`, prefix)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ecr_repositories.test", tfjsonpath.New("names"), knownvalue.SetSizeExact(n)),
			},
		}},
	})
	t.Cleanup(func() {
		for _, name := range created {
			_, _ = b.Client.DeleteRepository(acctest.Context(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String(name)})
		}
	})
}
