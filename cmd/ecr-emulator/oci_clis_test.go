package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ociCLI returns the path of a CLI the end-to-end test drives: the variable
// (set by the GNUmakefile, which builds the CLIs from the Go module proxy
// with tools/build-oci-clis.sh) or else the binary on PATH. Missing, the test
// fails: it never skips.
func ociCLI(t *testing.T, env, name string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v (make oci-clis builds it)", env, p, err)
		}
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed: set %s or put it on PATH (make oci-clis builds it; make test sets %s): %v", name, env, env, err)
	}
	return p
}

var reDigest = regexp.MustCompile(`sha256:[0-9a-f]{64}`)

// TestOCIClientsEndToEnd drives the emulator binary with the real CLIs, as
// README's "A local ECR" tells a user to: the AWS CLI's get-login-password,
// crane (auth login, append, pull, push, digest, tag, ls, catalog, copy,
// delete) and oras (login, attach with a subject, discover), the referrer
// also seen by `aws ecr list-image-referrers`; a bad password is a 401.
func TestOCIClientsEndToEnd(t *testing.T) {
	crane := ociCLI(t, "CRANE", "crane")
	oras := ociCLI(t, "ORAS", "oras")
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the AWS CLI (aws) must be on PATH for this test: %v", err)
	}
	p := start(t)
	host := strings.TrimPrefix(p.url, "http://")
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "DOCKER_CONFIG=" + filepath.Join(home, ".docker"),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1",
	}
	// run runs a command in home; fail says whether it must fail.
	run := func(fail bool, stdin string, bin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, home
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		line := filepath.Base(bin) + " " + strings.Join(args, " ")
		if fail && err == nil {
			t.Fatalf("%s: succeeded, want a failure\n%s", line, out)
		}
		if !fail && err != nil {
			t.Fatalf("%s: %v\n%s%s", line, err, out, &stderr)
		}
		return string(out) + stderr.String()
	}
	awsCLI := func(args ...string) string {
		t.Helper()
		return run(false, "", awsPath, append([]string{"--endpoint-url", p.url, "--output", "json", "ecr"}, args...)...)
	}

	awsCLI("create-repository", "--repository-name", "e2e/app")
	awsCLI("create-repository", "--repository-name", "e2e/copy")
	password := strings.TrimSpace(awsCLI("get-login-password"))
	app := host + "/e2e/app"

	// A bad password: the registry answers 401.
	run(false, "wrong", crane, "auth", "login", host, "--username", "AWS", "--password-stdin")
	if out := run(true, "", crane, "ls", app); !strings.Contains(out, "401") && !strings.Contains(out, "UNAUTHORIZED") {
		t.Fatalf("crane ls with a bad password: want 401 UNAUTHORIZED, got\n%s", out)
	}
	if out := run(true, "wrong", oras, "login", host, "--plain-http", "--username", "AWS", "--password-stdin"); !strings.Contains(out, "401") && !strings.Contains(out, "nauthorized") {
		t.Fatalf("oras login with a bad password: want 401, got\n%s", out)
	}

	// crane: log in with the token, build and push an image, read it back.
	run(false, password, crane, "auth", "login", host, "--username", "AWS", "--password-stdin")
	layer := filepath.Join(home, "layer.tar")
	writeTar(t, layer, map[string]string{"hello.txt": "hello from crane\n"})
	run(false, "", crane, "append", "--insecure", "-f", layer, "-t", app+":v1")
	digest := strings.TrimSpace(run(false, "", crane, "digest", "--insecure", app+":v1"))
	if !reDigest.MatchString(digest) {
		t.Fatalf("crane digest: %q", digest)
	}
	image := filepath.Join(home, "image.tar")
	run(false, "", crane, "pull", "--insecure", app+":v1", image)
	run(false, "", crane, "push", "--insecure", image, app+":v2")
	if out := run(false, "", crane, "export", "--insecure", app+":v2", "-"); !strings.Contains(out, "hello from crane") {
		t.Fatalf("crane export of the pushed tarball lacks the layer's file:\n%.300s", out)
	}
	run(false, "", crane, "tag", "--insecure", app+":v1", "latest")
	if got := strings.Fields(run(false, "", crane, "ls", "--insecure", app)); strings.Join(got, " ") != "latest v1 v2" {
		t.Fatalf("crane ls: %v, want [latest v1 v2]", got)
	}
	if got := strings.Fields(run(false, "", crane, "catalog", "--insecure", host)); strings.Join(got, " ") != "e2e/app e2e/copy" {
		t.Fatalf("crane catalog: %v, want [e2e/app e2e/copy]", got)
	}
	run(false, "", crane, "copy", "--insecure", app+":v1", host+"/e2e/copy:v1")
	if d := strings.TrimSpace(run(false, "", crane, "digest", "--insecure", host+"/e2e/copy:v1")); d != digest {
		t.Fatalf("copied digest %s, want %s", d, digest)
	}
	// The API sees what the registry protocol pushed.
	if out := awsCLI("describe-images", "--repository-name", "e2e/app", "--image-ids", "imageTag=latest"); !strings.Contains(out, digest) || !strings.Contains(out, `"v1"`) {
		t.Fatalf("describe-images lacks %s with v1:\n%s", digest, out)
	}

	// oras: log in, attach an artifact to the image (its subject), discover it.
	run(false, password, oras, "login", host, "--plain-http", "--username", "AWS", "--password-stdin")
	if err := os.WriteFile(filepath.Join(home, "sbom.json"), []byte(`{"sbom":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(false, "", oras, "attach", "--plain-http", "--format", "json", "--artifact-type", "application/vnd.example.sbom+json",
		app+"@"+digest, "sbom.json:application/json")
	var attached struct{ Digest string }
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &attached); err != nil || !reDigest.MatchString(attached.Digest) {
		t.Fatalf("oras attach --format json: %v\n%s", err, out)
	}
	if out := run(false, "", oras, "discover", "--plain-http", "--format", "json", app+"@"+digest); !strings.Contains(out, attached.Digest) || !strings.Contains(out, "application/vnd.example.sbom+json") {
		t.Fatalf("oras discover lacks the referrer %s:\n%s", attached.Digest, out)
	}
	if out := awsCLI("list-image-referrers", "--repository-name", "e2e/app", "--subject-id", "imageDigest="+digest); !strings.Contains(out, attached.Digest) {
		t.Fatalf("list-image-referrers lacks the referrer %s:\n%s", attached.Digest, out)
	}

	// crane delete: the copy's image is gone, for the registry and the API.
	run(false, "", crane, "delete", "--insecure", host+"/e2e/copy@"+digest)
	if got := strings.TrimSpace(run(false, "", crane, "ls", "--insecure", host+"/e2e/copy")); got != "" {
		t.Fatalf("crane ls after delete: %q", got)
	}
	if out := awsCLI("list-images", "--repository-name", "e2e/copy"); strings.Contains(out, digest) {
		t.Fatalf("list-images after crane delete still has %s:\n%s", digest, out)
	}
}

// writeTar writes a tar file with the given files (a layer for crane append).
func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
