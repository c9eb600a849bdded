package ecr

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"
	"weak"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// Reads of repositories by name are coalesced: a plan refreshes every
// repository at once (up to -parallelism at a time), and DescribeRepositories
// takes up to 100 names. A read joins the batch being gathered for its
// client (one client per region and credentials); the batch is sent when it
// is full or repositoryBatchWindow after its first read. Each reader gets
// what a DescribeRepositories call of its own name would have told it:
// its repository, a not-found error for its name only, or the call's error.

const (
	// repositoryBatchMax is DescribeRepositories' limit on repositoryNames.
	repositoryBatchMax = 100
)

// repositoryBatchWindow is how long a batch waits for more reads after its
// first. Short next to a call's round trip to AWS (tens of ms), long enough
// for the reads Terraform starts together to meet. A variable for tests.
var repositoryBatchWindow = 2 * time.Millisecond

// repositoryBatchers holds one batcher per client, keyed weakly: a client
// that is no longer used (a provider instance gone) drops its batcher.
var (
	repositoryBatchersMu sync.Mutex
	repositoryBatchers   = map[weak.Pointer[ecr.Client]]*repositoryBatcher{}
)

// repositoryBatcherFor returns the batcher of client.
func repositoryBatcherFor(client *ecr.Client) *repositoryBatcher {
	key := weak.Make(client)
	repositoryBatchersMu.Lock()
	defer repositoryBatchersMu.Unlock()
	b, ok := repositoryBatchers[key]
	if !ok {
		b = &repositoryBatcher{}
		repositoryBatchers[key] = b
		runtime.AddCleanup(client, func(k weak.Pointer[ecr.Client]) {
			repositoryBatchersMu.Lock()
			defer repositoryBatchersMu.Unlock()
			delete(repositoryBatchers, k)
		}, key)
	}
	return b
}

// repositoryBatcher gathers the reads of one client. It does not keep the
// client (that would keep its own map key alive): a batch does, while it
// lives.
type repositoryBatcher struct {
	mu      sync.Mutex
	pending *repositoryBatch // gathering reads; nil when none
}

// repositoryBatch is one DescribeRepositories call in the making.
type repositoryBatch struct {
	client  *ecr.Client
	names   []string           // distinct, in arrival order
	waiters int                // reads waiting for the answer
	ctx     context.Context    // the call's: cancelled when every reader has gone
	cancel  context.CancelFunc //
	done    chan struct{}      // closed when results and err are set
	results map[string]repositoryResult
}

type repositoryResult struct {
	repo *awstypes.Repository
	err  error
}

// find returns the repository named name, or a notFoundError.
func (b *repositoryBatcher) find(ctx context.Context, client *ecr.Client, name string) (*awstypes.Repository, error) {
	batch := b.join(ctx, client, name)
	select {
	case <-batch.done:
	case <-ctx.Done():
		b.leave(batch)
		return nil, ctx.Err()
	}
	r := batch.results[name]
	return r.repo, r.err
}

// join adds name to the batch being gathered, starting one if none is, and
// sends the batch when it is full.
func (b *repositoryBatcher) join(ctx context.Context, client *ecr.Client, name string) *repositoryBatch {
	b.mu.Lock()
	defer b.mu.Unlock()
	batch := b.pending
	if batch == nil {
		// The call outlives any single reader; it stops when all have gone.
		callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		batch = &repositoryBatch{client: client, ctx: callCtx, cancel: cancel, done: make(chan struct{})}
		b.pending = batch
		time.AfterFunc(repositoryBatchWindow, func() { b.send(batch) })
	}
	batch.waiters++
	if !slices.Contains(batch.names, name) {
		batch.names = append(batch.names, name)
	}
	if len(batch.names) == repositoryBatchMax {
		b.pending = nil
		go b.describe(batch)
	}
	return batch
}

// leave is called by a reader that stops waiting (its context is done).
func (b *repositoryBatcher) leave(batch *repositoryBatch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	batch.waiters--
	if batch.waiters == 0 && b.pending != batch {
		batch.cancel() // sent already, and nobody waits for the answer
	}
}

// send sends batch at the end of its window, unless it was sent when full.
func (b *repositoryBatcher) send(batch *repositoryBatch) {
	b.mu.Lock()
	if b.pending != batch {
		b.mu.Unlock()
		return
	}
	b.pending = nil
	if batch.waiters == 0 {
		b.mu.Unlock()
		batch.cancel()
		batch.results = map[string]repositoryResult{}
		close(batch.done)
		return
	}
	b.mu.Unlock()
	b.describe(batch)
}

// describe makes the batch's call(s) and publishes the results.
func (b *repositoryBatcher) describe(batch *repositoryBatch) {
	defer batch.cancel()
	batch.results = make(map[string]repositoryResult, len(batch.names))
	describeRepositoryNames(batch.ctx, batch.client, batch.names, batch.results)
	close(batch.done)
}

// describeNames describes names into results. One missing repository fails
// the whole call with RepositoryNotFoundException (naming only one of
// them), so such a call is split in halves until each missing repository
// is alone in its call: k missing repositories among n cost about
// 2k·log2(n) more calls, and the answer does not depend on the error text.
func describeRepositoryNames(ctx context.Context, client *ecr.Client, names []string, results map[string]repositoryResult) {
	out, err := client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: names})
	if isRepositoryNotFound(err) && len(names) > 1 {
		half := len(names) / 2
		describeRepositoryNames(ctx, client, names[:half], results)
		describeRepositoryNames(ctx, client, names[half:], results)
		return
	}
	for _, name := range names {
		switch {
		case isRepositoryNotFound(err):
			results[name] = repositoryResult{err: &notFoundError{what: repositoryWhat(name), err: err}}
		case err != nil:
			results[name] = repositoryResult{err: err}
		default: // replaced below if the answer has it
			results[name] = repositoryResult{err: &notFoundError{what: repositoryWhat(name)}}
		}
	}
	if err != nil {
		return
	}
	for i := range out.Repositories {
		repo := &out.Repositories[i]
		// Eventual consistency: only the names asked for count.
		if name := aws.ToString(repo.RepositoryName); slices.Contains(names, name) {
			results[name] = repositoryResult{repo: repo}
		}
	}
}

// repositoryWhat names a repository in a notFoundError.
func repositoryWhat(name string) string { return "ECR Repository (" + name + ")" }
