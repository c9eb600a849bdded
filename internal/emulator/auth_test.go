package emulator_test

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestGetAuthorizationToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		ids  []string
		want string   // error code
		host []string // expected registry ids, in order
	}{
		{"caller's registry", nil, "", []string{"123456789012"}},
		{"several registries", []string{"111111111111", "222222222222"}, "", []string{"111111111111", "222222222222"}},
		{"ten", strings.Fields(strings.Repeat("123456789012 ", 10)), "", strings.Fields(strings.Repeat("123456789012 ", 10))},
		{"eleven", strings.Fields(strings.Repeat("123456789012 ", 11)), "InvalidParameterException", nil},
		{"empty list", []string{}, "InvalidParameterException", nil},
		{"bad id", []string{"12345"}, "InvalidParameterException", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, emulator.WithClock(fixedClock{now}))
			in := &ecr.GetAuthorizationTokenInput{RegistryIds: tc.ids} //nolint:staticcheck // deprecated in the SDK, still part of the API the emulator serves
			out, err := c.GetAuthorizationToken(ctx, in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			if len(out.AuthorizationData) != len(tc.host) {
				t.Fatalf("%d authorizationData, want %d", len(out.AuthorizationData), len(tc.host))
			}
			seen := map[string]bool{}
			for i, d := range out.AuthorizationData {
				if got, want := aws.ToString(d.ProxyEndpoint), "https://"+tc.host[i]+".dkr.ecr.us-west-2.amazonaws.com"; got != want {
					t.Errorf("proxyEndpoint = %s, want %s", got, want)
				}
				if !aws.ToTime(d.ExpiresAt).Equal(now.Add(12 * time.Hour)) {
					t.Errorf("expiresAt = %v", d.ExpiresAt)
				}
				raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
				if err != nil {
					t.Fatalf("token is not base64: %v", err)
				}
				user, password, ok := strings.Cut(string(raw), ":")
				if !ok || user != "AWS" || len(password) < 32 {
					t.Errorf("token decodes to %q", raw)
				}
				if seen[password] {
					t.Errorf("password repeated")
				}
				seen[password] = true
			}
		})
	}
}

func TestGetAuthorizationTokenPartition(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(emulator.New())
	t.Cleanup(srv.Close)
	c := clientFor(srv.URL, "AKIDEXAMPLE", "cn-north-1")
	out, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.AuthorizationData[0].ProxyEndpoint), "https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"; got != want {
		t.Errorf("proxyEndpoint = %s, want %s", got, want)
	}
}
