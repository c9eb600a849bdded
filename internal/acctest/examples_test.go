package acctest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// TestExamplesValidate runs `terraform validate` on every example folder
// (the ones the docs are generated from, and the demo) with the provider
// built from this tree through a dev_overrides CLI configuration.
func TestExamplesValidate(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("terraform is not on PATH and TF_ACC_TERRAFORM_PATH is unset: cannot validate the examples")
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-ecr"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(t.TempDir(), "dev.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"hashicorp/ecr\" = %q\n    \"ecrkit/ecr\" = %q\n  }\n  direct {}\n}\n", bin, bin)
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	var dirs []string
	err = filepath.WalkDir(filepath.Join(root, "examples"), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		tf, _ := filepath.Glob(filepath.Join(p, "*.tf"))
		query, _ := filepath.Glob(filepath.Join(p, "*.tfquery.hcl"))
		if len(tf)+len(query) > 0 {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no example folders found")
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		for _, c := range exampleCases(t, rel, dir) {
			t.Run(c.name, func(t *testing.T) {
				if c.minimum != nil {
					acctest.SkipBelowTerraform(t, c.minimum)
				}
				t.Parallel()
				work := t.TempDir()
				for _, f := range c.files {
					b, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				args := []string{"validate", "-no-color"}
				if c.query {
					// A query file alone names no provider source.
					req := "terraform {\n  required_providers {\n    ecr = { source = \"hashicorp/ecr\" }\n  }\n}\n"
					if err := os.WriteFile(filepath.Join(work, "versions.tf"), []byte(req), 0o600); err != nil {
						t.Fatal(err)
					}
					args = append(args, "-query")
				}
				cmd := exec.Command(tf, args...)
				cmd.Dir = work
				cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "Success!") {
					t.Fatalf("terraform validate %s: %v\n%s", c.name, err, out)
				}
			})
		}
	}
}

// exampleCase is one `terraform validate` of an example folder.
type exampleCase struct {
	name    string
	files   []string
	query   bool             // list resources: validate the .tfquery.hcl files
	minimum *version.Version // the CLI version the example needs, if newer than 1.11
}

// exampleCases splits an example folder into what validates together: each
// import-by-*.tf with the other files (two import blocks for one address
// conflict); actions and query files need Terraform 1.14, import by
// identity 1.12.
func exampleCases(t *testing.T, rel, dir string) []exampleCase {
	t.Helper()
	tf, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	query, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
	base := exampleCase{name: rel, query: len(query) > 0, files: query}
	if base.query || strings.HasPrefix(filepath.ToSlash(rel), "examples/actions/") {
		base.minimum = tfversion.Version1_14_0
	}
	var imports []string
	for _, f := range tf {
		if strings.HasPrefix(filepath.Base(f), "import-by-") {
			imports = append(imports, f)
		} else {
			base.files = append(base.files, f)
		}
	}
	if len(imports) == 0 {
		return []exampleCase{base}
	}
	var cases []exampleCase
	for _, f := range imports {
		c := base
		c.name = rel + "/" + filepath.Base(f)
		c.files = append(slices.Clone(base.files), f)
		if filepath.Base(f) == "import-by-identity.tf" {
			c.minimum = tfversion.Version1_12_0
		}
		cases = append(cases, c)
	}
	return cases
}
