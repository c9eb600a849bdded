package ecr_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

func TestWaitUntil(t *testing.T) {
	t.Parallel()
	notFound, denied := ecr.NewNotFoundError("thing"), errors.New("AccessDenied")
	for _, tc := range []struct {
		name    string
		answers []error // find's errors, one per call; the last repeats
		ok      func(int, error) bool
		timeout time.Duration
		calls   int
		wantErr string // "" for success
	}{
		{"found after not-found", []error{notFound, notFound, nil}, ecr.Found, time.Minute, 3, ""},
		{"transient retried", []error{ecr.NewTransientError(denied), nil}, ecr.Found, time.Minute, 2, ""},
		{"other error ends the wait", []error{denied, nil}, ecr.Found, time.Minute, 1, "AccessDenied"},
		{"gone", []error{nil, nil, notFound}, ecr.Gone, time.Minute, 3, ""},
		{"timeout keeps the last error", []error{notFound}, ecr.Found, 250 * time.Millisecond, 0, "gave up after 250ms: thing not found"},
		{"timeout while it still reads", []error{nil}, ecr.Gone, 250 * time.Millisecond, 0, "reads still disagree"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			v, err := ecr.WaitUntil(context.Background(), tc.timeout, func(context.Context) (int, error) {
				calls++
				return calls, tc.answers[min(calls, len(tc.answers))-1]
			}, tc.ok)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if tc.calls > 0 && (calls != tc.calls || v != tc.calls) {
				t.Errorf("%d calls, value %d; want %d", calls, v, tc.calls)
			}
			if tc.calls == 0 && calls < 2 {
				t.Errorf("%d calls before the timeout, want retries", calls)
			}
		})
	}
}

// A cancelled context ends the wait at once.
func TestWaitUntil_cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	_, err := ecr.WaitUntil(ctx, time.Minute, func(context.Context) (int, error) {
		calls++
		return 0, ecr.NewNotFoundError("thing")
	}, ecr.Found)
	if err == nil || calls != 1 || !ecr.IsNotFound(err) {
		t.Errorf("after cancel: %d calls, err %v; want 1 call and the not-found error", calls, err)
	}
}

// When ctx ends during a call, the wait reports the last answer ECR gave
// (here: a principal not yet propagated), not only the cut call's
// cancellation; both stay in the error chain.
func TestWaitUntil_deadlineDuringCall(t *testing.T) {
	t.Parallel()
	propagating := ecr.NewTransientError(errors.New("Invalid repository policy provided"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	calls := 0
	_, err := ecr.WaitUntil(ctx, time.Minute, func(ctx context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 0, propagating
		}
		<-ctx.Done()
		return 0, fmt.Errorf("no answer before the caller's deadline: %w", ctx.Err())
	}, ecr.Found)
	if err == nil || !strings.Contains(err.Error(), "Invalid repository policy provided") ||
		!errors.Is(err, propagating) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want the last answer (Invalid repository policy provided) and the deadline", err)
	}
	if calls != 2 {
		t.Errorf("%d calls, want 2", calls)
	}
}

// deleteAndWait: an already-gone answer is success without a wait; the
// delete's own error comes back unwrapped; otherwise it waits until the
// object stops reading, and a wait that runs out says so.
func TestDeleteAndWait(t *testing.T) {
	t.Parallel()
	alreadyGone, denied := errors.New("NotFoundException"), errors.New("AccessDenied")
	isAlreadyGone := func(err error) bool { return errors.Is(err, alreadyGone) }
	for _, tc := range []struct {
		name      string
		deleteErr error
		reads     int // how many reads still find the object
		timeout   time.Duration
		finds     int
		wantErr   string
	}{
		{"already gone", alreadyGone, 0, time.Minute, 0, ""},
		{"refused", denied, 0, time.Minute, 0, "AccessDenied"},
		{"deleted, reads twice more", nil, 2, time.Minute, 3, ""},
		{"never stops reading", nil, 1 << 30, 250 * time.Millisecond, -1, "waiting for the deletion: gave up after 250ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			finds := 0
			err := ecr.DeleteAndWait(context.Background(), tc.timeout, func(context.Context) error { return tc.deleteErr }, isAlreadyGone,
				func(context.Context) (int, error) {
					finds++
					if finds > tc.reads {
						return 0, ecr.NewNotFoundError("thing")
					}
					return finds, nil
				})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			case tc.deleteErr != nil && tc.wantErr != "" && !errors.Is(err, tc.deleteErr):
				t.Fatalf("err = %v, want the delete's own error", err)
			}
			if tc.finds >= 0 && finds != tc.finds {
				t.Errorf("%d reads, want %d", finds, tc.finds)
			}
		})
	}
}
