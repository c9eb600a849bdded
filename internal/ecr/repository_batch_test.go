package ecr_test

// The coalescing of repository reads (repository_batch.go): concurrent
// reads share DescribeRepositories calls, and each reader still gets the
// answer a call of its own would have given, under faults too.

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// testRepositoryBatchWindow is long enough for every goroutine of a test to
// join one batch even on a loaded machine; nothing asserts a duration.
const testRepositoryBatchWindow = time.Second

// testRepositoryBatchRead reads names concurrently and returns each
// reader's answer.
func testRepositoryBatchRead(client *awsecr.Client, names []string) (map[string]*awstypes.Repository, map[string]error) {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		repos = map[string]*awstypes.Repository{}
		errs  = map[string]error{}
	)
	for _, name := range names {
		wg.Go(func() {
			repo, err := ecr.FindRepositoryByName(acctest.Context(), client, name)
			mu.Lock()
			defer mu.Unlock()
			repos[name], errs[name] = repo, err
		})
	}
	wg.Wait()
	return repos, errs
}

func testRepositoryBatchCreate(t *testing.T, client *awsecr.Client, names []string) {
	t.Helper()
	for _, name := range names {
		if _, err := client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
			t.Fatalf("creating %s: %s", name, err)
		}
	}
}

// TestRepositoryBatch_coalesces: 150 existing and 3 missing repositories
// read at once: each existing one gets its own repository, each missing one
// a not-found error for its name only, in far fewer calls than reads (two
// batches, the 100-name limit, plus the splits that isolate the missing).
func TestRepositoryBatch_coalesces(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "the call counts")
	ecr.SetRepositoryBatchWindow(t, testRepositoryBatchWindow)
	ecr.SetRepositorySnapshot(t, 0, 0) // batches alone
	var existing, missing []string
	for i := range 150 {
		existing = append(existing, fmt.Sprintf("batch/r%03d", i))
	}
	missing = []string{"batch/gone-a", "batch/gone-b", "batch/r999"}
	testRepositoryBatchCreate(t, b.Client, existing)
	b.Emulator.ResetCalls()

	repos, errs := testRepositoryBatchRead(b.Client, append(append([]string(nil), existing...), missing...))
	for _, name := range existing {
		if errs[name] != nil {
			t.Errorf("%s: %s", name, errs[name])
			continue
		}
		if got := aws.ToString(repos[name].RepositoryName); got != name {
			t.Errorf("%s: got repository %q", name, got)
		}
	}
	for _, name := range missing {
		err := errs[name]
		if !ecr.IsNotFound(err) {
			t.Errorf("%s: got %v, want a not-found error", name, err)
			continue
		}
		var rnf *awstypes.RepositoryNotFoundException
		if !errors.As(err, &rnf) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: the error %q is not ECR's RepositoryNotFoundException about this repository", name, err)
		}
	}
	calls := b.Emulator.CallCounts()["DescribeRepositories"]
	// Without coalescing: 153 calls. With it: 2 batches, and each missing
	// name costs at most 2·ceil(log2(100)) = 14 calls to isolate.
	if maxCalls := 2 + 14*len(missing); calls > maxCalls || calls < 2 {
		t.Errorf("%d DescribeRepositories calls for %d reads, want 2..%d", calls, len(existing)+len(missing), maxCalls)
	}
	t.Logf("%d reads, %d DescribeRepositories calls", len(existing)+len(missing), calls)
}

// TestRepositoryBatch_faults: a batched call that is throttled or fails
// with a 5xx is retried as a single call would be (every reader gets its
// repository), and a failure that outlasts the retries reaches every reader
// as that error, not as a not-found.
func TestRepositoryBatch_faults(t *testing.T) {
	b := acctest.NewBackend(t, emulator.WithFaultSeed(7))
	b.RequireEmulator(t, "fault injection")
	ecr.SetRepositoryBatchWindow(t, testRepositoryBatchWindow)
	ecr.SetRepositorySnapshot(t, 0, 0) // batches alone
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("batch/f%02d", i))
	}
	testRepositoryBatchCreate(t, b.Client, names)

	for action, code := range testAccFaultsTransient {
		t.Run(string(action)+"/retried", func(t *testing.T) {
			b.Emulator.Faults().Clear()
			b.Emulator.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: action, Count: 2})
			b.Emulator.ResetCalls()
			repos, errs := testRepositoryBatchRead(b.Client, names)
			for _, name := range names {
				if errs[name] != nil || aws.ToString(repos[name].RepositoryName) != name {
					t.Errorf("%s: got %v, %v; want the repository after the retries", name, repos[name], errs[name])
				}
			}
			faulted := 0
			for _, c := range b.Emulator.Calls() {
				if c.Op == "DescribeRepositories" && c.ErrorCode == code {
					faulted++
				}
			}
			if faulted != 2 {
				t.Errorf("%d DescribeRepositories answered %s, want the 2 the rule injects", faulted, code)
			}
		})
	}

	t.Run("persistent", func(t *testing.T) {
		b.Emulator.Faults().Clear()
		t.Cleanup(b.Emulator.Faults().Clear)
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionServerError})
		client := awsecr.New(b.Client.Options(), func(o *awsecr.Options) { o.RetryMaxAttempts = 2 })
		_, errs := testRepositoryBatchRead(client, append(names[:5:5], "batch/gone"))
		for name, err := range errs {
			var se *awstypes.ServerException
			if ecr.IsNotFound(err) || !errors.As(err, &se) {
				t.Errorf("%s: got %v, want the ServerException", name, err)
			}
		}
	})
}

// TestRepositoryBatch_lag: a repository created a moment ago that reads do
// not see yet (eventual consistency) is not-found for its reader alone.
func TestRepositoryBatch_lag(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "the lag fault")
	ecr.SetRepositoryBatchWindow(t, testRepositoryBatchWindow)
	ecr.SetRepositorySnapshot(t, 0, 0) // batches alone
	names := []string{"batch/l0", "batch/l1", "batch/l2", "batch/l3"}
	testRepositoryBatchCreate(t, b.Client, names)
	b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: 1000})
	testRepositoryBatchCreate(t, b.Client, []string{"batch/new"})

	repos, errs := testRepositoryBatchRead(b.Client, append(names[:4:4], "batch/new"))
	for _, name := range names {
		if errs[name] != nil || aws.ToString(repos[name].RepositoryName) != name {
			t.Errorf("%s: got %v, %v; want the repository", name, repos[name], errs[name])
		}
	}
	if !ecr.IsNotFound(errs["batch/new"]) {
		t.Errorf("batch/new: got %v, want a not-found error while its creation lags", errs["batch/new"])
	}
}

// testRepositoryBatchReadInTurn reads names in groups of width at a time
// (as Terraform refreshes -parallelism resources at once).
func testRepositoryBatchReadInTurn(client *awsecr.Client, names []string, width int) (map[string]*awstypes.Repository, map[string]error) {
	repos, errs := map[string]*awstypes.Repository{}, map[string]error{}
	for chunk := range slices.Chunk(names, width) {
		r, e := testRepositoryBatchRead(client, chunk)
		maps.Copy(repos, r)
		maps.Copy(errs, e)
	}
	return repos, errs
}

// TestRepositoryBatch_snapshot: a client reading 300 repositories ten at a
// time (a plan's refresh) reads the registry once after the first 20 and
// answers the rest from that snapshot: a few calls instead of 30 batches.
// Names the snapshot lacks (created since, or missing) still get a call's
// answer; a write ends the snapshots; a registry over the page limit, or a
// failed snapshot, falls back to batches with the same answers.
func TestRepositoryBatch_snapshot(t *testing.T) {
	b := acctest.NewBackend(t, emulator.WithFaultSeed(3))
	b.RequireEmulator(t, "the call counts")
	ecr.SetRepositoryBatchWindow(t, 20*time.Millisecond)
	ecr.SetRepositorySnapshot(t, 20, 5)
	var names []string
	for i := range 300 {
		names = append(names, fmt.Sprintf("snap/r%03d", i))
	}
	testRepositoryBatchCreate(t, b.Client, names)
	check := func(t *testing.T, client *awsecr.Client, names []string, missing ...string) {
		t.Helper()
		repos, errs := testRepositoryBatchReadInTurn(client, append(names[:len(names):len(names)], missing...), 10)
		for _, name := range names {
			if errs[name] != nil || aws.ToString(repos[name].RepositoryName) != name {
				t.Errorf("%s: got %v, %v; want the repository", name, repos[name], errs[name])
			}
		}
		for _, name := range missing {
			if !ecr.IsNotFound(errs[name]) {
				t.Errorf("%s: got %v, want a not-found error", name, errs[name])
			}
		}
	}

	t.Run("plan", func(t *testing.T) {
		client := b.ClientIn(b.Region) // a client of its own: a batcher of its own
		b.Emulator.ResetCalls()
		check(t, client, names, "snap/gone")
		calls := b.Emulator.CallCounts()["DescribeRepositories"]
		// 2 batches (first 20 reads), 1 snapshot page, 1 call for the missing name.
		if calls > 6 {
			t.Errorf("%d DescribeRepositories calls for %d reads, want at most 6", calls, len(names)+1)
		}
		if n := ecr.RepositorySnapshots(client); n != 1 {
			t.Errorf("%d snapshots, want 1", n)
		}
		t.Logf("%d reads, %d DescribeRepositories calls", len(names)+1, calls)
	})
	t.Run("created after the snapshot", func(t *testing.T) {
		client := b.ClientIn(b.Region) // a client of its own: a batcher of its own
		check(t, client, names[:30])
		testRepositoryBatchCreate(t, b.Client, []string{"snap/late"})
		check(t, client, []string{"snap/late"})
	})
	t.Run("a write ends snapshots", func(t *testing.T) {
		client := b.ClientIn(b.Region) // a client of its own: a batcher of its own
		check(t, client, names[:30])
		ecr.RepositoryWritten(client)
		if _, err := b.Client.PutImageTagMutability(acctest.Context(), &awsecr.PutImageTagMutabilityInput{
			RepositoryName: aws.String(names[0]), ImageTagMutability: awstypes.ImageTagMutabilityImmutable}); err != nil {
			t.Fatal(err)
		}
		repo, err := ecr.FindRepositoryByName(acctest.Context(), client, names[0])
		if err != nil || repo.ImageTagMutability != awstypes.ImageTagMutabilityImmutable {
			t.Errorf("after the write: got %v, %v; want the IMMUTABLE repository", repo, err)
		}
		check(t, client, names[30:90])
		if n := ecr.RepositorySnapshots(client); n != 1 {
			t.Errorf("%d snapshots, want 1 (none after the write)", n)
		}
	})
	t.Run("registry too large", func(t *testing.T) {
		ecr.SetRepositorySnapshot(t, 20, 0) // any registry is too large
		client := b.ClientIn(b.Region)      // a client of its own: a batcher of its own
		b.Emulator.ResetCalls()
		check(t, client, names[:100], "snap/gone")
		if calls := b.Emulator.CallCounts()["DescribeRepositories"]; calls < 10 {
			t.Errorf("%d DescribeRepositories calls: want batches (>= 10) when the registry is too large", calls)
		}
	})
	t.Run("failed snapshot", func(t *testing.T) {
		client := b.ClientIn(b.Region) // a client of its own: a batcher of its own
		check(t, client, names[:20])
		// The snapshot's call (and its SDK retries) fail; the reads waiting
		// for it go through batches, which fail and retry alike.
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionError,
			Status: 500, ErrorType: "ServerException", Count: 3})
		check(t, client, names[20:100])
	})
}
