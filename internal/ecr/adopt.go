package ecr

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Creates whose answer was lost.
//
// When a Create call succeeds but its answer is lost (a 5xx from a proxy or
// load balancer after the change, a dropped connection, a deadline that
// passed while ECR was working), the SDK retries it and the retry answers
// "already exists": the object exists, and the apply would fail leaving it
// outside the state. createOrAdopt closes that gap for every create: when
// a retried create answers "already exists" after an earlier attempt of
// the same call failed ambiguously, it reads the object and adopts it if
// it is the one this call created: the same settings and tags, created
// within the call's window (ECR's createdAt, compared in the server's
// clock). Otherwise the "already exists" error stands: an object that
// existed before, or someone else's, is never taken over silently.
//
// A new create uses it with a few lines: its call, its "already exists"
// predicate, and a "mine" check that reads the object and compares it with
// the input (see createRepository).
//
// Put operations (SetRepositoryPolicy, PutLifecyclePolicy, the registry
// settings) need none of this: they replace whole, so a retry after a lost
// answer writes the same document again and succeeds.

// createWindow is when a create call ran, in the server's clock when the
// call got an answer with a Date header, else in the local clock.
type createWindow struct {
	from, to time.Time
}

func (w createWindow) contains(t time.Time) bool {
	return !t.Before(w.from) && !t.After(w.to)
}

func (w createWindow) String() string {
	return fmt.Sprintf("%s to %s", w.from.UTC().Format(time.RFC3339), w.to.UTC().Format(time.RFC3339))
}

// Slack of the window: a Date header has whole seconds; without one the
// local clock may be as far from ECR's as SigV4 allows (15 minutes).
const (
	createWindowSlack        = 2 * time.Second
	createWindowSlackNoClock = 15 * time.Minute
)

// attemptLog records the attempts of one call: a middleware inside the
// SDK's retry loop sees the outcome of each.
type attemptLog struct {
	mu         sync.Mutex
	attempts   int
	ambiguous  int       // failed attempts that may have been carried out
	serverTime time.Time // Date of the last answer
}

// option adds the recording middleware to one call.
func (l *attemptLog) option() func(*ecr.Options) {
	return func(o *ecr.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("ecrkit.AttemptLog",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
					middleware.FinalizeOutput, middleware.Metadata, error,
				) {
					out, md, err := next.HandleFinalize(ctx, in)
					l.record(md, err)
					return out, md, err
				}), "Retry", middleware.After)
		})
	}
}

func (l *attemptLog) record(md middleware.Metadata, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempts++
	if err != nil && mayHaveBeenCarriedOut(err) {
		l.ambiguous++
	}
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil && raw.Response != nil {
		if t, perr := http.ParseTime(raw.Header.Get("Date")); perr == nil {
			l.serverTime = t
		}
	}
}

// window is the call's window given its local start and end.
func (l *attemptLog) window(start, end time.Time) createWindow {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.serverTime.IsZero() {
		return createWindow{from: start.Add(-createWindowSlackNoClock), to: end.Add(createWindowSlackNoClock)}
	}
	// The last answer came at the end of the call.
	return createWindow{from: l.serverTime.Add(-end.Sub(start) - createWindowSlack), to: l.serverTime.Add(createWindowSlack)}
}

// mayHaveBeenCarriedOut reports whether a failed attempt may have made its
// change: it got no answer after the request may have been sent (dropped
// connection, timeout), or a 5xx. A 4xx, or a connection never made, says
// the request was not carried out.
func mayHaveBeenCarriedOut(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return re.HTTPStatusCode() >= 500
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return false
	}
	return true
}

// adoptableCreate is a create call that can adopt its own lost result.
type adoptableCreate[T any] struct {
	what string // "ECR Repository (name)", for logs and errors
	// create makes the call with the options given (the attempt log).
	create func(ctx context.Context, optFns ...func(*ecr.Options)) (T, error)
	// alreadyExists reports whether an error is the API's "already exists".
	alreadyExists func(error) bool
	// mine reads the existing object and returns it if it is what create
	// asked for and was created within window; otherwise an error saying
	// why it is not this call's.
	mine func(ctx context.Context, window createWindow) (T, error)
}

// createOrAdopt calls c.create; see the comment at the top of the file.
func createOrAdopt[T any](ctx context.Context, c adoptableCreate[T]) (T, error) {
	var log attemptLog
	start := time.Now()
	out, err := c.create(ctx, log.option())
	if err == nil || !c.alreadyExists(err) {
		return out, err
	}
	log.mu.Lock()
	attempts, ambiguous := log.attempts, log.ambiguous
	log.mu.Unlock()
	if ambiguous == 0 {
		return out, err // it existed before this call
	}
	window := log.window(start, time.Now())
	fields := map[string]any{"attempts": attempts, "ambiguous_attempts": ambiguous, "window": window.String()}
	adopted, merr := c.mine(ctx, window)
	if merr != nil {
		fields["reason"] = merr.Error()
		tflog.Warn(ctx, c.what+" already exists and is not the one this call created: not adopted", fields)
		return out, fmt.Errorf("%w\n\nAn earlier attempt of this call got no usable answer, but the existing object "+
			"is not the one it created, so it is not adopted: %s", err, merr)
	}
	tflog.Info(ctx, "the answer of an earlier attempt was lost; adopted the "+c.what+" it created", fields)
	return adopted, nil
}

// ---- per type ----

// isRepositoryAlreadyExists reports whether err is ECR's RepositoryAlreadyExistsException.
func isRepositoryAlreadyExists(err error) bool {
	var e *awstypes.RepositoryAlreadyExistsException
	return errors.As(err, &e)
}

// createRepository calls CreateRepository, adopting the repository an
// earlier attempt created when the answer was lost.
func createRepository(ctx context.Context, client *ecr.Client, input *ecr.CreateRepositoryInput) (*awstypes.Repository, error) {
	name := aws.ToString(input.RepositoryName)
	return createOrAdopt(ctx, adoptableCreate[*awstypes.Repository]{
		what: fmt.Sprintf("ECR Repository (%s)", name),
		create: func(ctx context.Context, optFns ...func(*ecr.Options)) (*awstypes.Repository, error) {
			repositoryWritten(client)
			out, err := client.CreateRepository(ctx, input, optFns...)
			if err != nil {
				return nil, err
			}
			return out.Repository, nil
		},
		alreadyExists: isRepositoryAlreadyExists,
		mine: func(ctx context.Context, w createWindow) (*awstypes.Repository, error) {
			repo, err := waitUntil(ctx, propagationTimeout, func(ctx context.Context) (*awstypes.Repository, error) {
				return findRepositoryByName(ctx, client, name)
			}, found[*awstypes.Repository])
			if err != nil {
				return nil, err
			}
			if err := repositoryMatches(repo, input, w); err != nil {
				return nil, err
			}
			tags, err := listTags(ctx, client, aws.ToString(repo.RepositoryArn))
			if err != nil {
				return nil, err
			}
			want := map[string]string{}
			for _, t := range input.Tags {
				want[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			maps.DeleteFunc(tags, func(k, _ string) bool { return strings.HasPrefix(k, "aws:") })
			if !maps.Equal(tags, want) {
				return nil, fmt.Errorf("its tags %v are not the requested %v", tags, want)
			}
			return repo, nil
		},
	})
}

// repositoryMatches says how repo differs from what input asked for, or
// whether it was created outside window; nil if it is input's.
func repositoryMatches(repo *awstypes.Repository, input *ecr.CreateRepositoryInput, w createWindow) error {
	if created := aws.ToTime(repo.CreatedAt); !w.contains(created) {
		return fmt.Errorf("it was created at %s, outside this call (%s)", created.UTC().Format(time.RFC3339), w)
	}
	mutability := input.ImageTagMutability
	if mutability == "" {
		mutability = awstypes.ImageTagMutabilityMutable
	}
	if repo.ImageTagMutability != mutability {
		return fmt.Errorf("its image_tag_mutability is %s, not %s", repo.ImageTagMutability, mutability)
	}
	sameFilter := func(a, b awstypes.ImageTagMutabilityExclusionFilter) bool {
		return aws.ToString(a.Filter) == aws.ToString(b.Filter) && a.FilterType == b.FilterType
	}
	if !slices.EqualFunc(repo.ImageTagMutabilityExclusionFilters, input.ImageTagMutabilityExclusionFilters, sameFilter) {
		return errors.New("its image tag mutability exclusion filters differ")
	}
	scan := input.ImageScanningConfiguration != nil && input.ImageScanningConfiguration.ScanOnPush
	if got := repo.ImageScanningConfiguration != nil && repo.ImageScanningConfiguration.ScanOnPush; got != scan {
		return fmt.Errorf("its scan_on_push is %t, not %t", got, scan)
	}
	wantEnc, wantKey := awstypes.EncryptionTypeAes256, ""
	if e := input.EncryptionConfiguration; e != nil {
		wantEnc, wantKey = e.EncryptionType, aws.ToString(e.KmsKey)
	}
	gotEnc, gotKey := awstypes.EncryptionTypeAes256, ""
	if e := repo.EncryptionConfiguration; e != nil {
		gotEnc, gotKey = e.EncryptionType, aws.ToString(e.KmsKey)
	}
	if gotEnc != wantEnc || (wantKey != "" && !sameKMSKey(wantKey, gotKey)) {
		return fmt.Errorf("its encryption (%s %s) is not the requested (%s %s)", gotEnc, gotKey, wantEnc, wantKey)
	}
	return nil
}
