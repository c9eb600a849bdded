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
//
// Terraform refreshes at most -parallelism (10) resources at a time, so a
// batch rarely holds more than a few names. A client that has read many
// repositories and written none (a plan's refresh) therefore reads the
// whole registry once (DescribeRepositories without names, 1,000 per page)
// and answers further reads from that snapshot for a short while: a
// thousand repositories cost about a dozen calls instead of hundreds. A
// name the snapshot lacks (created since) still goes through a batch, so
// nothing reads as missing because of it. The first write of a repository
// through the client ends snapshots for it for good (an apply then reads
// what it wrote), a registry of more than a few pages is never
// snapshotted, and a failed snapshot falls back to batches.

const (
	// repositoryBatchMax is DescribeRepositories' limit on repositoryNames.
	repositoryBatchMax = 100
)

// repositoryBatchWindow is how long a batch waits for more reads after its
// first. Short next to a call's round trip to AWS (tens of ms), long enough
// for the reads Terraform starts together to meet. A variable for tests.
var repositoryBatchWindow = 2 * time.Millisecond

// Snapshots: after repositorySnapshotAfter reads (0: never), a snapshot
// of at most repositorySnapshotMaxPages pages, used for
// repositorySnapshotTTL from its start. Variables for tests.
var (
	repositorySnapshotAfter    = 20
	repositorySnapshotMaxPages = 5
	repositorySnapshotTTL      = 30 * time.Second
)

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

	reads     int                 // reads since the last snapshot expired
	wrote     bool                // a repository was written: no more snapshots
	tooLarge  bool                // the registry has more than the pages allowed
	snapshot  *repositorySnapshot // the current snapshot, nil when none
	snapshots int                 // snapshots started (tests)
}

// repositorySnapshot is the registry's repositories as one paginated
// DescribeRepositories read them.
type repositorySnapshot struct {
	started time.Time
	done    chan struct{}                   // closed when repos is set
	repos   map[string]*awstypes.Repository // nil: the snapshot failed
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
	if snap := b.snapshotFor(ctx, client); snap != nil {
		select {
		case <-snap.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		b.mu.Lock()
		valid := !b.wrote
		b.mu.Unlock()
		if repo, ok := snap.repos[name]; ok && valid {
			c := *repo
			return &c, nil
		}
	}
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

// snapshotFor counts a read and returns the snapshot it may use: the
// current one, or one it starts; nil when reads go through batches.
func (b *repositoryBatcher) snapshotFor(ctx context.Context, client *ecr.Client) *repositorySnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	if repositorySnapshotAfter <= 0 || b.wrote || b.tooLarge {
		return nil
	}
	if b.snapshot != nil && time.Since(b.snapshot.started) > repositorySnapshotTTL {
		b.snapshot, b.reads = nil, 0
	}
	if b.reads++; b.snapshot == nil && b.reads > repositorySnapshotAfter {
		snap := &repositorySnapshot{started: time.Now(), done: make(chan struct{})}
		b.snapshot = snap
		b.snapshots++
		go b.take(context.WithoutCancel(ctx), client, snap)
	}
	return b.snapshot
}

// take reads the registry into snap.
func (b *repositoryBatcher) take(ctx context.Context, client *ecr.Client, snap *repositorySnapshot) {
	defer close(snap.done)
	repos := map[string]*awstypes.Repository{}
	p := ecr.NewDescribeRepositoriesPaginator(client, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(1000)})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == repositorySnapshotMaxPages {
			b.mu.Lock()
			b.tooLarge = true
			b.mu.Unlock()
			return
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return // reads fall back to batches
		}
		for i := range page.Repositories {
			repos[aws.ToString(page.Repositories[i].RepositoryName)] = &page.Repositories[i]
		}
	}
	snap.repos = repos
}

// repositoryWritten is called before every call that may change what
// DescribeRepositories says of a repository (create, delete, settings):
// from then on the client's reads no longer use snapshots.
func repositoryWritten(client *ecr.Client) {
	b := repositoryBatcherFor(client)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.wrote, b.snapshot = true, nil
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
