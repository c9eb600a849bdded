package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// controlRequest sends a control request with the given headers; with a
// key, it is SigV4-signed at signingTime.
func controlRequest(t *testing.T, method, u, body string, header http.Header, key, secret string, signingTime time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if key != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "ecr", "us-east-1", signingTime); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("%s %s: Access-Control-Allow-Origin %q: the control API must not allow cross-origin calls", method, u, v)
	}
	return resp.StatusCode, string(b)
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// A web page cannot change the emulator: what a browser sends cross-origin
// without a preflight (text/plain, form bodies) is refused, and so is any
// state-changing request a browser marks as cross-origin.
func TestControlRefusesCrossOrigin(t *testing.T) {
	_, base := controlServer(t)
	c := clientFor(base, "AKIDEXAMPLE", "us-west-2")
	mustCreateRepo(t, c, "kept")
	host := strings.TrimPrefix(base, "http://")
	tests := []struct {
		name, method, path, body string
		header                   http.Header
		want                     int
	}{
		{"text/plain reset (the attack)", "POST", "reset", "{}",
			http.Header{"Content-Type": {"text/plain"}, "Origin": {"https://evil.example"}}, 403},
		{"text/plain reset, no Origin", "POST", "reset", "{}", http.Header{"Content-Type": {"text/plain"}}, 415},
		{"form fault", "POST", "faults", "action=throttle",
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, 415},
		{"no content type", "POST", "reset", "", nil, 415},
		{"JSON from another origin", "POST", "reset", "{}",
			http.Header{"Content-Type": {"application/json"}, "Origin": {"http://localhost:9999"}}, 403},
		{"DELETE marked cross-site", "DELETE", "faults", "", http.Header{"Sec-Fetch-Site": {"cross-site"}}, 403},
		{"DELETE from another origin", "DELETE", "calls", "", http.Header{"Origin": {"null"}}, 403},
		{"preflight", "OPTIONS", "reset", "", http.Header{"Origin": {"https://evil.example"},
			"Access-Control-Request-Method": {"POST"}}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := controlRequest(t, tt.method, base+emulator.ControlPrefix+tt.path, tt.body, tt.header, "", "", time.Time{})
			if code != tt.want {
				t.Errorf("got %d %s, want %d", code, b, tt.want)
			}
		})
	}
	if _, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"kept"}}); err != nil {
		t.Fatalf("a refused request changed the state: %v", err)
	}
	// Same-origin browser requests and non-browser clients pass.
	for _, h := range []http.Header{
		{"Content-Type": {"application/json; charset=utf-8"}, "Origin": {"http://" + host}, "Sec-Fetch-Site": {"same-origin"}},
		jsonHeader,
	} {
		if code, b := controlRequest(t, "POST", base+emulator.ControlPrefix+"lifecycle/run", "", h, "", "", time.Time{}); code != 200 {
			t.Errorf("%v: %d %s", h, code, b)
		}
	}
	if code, b := controlRequest(t, "DELETE", base+emulator.ControlPrefix+"calls", "", nil, "", "", time.Time{}); code != 204 {
		t.Errorf("DELETE calls from curl: %d %s", code, b)
	}
}

// Every control body refuses members it does not know, naming them:
// a misspelt probability must not install a rule that always fires.
func TestControlUnknownFields(t *testing.T) {
	emu, base := controlServer(t)
	tests := []struct{ path, body, field string }{
		{"faults", `{"op":"DescribeRepositories","action":"throttle","probabilty":0.1}`, "probabilty"}, //nolint:misspell // the misspelling is the case
		{"faults", `{"action":"error","errorType":"X","extra":{"ok":1},"staus":400}`, "staus"},
		{"reset", `{"everything":true}`, "everything"},
		{"lifecycle/run", `{"repository":"x"}`, "repository"},
	}
	for _, tt := range tests {
		code, b := controlRequest(t, "POST", base+emulator.ControlPrefix+tt.path, tt.body, jsonHeader, "", "", time.Time{})
		if code != 400 || !strings.Contains(b, `\"`+tt.field+`\"`) {
			t.Errorf("POST %s %s: %d %s, want 400 naming %q", tt.path, tt.body, code, b, tt.field)
		}
	}
	if got := emu.Faults().List(); len(got) != 0 {
		t.Errorf("rules installed from refused bodies: %+v", got)
	}
	for _, body := range []string{"", "{}", " {} "} {
		if code, b := controlRequest(t, "POST", base+emulator.ControlPrefix+"reset", body, jsonHeader, "", "", time.Time{}); code != 200 {
			t.Errorf("reset with body %q: %d %s", body, code, b)
		}
	}
	if code, b := controlRequest(t, "POST", base+emulator.ControlPrefix+"faults", `{"action":"throttle"} {}`, jsonHeader, "", "", time.Time{}); code != 400 {
		t.Errorf("trailing data: %d %s", code, b)
	}
}

type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// With credentials, the control API wants the ECR API's credentials: a
// SigV4 signature by a configured key, fresh, over the body sent.
func TestControlRequiresCredentials(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	emu, base := controlServer(t, emulator.WithClock(&stepClock{t: now}),
		emulator.WithCredentials(map[string]string{"AKIDCONTROL": "control-secret"}))
	p := base + emulator.ControlPrefix
	tests := []struct {
		name, method, path, body string
		key, secret              string
		signed                   time.Time
		want                     int
		wantIn                   string
	}{
		{"unsigned state dump", "GET", "state", "", "", "", now, 403, "MissingAuthenticationTokenException"},
		{"unsigned calls", "GET", "calls", "", "", "", now, 403, "MissingAuthenticationTokenException"},
		{"unsigned reset", "POST", "reset", "{}", "", "", now, 403, "MissingAuthenticationTokenException"},
		{"unsigned fault", "POST", "faults", `{"action":"hang"}`, "", "", now, 403, "MissingAuthenticationTokenException"},
		{"unsigned delete", "DELETE", "faults", "", "", "", now, 403, "MissingAuthenticationTokenException"},
		{"unknown key", "GET", "state", "", "AKIDOTHER", "control-secret", now, 403, "UnrecognizedClientException"},
		{"wrong secret", "POST", "reset", "{}", "AKIDCONTROL", "wrong", now, 403, "InvalidSignatureException"},
		{"expired", "GET", "state", "", "AKIDCONTROL", "control-secret", now.Add(-time.Hour), 403, "Signature expired"},
		{"signed", "GET", "state", "", "AKIDCONTROL", "control-secret", now, 200, `"registries"`},
		{"signed fault", "POST", "faults", `{"op":"Nothing","action":"throttle"}`, "AKIDCONTROL", "control-secret", now, 201, `"id"`},
		{"health stays open", "GET", "health", "", "", "", now, 200, `"ok"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, b := controlRequest(t, tt.method, p+tt.path, tt.body, jsonHeader, tt.key, tt.secret, tt.signed)
			if code != tt.want || !strings.Contains(b, tt.wantIn) {
				t.Errorf("got %d %s, want %d with %q", code, b, tt.want, tt.wantIn)
			}
		})
	}
	if got := emu.Faults().List(); len(got) != 1 || got[0].Op != "Nothing" {
		t.Errorf("faults = %+v, want only the signed one", got)
	}
	// A body other than the one signed is refused.
	req, _ := http.NewRequest("POST", p+"faults", strings.NewReader(`{"action":"throttle"}`))
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(`{"op":"Nothing","action":"throttle"}`))
	_ = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDCONTROL", SecretAccessKey: "control-secret"},
		req, hex.EncodeToString(sum[:]), "ecr", "us-east-1", now)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("tampered body: %d, want 403", resp.StatusCode)
	}
}

// With credentials, layer download URLs are presigned as ECR's S3 URLs
// are: the URL GetDownloadUrlForLayer answers works without AWS
// credentials until it expires; the bare path, or an altered URL, does not.
func TestLayerURLPresignedWithCredentials(t *testing.T) {
	clock := &stepClock{t: time.Now().UTC()}
	_, base := controlServer(t, emulator.WithClock(clock),
		emulator.WithCredentials(map[string]string{"AKIDEXAMPLE": "secret"}))
	c := clientFor(base, "AKIDEXAMPLE", "us-west-2")
	ctx := context.Background()
	mustCreateRepo(t, c, "signed/layers")
	digest := uploadLayer(t, c, "signed/layers", "presigned layer", 100)
	out, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("signed/layers"),
		LayerDigest: aws.String(digest)})
	if err != nil {
		t.Fatal(err)
	}
	signed := aws.ToString(out.DownloadUrl)
	if got := download(t, signed); got != "presigned layer" {
		t.Fatalf("presigned URL: %q", got)
	}
	u, _ := url.Parse(signed)
	bare := *u
	bare.RawQuery = ""
	q := u.Query()
	q.Set("X-Emulator-Expires", "99999999999")
	altered := *u
	altered.RawQuery = q.Encode()
	other := *u
	other.Path = strings.Replace(u.Path, "signed/layers", "signed/other", 1)
	for name, v := range map[string]string{"bare path": bare.String(), "later expiry": altered.String(), "other repository": other.String()} {
		if code, b := controlRequest(t, "GET", v, "", nil, "", "", time.Time{}); code != 403 {
			t.Errorf("%s: %d %s, want 403", name, code, b)
		}
	}
	clock.add(time.Hour + time.Minute)
	if code, b := controlRequest(t, "GET", signed, "", nil, "", "", time.Time{}); code != 403 || !strings.Contains(b, "expired") {
		t.Errorf("after an hour: %d %s, want 403 expired", code, b)
	}
}

// Reset drops the uploaded layers and the parts of uploads in progress,
// not only the state that references them.
func TestResetClearsBlobs(t *testing.T) {
	blobs := &recordingBlobs{m: map[string][]byte{}}
	_, base := controlServer(t, emulator.WithBlobStore(blobs))
	c := clientFor(base, "AKIDEXAMPLE", "us-west-2")
	ctx := context.Background()
	mustCreateRepo(t, c, "app")
	uploadLayer(t, c, "app", "complete layer", 100)
	up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("app"), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(3), LayerPartBlob: []byte("part")}); err != nil {
		t.Fatal(err)
	}
	if len(blobs.keys()) != 2 {
		t.Fatalf("blobs before reset: %v, want a layer and a part", blobs.keys())
	}
	if code, b := control(t, "POST", base+emulator.ControlPrefix+"reset", ""); code != 200 {
		t.Fatalf("reset: %d %s", code, b)
	}
	if got := blobs.keys(); len(got) != 0 {
		t.Errorf("blobs after reset: %v", got)
	}
}
