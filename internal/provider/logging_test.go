package provider

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// The SDK's request, response and retry logs reach tflog in the "aws"
// subsystem with identifying fields, and no secret ever appears: not the
// secret key, the session token, the signature, nor an authorization token.
func TestSDKLogging(t *testing.T) {
	isolateEnv(t)
	testSDKLogLevel(t, "DEBUG")
	const (
		accessKey = "AKIDLOGGINGTEST1"
		secretKey = "wJalrXUtnFEMI-secret-logging-test"
		token     = "FwoGZXIvYXdzEBYaDHsession-token-logging-test"
	)
	emu, srv := startEmulator(t, nil)
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRegistry", Action: emulator.ActionThrottle, Count: 1})

	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	m := baseModel(t, srv.URL)
	m.AccessKey, m.SecretKey, m.Token = types.StringValue(accessKey), types.StringValue(secretKey), types.StringValue(token)
	meta, diags := testConfigurer().configure(ctx, m)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if _, err := meta.AccountID(ctx); err != nil { // one throttle, then success
		t.Fatal(err)
	}
	out, err := meta.Client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	authToken := aws.ToString(out.AuthorizationData[0].AuthorizationToken)
	if authToken == "" {
		t.Fatal("emulator returned no authorization token")
	}

	entries, err := tflogtest.MultilineJSONDecode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var requests, responses, retries int
	for _, e := range entries {
		if e["@module"] != "provider.aws" {
			continue
		}
		msg, _ := e["@message"].(string)
		switch {
		case strings.HasPrefix(msg, "Request\n"):
			requests++
			if e["aws.operation"] == nil || e["aws.region"] != "us-west-2" || e["aws.service"] != "ECR" {
				t.Errorf("request log lacks identifying fields: %v", e)
			}
			if !strings.Contains(msg, "Authorization: [MASKED]") {
				t.Errorf("request log does not show the masked signature header:\n%s", msg)
			}
		case strings.HasPrefix(msg, "Response\n"):
			responses++
			if id, _ := e["aws.request_id"].(string); id == "" {
				t.Errorf("response log lacks aws.request_id: %v", e)
			}
		case strings.Contains(msg, "retrying request"):
			retries++
		}
	}
	if requests != 3 || responses != 3 || retries < 1 {
		t.Errorf("logged %d requests, %d responses, %d retries; want 3, 3, >=1\n%s", requests, responses, retries, buf.String())
	}
	for name, secret := range map[string]string{"access key id": accessKey, "secret key": secretKey,
		"session token": token, "authorization token": authToken} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the %s appears in the logs", name)
		}
	}
}

// Bodies are not logged, but should a message carry one, its token and
// password members are masked.
func TestRedact(t *testing.T) {
	tests := map[string]string{
		`{"authorizationData":[{"authorizationToken":"QVdTOnNlY3JldA==","proxyEndpoint":"x"}]}`: `{"authorizationData":[{"authorizationToken":"[MASKED]","proxyEndpoint":"x"}]}`,
		`{"password": "hunter2"}`:                                     `{"password": "[MASKED]"}`,
		"X-Amz-Security-Token: abc\r\nHost: h":                        "X-Amz-Security-Token: [MASKED]\r\nHost: h",
		"authorization: AWS4-HMAC-SHA256 Credential=AKID":             "authorization: [MASKED]",
		"<SessionToken>tok</SessionToken>":                            "<SessionToken>[MASKED]</SessionToken>",
		"GET /?X-Amz-Signature=abc&X-Amz-Credential=AKID%2F HTTP/1.1": "GET /?X-Amz-Signature=[MASKED]&X-Amz-Credential=[MASKED] HTTP/1.1",
	}
	for in, want := range tests {
		if got := redact(in); got != want {
			t.Errorf("redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// The logger is safe without a Terraform logger in the context.
func TestSDKLoggerWithoutRootLogger(t *testing.T) {
	emu := emulator.New()
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	isolateEnv(t)
	meta := mustConfigure(t, baseModel(t, srv.URL))
	if _, err := meta.AccountID(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// testSDKLogLevel sets the level of the "aws" subsystem for the test,
// Terraform's and the provider's being unset.
func testSDKLogLevel(t *testing.T, level string) {
	t.Helper()
	for _, name := range sdkLogLevelEnv {
		t.Setenv(name, "")
	}
	t.Setenv("TF_LOG_PROVIDER_ECR_AWS", level)
}

// The SDK dumps requests and responses only when someone may read them:
// the first of the level variables that is set decides.
func TestSDKClientLogMode(t *testing.T) {
	full := aws.LogRetries | aws.LogRequest | aws.LogResponse
	for _, tc := range []struct {
		env  map[string]string
		want aws.ClientLogMode
	}{
		{nil, aws.LogRetries},
		{map[string]string{"TF_LOG": "INFO"}, aws.LogRetries},
		{map[string]string{"TF_LOG": "trace"}, full},
		{map[string]string{"TF_LOG": "JSON"}, full},
		{map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, full},
		{map[string]string{"TF_LOG_PROVIDER_ECR": "WARN", "TF_LOG": "TRACE"}, aws.LogRetries},
		{map[string]string{"TF_LOG_PROVIDER_ECR_AWS": "DEBUG", "TF_LOG_PROVIDER_ECR": "ERROR"}, full},
		{map[string]string{"TF_LOG_PROVIDER_ECR_AWS": "OFF", "TF_LOG": "TRACE"}, aws.LogRetries},
	} {
		for _, name := range sdkLogLevelEnv {
			t.Setenv(name, tc.env[name])
		}
		if got := sdkClientLogMode(); got != tc.want {
			t.Errorf("%v: got %b, want %b", tc.env, got, tc.want)
		}
	}
}
