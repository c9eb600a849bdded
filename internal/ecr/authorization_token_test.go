package ecr_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// expiresIn12h checks an RFC 3339 expiry about 12 hours from now.
var expiresIn12h = knownvalue.StringFunc(func(v string) error {
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return err
	}
	if d := time.Until(at); d < 11*time.Hour || d > 13*time.Hour {
		return fmt.Errorf("expires_at %s is not 12 hours from now", v)
	}
	return nil
})

// testAccCheckAuthorizationTokenDecodes checks that authorization_token is
// base64 of user_name:password.
func testAccCheckAuthorizationTokenDecodes(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		a := rs.Primary.Attributes
		raw, err := base64.StdEncoding.DecodeString(a["authorization_token"])
		if err != nil {
			return err
		}
		if want := a["user_name"] + ":" + a["password"]; string(raw) != want || a["password"] == "" {
			return fmt.Errorf("authorization_token decodes to %q, want user_name:password", raw)
		}
		return nil
	}
}

// testAccAuthorizationTokenNeedsEmulator: moto's tokens expire at a fixed date.
const testAccAuthorizationTokenNeedsEmulator = "token expiry: moto 5.2 answers expiresAt 2015-01-01, not 12 hours from now"

func TestAccAuthorizationTokenDataSource_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccAuthorizationTokenNeedsEmulator)
	const addr = "data.ecr_authorization_token.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      b.Config(`data "ecr_authorization_token" "test" { registry_id = "12345" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)registry_id.*12-digit`),
			},
			{
				Config: b.Config(`data "ecr_authorization_token" "test" {}`),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(addr, "user_name", knownvalue.StringExact("AWS")),
					stateValueAt(addr, "proxy_endpoint", knownvalue.StringExact(fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", b.AccountID, b.Region))),
					stateValueAt(addr, "expires_at", expiresIn12h),
					stateValueAt(addr, "region", knownvalue.StringExact(b.Region)),
					stateValueAt(addr, "registry_id", knownvalue.Null()),
				},
				Check: testAccCheckAuthorizationTokenDecodes(addr),
			},
			{
				// Another registry's endpoint, in another Region.
				Config: b.Config(fmt.Sprintf(`
data "ecr_authorization_token" "test" {
  registry_id = "210987654321"
  region      = %q
}`, acctest.OtherRegion)),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(addr, "proxy_endpoint", knownvalue.StringExact(fmt.Sprintf("https://210987654321.dkr.ecr.%s.amazonaws.com", acctest.OtherRegion))),
					stateValueAt(addr, "id", knownvalue.StringExact(acctest.OtherRegion)),
				},
				Check: testAccCheckAuthorizationTokenDecodes(addr),
			},
		},
	})
}

// TestAccAuthorizationTokenEphemeral_basic reads the ephemeral resource
// through the echo provider (the only way a test sees ephemeral values).
func TestAccAuthorizationTokenEphemeral_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccAuthorizationTokenNeedsEmulator)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"ecr":  acctest.ProtoV6ProviderFactories["ecr"],
			"echo": echoprovider.NewProviderServer(),
		},
		Steps: []resource.TestStep{{
			Config: b.Config(fmt.Sprintf(`
ephemeral "ecr_authorization_token" "test" {
  registry_id = %[1]q
}
provider "echo" {
  data = ephemeral.ecr_authorization_token.test
}
resource "echo" "test" {}
`, b.AccountID)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("user_name"), knownvalue.StringExact("AWS")),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("password"), knownvalue.StringRegexp(regexp.MustCompile(`^.{20,}$`))),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("expires_at"), expiresIn12h),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("region"), knownvalue.StringExact(b.Region)),
				statecheck.ExpectKnownValue("echo.test", tfjsonpath.New("data").AtMapKey("proxy_endpoint"),
					knownvalue.StringExact(fmt.Sprintf("https://%s.dkr.ecr.%s.amazonaws.com", b.AccountID, b.Region))),
			},
		}},
	})
}

// emulatorPasswordMarks are text every password the emulator issues for
// the backend's registry contains, and the authorization token made of it:
// base64 of the fixed start of its claims (see the emulator's
// registryPassword), cut at a whole base64 group.
func emulatorPasswordMarks(b *acctest.Backend) []string {
	claims := "ecr-emulator-1|" + b.AccountID + "|" + b.Region + "|"
	password := base64.StdEncoding.EncodeToString([]byte(claims[:len(claims)/3*3]))
	token := "AWS:" + password
	return []string{password, base64.StdEncoding.EncodeToString([]byte(token[:len(token)/3*3]))}
}

// TestAccAuthorizationToken_notStoredNorLogged applies, with the CLI at
// TF_LOG=TRACE, a configuration that opens the ephemeral resource (and
// uses its password), then one that reads the data source: the password
// and token are in neither the log nor, for the ephemeral resource, the
// state or the plan. The data source's state holds them (sensitive), which
// shows the marks find a password where there is one.
func TestAccAuthorizationToken_notStoredNorLogged(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "recognises the emulator's passwords")
	acctest.SkipBelowTerraform(t, version.Must(version.NewVersion("1.10.0")))
	marks := emulatorPasswordMarks(b)
	findMarks := func(what, text string) bool {
		for _, m := range marks {
			if strings.Contains(text, m) {
				t.Logf("%s holds the password or token (%s...)", what, m[:12])
				return true
			}
		}
		return false
	}
	rName := acctest.RandomName("tf-acc-token")

	cli := acctest.NewCLI(t, b)
	logPath := filepath.Join(t.TempDir(), "ephemeral.log")
	cli.Setenv("TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	// The password reaches a resource only through a write-only-like use:
	// its length, in a precondition of the repository.
	cli.WriteConfig(fmt.Sprintf(`
ephemeral "ecr_authorization_token" "test" {}

resource "ecr_repository" "test" {
  name = %[1]q
  lifecycle {
    precondition {
      condition     = length(ephemeral.ecr_authorization_token.test.password) > 20 && ephemeral.ecr_authorization_token.test.user_name == "AWS"
      error_message = "no login"
    }
  }
}
`, rName))
	cli.MustRun("plan", "-input=false", "-out=tfplan")
	plan := cli.JSON("show", "-json", "tfplan")
	cli.MustRun("apply", "-input=false", "tfplan")
	if n := b.Emulator.CallCounts()["GetAuthorizationToken"]; n == 0 {
		t.Fatal("the ephemeral resource was never opened (no GetAuthorizationToken call)")
	}
	state := cli.ReadFile("terraform.tfstate")
	logText, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logText), "OpenEphemeralResource") {
		t.Fatal("the TRACE log shows no OpenEphemeralResource call")
	}
	for what, text := range map[string]string{"the state": state, "the plan": string(plan), "the TRACE log": string(logText)} {
		if findMarks(what, text) {
			t.Errorf("%s holds the ephemeral password", what)
		}
	}
	cli.MustRun("destroy", "-auto-approve", "-input=false")

	// The data source: in the state (sensitive), never in the log.
	ds := acctest.NewCLI(t, b)
	dsLog := filepath.Join(t.TempDir(), "data.log")
	ds.Setenv("TF_LOG=TRACE", "TF_LOG_PATH="+dsLog)
	ds.WriteConfig(`
data "ecr_authorization_token" "test" {}

output "user" {
  value = data.ecr_authorization_token.test.user_name
}
`)
	ds.MustRun("apply", "-auto-approve", "-input=false")
	if !findMarks("the data source's state", ds.ReadFile("terraform.tfstate")) {
		t.Fatal("the data source's state holds no password: the marks do not recognise the emulator's passwords")
	}
	dsLogText, err := os.ReadFile(dsLog)
	if err != nil {
		t.Fatal(err)
	}
	if findMarks("the data source's TRACE log", string(dsLogText)) {
		t.Error("the TRACE log holds the data source's password")
	}
}
