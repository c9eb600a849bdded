package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// The raw awsJson1_1 wire format, as a client that does not use an AWS SDK
// sees it (reference section 1).

var reRequestID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type wireResponse struct {
	status int
	header http.Header
	body   []byte
}

// wirePost sends one unsigned request with the given target and body.
func wirePost(t *testing.T, url, target, contentType, body string) wireResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return wireResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

func TestWireFormat(t *testing.T) {
	t.Parallel()
	// A clock with a millisecond fraction, to see how timestamps go out.
	now := time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	emu := emulator.New(emulator.WithClock(fixedClock{t: now}), emulator.WithTransitionDelay(0))
	emu.Faults().MustAdd(emulator.Fault{Op: "GetAccountSetting", Action: emulator.ActionServerError})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	const ct = "application/x-amz-json-1.1"
	tgt := func(op string) string { return emulator.TargetPrefix + op }
	// Seed one repository; its createdAt is now.
	if r := wirePost(t, srv.URL, tgt("CreateRepository"), ct, `{"repositoryName":"wire/repo"}`); r.status != 200 {
		t.Fatalf("CreateRepository: %d %s", r.status, r.body)
	}

	cases := []struct {
		name        string
		target      string
		contentType string
		body        string
		wantStatus  int
		wantType    string // "" for success
		wantMessage string // exact, when set
		wantBody    string // a substring of the raw body, when set
	}{
		{name: "success", target: tgt("DescribeRepositories"), contentType: ct, body: `{}`, wantStatus: 200,
			wantBody: `"repositoryName":"wire/repo"`},
		{name: "timestamp is epoch seconds with a millisecond fraction", target: tgt("DescribeRepositories"), contentType: ct,
			body: `{"repositoryNames":["wire/repo"]}`, wantStatus: 200, wantBody: `"createdAt":1767323045.678`},
		{name: "empty body is an empty input", target: tgt("DescribeRegistry"), contentType: ct, body: ``, wantStatus: 200,
			wantBody: `"registryId":"123456789012"`},
		{name: "awsJson 1.0 content type accepted", target: tgt("DescribeRegistry"), contentType: "application/x-amz-json-1.0",
			body: `{}`, wantStatus: 200},
		{name: "TagResource answers an empty object", target: tgt("TagResource"), contentType: ct,
			body:       `{"resourceArn":"arn:aws:ecr:us-east-1:123456789012:repository/wire/repo","tags":[{"Key":"a","Value":"b"}]}`,
			wantStatus: 200, wantBody: `{}`},
		{name: "client error", target: tgt("DescribeRepositories"), contentType: ct, body: `{"repositoryNames":["nope"]}`,
			wantStatus: 400, wantType: "RepositoryNotFoundException",
			wantMessage: "The repository with name 'nope' does not exist in the registry with id '123456789012'"},
		{name: "constraint violation", target: tgt("CreateRepository"), contentType: ct, body: `{"repositoryName":"Bad"}`,
			wantStatus: 400, wantType: "InvalidParameterException",
			wantMessage: `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*''`},
		{name: "missing required member", target: tgt("CreateRepository"), contentType: ct, body: `{}`,
			wantStatus: 400, wantType: "InvalidParameterException",
			wantMessage: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'"},
		{name: "server error is 500", target: tgt("GetAccountSetting"), contentType: ct, body: `{"name":"BASIC_SCAN_TYPE_VERSION"}`,
			wantStatus: 500, wantType: "ServerException"},
		{name: "unknown operation", target: tgt("NoSuchOperation"), contentType: ct, body: `{}`,
			wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "wrong target prefix", target: "Bogus_Prefix.DescribeRegistry", contentType: ct, body: `{}`,
			wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "no target", target: "", contentType: ct, body: `{}`,
			wantStatus: 400, wantType: "UnknownOperationException"},
		{name: "body not JSON", target: tgt("CreateRepository"), contentType: ct, body: `repositoryName=x`,
			wantStatus: 400, wantType: "SerializationException"},
		{name: "body truncated", target: tgt("CreateRepository"), contentType: ct, body: `{"repositoryName":`,
			wantStatus: 400, wantType: "SerializationException"},
		{name: "body not an object", target: tgt("DescribeRegistry"), contentType: ct, body: `[1,2]`,
			wantStatus: 400, wantType: "SerializationException"},
		{name: "member of the wrong type", target: tgt("CreateRepository"), contentType: ct, body: `{"repositoryName":5}`,
			wantStatus: 400, wantType: "SerializationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := wirePost(t, srv.URL, tc.target, tc.contentType, tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.wantStatus, r.body)
			}
			if got := r.header.Get("Content-Type"); got != ct {
				t.Errorf("Content-Type %q, want %q", got, ct)
			}
			if id := r.header.Get("x-amzn-RequestId"); !reRequestID.MatchString(id) {
				t.Errorf("x-amzn-RequestId %q is not a request id", id)
			}
			if tc.wantBody != "" && !bytes.Contains(r.body, []byte(tc.wantBody)) {
				t.Errorf("body %s does not contain %s", r.body, tc.wantBody)
			}
			var body map[string]any
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
			}
			if tc.wantType == "" {
				if h := r.header.Get("X-Amzn-ErrorType"); h != "" {
					t.Errorf("success carries X-Amzn-ErrorType %q", h)
				}
				if _, ok := body["__type"]; ok {
					t.Errorf("success body has __type: %s", r.body)
				}
				return
			}
			if h := r.header.Get("X-Amzn-ErrorType"); h != tc.wantType {
				t.Errorf("X-Amzn-ErrorType %q, want %q", h, tc.wantType)
			}
			if body["__type"] != tc.wantType {
				t.Errorf("__type %v, want %s", body["__type"], tc.wantType)
			}
			msg, ok := body["message"].(string)
			if !ok || msg == "" {
				t.Errorf("error body has no message: %s", r.body)
			}
			if tc.wantMessage != "" && msg != tc.wantMessage {
				t.Errorf("message %q,\n want %q", msg, tc.wantMessage)
			}
			if len(body) != 2 {
				t.Errorf("error body has members other than __type and message: %s", r.body)
			}
		})
	}
}

// TestWireTimestamps checks the JSON number form of timestamps: whole
// seconds have no fraction, and a fraction has at most three digits.
func TestWireTimestamps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), `"createdAt":1767323045,`},
		{time.Date(2026, 1, 2, 3, 4, 5, 500_000_000, time.UTC), `"createdAt":1767323045.5,`},
		{time.Date(2026, 1, 2, 3, 4, 5, 123_456_789, time.UTC), `"createdAt":1767323045.123,`},
	} {
		srv := httptest.NewServer(emulator.New(emulator.WithClock(fixedClock{t: tc.at})))
		r := wirePost(t, srv.URL, emulator.TargetPrefix+"CreateRepository", "application/x-amz-json-1.1", `{"repositoryName":"ts"}`)
		srv.Close()
		if r.status != 200 || !bytes.Contains(r.body, []byte(tc.want)) {
			t.Errorf("at %s: %d %s, want it to contain %s", tc.at, r.status, r.body, tc.want)
		}
	}
}

// TestWireNotPostRoot: anything but POST / is not the API.
func TestWireNotPostRoot(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(emulator.New())
	t.Cleanup(srv.Close)
	for _, tc := range []struct{ method, path string }{{http.MethodGet, "/"}, {http.MethodPost, "/other"}} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: status %d, want 404", tc.method, tc.path, resp.StatusCode)
		}
	}
}

// TestAWSCLI drives the emulator with the AWS CLI (dummy credentials, no
// network beyond loopback): it must parse our answers and errors.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is not on PATH: %v", err)
	}
	srv := httptest.NewServer(emulator.New())
	t.Cleanup(srv.Close)
	home := t.TempDir()
	run := func(args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsPath, append([]string{"--endpoint-url", srv.URL, "--region", "us-west-2", "--output", "json"}, args...)...)
		// Only our AWS_ settings: none of the caller's profiles or keys.
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "AWS_ACCESS_KEY_ID=AKIDCLI", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
			"AWS_MAX_ATTEMPTS=1", "AWS_PAGER=")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}

	out, stderr, err := run("ecr", "create-repository", "--repository-name", "cli/app", "--image-tag-mutability", "IMMUTABLE")
	if err != nil {
		t.Fatalf("create-repository: %v\n%s", err, stderr)
	}
	var created struct {
		Repository struct {
			RepositoryName     string
			RepositoryURI      string `json:"repositoryUri"`
			ImageTagMutability string
			CreatedAt          any
		}
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create-repository output: %v\n%s", err, out)
	}
	if created.Repository.RepositoryName != "cli/app" || created.Repository.ImageTagMutability != "IMMUTABLE" ||
		created.Repository.RepositoryURI != "123456789012.dkr.ecr.us-west-2.amazonaws.com/cli/app" || created.Repository.CreatedAt == nil {
		t.Errorf("create-repository output: %s", out)
	}

	out, stderr, err = run("ecr", "describe-repositories")
	if err != nil {
		t.Fatalf("describe-repositories: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, `"repositoryName": "cli/app"`) {
		t.Errorf("describe-repositories output: %s", out)
	}

	_, stderr, err = run("ecr", "describe-repositories", "--repository-names", "missing")
	if err == nil || !strings.Contains(stderr, "RepositoryNotFoundException") ||
		!strings.Contains(stderr, "The repository with name 'missing' does not exist in the registry with id '123456789012'") {
		t.Errorf("describe-repositories of a missing repository: err %v, stderr %s", err, stderr)
	}

	out, stderr, err = run("ecr", "get-login-password")
	if err != nil || strings.TrimSpace(out) == "" {
		t.Errorf("get-login-password: %v %q\n%s", err, out, stderr)
	}
}
