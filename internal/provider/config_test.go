package provider

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// noBackoff retries at once, so that retry tests do not sleep.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// isolateEnv clears every AWS setting of the environment and points HOME at
// an empty directory, so that only what a test sets is seen.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			_ = os.Unsetenv(k) // t.Setenv restores the old value at the end
		}
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// startEmulator serves an emulator on loopback; wrap, when set, sees every
// request first.
func startEmulator(t *testing.T, wrap func(http.Handler) http.Handler, opts ...emulator.Option) (*emulator.Emulator, *httptest.Server) {
	t.Helper()
	emu := emulator.New(append([]emulator.Option{emulator.WithTransitionDelay(0)}, opts...)...)
	var h http.Handler = emu
	if wrap != nil {
		h = wrap(emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return emu, srv
}

// headerRecorder keeps one header of every request.
type headerRecorder struct {
	mu     sync.Mutex
	name   string
	values []string
}

func (r *headerRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.values = append(r.values, req.Header.Get(r.name))
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

func (r *headerRecorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.values...)
}

func str(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// block builds a one-element list nested block from attribute values;
// missing attributes are null.
func block(t *testing.T, name string, attrs map[string]attr.Value) types.List {
	t.Helper()
	lt, ok := providerSchema().Blocks[name].Type().(types.ListType)
	if !ok {
		t.Fatalf("block %s is not a list", name)
	}
	ot := lt.ElemType.(types.ObjectType)
	vals := map[string]attr.Value{}
	for k, at := range ot.AttrTypes {
		if v, ok := attrs[k]; ok {
			vals[k] = v
			continue
		}
		switch at := at.(type) {
		case types.MapType:
			vals[k] = types.MapNull(at.ElemType)
		case types.SetType:
			vals[k] = types.SetNull(at.ElemType)
		default:
			vals[k] = types.StringNull()
		}
	}
	return types.ListValueMust(ot, []attr.Value{types.ObjectValueMust(ot.AttrTypes, vals)})
}

func endpoints(t *testing.T, ecrURL, stsURL string) types.List {
	return block(t, "endpoints", map[string]attr.Value{"ecr": str(ecrURL), "sts": str(stsURL)})
}

// baseModel is a working configuration against an endpoint.
func baseModel(t *testing.T, url string) *providerModel {
	return &providerModel{
		Region:    types.StringValue("us-west-2"),
		AccessKey: types.StringValue("AKIDPROVIDERTEST"),
		SecretKey: types.StringValue("provider-test-secret"),
		Endpoints: endpoints(t, url, ""),
	}
}

func testConfigurer() configurer {
	return configurer{version: "1.2.3", terraformVersion: "1.11.4", backoff: noBackoff{}}
}

func mustConfigure(t *testing.T, m *providerModel) *framework.Meta {
	t.Helper()
	meta, diags := testConfigurer().configure(context.Background(), m)
	if diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	return meta
}

// expectOneError asserts exactly one error diagnostic, on the attribute p
// (nil: no attribute) and mentioning want.
func expectOneError(t *testing.T, diags diag.Diagnostics, p *path.Path, want string) {
	t.Helper()
	errs := diags.Errors()
	if len(errs) != 1 {
		t.Fatalf("want exactly one error, got %d: %v", len(errs), diags)
	}
	d := errs[0]
	text := d.Summary() + " " + d.Detail()
	if !strings.Contains(text, want) {
		t.Errorf("error %q does not mention %q", text, want)
	}
	wp, hasPath := d.(diag.DiagnosticWithPath)
	switch {
	case p == nil && hasPath:
		t.Errorf("error is on %s, want no attribute", wp.Path())
	case p != nil && !hasPath:
		t.Errorf("error has no attribute, want %s: %s", p, text)
	case p != nil && !wp.Path().Equal(*p):
		t.Errorf("error is on %s, want %s", wp.Path(), p)
	}
}

func pathOf(p path.Path) *path.Path { return &p }

func TestConfigure_basic(t *testing.T) {
	isolateEnv(t)
	emu, srv := startEmulator(t, nil)
	m := baseModel(t, srv.URL)
	m.DefaultTags = block(t, "default_tags", map[string]attr.Value{
		"tags": types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("platform")}),
	})
	m.IgnoreTags = block(t, "ignore_tags", map[string]attr.Value{
		"keys":         types.SetValueMust(types.StringType, []attr.Value{types.StringValue("owner")}),
		"key_prefixes": types.SetValueMust(types.StringType, []attr.Value{types.StringValue("kubernetes.io/")}),
	})
	meta := mustConfigure(t, m)

	if meta.Region != "us-west-2" {
		t.Errorf("Region = %q", meta.Region)
	}
	if got := meta.DefaultTags["team"]; got != "platform" || len(meta.DefaultTags) != 1 {
		t.Errorf("DefaultTags = %v", meta.DefaultTags)
	}
	if !meta.IgnoreTags.Ignored("owner") || !meta.IgnoreTags.Ignored("kubernetes.io/cluster") || meta.IgnoreTags.Ignored("team") {
		t.Errorf("IgnoreTags = %+v", meta.IgnoreTags)
	}
	if calls := emu.CallCounts()["DescribeRegistry"]; calls != 0 {
		t.Errorf("Configure called DescribeRegistry %d times; the account id must be read lazily", calls)
	}
	id, err := meta.AccountID(context.Background())
	if err != nil || id != emulator.DefaultAccount {
		t.Fatalf("AccountID = %q, %v", id, err)
	}
	if o := meta.Client.Options(); o.RetryMaxAttempts != defaultMaxAttempts || o.RetryMode != aws.RetryModeStandard {
		t.Errorf("retries = %d %s, want %d standard", o.RetryMaxAttempts, o.RetryMode, defaultMaxAttempts)
	}
}

func TestConfigure_userAgent(t *testing.T) {
	isolateEnv(t)
	rec := &headerRecorder{name: "User-Agent"}
	_, srv := startEmulator(t, rec.wrap)
	meta := mustConfigure(t, baseModel(t, srv.URL))
	if _, err := meta.AccountID(context.Background()); err != nil {
		t.Fatal(err)
	}
	uas := rec.all()
	if len(uas) != 1 {
		t.Fatalf("want 1 request, got %d", len(uas))
	}
	for _, want := range []string{"terraform-provider-ecr/1.2.3", "Terraform/1.11.4", "aws-sdk-go-v2/"} {
		if !strings.Contains(uas[0], want) {
			t.Errorf("User-Agent %q lacks %q", uas[0], want)
		}
	}
}

func TestConfigure_region(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		isolateEnv(t)
		m := baseModel(t, "http://127.0.0.1:1")
		m.Region = types.StringNull()
		_, diags := testConfigurer().configure(context.Background(), m)
		expectOneError(t, diags, pathOf(path.Root("region")), "AWS_REGION")
	})
	t.Run("environment", func(t *testing.T) {
		isolateEnv(t)
		t.Setenv("AWS_REGION", "eu-central-1")
		m := baseModel(t, "http://127.0.0.1:1")
		m.Region = types.StringNull()
		if meta := mustConfigure(t, m); meta.Region != "eu-central-1" {
			t.Errorf("Region = %q", meta.Region)
		}
	})
	t.Run("block wins over environment", func(t *testing.T) {
		isolateEnv(t)
		t.Setenv("AWS_REGION", "eu-central-1")
		if meta := mustConfigure(t, baseModel(t, "http://127.0.0.1:1")); meta.Region != "us-west-2" {
			t.Errorf("Region = %q", meta.Region)
		}
	})
}

// AWS_ENDPOINT_URL_ECR works without an endpoints block (the SDK's
// service-specific endpoint variable).
func TestConfigure_endpointFromEnvironment(t *testing.T) {
	isolateEnv(t)
	emu, srv := startEmulator(t, nil)
	t.Setenv("AWS_ENDPOINT_URL_ECR", srv.URL)
	m := baseModel(t, "")
	m.Endpoints = types.ListNull(m.Endpoints.ElementType(context.Background()))
	meta := mustConfigure(t, m)
	if _, err := meta.AccountID(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := emu.CallCounts()["DescribeRegistry"]; n != 1 {
		t.Errorf("emulator saw %d DescribeRegistry calls, want 1", n)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigure_profile(t *testing.T) {
	isolateEnv(t)
	_, srv := startEmulator(t, nil)
	cfgFile := writeFile(t, "config", "[profile ci]\nregion = eu-west-1\n")
	credFile := writeFile(t, "credentials", "[ci]\naws_access_key_id = 111122223333\naws_secret_access_key = ci-secret\n")
	files := func(p string) types.List {
		return types.ListValueMust(types.StringType, []attr.Value{types.StringValue(p)})
	}
	m := &providerModel{
		Profile:                types.StringValue("ci"),
		SharedConfigFiles:      files(cfgFile),
		SharedCredentialsFiles: files(credFile),
		Endpoints:              endpoints(t, srv.URL, ""),
	}
	meta := mustConfigure(t, m)
	if meta.Region != "eu-west-1" {
		t.Errorf("Region = %q, want the profile's eu-west-1", meta.Region)
	}
	// The emulator takes the account from a 12-digit access key id.
	if id, err := meta.AccountID(context.Background()); err != nil || id != "111122223333" {
		t.Errorf("AccountID = %q, %v; want the profile's credentials", id, err)
	}

	t.Run("missing", func(t *testing.T) {
		m := *m
		m.Profile = types.StringValue("nope")
		_, diags := testConfigurer().configure(context.Background(), &m)
		expectOneError(t, diags, pathOf(path.Root("profile")), `"nope"`)
	})
	t.Run("missing from AWS_PROFILE", func(t *testing.T) {
		t.Setenv("AWS_PROFILE", "gone")
		m := *m
		m.Profile = types.StringNull()
		_, diags := testConfigurer().configure(context.Background(), &m)
		expectOneError(t, diags, pathOf(path.Root("profile")), "AWS_PROFILE")
	})
	t.Run("without credentials", func(t *testing.T) {
		m := *m
		m.SharedCredentialsFiles = files(writeFile(t, "credentials", "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n"))
		_, diags := testConfigurer().configure(context.Background(), &m)
		expectOneError(t, diags, pathOf(path.Root("profile")), "credentials")
	})
}

func TestConfigure_noCredentials(t *testing.T) {
	isolateEnv(t)
	m := &providerModel{Region: types.StringValue("us-west-2"), Endpoints: endpoints(t, "http://127.0.0.1:1", "")}
	_, diags := testConfigurer().configure(context.Background(), m)
	expectOneError(t, diags, nil, "access_key")
}

func TestConfigure_environmentCredentials(t *testing.T) {
	isolateEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "444455556666")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	t.Setenv("AWS_REGION", "ap-southeast-2")
	_, srv := startEmulator(t, nil)
	meta := mustConfigure(t, &providerModel{Endpoints: endpoints(t, srv.URL, "")})
	if id, err := meta.AccountID(context.Background()); err != nil || id != "444455556666" {
		t.Errorf("AccountID = %q, %v", id, err)
	}
}

// fakeSTS answers AssumeRole (Query protocol, XML) and records the calls.
type fakeSTS struct {
	mu    sync.Mutex
	forms []map[string]string
	auths []string
	deny  bool
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if f.deny || form["Action"] != "AssumeRole" {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
			`<Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error>`+
			`<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>`)
		return
	}
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	_, _ = fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult>
<Credentials><AccessKeyId>210987654321</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>
<SessionToken>assumed-session-token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/deployer/%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult>
<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, exp, form["RoleSessionName"], form["RoleSessionName"])
}

func assumeRoleBlock(t *testing.T) types.List {
	return block(t, "assume_role", map[string]attr.Value{
		"role_arn":     types.StringValue("arn:aws:iam::210987654321:role/deployer"),
		"session_name": types.StringValue("terraform-ci"),
		"external_id":  types.StringValue("ext-123"),
		"duration":     types.StringValue("1h"),
	})
}

func TestConfigure_assumeRole(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		t.Run(fmt.Sprintf("sts endpoint from environment=%v", viaEnv), func(t *testing.T) {
			isolateEnv(t)
			stsFake := &fakeSTS{}
			stsSrv := httptest.NewServer(stsFake)
			t.Cleanup(stsSrv.Close)
			tokens := &headerRecorder{name: "X-Amz-Security-Token"}
			// Signature checking on: only the assumed role's keys work.
			emu, srv := startEmulator(t, tokens.wrap,
				emulator.WithCredentials(map[string]string{"210987654321": "assumed-secret"}))

			m := baseModel(t, srv.URL)
			m.AssumeRole = assumeRoleBlock(t)
			if viaEnv {
				t.Setenv("AWS_ENDPOINT_URL_STS", stsSrv.URL)
			} else {
				m.Endpoints = endpoints(t, srv.URL, stsSrv.URL)
			}
			meta := mustConfigure(t, m)
			id, err := meta.AccountID(context.Background())
			if err != nil || id != "210987654321" {
				t.Fatalf("AccountID = %q, %v; want the assumed role's account", id, err)
			}
			if n := emu.CallCounts()["DescribeRegistry"]; n != 1 {
				t.Errorf("DescribeRegistry calls = %d", n)
			}
			if got := tokens.all(); len(got) != 1 || got[0] != "assumed-session-token" {
				t.Errorf("ECR saw session tokens %q, want the assumed one", got)
			}

			stsFake.mu.Lock()
			defer stsFake.mu.Unlock()
			if len(stsFake.forms) != 1 {
				t.Fatalf("STS calls = %d, want 1 (credentials are cached)", len(stsFake.forms))
			}
			want := map[string]string{"Action": "AssumeRole", "RoleArn": "arn:aws:iam::210987654321:role/deployer",
				"RoleSessionName": "terraform-ci", "ExternalId": "ext-123", "DurationSeconds": "3600"}
			for k, v := range want {
				if got := stsFake.forms[0][k]; got != v {
					t.Errorf("AssumeRole %s = %q, want %q", k, got, v)
				}
			}
			if !strings.Contains(stsFake.auths[0], "Credential=AKIDPROVIDERTEST/") {
				t.Errorf("AssumeRole was not signed with the base credentials: %q", stsFake.auths[0])
			}
		})
	}
}

func TestConfigure_assumeRoleDenied(t *testing.T) {
	isolateEnv(t)
	stsSrv := httptest.NewServer(&fakeSTS{deny: true})
	t.Cleanup(stsSrv.Close)
	m := baseModel(t, "http://127.0.0.1:1")
	m.Endpoints = endpoints(t, "http://127.0.0.1:1", stsSrv.URL)
	m.AssumeRole = assumeRoleBlock(t)
	_, diags := testConfigurer().configure(context.Background(), m)
	expectOneError(t, diags, pathOf(path.Root("assume_role").AtListIndex(0).AtName("role_arn")), "AccessDenied")
}

func writeCertPEM(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return writeFile(t, "ca.pem", string(b))
}

func TestConfigure_TLS(t *testing.T) {
	isolateEnv(t)
	emu := emulator.New()
	srv := httptest.NewUnstartedServer(emu)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the "untrusted" case makes handshake errors
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := writeCertPEM(t, srv)
	ctx := context.Background()

	call := func(t *testing.T, m *providerModel) error {
		t.Helper()
		m.MaxRetries = types.Int64Value(1)
		meta := mustConfigure(t, m)
		_, err := meta.Client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
		return err
	}
	t.Run("untrusted", func(t *testing.T) {
		if err := call(t, baseModel(t, srv.URL)); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("want a certificate error, got %v", err)
		}
	})
	t.Run("custom_ca_bundle", func(t *testing.T) {
		m := baseModel(t, srv.URL)
		m.CustomCABundle = types.StringValue(caFile)
		if err := call(t, m); err != nil {
			t.Error(err)
		}
	})
	t.Run("AWS_CA_BUNDLE", func(t *testing.T) {
		t.Setenv("AWS_CA_BUNDLE", caFile)
		if err := call(t, baseModel(t, srv.URL)); err != nil {
			t.Error(err)
		}
	})
	t.Run("insecure", func(t *testing.T) {
		m := baseModel(t, srv.URL)
		m.Insecure = types.BoolValue(true)
		if err := call(t, m); err != nil {
			t.Error(err)
		}
	})

	bad := []struct {
		name, file, env, want string
	}{
		{name: "missing file", file: filepath.Join(t.TempDir(), "nope.pem"), want: "no such file"},
		{name: "not PEM", file: writeFile(t, "junk.pem", "not a certificate"), want: "no PEM certificate"},
		{name: "missing file from AWS_CA_BUNDLE", env: filepath.Join(t.TempDir(), "nope.pem"), want: "AWS_CA_BUNDLE"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("AWS_CA_BUNDLE", tc.env)
			}
			m := baseModel(t, srv.URL)
			m.CustomCABundle = str(tc.file)
			_, diags := testConfigurer().configure(ctx, m)
			expectOneError(t, diags, pathOf(path.Root("custom_ca_bundle")), tc.want)
		})
	}
}

// countingProxy is a loopback forward proxy for plain-HTTP requests.
type countingProxy struct{ n atomic.Int64 }

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	p.n.Add(1)
	out := r.Clone(r.Context())
	out.RequestURI = ""
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func TestConfigure_httpProxy(t *testing.T) {
	isolateEnv(t)
	emu, srv := startEmulator(t, nil)
	proxy := &countingProxy{}
	proxySrv := httptest.NewServer(proxy)
	t.Cleanup(proxySrv.Close)

	m := baseModel(t, srv.URL)
	m.HTTPProxy = types.StringValue(proxySrv.URL)
	meta := mustConfigure(t, m)
	if _, err := meta.AccountID(context.Background()); err != nil {
		t.Fatal(err)
	}
	if proxy.n.Load() != 1 || emu.CallCounts()["DescribeRegistry"] != 1 {
		t.Errorf("proxy forwarded %d requests, emulator saw %d; want 1 and 1", proxy.n.Load(), emu.CallCounts()["DescribeRegistry"])
	}

	t.Run("invalid", func(t *testing.T) {
		m := baseModel(t, srv.URL)
		m.HTTPProxy = types.StringValue("proxy.example.com:3128")
		_, diags := testConfigurer().configure(context.Background(), m)
		expectOneError(t, diags, pathOf(path.Root("http_proxy")), "http://")
	})
}

func TestConfigure_retries(t *testing.T) {
	isolateEnv(t)
	ctx := context.Background()
	emu, srv := startEmulator(t, nil)

	tests := []struct {
		name       string
		maxRetries int64 // 0: unset
		throttles  int
		wantErr    bool
		wantCalls  int
	}{
		{name: "recovers within max_retries", maxRetries: 4, throttles: 3, wantCalls: 4},
		{name: "gives up after max_retries", maxRetries: 2, throttles: 3, wantErr: true, wantCalls: 2},
		{name: "default is 25 attempts", throttles: 24, wantCalls: 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emu.Faults().Clear()
			emu.ResetCalls()
			emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRegistry", Action: emulator.ActionThrottle, Count: tc.throttles})
			m := baseModel(t, srv.URL)
			if tc.maxRetries > 0 {
				m.MaxRetries = types.Int64Value(tc.maxRetries)
			}
			meta := mustConfigure(t, m)
			_, err := meta.AccountID(ctx)
			var ae smithy.APIError
			switch {
			case tc.wantErr && (!errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException"):
				t.Errorf("want ThrottlingException, got %v", err)
			case !tc.wantErr && err != nil:
				t.Errorf("unexpected error: %v", err)
			}
			if n := emu.CallCounts()["DescribeRegistry"]; n != tc.wantCalls {
				t.Errorf("attempts = %d, want %d", n, tc.wantCalls)
			}
		})
	}

	t.Run("AWS_MAX_ATTEMPTS and AWS_RETRY_MODE", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "7")
		t.Setenv("AWS_RETRY_MODE", "adaptive")
		o := mustConfigure(t, baseModel(t, srv.URL)).Client.Options()
		if o.RetryMaxAttempts != 7 || o.RetryMode != aws.RetryModeAdaptive {
			t.Errorf("retries = %d %s, want 7 adaptive", o.RetryMaxAttempts, o.RetryMode)
		}
	})
	t.Run("block wins over environment", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "7")
		m := baseModel(t, srv.URL)
		m.MaxRetries = types.Int64Value(3)
		m.RetryMode = types.StringValue("adaptive")
		o := mustConfigure(t, m).Client.Options()
		if o.RetryMaxAttempts != 3 || o.RetryMode != aws.RetryModeAdaptive {
			t.Errorf("retries = %d %s, want 3 adaptive", o.RetryMaxAttempts, o.RetryMode)
		}
	})
	t.Run("invalid AWS_RETRY_MODE", func(t *testing.T) {
		t.Setenv("AWS_RETRY_MODE", "sometimes")
		_, diags := testConfigurer().configure(ctx, baseModel(t, srv.URL))
		expectOneError(t, diags, pathOf(path.Root("retry_mode")), "sometimes")
	})
	t.Run("invalid AWS_MAX_ATTEMPTS", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "many")
		_, diags := testConfigurer().configure(ctx, baseModel(t, srv.URL))
		expectOneError(t, diags, pathOf(path.Root("max_retries")), "AWS_MAX_ATTEMPTS")
	})
}

// With unknown values (plan), configure treats them as unset and skips the
// checks that need the final configuration.
func TestConfigure_partial(t *testing.T) {
	isolateEnv(t)
	m := &providerModel{
		Region:     types.StringUnknown(),
		AccessKey:  types.StringUnknown(),
		SecretKey:  types.StringUnknown(),
		AssumeRole: types.ListUnknown(providerSchema().Blocks["assume_role"].Type().(types.ListType).ElemType),
		Endpoints:  endpoints(t, "http://127.0.0.1:1", ""),
	}
	c := testConfigurer()
	c.partial = true
	meta, diags := c.configure(context.Background(), m)
	if diags.HasError() || meta == nil || meta.Client == nil {
		t.Fatalf("configure with unknown values: meta=%v diags=%v", meta, diags)
	}
}

// Default tags that depend on a resource are unknown while planning: the
// known ones are kept and Meta says that the rest is unknown.
func TestConfigure_unknownDefaultTags(t *testing.T) {
	isolateEnv(t)
	m := baseModel(t, "http://127.0.0.1:1")
	m.DefaultTags = block(t, "default_tags", map[string]attr.Value{"tags": types.MapValueMust(types.StringType,
		map[string]attr.Value{"team": types.StringValue("platform"), "owner": types.StringUnknown()})})
	c := testConfigurer()
	c.partial = true
	meta, diags := c.configure(context.Background(), m)
	if diags.HasError() {
		t.Fatalf("configure with an unknown default tag: %v", diags)
	}
	if !meta.DefaultTagsUnknown || len(meta.DefaultTags) != 1 || meta.DefaultTags["team"] != "platform" {
		t.Errorf("DefaultTags = %v, DefaultTagsUnknown = %v; want map[team:platform], true", meta.DefaultTags, meta.DefaultTagsUnknown)
	}
}

func TestParseSessionDuration(t *testing.T) {
	for in, ok := range map[string]bool{"15m": true, "1h": true, "12h": true, "90m": true,
		"14m59s": false, "12h1s": false, "1 hour": false, "3600": false} {
		if err := parseSessionDuration(in); (err == nil) != ok {
			t.Errorf("parseSessionDuration(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestCheckHTTPURL(t *testing.T) {
	for in, ok := range map[string]bool{"http://127.0.0.1:5000": true, "https://proxy.example.com": true,
		"proxy.example.com:3128": false, "ftp://x": false, "http://": false, "://bad": false} {
		if err := checkHTTPURL(in); (err == nil) != ok {
			t.Errorf("checkHTTPURL(%q) = %v, want ok=%v", in, err, ok)
		}
	}
	if err := checkHTTPURL("socks5://user:hunter2@proxy"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error must not echo the proxy password: %v", err)
	}
}
