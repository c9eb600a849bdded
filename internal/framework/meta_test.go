package framework_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// A failed DescribeRegistry is not remembered: the next call asks again,
// and a success is then kept (one call for any number of uses).
func TestMetaAccountID_retriesAfterFailure(t *testing.T) {
	emu := emulator.New()
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRegistry", Count: 1, Action: emulator.ActionError,
		ErrorType: "AccessDeniedException", Message: "denied once"})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	meta := &framework.Meta{Client: ecr.New(ecr.Options{
		Region:           "us-west-2",
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDMETATEST", "meta-test-secret", ""),
		RetryMaxAttempts: 1,
	})}
	ctx := context.Background()
	if _, err := meta.AccountID(ctx); err == nil {
		t.Fatal("first AccountID: want the injected error")
	}
	for range 2 {
		got, err := meta.AccountID(ctx)
		if err != nil || got != emulator.DefaultAccount {
			t.Fatalf("AccountID after a failure = %q, %v; want %q", got, err, emulator.DefaultAccount)
		}
	}
	if n := emu.CallCounts()["DescribeRegistry"]; n != 2 {
		t.Errorf("DescribeRegistry called %d times, want 2 (failed, then kept)", n)
	}
}
