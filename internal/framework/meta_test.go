package framework_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
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
		HTTPClient:       sdkhttp.Wrap(nil),
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

// ClientIn gives the provider's client for its own Region, and for another
// one a client created once and kept, with the same endpoint and
// credentials: its calls reach that Region's registry.
func TestMetaClientIn(t *testing.T) {
	emu := emulator.New()
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	meta := &framework.Meta{Region: "us-west-2", Client: ecr.New(ecr.Options{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDMETATEST", "meta-test-secret", ""),
		HTTPClient:   sdkhttp.Wrap(nil),
	})}
	if meta.ClientIn("") != meta.Client || meta.ClientIn("us-west-2") != meta.Client {
		t.Error("ClientIn of the provider's Region is not the provider's client")
	}
	other := meta.ClientIn("eu-west-1")
	if other == meta.Client || meta.ClientIn("eu-west-1") != other {
		t.Fatal("ClientIn(eu-west-1) is not one client of its own")
	}
	if r := other.Options().Region; r != "eu-west-1" {
		t.Errorf("ClientIn(eu-west-1) has Region %q", r)
	}
	ctx := context.Background()
	if _, err := other.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("in-eu")}); err != nil {
		t.Fatal(err)
	}
	out, err := other.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 1 || !strings.Contains(aws.ToString(out.Repositories[0].RepositoryArn), ":eu-west-1:") {
		t.Fatalf("repositories in eu-west-1: %v, %v", out, err)
	}
	home, err := meta.Client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(home.Repositories) != 0 {
		t.Errorf("repositories in us-west-2: %v, %v; want none", home, err)
	}
}
