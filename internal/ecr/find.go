package ecr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// propagationTimeout bounds how long a new object may stay invisible to
// reads (ECR is eventually consistent). A variable so that tests can shorten it.
var propagationTimeout = 2 * time.Minute

// Backoff of the polling loops: the first wait, doubled up to the cap.
var (
	pollInitial = 100 * time.Millisecond
	pollMax     = 5 * time.Second
)

// findRepositoryByName returns the repository of the caller's registry, or
// a notFoundError. Concurrent calls share DescribeRepositories calls
// (repository_batch.go).
func findRepositoryByName(ctx context.Context, client *ecr.Client, name string) (*awstypes.Repository, error) {
	return repositoryBatcherFor(client).find(ctx, client, name)
}

// findRepository returns the single repository that input names.
func findRepository(ctx context.Context, client *ecr.Client, input *ecr.DescribeRepositoriesInput) (*awstypes.Repository, error) {
	what := fmt.Sprintf("ECR Repository (%v)", input.RepositoryNames)
	out, err := client.DescribeRepositories(ctx, input)
	if isRepositoryNotFound(err) {
		return nil, &notFoundError{what: what, err: err}
	}
	if err != nil {
		return nil, err
	}
	for i := range out.Repositories {
		// Eventual consistency: only the name asked for counts.
		if aws.ToString(out.Repositories[i].RepositoryName) == input.RepositoryNames[0] {
			return &out.Repositories[i], nil
		}
	}
	return nil, &notFoundError{what: what}
}

// retryWhenNotFound calls f until it returns something other than a
// not-found error or timeout has passed; then the last result stands. Use it
// to read an object just created.
func retryWhenNotFound[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	poll(ctx, timeout, func() bool {
		v, err = f(ctx)
		return !isNotFound(err)
	})
	return v, err
}

// waitUntilNotFound calls f until it returns a not-found error (then nil),
// another error (returned), or timeout passes. Use it after a delete.
func waitUntilNotFound[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) error {
	var err error
	done := poll(ctx, timeout, func() bool {
		_, err = f(ctx)
		return err != nil
	})
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return err
	case !done:
		return errors.New("timed out waiting for the deletion to be visible")
	}
	return nil
}

// poll calls try until it reports done, with exponential backoff, for at
// most timeout (and not past ctx). It reports whether try said done.
func poll(ctx context.Context, timeout time.Duration, try func() bool) bool {
	deadline := time.Now().Add(timeout)
	wait := pollInitial
	for {
		if try() {
			return true
		}
		if time.Now().Add(wait).After(deadline) {
			return false
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
	}
}
