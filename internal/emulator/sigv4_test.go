package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// startServer serves emu on loopback and returns its URL.
func startServer(t *testing.T, emu *emulator.Emulator) string {
	t.Helper()
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return srv.URL
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestSigV4Verification(t *testing.T) {
	emu := emulator.New(emulator.WithTransitionDelay(0), emulator.WithCredentials(map[string]string{
		"AKIDEXAMPLE":  "secret",
		"111122223333": "other-secret",
	}))
	url := startServer(t, emu)
	tests := []struct {
		name, key, secret string
		wantCode          string
		wantStatus        int
	}{
		{"valid", "AKIDEXAMPLE", "secret", "", 200},
		{"valid 12-digit key", "111122223333", "other-secret", "", 200},
		{"unknown key", "AKIDUNKNOWN", "secret", "UnrecognizedClientException", 403},
		{"wrong secret", "AKIDEXAMPLE", "wrong", "InvalidSignatureException", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ecr.New(ecr.Options{Region: "us-west-2", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
				HTTPClient: sdkhttp.Wrap(nil),
				Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
					return aws.Credentials{AccessKeyID: tt.key, SecretAccessKey: tt.secret}, nil
				})})
			_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
			if got := errCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if err != nil && httpStatus(err) != tt.wantStatus {
				t.Errorf("status = %d, want %d", httpStatus(err), tt.wantStatus)
			}
		})
	}
	// The messages are AWS's.
	_, err := clientFor(url, "AKIDUNKNOWN", "us-west-2").DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
	if !strings.Contains(err.Error(), "The security token included in the request is invalid.") {
		t.Errorf("unknown key message: %v", err)
	}
	_, err = clientFor(url, "AKIDEXAMPLE", "us-west-2").DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
	if err != nil {
		t.Fatalf("clientFor uses secret %q, which is configured: %v", "secret", err)
	}
}

// signedRequest signs a DescribeRepositories call with signBody and sends
// sendBody, so that tampering can be tested.
func signedRequest(t *testing.T, url, signBody, sendBody string, extra http.Header) *http.Response {
	t.Helper()
	sum := sha256.Sum256([]byte(signBody))
	return signedRequestAt(t, url, hex.EncodeToString(sum[:]), sendBody, extra, time.Now())
}

// signedRequestAt signs a DescribeRepositories call at signingTime with
// payloadHash as the hash of its payload, and sends sendBody.
func signedRequestAt(t *testing.T, url, payloadHash, sendBody string, extra http.Header, signingTime time.Time) *http.Response {
	t.Helper()
	signBody := sendBody
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(signBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", emulator.TargetPrefix+"DescribeRepositories")
	for k, v := range extra {
		req.Header[k] = v
	}
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		req, payloadHash, "ecr", "eu-west-1", signingTime)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(strings.NewReader(sendBody))
	req.ContentLength = int64(len(sendBody))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestSigV4RawRequests(t *testing.T) {
	url := startServer(t, emulator.New(emulator.WithCredentials(map[string]string{"AKIDEXAMPLE": "secret"})))
	sum := sha256.Sum256([]byte("{}"))
	tests := []struct {
		name               string
		signBody, sendBody string
		extra              http.Header
		wantStatus         int
		wantType           string
	}{
		{"signed", "{}", "{}", nil, 200, ""},
		{"signed with payload hash header", "{}", "{}",
			http.Header{"X-Amz-Content-Sha256": {hex.EncodeToString(sum[:])}}, 200, ""},
		{"tampered body", `{"maxResults":1}`, `{"maxResults":2}`, nil, 403, "InvalidSignatureException"},
		{"payload hash header does not match", "{}", "{}",
			http.Header{"X-Amz-Content-Sha256": {strings.Repeat("0", 64)}}, 403, "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := signedRequest(t, url, tt.signBody, tt.sendBody, tt.extra)
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("X-Amzn-ErrorType") != tt.wantType {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("got %d %q %s, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b, tt.wantStatus, tt.wantType)
			}
		})
	}

	for _, tc := range []struct {
		name, auth string
		wantStatus int
		wantType   string
	}{
		{"unsigned", "", 403, "MissingAuthenticationTokenException"},
		{"not SigV4", "Basic dXNlcjpwYXNz", 400, "IncompleteSignatureException"},
		{"no signature", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-west-2/ecr/aws4_request, SignedHeaders=host", 400, "IncompleteSignatureException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader("{}"))
			req.Header.Set("X-Amz-Target", emulator.TargetPrefix+"DescribeRepositories")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus || resp.Header.Get("X-Amzn-ErrorType") != tc.wantType {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tc.wantStatus, tc.wantType)
			}
		})
	}
}

func TestSigV4AnySignatureWithoutCredentials(t *testing.T) {
	url := startServer(t, emulator.New())
	c := ecr.New(ecr.Options{Region: "us-west-2", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		HTTPClient: sdkhttp.Wrap(nil),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "ANYKEY", SecretAccessKey: "anything"}, nil
		})})
	if _, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestAccountFromAccessKey checks that a 12-digit access key id selects the
// account, and that state is kept per (account, region).
func TestAccountFromAccessKey(t *testing.T) {
	url := startServer(t, emulator.New(emulator.WithTransitionDelay(0)))
	ctx := context.Background()
	acctA := clientFor(url, "111122223333", "us-west-2")
	acctB := clientFor(url, "444455556666", "us-west-2")
	acctAOtherRegion := clientFor(url, "111122223333", "eu-central-1")
	def := clientFor(url, "AKIDEXAMPLE", "us-west-2")

	out, err := acctA.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Repository.RegistryId); got != "111122223333" {
		t.Errorf("registryId = %s", got)
	}
	if got, want := aws.ToString(out.Repository.RepositoryArn), "arn:aws:ecr:us-west-2:111122223333:repository/shared"; got != want {
		t.Errorf("arn = %s, want %s", got, want)
	}
	for name, c := range map[string]*ecr.Client{"other account": acctB, "other region": acctAOtherRegion, "default account": def} {
		_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"shared"}})
		if errCode(err) != "RepositoryNotFoundException" {
			t.Errorf("%s sees the repository: %v", name, err)
		}
	}
	if _, err := def.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("shared")}); err != nil {
		t.Errorf("same name in the default account: %v", err)
	}
}

type fixedNow struct{ t time.Time }

func (c fixedNow) Now() time.Time { return c.t }

// As AWS, a signature dated more than 15 minutes from the server's clock
// is refused, with AWS's messages.
func TestSigV4Freshness(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	url := startServer(t, emulator.New(emulator.WithClock(fixedNow{now}),
		emulator.WithCredentials(map[string]string{"AKIDEXAMPLE": "secret"})))
	sum := sha256.Sum256([]byte("{}"))
	tests := []struct {
		name    string
		signed  time.Time
		wantMsg string // "" for success
	}{
		{"now", now, ""},
		{"14 minutes ago", now.Add(-14 * time.Minute), ""},
		{"in 14 minutes", now.Add(14 * time.Minute), ""},
		{"16 minutes ago", now.Add(-16 * time.Minute),
			"Signature expired: 20260301T114400Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)"},
		{"two hours ago", now.Add(-2 * time.Hour),
			"Signature expired: 20260301T100000Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)"},
		{"2020", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			"Signature expired: 20200101T000000Z is now earlier than 20260301T114500Z (20260301T120000Z - 15 min.)"},
		{"in 16 minutes", now.Add(16 * time.Minute),
			"Signature not yet current: 20260301T121600Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)"},
		{"tomorrow", now.Add(24 * time.Hour),
			"Signature not yet current: 20260302T120000Z is still later than 20260301T121500Z (20260301T120000Z + 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := signedRequestAt(t, url, hex.EncodeToString(sum[:]), "{}", nil, tt.signed)
			var got struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			b, _ := io.ReadAll(resp.Body)
			_ = json.Unmarshal(b, &got)
			if tt.wantMsg == "" {
				if resp.StatusCode != 200 {
					t.Fatalf("got %d %s, want 200", resp.StatusCode, b)
				}
				return
			}
			if resp.StatusCode != 403 || got.Type != "InvalidSignatureException" || got.Message != tt.wantMsg {
				t.Errorf("got %d %s\nwant 403 InvalidSignatureException %q", resp.StatusCode, b, tt.wantMsg)
			}
		})
	}
}

// The JSON API needs the payload signed: UNSIGNED-PAYLOAD does not match
// the signature AWS computes over the body, whatever the body.
func TestSigV4UnsignedPayload(t *testing.T) {
	url := startServer(t, emulator.New(emulator.WithCredentials(map[string]string{"AKIDEXAMPLE": "secret"})))
	for _, tc := range []struct {
		name  string
		extra http.Header
	}{
		{"declared", http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}},
		{"not declared", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := signedRequestAt(t, url, "UNSIGNED-PAYLOAD", `{"maxResults":2}`, tc.extra, time.Now())
			if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
				b, _ := io.ReadAll(resp.Body)
				t.Errorf("got %d %s, want 403 InvalidSignatureException", resp.StatusCode, b)
			}
		})
	}
}
