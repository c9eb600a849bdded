// Package acctest runs the provider's acceptance tests against an ECR
// backend chosen by ECR_ACC_BACKEND:
//
//   - unset (or "emulator"), the default: each test gets its own in-process
//     ecrkit emulator on loopback (b.Emulator is set, so tests can inject
//     faults). Static test credentials; region us-west-2, account
//     AccountID.
//   - "moto": every test shares the moto_server that TestMain starts (or the
//     one ECR_ACC_MOTO_URL names). Static test credentials; region
//     us-west-2, account AccountID. b.Emulator is nil.
//   - "aws": real Amazon ECR, off by default and never run in CI. No
//     endpoint and no static keys: the provider block sets only `region`
//     (AWS_REGION, default us-west-2), and both the provider and b.Client
//     use the SDK's default credential chain. b.AccountID is the caller's
//     registry. It creates real repositories (named by RandomName) and
//     costs money if a test leaves one behind. b.Emulator is nil.
//
// With the emulator and moto the endpoint reaches the provider through the
// provider block (the real Configure path), never through environment
// variables. Tests that need the emulator call b.RequireEmulator, which
// skips them (with the reason) on the other backends.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// Region is the region of the emulator and moto backends (and the default
// of the aws backend).
const Region = "us-west-2"

// AccountID is the emulator's (and moto's) default account.
const AccountID = emulator.DefaultAccount

// Values of ECR_ACC_BACKEND.
const (
	backendEmulator = "emulator"
	backendMoto     = "moto"
	backendAWS      = "aws"
)

// ProtoV6ProviderFactories serves the provider in-process, as main.go
// does (provider.NewServer).
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"ecr": func() (tfprotov6.ProviderServer, error) { return provider.NewServer("acctest")(), nil },
}

// Backend is one ECR endpoint a test runs against.
type Backend struct {
	// URL is the endpoint given to the provider block; empty for real AWS.
	URL string
	// Region and AccountID are those the backend's resources live in.
	Region, AccountID string
	// Emulator is the in-process emulator, nil on moto and AWS.
	Emulator *emulator.Emulator
	// Client is an SDK client for checks outside Terraform.
	Client *ecr.Client
}

// NewBackend returns the backend for one test (see the package comment):
// a fresh in-process emulator (closed when the test ends), the shared
// moto_server, or real AWS.
func NewBackend(t *testing.T, opts ...emulator.Option) *Backend {
	t.Helper()
	switch kind := backendKind(); kind {
	case backendEmulator:
		emu := emulator.New(opts...)
		srv := httptest.NewServer(emu)
		t.Cleanup(srv.Close)
		return &Backend{URL: srv.URL, Region: Region, AccountID: AccountID, Emulator: emu, Client: NewClient(srv.URL)}
	case backendMoto:
		url := os.Getenv("ECR_ACC_MOTO_URL")
		if url == "" {
			t.Fatal("ECR_ACC_BACKEND=moto but ECR_ACC_MOTO_URL is not set: run the tests through acctest.TestMain")
		}
		return &Backend{URL: url, Region: Region, AccountID: AccountID, Client: NewClient(url)}
	case backendAWS:
		return newAWSBackend(t)
	default:
		t.Fatalf("ECR_ACC_BACKEND=%q: want %q (the default), %q or %q", kind, backendEmulator, backendMoto, backendAWS)
		return nil
	}
}

// newAWSBackend returns the real-AWS backend: the SDK's default
// configuration in AWS_REGION (default us-west-2); the account is the
// caller's registry.
func newAWSBackend(t *testing.T) *Backend {
	t.Helper()
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = Region
	}
	cfg, err := config.LoadDefaultConfig(Context(), config.WithRegion(region))
	if err != nil {
		t.Fatalf("ECR_ACC_BACKEND=aws: loading the AWS configuration: %s", err)
	}
	client := ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.HTTPClient = sdkhttp.Wrap(o.HTTPClient) })
	out, err := client.DescribeRegistry(Context(), &ecr.DescribeRegistryInput{})
	if err != nil {
		t.Fatalf("ECR_ACC_BACKEND=aws: reading the caller's registry (DescribeRegistry) in %s: %s", region, err)
	}
	return &Backend{Region: region, AccountID: aws.ToString(out.RegistryId), Client: client}
}

// backendKind is ECR_ACC_BACKEND, "emulator" when unset.
func backendKind() string {
	if kind := os.Getenv("ECR_ACC_BACKEND"); kind != "" {
		return kind
	}
	return backendEmulator
}

// RequireEmulator skips (loudly, with the reason) a test that needs the
// ecrkit emulator: its fault injection or features other backends lack.
func (b *Backend) RequireEmulator(t *testing.T, why string) {
	t.Helper()
	if b.Emulator == nil {
		t.Skipf("needs the ecrkit emulator (ECR_ACC_BACKEND=%s): %s", backendKind(), why)
	}
}

// RequireLocal skips (with the reason) a test that cannot run against real
// AWS, for example because it names objects that exist only in a fake.
func (b *Backend) RequireLocal(t *testing.T, why string) {
	t.Helper()
	if b.URL == "" {
		t.Skipf("needs a local backend, not real AWS: %s", why)
	}
}

// OtherRegion is a second Region for tests of resources whose `region`
// overrides the provider's.
const OtherRegion = "eu-west-1"

// ClientIn returns an SDK client of the backend for another Region (the
// emulator and moto keep a registry per Region, named by the request's
// signature).
func (b *Backend) ClientIn(region string) *ecr.Client {
	return ecr.New(b.Client.Options(), func(o *ecr.Options) { o.Region = region })
}

// NewClient returns an SDK client for an endpoint with test credentials.
func NewClient(url string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:       Region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDACCTEST", "acctest-secret", ""),
		HTTPClient:   sdkhttp.Wrap(nil), // keeps connections (see sdkhttp)
	})
}

// ProviderConfig renders the provider block for the backend.
func (b *Backend) ProviderConfig() string { return b.ProviderConfigWith("") }

// ProviderConfigWith renders the provider block for the backend with more
// arguments (HCL, such as a default_tags block) at its end.
func (b *Backend) ProviderConfigWith(extra string) string {
	if b.URL == "" {
		return fmt.Sprintf(`
provider "ecr" {
  region = %[1]q
%[2]s
}
`, b.Region, extra)
	}
	return fmt.Sprintf(`
provider "ecr" {
  region     = %[2]q
  access_key = "AKIDACCTEST"
  secret_key = "acctest-secret"
  endpoints {
    ecr = %[1]q
  }
%[3]s
}
`, b.URL, b.Region, extra)
}

// ProviderConfigJSON is the provider configuration for the backend as JSON,
// for tests that call the provider server directly (ConfigureProvider).
func (b *Backend) ProviderConfigJSON() []byte {
	cfg := map[string]any{"region": b.Region}
	if b.URL != "" {
		cfg["access_key"] = "AKIDACCTEST"
		cfg["secret_key"] = "acctest-secret"
		cfg["endpoints"] = []map[string]string{{"ecr": b.URL}}
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return out
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
