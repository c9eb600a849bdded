package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// BenchmarkRegistryThroughput pushes and pulls one single-layer image
// (BENCH_REGISTRY_MIB, default 256 MiB) over loopback with
// go-containerregistry's remote package against go-containerregistry's
// in-memory pkg/registry (the peer) and against the emulator, in memory and
// with a -data-dir store, and reports each one's MB/s and its ratio to the
// peer's (issue 10's target: >= 0.7). Run it with make bench-registry.
func BenchmarkRegistryThroughput(b *testing.B) {
	mib := 256
	if s := os.Getenv("BENCH_REGISTRY_MIB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("BENCH_REGISTRY_MIB=%q", s)
		}
		mib = n
	}
	data := make([]byte, mib<<20)
	_, _ = rand.Read(data)
	layer := static.NewLayer(data, types.OCIUncompressedLayer)
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		b.Fatal(err)
	}
	// Digests are computed once, before any target is timed.
	if _, err := img.Digest(); err != nil {
		b.Fatal(err)
	}
	if _, err := layer.Digest(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	targets := []struct {
		name  string
		start func(b *testing.B) (host string, auth authn.Authenticator, stop func())
	}{
		{"peer", startPeer},
		{"emulator", func(b *testing.B) (string, authn.Authenticator, func()) { return startEmulator(b, "") }},
		{"emulator-data-dir", func(b *testing.B) (string, authn.Authenticator, func()) { return startEmulator(b, b.TempDir()) }},
	}
	push := map[string]time.Duration{}
	pull := map[string]time.Duration{}
	for i := 0; i < b.N; i++ {
		for _, tg := range targets {
			host, auth, stop := tg.start(b)
			ref, err := name.ParseReference(fmt.Sprintf("%s/bench/image:run%d", host, i), name.Insecure)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if err := remote.Write(ref, img, remote.WithAuth(auth)); err != nil {
				b.Fatalf("%s push: %v", tg.name, err)
			}
			t1 := time.Now()
			got, err := remote.Image(ref, remote.WithAuth(auth))
			if err != nil {
				b.Fatalf("%s pull: %v", tg.name, err)
			}
			ls, err := got.Layers()
			if err != nil || len(ls) != 1 {
				b.Fatalf("%s pull: %d layers, %v", tg.name, len(ls), err)
			}
			n, err := readLayer(ls[0])
			if err != nil || n != int64(len(data)) {
				b.Fatalf("%s pull: %d bytes, %v", tg.name, n, err)
			}
			push[tg.name] += t1.Sub(t0)
			pull[tg.name] += time.Since(t1)
			stop()
		}
	}
	mb := float64(len(data)) * float64(b.N) / 1e6
	for _, tg := range targets {
		b.ReportMetric(mb/push[tg.name].Seconds(), tg.name+"-push-MB/s")
		b.ReportMetric(mb/pull[tg.name].Seconds(), tg.name+"-pull-MB/s")
		if tg.name != "peer" {
			b.ReportMetric(push["peer"].Seconds()/push[tg.name].Seconds(), tg.name+"-push-x-peer")
			b.ReportMetric(pull["peer"].Seconds()/pull[tg.name].Seconds(), tg.name+"-pull-x-peer")
		}
	}
}

// readLayer reads a pulled layer to the end, as a client extracting it does.
func readLayer(l v1.Layer) (int64, error) {
	rc, err := l.Compressed()
	if err != nil {
		return 0, err
	}
	defer func() { _ = rc.Close() }()
	return io.Copy(io.Discard, rc)
}

func startPeer(b *testing.B) (string, authn.Authenticator, func()) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	return strings.TrimPrefix(srv.URL, "http://"), authn.Anonymous, srv.Close
}

// startEmulator serves an emulator set up as ecr-emulator does (with dir:
// the -data-dir store), creates the repository and logs in with the token
// of GetAuthorizationToken.
func startEmulator(b *testing.B, dir string) (string, authn.Authenticator, func()) {
	var opts []emulator.Option
	if dir != "" {
		blobs := filepath.Join(dir, blobsDir)
		if err := os.MkdirAll(blobs, 0o700); err != nil {
			b.Fatal(err)
		}
		opts = append(opts, emulator.WithBlobStore(dirBlobs{dir: blobs}))
	}
	emu := emulator.New(opts...)
	if dir != "" {
		store, err := openDataDir(emu, dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = store.Close() })
	}
	srv := httptest.NewServer(emu)
	call := func(op, body string) []byte {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", emulator.TargetPrefix+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %s", op, resp.StatusCode, out)
		}
		return out
	}
	call("CreateRepository", `{"repositoryName":"bench/image"}`)
	var tok struct {
		AuthorizationData []struct {
			AuthorizationToken string `json:"authorizationToken"`
		} `json:"authorizationData"`
	}
	if err := json.Unmarshal(call("GetAuthorizationToken", `{}`), &tok); err != nil {
		b.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(tok.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		b.Fatal(err)
	}
	user, pass, _ := bytes.Cut(raw, []byte(":"))
	return strings.TrimPrefix(srv.URL, "http://"), &authn.Basic{Username: string(user), Password: string(pass)}, srv.Close
}
