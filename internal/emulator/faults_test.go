package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// retryingClient is an SDK client with the standard retryer (3 attempts)
// but no backoff delay and no retry quota, so retries are fast and certain.
func retryingClient(url, accessKey, region string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		HTTPClient:   sdkhttp.Wrap(nil),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		}),
	})
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// attempts summarises the call log as "code@attempt" per call of op.
func attempts(emu *emulator.Emulator, op string) []string {
	var out []string
	for _, c := range emu.Calls() {
		if c.Op == op {
			code := c.ErrorCode
			if code == "" {
				code = "ok"
			}
			out = append(out, fmt.Sprintf("%s@%d", code, c.Attempt))
		}
	}
	return out
}

func TestFaultsRetriedThenSuccess(t *testing.T) {
	tests := []struct {
		fault emulator.Fault
		want  []string
	}{
		{emulator.Fault{Action: emulator.ActionThrottle, Count: 2},
			[]string{"ThrottlingException@1", "ThrottlingException@2", "ok@3"}},
		{emulator.Fault{Action: emulator.ActionThrottle429, Count: 1},
			[]string{"ThrottleException@1", "ok@2"}},
		{emulator.Fault{Action: emulator.ActionServerError, Count: 1},
			[]string{"ServerException@1", "ok@2"}},
		{emulator.Fault{Action: emulator.ActionUnavailable, Count: 1},
			[]string{"ServiceUnavailable@1", "ok@2"}},
		{emulator.Fault{Action: emulator.ActionError, ErrorType: "LimitExceededException", Message: "quota", Count: 1},
			[]string{"LimitExceededException@1", "ok@2"}},
		{emulator.Fault{Action: emulator.ActionDrop, Count: 1},
			[]string{"ConnectionDropped@1", "ok@2"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault.Action), func(t *testing.T) {
			emu := emulator.New()
			c := retryingClient(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
			tt.fault.Op = "DescribeRepositories"
			id := emu.Faults().MustAdd(tt.fault)
			if _, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{}); err != nil {
				t.Fatalf("DescribeRepositories: %v", err)
			}
			if got := attempts(emu, "DescribeRepositories"); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("calls = %v, want %v", got, tt.want)
			}
			if first := emu.Calls()[0]; first.Fault != id || first.Account != "123456789012" || first.Region != "us-west-2" {
				t.Errorf("first call = %+v", first)
			}
			if got := emu.CallCounts()["DescribeRepositories"]; got != len(tt.want) {
				t.Errorf("count = %d", got)
			}
		})
	}
}

func TestFaultsAnswers(t *testing.T) {
	tests := []struct {
		name       string
		fault      emulator.Fault
		wantCode   string
		wantStatus int
	}{
		{"throttling exhausts retries", emulator.Fault{Action: emulator.ActionThrottle}, "ThrottlingException", 400},
		{"429", emulator.Fault{Action: emulator.ActionThrottle429}, "ThrottleException", 429},
		{"server error", emulator.Fault{Action: emulator.ActionServerError}, "ServerException", 500},
		{"unavailable", emulator.Fault{Action: emulator.ActionUnavailable}, "ServiceUnavailable", 503},
		{"modelled error, not retried", emulator.Fault{Action: emulator.ActionError, ErrorType: "KmsException",
			Message: "key disabled", Status: 400}, "KmsException", 400},
		{"error with status", emulator.Fault{Action: emulator.ActionError, ErrorType: "AccessDeniedException",
			Message: "no", Status: 403}, "AccessDeniedException", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New()
			c := retryingClient(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
			emu.Faults().MustAdd(tt.fault)
			_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
			if errCode(err) != tt.wantCode || httpStatus(err) != tt.wantStatus {
				t.Fatalf("got %q %d, want %q %d (%v)", errCode(err), httpStatus(err), tt.wantCode, tt.wantStatus, err)
			}
		})
	}
}

func TestFaultHangUntilClientGivesUp(t *testing.T) {
	emu := emulator.New()
	c := clientFor(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionHang})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	// The server notices the closed connection asynchronously.
	deadline := time.Now().Add(5 * time.Second)
	for fmt.Sprint(attempts(emu, "DescribeRepositories")) != "[RequestCanceled@1]" {
		if time.Now().After(deadline) {
			t.Fatalf("calls = %v", attempts(emu, "DescribeRepositories"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Other operations are not affected.
	mustCreateRepo(t, c, "unaffected")
}

func TestFaultDropWithoutRetry(t *testing.T) {
	emu := emulator.New()
	c := clientFor(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionDrop, Count: 1})
	_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
	if err == nil || errCode(err) == "" || httpStatus(err) != 0 {
		t.Fatalf("err = %v, want a transport error", err)
	}
}

func TestFaultLatency(t *testing.T) {
	emu := emulator.New()
	c := clientFor(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
	// Latency adds up and lets a later rule decide the answer.
	emu.Faults().MustAdd(emulator.Fault{Op: "Describe*", Action: emulator.ActionLatency, Latency: 30 * time.Millisecond})
	emu.Faults().MustAdd(emulator.Fault{Op: "Describe*", Action: emulator.ActionLatency, Latency: 30 * time.Millisecond})
	start := time.Now()
	if _, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered after %v, want at least 60ms", d)
	}
	emu.Faults().MustAdd(emulator.Fault{Op: "Describe*", Action: emulator.ActionError, ErrorType: "ValidationException"})
	_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
	if errCode(err) != "ValidationException" {
		t.Errorf("err = %v", err)
	}
	// A client that gives up during the delay ends the request.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

func TestFaultMatching(t *testing.T) {
	emu := emulator.New()
	url := startServer(t, emu)
	ctx := context.Background()
	def := clientFor(url, "AKIDEXAMPLE", "us-west-2")
	other := clientFor(url, "111122223333", "us-west-2")
	otherRegion := clientFor(url, "111122223333", "eu-west-1")
	f := emu.Faults()
	id := f.MustAdd(emulator.Fault{Op: "Create*", Account: "111122223333", Region: "us-west-2", Action: emulator.ActionThrottle})

	describe := func(c *ecr.Client) string {
		_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		return errCode(err)
	}
	create := func(c *ecr.Client, name string) string {
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
		return errCode(err)
	}
	checks := []struct {
		name, got, want string
	}{
		{"matching call", create(other, "repo-a"), "ThrottlingException"},
		{"other op", describe(other), ""},
		{"other account", create(def, "repo-a"), ""},
		{"other region", create(otherRegion, "repo-a"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if got := f.List(); len(got) != 1 || got[0].ID != id {
		t.Errorf("List = %+v", got)
	}
	if !f.Remove(id) || f.Remove(id) {
		t.Error("Remove should succeed once")
	}
	if got := create(other, "repo-a"); got != "" {
		t.Errorf("after Remove: %q", got)
	}
	f.MustAdd(emulator.Fault{Action: emulator.ActionServerError})
	f.MustAdd(emulator.Fault{Action: emulator.ActionThrottle})
	f.Clear()
	if got := describe(def); got != "" || len(f.List()) != 0 {
		t.Errorf("after Clear: %q %v", got, f.List())
	}
	emu.ResetCalls()
	if len(emu.Calls()) != 0 || len(emu.CallCounts()) != 0 {
		t.Error("ResetCalls left entries")
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func(seed uint64) string {
		emu := emulator.New(emulator.WithFaultSeed(seed))
		c := clientFor(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
		emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionThrottle, Probability: 0.5})
		out := ""
		for range 40 {
			_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
			if err != nil {
				out += "T"
			} else {
				out += "."
			}
		}
		return out
	}
	a, b := run(7), run(7)
	if a != b {
		t.Errorf("same seed, different sequences:\n%s\n%s", a, b)
	}
	if !contains(a, 'T') || !contains(a, '.') {
		t.Errorf("probability 0.5 gave %s", a)
	}
	if c := run(8); c == a {
		t.Errorf("seeds 7 and 8 gave the same sequence %s", a)
	}
}

func contains(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

func TestFaultCountLimitsFirings(t *testing.T) {
	emu := emulator.New()
	c := clientFor(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
	emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionServerError, Count: 2})
	var got []string
	for range 4 {
		_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
		got = append(got, errCode(err))
	}
	if want := "[ServerException ServerException  ]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// An injected error carries its extra members, and the SDK decodes them
// into the modelled error (ecr-api.md: KmsException{message, kmsError}).
func TestFaultErrorExtraMembers(t *testing.T) {
	emu := emulator.New()
	c := retryingClient(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
	var f emulator.Fault
	if err := json.Unmarshal([]byte(`{"op":"CreateRepository","action":"error","errorType":"KmsException",`+
		`"message":"The key is disabled","extra":{"kmsError":"DisabledException"},"count":1}`), &f); err != nil {
		t.Fatal(err)
	}
	emu.Faults().MustAdd(f)
	_, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("kms")})
	var kms *types.KmsException
	if !errors.As(err, &kms) || aws.ToString(kms.KmsError) != "DisabledException" || kms.ErrorMessage() != "The key is disabled" {
		t.Fatalf("error = %v, want KmsException with kmsError DisabledException", err)
	}
	// The rule's JSON form keeps the members.
	if b, _ := json.Marshal(emu.Faults().List()[0]); !strings.Contains(string(b), `"extra":{"kmsError":"DisabledException"}`) {
		t.Errorf("rule JSON = %s", b)
	}
}

func TestFaultInvalidRules(t *testing.T) {
	tests := []emulator.Fault{
		{Action: "explode"},
		{Op: "[", Action: emulator.ActionThrottle},
		{Action: emulator.ActionThrottle, Probability: 1.5},
		{Action: emulator.ActionThrottle, Count: -1},
		{Action: emulator.ActionLatency},
		{Action: emulator.ActionError},
		{Action: emulator.ActionError, ErrorType: "X", Status: 200},
		{Action: emulator.ActionLag},
		{Action: emulator.ActionLatency, Latency: time.Second, After: true},
		{Action: emulator.ActionLag, LagReads: 1, After: true},
		{Action: emulator.ActionError, ErrorType: "X", Extra: map[string]any{"message": "twice"}},
		{Action: emulator.ActionThrottle, Extra: map[string]any{"kmsError": "x"}},
	}
	for _, f := range tests {
		if _, err := emulator.New().Faults().Add(f); err == nil {
			t.Errorf("Add(%+v) accepted", f)
		}
	}
}

func TestConsistencyLagByReads(t *testing.T) {
	c, emu := newClient(t)
	ctx := context.Background()
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: 2})
	describe := func() string {
		_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"lagging"}})
		return errCode(err)
	}
	mustCreateRepo(t, c, "lagging")
	var got []string
	for range 3 {
		got = append(got, describe())
	}
	if want := "[RepositoryNotFoundException RepositoryNotFoundException ]"; fmt.Sprint(got) != want {
		t.Errorf("after create: %v, want %s", got, want)
	}
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("lagging")}); err != nil {
		t.Fatal(err)
	}
	got = nil
	for range 3 {
		got = append(got, describe())
	}
	if want := "[  RepositoryNotFoundException]"; fmt.Sprint(got) != want {
		t.Errorf("after delete: %v, want %s", got, want)
	}
}

func TestConsistencyLagByTime(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, emu := newClient(t, emulator.WithClock(clk))
	ctx := context.Background()
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, LagFor: time.Minute, Account: "123456789012"})
	mustCreateRepo(t, c, "slow")
	for range 5 {
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		if err != nil || len(out.Repositories) != 0 {
			t.Fatalf("listed during lag: %v %v", out, err)
		}
	}
	clk.Advance(time.Minute)
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 1 {
		t.Fatalf("after lag: %v %v", out, err)
	}
	// A lag rule of another account does not apply.
	other := clientFor(startServer(t, emu), "111122223333", "us-west-2")
	mustCreateRepo(t, other, "fast")
	if _, err := other.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"fast"}}); err != nil {
		t.Errorf("other account lagged: %v", err)
	}
}

// TestFaultsConcurrent exercises the fault and lag bookkeeping from many
// goroutines (run with -race).
func TestFaultsConcurrent(t *testing.T) {
	emu := emulator.New(emulator.WithTransitionDelay(0))
	url := startServer(t, emu)
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionThrottle, Probability: 0.3})
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, LagReads: 1})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := retryingClient(url, "AKIDEXAMPLE", "us-west-2")
			for i := range 10 {
				name := fmt.Sprintf("r%d-%d", g, i)
				_, _ = c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
				_, _ = c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
				_, _ = c.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String(name)})
				_ = emu.Calls()
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range emu.CallCounts() {
		total += n
	}
	if total != len(emu.Calls()) || total < 240 {
		t.Errorf("counts %d, log %d", total, len(emu.Calls()))
	}
}

// TestFaultAfter checks rules that strike once the operation has run: the
// change is made, the answer is lost, and a retry sees the change.
func TestFaultAfter(t *testing.T) {
	tests := []struct {
		name      string
		fault     emulator.Fault
		wantCalls []string
	}{
		{"server error", emulator.Fault{Action: emulator.ActionServerError},
			[]string{"ServerException@1", "RepositoryAlreadyExistsException@2"}},
		{"throttle", emulator.Fault{Action: emulator.ActionThrottle},
			[]string{"ThrottlingException@1", "RepositoryAlreadyExistsException@2"}},
		{"unavailable", emulator.Fault{Action: emulator.ActionUnavailable},
			[]string{"ServiceUnavailable@1", "RepositoryAlreadyExistsException@2"}},
		{"drop", emulator.Fault{Action: emulator.ActionDrop},
			[]string{"ConnectionDropped@1", "RepositoryAlreadyExistsException@2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := emulator.New()
			c := retryingClient(startServer(t, emu), "AKIDEXAMPLE", "us-west-2")
			tt.fault.Op, tt.fault.After, tt.fault.Count = "CreateRepository", true, 1
			id := emu.Faults().MustAdd(tt.fault)
			_, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("made")})
			if errCode(err) != "RepositoryAlreadyExistsException" {
				t.Fatalf("CreateRepository: %v, want RepositoryAlreadyExistsException after the retry", err)
			}
			if got := attempts(emu, "CreateRepository"); fmt.Sprint(got) != fmt.Sprint(tt.wantCalls) {
				t.Errorf("calls = %v, want %v", got, tt.wantCalls)
			}
			if first := emu.Calls()[0]; first.Fault != id {
				t.Errorf("first call's fault = %q, want %q", first.Fault, id)
			}
			out, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"made"}})
			if err != nil || len(out.Repositories) != 1 {
				t.Errorf("repository not created: %v", err)
			}
		})
	}
}

// TestFaultAfterAnswer checks the answer of an After rule without retries:
// a modelled error replaces the result (and replaces the operation's own
// error too), and rules without After still strike before the operation.
func TestFaultAfterAnswer(t *testing.T) {
	ctx := context.Background()
	c, emu := newClient(t)
	emu.Faults().MustAdd(emulator.Fault{Op: "DeleteRepository", Action: emulator.ActionError, After: true,
		ErrorType: "LimitExceededException", Message: "lost", Count: 2})
	mustCreateRepo(t, c, "doomed")
	_, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("doomed")})
	if errCode(err) != "LimitExceededException" || httpStatus(err) != 400 {
		t.Fatalf("DeleteRepository: %v", err)
	}
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"doomed"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("repository still there: %v", err)
	}
	// The second firing answers the fault although the operation failed.
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("doomed")})
	if errCode(err) != "LimitExceededException" {
		t.Errorf("second DeleteRepository: %v", err)
	}
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("doomed")})
	if errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("after the rule's count: %v", err)
	}

	emu.Faults().MustAdd(emulator.Fault{Op: "CreateRepository", Action: emulator.ActionServerError, Count: 1})
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("before")}); errCode(err) != "ServerException" {
		t.Fatalf("CreateRepository: %v", err)
	}
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"before"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("a rule without After let the operation run: %v", err)
	}
}

func TestFaultAfterHang(t *testing.T) {
	c, emu := newClient(t)
	emu.Faults().MustAdd(emulator.Fault{Op: "CreateRepository", Action: emulator.ActionHang, After: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("hung")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if _, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"hung"}}); err != nil {
		t.Errorf("repository not created: %v", err)
	}
}

// TestFaultsAddRemoveWhileServing installs and removes rules while requests
// run, so that -race sees the lock-free no-rule path next to Add, Remove
// and Clear. Every answer must be a success or the rule's error.
func TestFaultsAddRemoveWhileServing(t *testing.T) {
	emu := emulator.New(emulator.WithTransitionDelay(0))
	url := startServer(t, emu)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			id := emu.Faults().MustAdd(emulator.Fault{Op: "DescribeRepositories", Action: emulator.ActionError, ErrorType: "LimitExceededException"})
			emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: 1})
			emu.Faults().Remove(id)
			if i%2 == 0 {
				emu.Faults().Clear()
			}
		}
	}()
	var errs sync.Map
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clientFor(url, "AKIDEXAMPLE", "us-west-2")
			for i := range 25 {
				name := fmt.Sprintf("w%d-%d", g, i)
				_, _ = c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)})
				_, err := c.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
				if code := errCode(err); code != "" && code != "LimitExceededException" {
					errs.Store(code, err)
				}
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for emu.CallCounts()["DescribeRepositories"] < 100 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	errs.Range(func(k, v any) bool {
		t.Errorf("unexpected answer %v: %v", k, v)
		return true
	})
}
