// Package acctest runs the provider's acceptance tests against an ECR
// emulator on loopback: each test gets its own in-process emulator, and the
// endpoint reaches the provider through the provider block (the real
// Configure path). With ECR_ACC_BACKEND=moto the same tests run against the
// moto_server started by TestMain (see moto.go).
package acctest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
)

// Region is the region every acceptance test uses.
const Region = "us-west-2"

// AccountID is the emulator's (and moto's) default account.
const AccountID = emulator.DefaultAccount

// ProtoV6ProviderFactories serves the provider in-process.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"ecr": providerserver.NewProtocol6WithError(provider.New("acctest")()),
}

// Backend is one ECR endpoint a test runs against.
type Backend struct {
	// URL is the endpoint given to the provider block.
	URL string
	// Emulator is the in-process emulator, nil when running against moto.
	Emulator *emulator.Emulator
	// Client is an SDK client for checks outside Terraform.
	Client *ecr.Client
}

// NewBackend returns the backend for one test: a fresh in-process emulator
// (closed when the test ends), or the shared moto_server when
// ECR_ACC_BACKEND=moto.
func NewBackend(t *testing.T, opts ...emulator.Option) *Backend {
	t.Helper()
	if url := motoURL(); url != "" {
		return &Backend{URL: url, Client: NewClient(url)}
	}
	emu := emulator.New(opts...)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return &Backend{URL: srv.URL, Emulator: emu, Client: NewClient(srv.URL)}
}

// RequireEmulator skips (loudly, with the reason) a test that needs the
// emulator's fault injection or other features moto lacks.
func (b *Backend) RequireEmulator(t *testing.T, why string) {
	t.Helper()
	if b.Emulator == nil {
		t.Skipf("needs the ecrkit emulator, not moto: %s", why)
	}
}

// NewClient returns an SDK client for an endpoint with test credentials.
func NewClient(url string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:       Region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDACCTEST", "acctest-secret", ""),
	})
}

// ProviderConfig renders the provider block pointing at the backend.
func (b *Backend) ProviderConfig() string {
	return fmt.Sprintf(`
provider "ecr" {
  region     = %[2]q
  access_key = "AKIDACCTEST"
  secret_key = "acctest-secret"
  endpoints {
    ecr = %[1]q
  }
}
`, b.URL, Region)
}

// Config prepends the provider block to a configuration.
func (b *Backend) Config(body string) string { return b.ProviderConfig() + body }

// RandomName returns a valid, unique repository name with a prefix.
func RandomName(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%x", prefix, b)
}

// Context is the context for SDK calls made by checks.
func Context() context.Context { return context.Background() }

func motoURL() string {
	if os.Getenv("ECR_ACC_BACKEND") != "moto" {
		return ""
	}
	return os.Getenv("ECR_ACC_MOTO_URL")
}
