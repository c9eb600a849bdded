package ecr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Waiting until reads agree with a write. ECR is eventually consistent: an
// object just created may not be readable yet, one just deleted may still
// be, and a replaced policy may still read as the old one. Every resource
// records what it wrote in state first (so a failed wait taints instead of
// orphaning) and then waits with waitUntil.

// propagationTimeout bounds how long a new object may stay invisible to
// reads (ECR is eventually consistent). A variable so that tests can shorten it.
var propagationTimeout = 2 * time.Minute

// Backoff of the polling loops: the first wait, doubled up to the cap.
var (
	pollInitial = 100 * time.Millisecond
	pollMax     = 5 * time.Second
)

// waitUntil calls find until ok accepts its answer, then returns that
// answer with a nil error; between calls it backs off exponentially, for at
// most timeout and never past ctx. An answer ok refuses is retried when its
// error is nil (the object reads, but not as wanted yet), a finder's
// not-found error, or transient (isTransient); any other error ends the
// wait and is returned. When time runs out the last answer stands, its
// error wrapped in a message that says how long it waited; a call that ctx
// cut short is no answer, so then the one before it stands (the user is
// told why the wait went on, such as an IAM principal not yet propagated,
// rather than that the last call was cancelled).
func waitUntil[T any](ctx context.Context, timeout time.Duration, find func(context.Context) (T, error), ok func(T, error) bool) (T, error) {
	deadline := time.Now().Add(timeout)
	wait := pollInitial
	var (
		answered  bool  // some call was answered before ctx ended
		lastError error // the error of the last answered call
	)
	for {
		v, err := find(ctx)
		if ok(v, err) {
			return v, nil
		}
		cut := ctx.Err() != nil
		if !cut {
			answered, lastError = true, err
			if err != nil && !isNotFound(err) && !isTransient(err) {
				return v, err
			}
		}
		if cut || time.Now().Add(wait).After(deadline) {
			switch {
			case cut && answered && lastError != nil:
				err = fmt.Errorf("%w (the call after it was cut short: %w)", lastError, err)
			case cut && answered:
				err = fmt.Errorf("reads still disagree with the write (the call after the last read was cut short: %w)", err)
			case err == nil:
				err = errors.New("reads still disagree with the write")
			}
			return v, fmt.Errorf("gave up after %s: %w", timeout.Round(time.Millisecond), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		wait = min(2*wait, pollMax)
	}
}

// deleteAndWait is every Delete's call-then-wait: it calls del and, unless
// ECR answers that the object is already gone (alreadyGone: success), waits
// until find no longer reads it (a deleted object may still read for a
// while). The delete's own error comes back as it is, so that callers can
// still tell ECR's exceptions apart; a failed wait says it was the wait.
func deleteAndWait[T any](ctx context.Context, timeout time.Duration, del func(context.Context) error, alreadyGone func(error) bool, find func(context.Context) (T, error)) error {
	if err := del(ctx); alreadyGone(err) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := waitUntil(ctx, timeout, find, gone); err != nil {
		return fmt.Errorf("waiting for the deletion: %w", err)
	}
	return nil
}

// found accepts an answer without error: the object reads.
func found[T any](_ T, err error) bool { return err == nil }

// gone accepts a not-found answer: the object no longer reads.
func gone[T any](_ T, err error) bool { return isNotFound(err) }

// transientError marks an error a resource knows to be temporary (such as
// a policy naming an IAM principal that has not propagated yet), so that
// waitUntil retries it.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// isTransient reports whether an error may go away by itself: one marked
// transientError, or one the AWS SDK's standard retryer retries (throttling,
// 5xx, connection errors), which reaches us only once the client's own
// attempts are spent.
func isTransient(err error) bool {
	if _, ok := errors.AsType[*transientError](err); ok {
		return true
	}
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}
