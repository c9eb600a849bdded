package acctest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestMain is the TestMain of every package with acceptance tests:
//
//	func TestMain(m *testing.M) { acctest.TestMain(m) }
//
// It makes sure Terraform is never downloaded (TF_ACC_TERRAFORM_PATH must
// name an executable), starts moto_server when ECR_ACC_BACKEND=moto, runs
// the tests and stops moto_server again.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if err := pinTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	if os.Getenv("ECR_ACC_BACKEND") == "moto" {
		stop, err := startMoto()
		if err != nil {
			fmt.Fprintln(os.Stderr, "acctest: ECR_ACC_BACKEND=moto:", err)
			return 1
		}
		defer stop()
	}
	defer removeProviderBuild() // built by the first NewCLI, if any
	return m.Run()
}

// pinTerraform refuses to run acceptance tests (TF_ACC set) unless
// TF_ACC_TERRAFORM_PATH names an executable: terraform-plugin-testing would
// otherwise look Terraform up on PATH and, failing that, download it. For
// unit tests (resource.UnitTest, TF_ACC unset) it pins the variable to the
// terraform on PATH, or to a path that does not exist, for the same reason.
func pinTerraform() error {
	if v := os.Getenv("TF_ACC_TERRAFORM_VERSION"); v != "" {
		return fmt.Errorf("TF_ACC_TERRAFORM_VERSION=%s would download Terraform; unset it and set "+
			"TF_ACC_TERRAFORM_PATH to a local terraform (or tofu) binary", v)
	}
	p := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if p == "" {
		if os.Getenv("TF_ACC") != "" {
			return errors.New("TF_ACC is set but TF_ACC_TERRAFORM_PATH is not: set it to a local Terraform binary, " +
				"e.g. TF_ACC_TERRAFORM_PATH=$(command -v terraform), so that nothing is downloaded")
		}
		found, err := exec.LookPath("terraform")
		if err != nil {
			found = "/nonexistent/terraform (not found on PATH; set TF_ACC_TERRAFORM_PATH)"
		}
		return os.Setenv("TF_ACC_TERRAFORM_PATH", found)
	}
	if err := checkExecutable(p); err != nil {
		return fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %w", p, err)
	}
	return nil
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}
