package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// The durable state's benchmarks (make bench-state): a data directory
// seeded with N images spread over benchRepos repositories, as a
// state.json snapshot (what emulators before the store wrote, and what a
// current one migrates on its first start), then the binary under
// -data-dir:
//
//   - BenchmarkStatePutImage: the mean latency of PutImage (a new image
//     each time, round robin over the repositories) with 1,000, 10,000 and
//     100,000 images in the state. Target: the mean at 100,000 at most 1.5x
//     the mean at 1,000.
//   - BenchmarkStateRestart: kill -9 with 100,000 images, then the time from
//     starting the binary to its first answer. Target: under 2 s.
//
// ECR_BENCH_STATE_IMAGES (comma separated) overrides the image counts.

const benchRepos = 1000

func benchImageCounts(b *testing.B, def ...int) []int {
	v := os.Getenv("ECR_BENCH_STATE_IMAGES")
	if v == "" {
		return def
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < benchRepos {
			b.Fatalf("ECR_BENCH_STATE_IMAGES: %q is not a count of at least %d", s, benchRepos)
		}
		out = append(out, n)
	}
	return out
}

func BenchmarkStatePutImage(b *testing.B) {
	startTimeout = 10 * time.Minute
	means := map[int]float64{}
	counts := benchImageCounts(b, 1000, 10000, 100000)
	for _, n := range counts {
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			dir := seededDataDir(b, n)
			p := start(b, "-data-dir", dir)
			c := client(p.url, "AKIDEXAMPLE", "secret")
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				repo := benchRepoName(i % benchRepos)
				if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(repo),
					ImageManifest: aws.String(benchManifest(i%benchRepos, n+i)), ImageTag: aws.String(fmt.Sprintf("bench-%d", i))}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			mean := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
			b.ReportMetric(mean, "ms/put")
			means[n] = mean
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
		})
	}
	if lo, hi := means[counts[0]], means[counts[len(counts)-1]]; lo > 0 && hi > 0 && len(counts) > 1 {
		fmt.Printf("state-put: mean PutImage %.2f ms at %d images, %.2f ms at %d: ratio %.2f (target <= 1.5)\n",
			lo, counts[0], hi, counts[len(counts)-1], hi/lo)
	}
}

func BenchmarkStateRestart(b *testing.B) {
	startTimeout = 10 * time.Minute
	for _, n := range benchImageCounts(b, 100000) {
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			dir := seededDataDir(b, n)
			p := start(b, "-data-dir", dir) // the first start migrates state.json
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			p.wait(b)
			var worst, cpu time.Duration
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				p := start(b, "-data-dir", dir)
				out, err := client(p.url, "AKIDEXAMPLE", "secret").DescribeImages(context.Background(),
					&ecr.DescribeImagesInput{RepositoryName: aws.String(benchRepoName(0)), MaxResults: aws.Int32(1)})
				took := time.Since(t0)
				if err != nil || len(out.ImageDetails) != 1 {
					b.Fatalf("first answer after the restart: %v", err)
				}
				worst = max(worst, took)
				b.StopTimer()
				_ = p.cmd.Process.Signal(syscall.SIGKILL)
				p.wait(b)
				// The process's CPU time: loading plus one answer. Unlike the
				// wall time it does not depend on what else the machine runs.
				cpu += p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
				b.StartTimer()
			}
			b.StopTimer()
			mean := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
			b.ReportMetric(mean, "ms/restart")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/restart")
			fmt.Printf("state-restart: %d images in %d repositories: ready in %.0f ms mean, %.0f ms worst (target < 2000); %.2f CPU-s per restart\n",
				n, benchRepos, mean, float64(worst.Microseconds())/1000, cpu.Seconds()/float64(b.N))
		})
	}
}

func benchRepoName(i int) string { return fmt.Sprintf("team-%02d/service-%04d", i%20, i) }

// benchBlob is blob j (0: the config, 1-3: layers) shared by the images of
// repository i.
func benchBlob(i, j int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("repository %d blob %d\n", i, j), 64))
}

func benchDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// benchManifest is image k of repository i: an OCI image manifest of about
// 900 bytes, its blobs shared by the repository's images, made unique by
// its annotations.
func benchManifest(i, k int) string {
	desc := func(mediaType string, j int) map[string]any {
		data := benchBlob(i, j)
		return map[string]any{"mediaType": mediaType, "digest": benchDigest(data), "size": len(data)}
	}
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        desc("application/vnd.oci.image.config.v1+json", 0),
		"layers": []any{desc("application/vnd.oci.image.layer.v1.tar+gzip", 1),
			desc("application/vnd.oci.image.layer.v1.tar+gzip", 2), desc("application/vnd.oci.image.layer.v1.tar+gzip", 3)},
		"annotations": map[string]string{
			"org.opencontainers.image.revision": fmt.Sprintf("%040x", k),
			"org.opencontainers.image.created":  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second).Format(time.RFC3339),
			"org.opencontainers.image.source":   "https://git.example.com/" + benchRepoName(i),
		},
	}
	out, _ := json.Marshal(m)
	return string(out)
}

var seeds sync.Map // image count -> *seed

type seed struct {
	once sync.Once
	err  error
}

// seededDataDir returns a fresh data directory holding n images: a
// state.json and the blob files, built once per n with the emulator in
// process (the blobs uploaded, as a push does).
func seededDataDir(b *testing.B, n int) string {
	b.Helper()
	v, _ := seeds.LoadOrStore(n, &seed{})
	s := v.(*seed)
	// Building 100,000 images takes a while: the seed is kept in the
	// temporary directory for the next run (ECR_BENCH_STATE_FRESH=1 rebuilds).
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("ecr-bench-state-seed-v1-%d", n))
	s.once.Do(func() {
		if os.Getenv("ECR_BENCH_STATE_FRESH") == "" {
			if _, err := os.Stat(filepath.Join(cache, "done")); err == nil {
				return
			}
		}
		var state []byte
		var blobs map[string][]byte
		if state, blobs, s.err = buildSeed(n); s.err != nil {
			return
		}
		_ = os.RemoveAll(cache)
		s.err = writeDataDir(cache, state, blobs)
		if s.err == nil {
			s.err = os.WriteFile(filepath.Join(cache, "done"), nil, 0o600)
		}
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	dir := b.TempDir()
	for _, name := range []string{"state.json", "blobs"} {
		if out, err := exec.Command("cp", "-r", filepath.Join(cache, name), dir).CombinedOutput(); err != nil {
			b.Fatalf("copying the seed: %v %s", err, out)
		}
	}
	return dir
}

func writeDataDir(dir string, state []byte, blobs map[string][]byte) error {
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), state, 0o600); err != nil {
		return err
	}
	for d, data := range blobs {
		if err := os.WriteFile(filepath.Join(dir, "blobs", strings.Replace(d, ":", "-", 1)), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func buildSeed(n int) ([]byte, map[string][]byte, error) {
	emu := emulator.New(emulator.WithTransitionDelay(0), emulator.WithRegion("us-west-2")) // the region of client()
	call := func(op string, in any) (map[string]any, error) {
		body, _ := json.Marshal(in)
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		r.Header.Set("X-Amz-Target", emulator.TargetPrefix+op)
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			return nil, fmt.Errorf("%s: %d %s", op, w.Code, w.Body)
		}
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		return out, nil
	}
	blobs := map[string][]byte{}
	for i := range benchRepos {
		name := benchRepoName(i)
		if _, err := call("CreateRepository", map[string]any{"repositoryName": name}); err != nil {
			return nil, nil, err
		}
		for j := range 4 {
			data := benchBlob(i, j)
			up, err := call("InitiateLayerUpload", map[string]any{"repositoryName": name})
			if err != nil {
				return nil, nil, err
			}
			id := up["uploadId"]
			if _, err := call("UploadLayerPart", map[string]any{"repositoryName": name, "uploadId": id,
				"partFirstByte": 0, "partLastByte": len(data) - 1, "layerPartBlob": base64.StdEncoding.EncodeToString(data)}); err != nil {
				return nil, nil, err
			}
			if _, err := call("CompleteLayerUpload", map[string]any{"repositoryName": name, "uploadId": id,
				"layerDigests": []string{benchDigest(data)}}); err != nil {
				return nil, nil, err
			}
			blobs[benchDigest(data)] = data
		}
	}
	for k := range n {
		i := k % benchRepos
		if _, err := call("PutImage", map[string]any{"repositoryName": benchRepoName(i),
			"imageManifest": benchManifest(i, k), "imageTag": fmt.Sprintf("v%d", k)}); err != nil {
			return nil, nil, err
		}
	}
	snap, err := emu.Snapshot()
	return snap, blobs, err
}
