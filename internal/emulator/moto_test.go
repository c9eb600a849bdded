package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// startMoto starts moto_server on a free loopback port for the test and
// returns its URL. A missing moto_server fails the test: CI must not skip
// the cross-check silently.
func startMoto(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		tb.Fatalf("moto_server is not on PATH; it is needed for the cross-check (pip install 'moto[server]'): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting moto_server: %v", err)
	}
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("moto_server did not become ready on %s; its output:\n%s", url, logs.String())
	return ""
}

// rawResponse is an API answer as it came off the wire.
type rawResponse struct {
	Status  int
	ErrType string // X-Amzn-ErrorType or __type
	Body    map[string]any
}

// rawCall sends one SigV4-signed awsJson1_1 request, as the SDKs do.
func rawCall(tb testing.TB, url, region, op string, body any) rawResponse {
	tb.Helper()
	payload, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(payload))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921."+op)
	sum := sha256.Sum256(payload)
	creds := aws.Credentials{AccessKeyID: "AKIDCROSSCHECK", SecretAccessKey: "secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ecr", region, time.Now()); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := rawResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(b, &out.Body); err != nil {
		out.Body = map[string]any{"<non-json>": string(b)}
	}
	out.ErrType = resp.Header.Get("X-Amzn-ErrorType")
	if out.ErrType == "" {
		if t, ok := out.Body["__type"].(string); ok {
			out.ErrType = t
		}
	}
	return out
}

// rawUploadBlob uploads content as one layer of repo with the layer upload
// operations (one part); content already there is fine.
func rawUploadBlob(t *testing.T, url, repo, content string) {
	t.Helper()
	up := rawCall(t, url, "us-west-2", "InitiateLayerUpload", map[string]any{"repositoryName": repo})
	if up.Status != 200 {
		t.Fatalf("InitiateLayerUpload(%s): %d %v", repo, up.Status, up.Body)
	}
	id := up.Body["uploadId"]
	part := rawCall(t, url, "us-west-2", "UploadLayerPart", map[string]any{"repositoryName": repo, "uploadId": id,
		"partFirstByte": 0, "partLastByte": len(content) - 1, "layerPartBlob": []byte(content)})
	if part.Status != 200 {
		t.Fatalf("UploadLayerPart(%s): %d %v", repo, part.Status, part.Body)
	}
	done := rawCall(t, url, "us-west-2", "CompleteLayerUpload", map[string]any{"repositoryName": repo, "uploadId": id,
		"layerDigests": []string{blobDigest(content)}})
	if done.Status != 200 && done.ErrType != "LayerAlreadyExistsException" {
		t.Fatalf("CompleteLayerUpload(%s): %d %v", repo, done.Status, done.Body)
	}
}
