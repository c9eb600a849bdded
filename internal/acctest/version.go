package acctest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// TerraformPath is the CLI the acceptance tests run: TF_ACC_TERRAFORM_PATH
// (which TestMain requires with TF_ACC), terraform or tofu; without it the
// terraform on PATH.
func TerraformPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set and terraform is not on PATH")
	}
	return p
}

var cliVersions sync.Map // path -> *version.Version

// TerraformVersion is the version of the CLI at TerraformPath, as
// `version -json` reports it (tofu reports its own version there too).
func TerraformVersion(t *testing.T) *version.Version {
	t.Helper()
	p := TerraformPath(t)
	if v, ok := cliVersions.Load(p); ok {
		if known, ok := v.(*version.Version); ok {
			return known
		}
	}
	out, err := exec.Command(p, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", p, err)
	}
	var doc struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%s version -json: %v\n%s", p, err, out)
	}
	v, err := version.NewVersion(doc.Version)
	if err != nil {
		t.Fatalf("%s version -json: %v", p, err)
	}
	cliVersions.Store(p, v)
	return v
}

// SkipBelowTerraform skips a test that drives the CLI itself (not through
// resource.Test) when the CLI is older than minimum, with the message of
// tfversion.SkipBelow, so that CI counts it as a skip by CLI version (and
// fails it under the newest CLI, where nothing may skip).
func SkipBelowTerraform(t *testing.T, minimum *version.Version) {
	t.Helper()
	var resp tfversion.CheckTerraformVersionResponse
	tfversion.SkipBelow(minimum).CheckTerraformVersion(context.Background(),
		tfversion.CheckTerraformVersionRequest{TerraformVersion: TerraformVersion(t)}, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
}
