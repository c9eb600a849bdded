package ecr_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// testAccSingletonTest runs the test case of a registry-level singleton
// (one per account and Region): in parallel on the emulator, where each
// test has its own registry, and one after the other on moto, whose
// registries every test shares.
func testAccSingletonTest(t *testing.T, b *acctest.Backend, tc resource.TestCase) {
	t.Helper()
	tc.ProtoV6ProviderFactories = acctest.ProtoV6ProviderFactories
	if b.Emulator == nil {
		resource.Test(t, tc)
		return
	}
	resource.ParallelTest(t, tc)
}

// expectWrapped is an ExpectError pattern in which any space matches any
// run of white space: Terraform wraps long diagnostics.
func expectWrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}
