package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

func TestAccountSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name, setting, put, wantDefault, wantErr string
	}{
		{"scan type native", "BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE", "AWS_NATIVE", ""},
		{"scan type clair", "BASIC_SCAN_TYPE_VERSION", "CLAIR", "AWS_NATIVE", ""},
		{"policy scope v1", "REGISTRY_POLICY_SCOPE", "V1", "V2", ""},
		{"blob mounting", "BLOB_MOUNTING", "ENABLED", "DISABLED", ""},
		{"bad value", "BLOB_MOUNTING", "ON", "DISABLED", "ValidationException"},
		{"value of another setting", "REGISTRY_POLICY_SCOPE", "AWS_NATIVE", "V2", "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			get := func() string {
				t.Helper()
				out, err := c.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String(tc.setting)})
				if err != nil {
					t.Fatal(err)
				}
				if aws.ToString(out.Name) != tc.setting {
					t.Errorf("name = %q", aws.ToString(out.Name))
				}
				return aws.ToString(out.Value)
			}
			if v := get(); v != tc.wantDefault {
				t.Errorf("default = %q, want %q", v, tc.wantDefault)
			}
			out, err := c.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String(tc.setting), Value: aws.String(tc.put)})
			if got := errCode(err); got != tc.wantErr {
				t.Fatalf("put: %q (%v), want %q", got, err, tc.wantErr)
			}
			want := tc.put
			if err != nil {
				want = tc.wantDefault
			} else if aws.ToString(out.Name) != tc.setting || aws.ToString(out.Value) != tc.put {
				t.Errorf("put returned %s=%s", aws.ToString(out.Name), aws.ToString(out.Value))
			}
			if v := get(); v != want {
				t.Errorf("after put: %q, want %q", v, want)
			}
		})
	}
}

func TestAccountSetting_badName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	cases := []errorCase{
		{"get unknown", func() error {
			_, err := c.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String("SCAN_EVERYTHING")})
			return err
		}, "ValidationException"},
		{"put unknown", func() error {
			_, err := c.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String("SCAN_EVERYTHING"), Value: aws.String("YES")})
			return err
		}, "ValidationException"},
		{"get empty", func() error {
			_, err := c.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String("")})
			return err
		}, "InvalidParameterException"},
		{"get too long", func() error {
			_, err := c.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String(string(make([]byte, 65)))})
			return err
		}, "InvalidParameterException"},
	}
	runErrorCases(t, cases)
}
