package emulator_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// newClient starts an emulator on loopback and returns an SDK client for it
// (region us-west-2, account 123456789012) with retries off, so that each
// documented error is seen exactly once.
func newClient(t *testing.T, opts ...emulator.Option) (*ecr.Client, *emulator.Emulator) {
	t.Helper()
	emu := emulator.New(append([]emulator.Option{emulator.WithTransitionDelay(0)}, opts...)...)
	emulator.CheckStore(t, emu)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return clientFor(srv.URL, "AKIDEXAMPLE", "us-west-2"), emu
}

// clientFor returns an SDK client for url with the given access key id.
func clientFor(url, accessKey, region string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:           region,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.Wrap(nil),
	})
}

// errCode returns the modelled error code of err ("" for nil).
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not-an-api-error: " + err.Error()
}

// fillToLimit calls create(i) for i from 0 to limit: every call up to the
// limit must succeed and the one past it answer LimitExceededException.
func fillToLimit(t *testing.T, what string, limit int, create func(i int) error) {
	t.Helper()
	for i := range limit + 1 {
		err := create(i)
		want := ""
		if i == limit {
			want = "LimitExceededException"
		}
		if got := errCode(err); got != want {
			t.Fatalf("%s %d: %q (%v), want %q", what, i, got, err, want)
		}
	}
}

// errorCase is one call and the error code it must answer.
type errorCase struct {
	name string
	call func() error
	want string
}

// runErrorCases makes each call in a subtest of its own and checks its
// error code.
func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := errCode(tc.call()); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}
}

// mustCreateRepo creates a repository or fails the test.
func mustCreateRepo(t *testing.T, c *ecr.Client, name string) {
	t.Helper()
	if _, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
		t.Fatalf("CreateRepository(%s): %v", name, err)
	}
}
