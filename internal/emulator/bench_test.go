package emulator_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// BenchmarkMixedRead measures requests/s and p99 latency of a mixed read
// corpus (DescribeRepositories, ListTagsForResource, GetRepositoryPolicy,
// GetLifecyclePolicy) issued by 16 concurrent SDK clients, against our
// emulator and against moto_server in the same run:
//
//	go test ./internal/emulator -run '^$' -bench MixedRead -benchtime 3s
//
// The goal is at least 20x moto's requests/s with p99 under 5 ms.
//
// cpu-us/req is this process's CPU time per request: for the emulator that
// is the SDK clients plus the server, for moto the SDK clients only. Unlike
// req/s it does not depend on what else the machine is running, so
// GOMAXPROCS*1e6/cpu-us/req bounds what the emulator target can reach on an
// otherwise idle machine.
//
// Each run of the emulator target gets a fresh emulator (moto is started
// once: it takes seconds), so that runs do not measure what earlier runs
// left behind, such as a full call log.
//
// The load generator's garbage collection: the 16 SDK clients allocate
// about 80% of the bytes in this process (~20 KB per request against the
// server's ~8 KB), and with the default GOGC=100 and a live heap of ~6 MB
// that means a collection every ~20 ms whose ~4 ms mark phase takes a
// quarter of the 2 cores and makes every allocating goroutine assist. On a
// 2-core machine that, not the server, sets the p99: a server that answers
// canned bytes and does no work measured p99 4.2-5.0 ms in this harness
// with GOGC=100. So the harness runs with GOGC=1000 (collections every
// ~60 MB) for every target, unless GOGC is set in the environment; the
// emulator-gogc100 target is the in-process emulator under the default
// GOGC=100, for comparison.
//
// server-p99-ms (in-process targets) is the p99 of the time the emulator's
// ServeHTTP takes, in the same run: the server's share of the latency the
// clients see. It is kept in a histogram of atomic counters, since a
// mutex shared by the 16 server goroutines added ~1 ms to the clients' p99.
func BenchmarkMixedRead(b *testing.B) {
	gc := benchGCPercent
	if _, set := os.LookupEnv("GOGC"); set {
		gc = debug.SetGCPercent(-1)
		debug.SetGCPercent(gc)
	}
	motoURL := startMoto(b)
	inProcess := func(b *testing.B) (string, *serverTimes) {
		st := &serverTimes{}
		srv := httptest.NewServer(st.wrap(emulator.New()))
		b.Cleanup(srv.Close)
		return srv.URL, st
	}
	targets := []struct {
		name string
		gc   int
		url  func(b *testing.B) (string, *serverTimes)
	}{
		{"emulator", gc, inProcess},
		{"emulator-gogc100", 100, inProcess},
		// The standalone binary, a separate process like moto_server: the
		// clients' garbage collection and goroutines no longer share a
		// runtime with the server, but the two runtimes share the cores.
		{"ecr-emulator-process", gc, func(b *testing.B) (string, *serverTimes) { return startEmulatorProcess(b), nil }},
		{"moto", gc, func(*testing.B) (string, *serverTimes) { return motoURL, nil }},
	}
	for _, tgt := range targets {
		b.Run(tgt.name, func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(tgt.gc))
			const repos = 20
			url, st := tgt.url(b)
			seedBenchRepos(b, benchClient(url), repos)
			st.reset()
			benchMixedRead(b, url, repos)
			if p99, ok := st.p99(); ok {
				b.ReportMetric(float64(p99.Microseconds())/1000, "server-p99-ms")
			}
		})
	}
}

// serverTimes is a histogram of the time requests spend in a handler, in
// 10 µs buckets up to 100 ms (the last bucket takes anything longer).
type serverTimes struct {
	buckets [10000]atomic.Int64
}

const serverTimesBucket = 10 * time.Microsecond

func (st *serverTimes) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		h.ServeHTTP(w, r)
		i := min(int(time.Since(t0)/serverTimesBucket), len(st.buckets)-1)
		st.buckets[i].Add(1)
	})
}

func (st *serverTimes) reset() {
	if st == nil {
		return
	}
	for i := range st.buckets {
		st.buckets[i].Store(0)
	}
}

// p99 is the upper bound of the bucket holding the 99th percentile.
func (st *serverTimes) p99() (time.Duration, bool) {
	if st == nil {
		return 0, false
	}
	var total int64
	for i := range st.buckets {
		total += st.buckets[i].Load()
	}
	if total == 0 {
		return 0, false
	}
	var seen int64
	for i := range st.buckets {
		if seen += st.buckets[i].Load(); seen*100 >= total*99 {
			return time.Duration(i+1) * serverTimesBucket, true
		}
	}
	return time.Duration(len(st.buckets)) * serverTimesBucket, true
}

// startEmulatorProcess builds cmd/ecr-emulator and starts it on a free
// loopback port for the benchmark; it returns the URL from its first line.
func startEmulatorProcess(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "ecr-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/ecr-emulator").CombinedOutput(); err != nil {
		b.Fatalf("building ecr-emulator: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("starting ecr-emulator: %v", err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		b.Fatalf("ecr-emulator's first line = %q (%v), want \"listening on URL\"", line, err)
	}
	return url
}

// benchGCPercent is the load generator's GOGC in BenchmarkMixedRead.
const benchGCPercent = 1000

func benchClient(url string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", ""),
		HTTPClient:   sdkhttp.Wrap(&http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}),
	})
}

func seedBenchRepos(b *testing.B, c *ecr.Client, n int) {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		name := fmt.Sprintf("bench/repo-%02d", i)
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("bench")}}})
		if err != nil && errCode(err) != "RepositoryAlreadyExistsException" {
			b.Fatal(err)
		}
		if _, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(ccPolicy)}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(ccLifecycle)}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMixedRead(b *testing.B, url string, repos int) {
	const clients = 16
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := benchClient(url)
			ctx := context.Background()
			local := make([]time.Duration, 0, b.N/clients+1)
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					break
				}
				name := fmt.Sprintf("bench/repo-%02d", i%int64(repos))
				t0 := time.Now()
				var err error
				switch i % 4 {
				case 0:
					_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
				case 1:
					_, err = c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{
						ResourceArn: aws.String("arn:aws:ecr:us-west-2:123456789012:repository/" + name)})
				case 2:
					_, err = c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(name)})
				case 3:
					_, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
				}
				local = append(local, time.Since(t0))
				if err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	p50 := latencies[len(latencies)/2]
	p99 := latencies[(len(latencies)*99)/100]
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(latencies)), "cpu-us/req")
}

// processCPU is the user+system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServeMixedRead is the server side of BenchmarkMixedRead alone:
// the same four reads through ServeHTTP in process, without SDK clients or
// a network, so that it shows the emulator's own cost per request:
//
//	go test ./internal/emulator -run '^$' -bench ServeMixedRead -benchmem
func BenchmarkServeMixedRead(b *testing.B) {
	emu := emulator.New()
	call := func(op, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", emulator.TargetPrefix+op)
		req.Header.Set("amz-sdk-request", "attempt=1; max=3")
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		return w
	}
	const repos = 20
	for i := range repos {
		name := fmt.Sprintf("bench/repo-%02d", i)
		for _, c := range []struct{ op, body string }{
			{"CreateRepository", `{"repositoryName":"` + name + `","tags":[{"Key":"team","Value":"bench"}]}`},
			{"SetRepositoryPolicy", `{"repositoryName":"` + name + `","policyText":` + strconv.Quote(ccPolicy) + `}`},
			{"PutLifecyclePolicy", `{"repositoryName":"` + name + `","lifecyclePolicyText":` + strconv.Quote(ccLifecycle) + `}`},
		} {
			if w := call(c.op, c.body); w.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", c.op, w.Code, w.Body)
			}
		}
	}
	type read struct{ op, body string }
	var reads []read
	for i := range repos {
		name := fmt.Sprintf("bench/repo-%02d", i)
		reads = append(reads,
			read{"DescribeRepositories", `{"repositoryNames":["` + name + `"]}`},
			read{"ListTagsForResource", `{"resourceArn":"arn:aws:ecr:us-east-1:123456789012:repository/` + name + `"}`},
			read{"GetRepositoryPolicy", `{"repositoryName":"` + name + `"}`},
			read{"GetLifecyclePolicy", `{"repositoryName":"` + name + `"}`})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reads[i%len(reads)]
		if w := call(r.op, r.body); w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", r.op, w.Code, w.Body)
		}
	}
}
