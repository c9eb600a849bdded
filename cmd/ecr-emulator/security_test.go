package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// controlCall sends a control request; with a key it is SigV4-signed.
func controlCall(t *testing.T, method, u, contentType, body, key, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "ecr", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Under -credentials, the control API is no longer open: the cross-origin
// text/plain POST that wiped state.json is refused, and so is an unsigned
// JSON one; a request signed with a configured key goes through.
func TestControlAPIUnderCredentials(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-credentials", "AKIDCTL:ctl-secret", "-data-dir", dir)
	ctx := context.Background()
	if _, err := client(p.url, "AKIDCTL", "ctl-secret").CreateRepository(ctx,
		&ecr.CreateRepositoryInput{RepositoryName: aws.String("precious")}); err != nil {
		t.Fatal(err)
	}
	reset := p.url + "/_emulator/reset"
	if code, b := controlCall(t, "POST", reset, "text/plain", "{}", "", ""); code < 400 {
		t.Errorf("text/plain reset: %d %s", code, b)
	}
	if code, b := controlCall(t, "POST", reset, "application/json", "{}", "", ""); code != 403 {
		t.Errorf("unsigned reset: %d %s, want 403", code, b)
	}
	if code, b := controlCall(t, "GET", p.url+"/_emulator/state", "", "", "", ""); code != 403 {
		t.Errorf("unsigned state dump: %d %s, want 403", code, b)
	}
	// The state (kept in DIR/state.db) as the signed control API shows it.
	if code, state := controlCall(t, "GET", p.url+"/_emulator/state", "", "", "AKIDCTL", "ctl-secret"); code != 200 || !strings.Contains(state, "precious") {
		t.Fatalf("state after refused resets: %d %s", code, state)
	}
	if code, b := controlCall(t, "POST", reset, "application/json", "", "AKIDCTL", "ctl-secret"); code != 200 {
		t.Errorf("signed reset: %d %s", code, b)
	}
	if _, state := controlCall(t, "GET", p.url+"/_emulator/state", "", "", "AKIDCTL", "ctl-secret"); strings.Contains(state, "precious") {
		t.Errorf("signed reset did not reset: %s", state)
	}
}

// Without -credentials the control API stays open to curl and scripts on
// loopback, but a browser's cross-origin text/plain POST is still refused.
func TestControlAPIWithoutCredentials(t *testing.T) {
	p := start(t)
	if code, b := controlCall(t, "POST", p.url+"/_emulator/reset", "text/plain", "{}", "", ""); code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain reset: %d %s, want 415", code, b)
	}
	if code, b := controlCall(t, "POST", p.url+"/_emulator/faults", "application/json", `{"action":"throttle","probabilty":0.1}`, "", ""); code != 400 || !strings.Contains(b, "probabilty") { //nolint:misspell // the misspelling is the case
		t.Errorf("misspelt fault member: %d %s, want 400 naming it", code, b)
	}
	if code, b := controlCall(t, "POST", p.url+"/_emulator/reset", "application/json", "", "", ""); code != 200 {
		t.Errorf("JSON reset: %d %s", code, b)
	}
}

// POST /_emulator/reset removes the layer files and upload parts under
// -data-dir, which nothing references once the state is empty.
func TestResetClearsDataDir(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-data-dir", dir)
	ctx := context.Background()
	c := client(p.url, "AKIDEXAMPLE", "secret")
	repo := aws.String("layers")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo}); err != nil {
		t.Fatal(err)
	}
	content := []byte("layer bytes")
	sum := sha256.Sum256(content)
	for _, complete := range []bool{true, false} {
		up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: repo})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: repo, UploadId: up.UploadId,
			PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(content) - 1)), LayerPartBlob: content}); err != nil {
			t.Fatal(err)
		}
		if complete {
			if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: repo, UploadId: up.UploadId,
				LayerDigests: []string{"sha256:" + hex.EncodeToString(sum[:])}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	files := func() []string {
		entries, err := os.ReadDir(filepath.Join(dir, "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	if got := files(); len(got) != 2 {
		t.Fatalf("blob files before reset: %v, want a layer and a part", got)
	}
	if code, b := controlCall(t, "POST", p.url+"/_emulator/reset", "application/json", "", "", ""); code != 200 {
		t.Fatalf("reset: %d %s", code, b)
	}
	if got := files(); len(got) != 0 {
		t.Errorf("blob files after reset: %v", got)
	}
}

// Listening on loopback, the server answers only requests addressed to a
// loopback name: a page that rebinds its own name to 127.0.0.1 sends that
// name as Host and is refused.
func TestLoopbackHostOnly(t *testing.T) {
	p := start(t)
	for host, want := range map[string]int{
		"":                   200, // the URL's 127.0.0.1:PORT
		"localhost:4566":     200,
		"[::1]:4566":         200,
		"127.0.0.2":          200,
		"evil.example:4566":  http.StatusMisdirectedRequest,
		"evil.example":       http.StatusMisdirectedRequest,
		"10.0.0.1:4566":      http.StatusMisdirectedRequest,
		"localhost.evil.com": http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest("GET", p.url+"/_emulator/state", nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d %s, want %d", host, resp.StatusCode, b, want)
		}
	}
}
