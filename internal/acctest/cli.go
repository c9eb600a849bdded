package acctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// CLI drives the Terraform CLI (TF_ACC_TERRAFORM_PATH) itself, for what
// terraform-plugin-testing cannot: the output of actions, `plan
// -generate-config-out` followed by an apply. The provider is this tree,
// built once per test process and installed through a dev_overrides CLI
// configuration, as a user trying a local build would; it talks to the
// test's backend on loopback.
type CLI struct {
	t   *testing.T
	b   *Backend
	tf  string
	env []string
	// Dir is the working directory (a fresh temporary directory).
	Dir string
}

var providerBuild struct {
	once sync.Once
	dir  string
	err  error
}

// providerBinaryDir builds terraform-provider-ecr from the module this test
// runs in, once per process; removeProviderBuild deletes it after the run.
func providerBinaryDir(t *testing.T) string {
	t.Helper()
	providerBuild.once.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			providerBuild.err = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		// Shared by every test of the process, so not a t.TempDir; TestMain
		// removes it (removeProviderBuild).
		dir, err := os.MkdirTemp("", "acctest-provider-") //nolint:usetesting // see above
		if err != nil {
			providerBuild.err = err
			return
		}
		providerBuild.dir = dir
		build := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-ecr"), ".")
		build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := build.CombinedOutput(); err != nil {
			providerBuild.err = fmt.Errorf("building the provider: %w\n%s", err, out)
		}
	})
	if providerBuild.err != nil {
		t.Fatal(providerBuild.err)
	}
	return providerBuild.dir
}

func removeProviderBuild() {
	if providerBuild.dir != "" {
		_ = os.RemoveAll(providerBuild.dir)
	}
}

// NewCLI returns a CLI in a fresh working directory, with the provider
// built from this tree.
func NewCLI(t *testing.T, b *Backend) *CLI {
	t.Helper()
	tf := TerraformPath(t)
	bin := providerBinaryDir(t)
	rc := filepath.Join(t.TempDir(), "dev.tfrc")
	cfg := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"ecrkit/ecr\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	for _, kv := range os.Environ() {
		// The test process's own Terraform settings (TF_LOG, TF_ACC_*,
		// a reattach configuration) are not the user's.
		if !strings.HasPrefix(kv, "TF_") {
			env = append(env, kv)
		}
	}
	return &CLI{t: t, b: b, tf: tf, env: env, Dir: t.TempDir()}
}

// WriteConfig writes main.tf: the provider requirement, the backend's
// provider block and body.
func (c *CLI) WriteConfig(body string) {
	c.t.Helper()
	c.WriteFile("main.tf", `
terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}
`+c.b.ProviderConfig()+body)
}

// WriteFile writes a file of the working directory.
func (c *CLI) WriteFile(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// ReadFile reads a file of the working directory.
func (c *CLI) ReadFile(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// Run runs the CLI with args (plus -no-color) and returns its combined
// output; err is an *exec.ExitError when it exits non-zero.
func (c *CLI) Run(args ...string) (string, error) {
	c.t.Helper()
	args = append(args, "-no-color")
	cmd := exec.Command(c.tf, args...)
	cmd.Dir = c.Dir
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	c.t.Logf("%s %s:\n%s", filepath.Base(c.tf), strings.Join(args, " "), out.String())
	return out.String(), err
}

// MustRun runs the CLI and fails the test unless it succeeds.
func (c *CLI) MustRun(args ...string) string {
	c.t.Helper()
	out, err := c.Run(args...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", filepath.Base(c.tf), strings.Join(args, " "), err)
	}
	return out
}

// JSON runs a command that prints JSON (`show -json`) and returns its
// standard output; it fails the test unless the command succeeds.
func (c *CLI) JSON(args ...string) []byte {
	c.t.Helper()
	cmd := exec.Command(c.tf, args...)
	cmd.Dir = c.Dir
	cmd.Env = c.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(c.tf), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// ExpectEmptyPlan fails the test unless a plan finds nothing to do.
func (c *CLI) ExpectEmptyPlan() {
	c.t.Helper()
	if _, err := c.Run("plan", "-input=false", "-detailed-exitcode"); err != nil {
		c.t.Fatalf("the plan is not empty (or failed): %v", err)
	}
}

// Setenv adds environment variables (KEY=value) to the CLI's runs, such as
// TF_LOG and TF_LOG_PATH.
func (c *CLI) Setenv(kv ...string) { c.env = append(c.env, kv...) }
