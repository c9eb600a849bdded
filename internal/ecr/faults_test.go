package ecr_test

// Reliability of the provider under the failures ECR really produces:
// throttling and 5xx answers on any call, eventual consistency of new and
// deleted repositories, and an apply that fails half-way. These tests need
// the emulator's fault injection and skip under the moto backend.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/loopback"
)

// testAccFaultsTransient are the transient failures injected on every
// operation, with the error code each one answers.
var testAccFaultsTransient = map[emulator.FaultAction]string{
	emulator.ActionThrottle:    "ThrottlingException", // 400
	emulator.ActionThrottle429: "ThrottleException",   // 429
	emulator.ActionServerError: "ServerException",     // 500
	emulator.ActionUnavailable: "ServiceUnavailable",  // 503
}

// TestAccFaults_manyRepositories applies, re-plans and destroys 30
// repositories, each with a repository policy and a lifecycle policy,
// while about a quarter of all calls (every operation) are throttled or
// fail with a 5xx. It must all succeed, with every faulted attempt retried.
func TestAccFaults_manyRepositories(t *testing.T) {
	const (
		repositories = 30
		share        = 0.25 // of all calls answered with an injected fault
	)
	b := acctest.NewBackend(t, emulator.WithFaultSeed(20240611))
	b.RequireEmulator(t, "fault injection")
	// Four rules tried in turn, each firing with probability p, fault a
	// call with probability 1-(1-p)^4 = share.
	p := 1 - math.Pow(1-share, 1.0/float64(len(testAccFaultsTransient)))
	for _, action := range slices.Sorted(maps.Keys(testAccFaultsTransient)) {
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: action, Probability: p})
	}
	prefix := acctest.RandomName("tf-acc-faults")
	start := time.Now()
	var applied time.Time

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			all := testAccFaultsSummarize(b.Emulator.Calls())
			t.Logf("apply+plans+destroy: %s in %s (destroy and its refresh %s)",
				all, time.Since(start).Round(time.Millisecond), time.Since(applied).Round(time.Millisecond))
			if err := all.check(len(testAccFaultsTransient)); err != nil {
				return err
			}
			b.Emulator.Faults().Clear()
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{{
			Config: b.Config(testAccFaultsConfig_many(prefix, repositories)),
			Check: func(*terraform.State) error {
				applied = time.Now()
				st := testAccFaultsSummarize(b.Emulator.Calls())
				t.Logf("apply: %s in %s", st, applied.Sub(start).Round(time.Millisecond))
				if n := st.byOp["CreateRepository"] - st.faultedByOp["CreateRepository"]; n != repositories {
					return fmt.Errorf("%d successful CreateRepository calls, want %d (one per repository)", n, repositories)
				}
				return st.check(1)
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// TestAccFaults_eventualConsistency creates and destroys repositories with
// policies while every new repository stays invisible for its first reads
// and every deleted one stays visible for its first reads after the delete.
func TestAccFaults_eventualConsistency(t *testing.T) {
	const (
		repositories = 5
		lagReads     = 3
	)
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "consistency lag fault")
	b.Emulator.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: lagReads})
	prefix := acctest.RandomName("tf-acc-faults-lag")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			// Every deleted repository stays visible for its first
			// lagReads reads, and the deletion waits until a read sees it
			// gone, so at least repositories*lagReads reads saw a ghost.
			// Counted by the emulator per repository read, since one
			// batched DescribeRepositories call reads several.
			if !slices.ContainsFunc(b.Emulator.Calls(), func(c emulator.Call) bool {
				return c.Op == "DeleteRepository" && c.ErrorCode == ""
			}) {
				return errors.New("no repository was deleted")
			}
			_, ghosts := b.Emulator.Faults().StaleReads("repository")
			t.Logf("destroy: %d reads saw a deleted repository", ghosts)
			if ghosts < repositories*lagReads {
				return fmt.Errorf("%d reads saw a deleted repository, want at least %d: the lag did not apply or the deletion did not wait it out",
					ghosts, repositories*lagReads)
			}
			// The lag rule stays installed: a ghost the provider did not
			// wait out would still be found here.
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{{
			Config: b.Config(testAccFaultsConfig_many(prefix, repositories)),
			Check: func(*terraform.State) error {
				hidden, _ := b.Emulator.Faults().StaleReads("repository")
				t.Logf("apply: %d reads did not see a new repository", hidden)
				if hidden < repositories*lagReads {
					return fmt.Errorf("%d reads did not see a new repository, want at least %d: the lag did not apply",
						hidden, repositories*lagReads)
				}
				return nil
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// TestAccFaults_failedApply: when PutLifecyclePolicy fails for good, the
// apply fails but the state holds the repository that was created, and
// nothing else; the next plan creates only the lifecycle policy, and the
// repository is never created twice.
func TestAccFaults_failedApply(t *testing.T) {
	b := testAccFaultsDenied(t, "PutLifecyclePolicy")
	rName := acctest.RandomName("tf-acc-faults-fail")
	testAccFaultsFailThenApply(t, b, b.Config(testAccFaultsConfig_one(rName)),
		regexp.MustCompile(`(?s)creating ECR Lifecycle Policy.*AccessDeniedException`),
		resource.TestStep{
			PreConfig: func() {
				ctx := context.Background()
				if _, err := ecr.FindRepositoryByName(ctx, b.Client, rName); err != nil {
					t.Fatalf("after the failed apply the repository must exist: %s", err)
				}
				if _, err := ecr.FindLifecyclePolicyByName(ctx, b.Client, rName); !ecr.IsNotFound(err) {
					t.Fatalf("after the failed apply the lifecycle policy must not exist, got: %v", err)
				}
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ecr_repository.test", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("ecr_lifecycle_policy.test", plancheck.ResourceActionCreate),
					testAccFaultsExpectChanges(1),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: func(*terraform.State) error {
				counts := b.Emulator.CallCounts()
				if n := counts["CreateRepository"]; n != 1 {
					return fmt.Errorf("CreateRepository called %d times, want 1", n)
				}
				if n := counts["PutLifecyclePolicy"]; n != 2 {
					return fmt.Errorf("PutLifecyclePolicy called %d times, want 2 (denied, then accepted)", n)
				}
				_, err := ecr.FindLifecyclePolicyByName(context.Background(), b.Client, rName)
				return err
			},
		})
}

// TestAccFaults_failedReadAfterCreate: when the read that follows
// CreateRepository fails for good, the repository exists; the state must
// know it so that the next apply neither fails on the name
// (RepositoryAlreadyExistsException) nor orphans it.
func TestAccFaults_failedReadAfterCreate(t *testing.T) {
	b := testAccFaultsDenied(t, "DescribeRepositories")
	rName := acctest.RandomName("tf-acc-faults-read")
	testAccFaultsFailThenApply(t, b, b.Config(testAccRepositoryConfig_basic(rName)),
		regexp.MustCompile(`(?s)reading ECR Repository.*AccessDeniedException`),
		resource.TestStep{
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		})
}

// TestAccFaults_lostCreateAnswers: half of all answers are lost after
// the change was made (a 5xx or a dropped connection once the operation
// has run), so retried creates answer RepositoryAlreadyExistsException.
// Each repository a lost answer created is adopted: the apply succeeds
// with all of them in state, the plan after it is empty, nothing is left
// outside the state, and destroy leaves nothing.
func TestAccFaults_lostCreateAnswers(t *testing.T) {
	const repositories = 30
	b := acctest.NewBackend(t, emulator.WithFaultSeed(20261204))
	b.RequireEmulator(t, "fault injection")
	// Two rules tried in turn, each firing with probability p, lose an
	// answer with probability 1-(1-p)^2 = 0.5.
	p := 1 - math.Sqrt(0.5)
	for _, action := range []emulator.FaultAction{emulator.ActionServerError, emulator.ActionDrop} {
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: action, Probability: p, After: true})
	}
	prefix := acctest.RandomName("tf-acc-faults-lost")
	start := time.Now()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			st := testAccFaultsSummarize(b.Emulator.Calls())
			t.Logf("apply+plan+destroy: %s in %s", st, time.Since(start).Round(time.Millisecond))
			b.Emulator.Faults().Clear()
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{{
			Config: b.Config(testAccFaultsConfig_tagged(prefix, repositories)),
			Check: func(s *terraform.State) error {
				calls := b.Emulator.Calls()
				st := testAccFaultsSummarize(calls)
				var lost, exists int
				for _, c := range calls {
					if c.Op != "CreateRepository" {
						continue
					}
					if c.Fault != "" {
						lost++
					}
					if c.ErrorCode == "RepositoryAlreadyExistsException" {
						exists++
					}
				}
				t.Logf("apply: %s in %s; CreateRepository: %d answers lost, %d retries answered RepositoryAlreadyExistsException",
					st, time.Since(start).Round(time.Millisecond), lost, exists)
				if exists == 0 {
					return errors.New("no retried create answered RepositoryAlreadyExistsException: the test proves nothing")
				}
				inState := map[string]bool{}
				for _, rs := range s.RootModule().Resources {
					if rs.Type == "ecr_repository" {
						inState[rs.Primary.Attributes["name"]] = true
					}
				}
				b.Emulator.Faults().Clear()
				defer testAccFaultsLoseAnswers(b, p)
				out, err := b.Client.DescribeRepositories(context.Background(), &awsecr.DescribeRepositoriesInput{})
				if err != nil {
					return err
				}
				for _, r := range out.Repositories {
					if !inState[aws.ToString(r.RepositoryName)] {
						return fmt.Errorf("repository %s exists outside the state", aws.ToString(r.RepositoryName))
					}
				}
				if len(inState) != repositories || len(out.Repositories) != repositories {
					return fmt.Errorf("%d repositories in state, %d exist, want %d", len(inState), len(out.Repositories), repositories)
				}
				return nil
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// testAccFaultsLoseAnswers installs the lost-answer rules again.
func testAccFaultsLoseAnswers(b *acctest.Backend, p float64) {
	for _, action := range []emulator.FaultAction{emulator.ActionServerError, emulator.ActionDrop} {
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: action, Probability: p, After: true})
	}
}

// TestAccFaults_lostCreateAnswerNotMine: when the name is taken by a
// repository this apply did not create (other tags), a lost create answer
// does not make the provider adopt it: the apply fails with
// RepositoryAlreadyExistsException and says why it was not adopted.
func TestAccFaults_lostCreateAnswerNotMine(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	rName := acctest.RandomName("tf-acc-faults-notmine")
	_, err := b.Client.CreateRepository(context.Background(), &awsecr.CreateRepositoryInput{
		RepositoryName: aws.String(rName),
		Tags:           []awstypes.Tag{{Key: aws.String("owner"), Value: aws.String("someone-else")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The create runs (and fails: the name is taken), then its answer is
	// lost; the retry answers RepositoryAlreadyExistsException.
	b.Emulator.Faults().MustAdd(emulator.Fault{Op: "CreateRepository", Action: emulator.ActionServerError, After: true, Count: 1})

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: b.Config(fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
  tags = { owner = "me" }
}
`, rName)),
			ExpectError: regexp.MustCompile(`(?s)RepositoryAlreadyExistsException.*not\s+adopted`),
		}},
	})
	if n := b.Emulator.CallCounts()["CreateRepository"]; n != 3 {
		t.Errorf("CreateRepository called %d times, want 3 (the other's, then a lost answer and already exists)", n)
	}
}

// TestAccFaults_hungEndpoint: with an endpoint that accepts connections
// and never answers, a plan fails (it does not hang) with an error naming
// the endpoint and the operation. The default deadlines apply; the test's
// own timeout bounds it.
func TestAccFaults_hungEndpoint(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "hang fault")
	b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: emulator.ActionHang})
	var start time.Time
	t.Cleanup(func() {
		t.Logf("the plan step ended after %s; %d attempts of DescribeRepositories",
			time.Since(start).Round(time.Millisecond), b.Emulator.CallCounts()["DescribeRepositories"])
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config: b.Config(`
data "ecr_repository" "test" {
  name = "hung"
}
`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)DescribeRepositories.*endpoint\s+` + regexp.QuoteMeta(b.URL) + `\s+did\s+not\s+answer`),
		}},
	})
}

// TestAccFaults_deadEndpoint: against a closed port a plan fails at once,
// not after minutes of retries, and the error names the endpoint.
func TestAccFaults_deadEndpoint(t *testing.T) {
	url := "http://" + loopback.RefusingAddr(t)
	b := &acctest.Backend{URL: url, Region: acctest.Region, AccountID: acctest.AccountID}
	var start time.Time
	t.Cleanup(func() { t.Logf("the plan step ended after %s", time.Since(start).Round(time.Millisecond)) })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config: b.Config(`
data "ecr_repository" "test" {
  name = "dead"
}
`),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)DescribeRepositories.*endpoint\s+` + regexp.QuoteMeta(url) + `\s+refused\s+the\s+connection`),
		}},
	})
}

// TestAccFaults_timeouts: the `timeouts` block bounds an operation whose
// API call does not answer: a create (ecr_repository) and a delete
// (ecr_lifecycle_policy) fail when their timeout passes, naming the
// endpoint, and leave state matching what exists.
func TestAccFaults_timeouts(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "latency fault")
	rName := acctest.RandomName("tf-acc-faults-timeouts")
	slow := func(op string) func() {
		return func() {
			b.Emulator.Faults().MustAdd(emulator.Fault{Op: op, Action: emulator.ActionLatency, Latency: 10 * time.Minute, Count: 1})
		}
	}
	repository := fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
  timeouts {
    create = "2s"
  }
}
`, rName)
	policy := fmt.Sprintf(`
resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy     = %[1]s
  timeouts {
    delete = "2s"
  }
}
`, testAccFaultsLifecyclePolicy)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{
			{
				PreConfig:   slow("CreateRepository"),
				Config:      b.Config(repository),
				ExpectError: regexp.MustCompile(`(?s)creating ECR Repository.*CreateRepository.*endpoint\s+` + regexp.QuoteMeta(b.URL)),
			},
			{Config: b.Config(repository + policy)},
			{
				PreConfig:   slow("DeleteLifecyclePolicy"),
				Config:      b.Config(repository),
				ExpectError: regexp.MustCompile(`(?s)deleting ECR Lifecycle Policy.*DeleteLifecyclePolicy.*endpoint\s+` + regexp.QuoteMeta(b.URL)),
			},
			{
				Config: b.Config(repository),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("ecr_lifecycle_policy.test", plancheck.ResourceActionDestroy),
					},
				},
			},
		},
	})
}

// ---- helpers ----

// testAccFaultsDenied is an emulator backend on which every call to op is
// denied (AccessDeniedException) until the faults are cleared.
func testAccFaultsDenied(t *testing.T, op string) *acctest.Backend {
	t.Helper()
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "fault injection")
	b.Emulator.Faults().MustAdd(emulator.Fault{
		Op: op, Action: emulator.ActionError, ErrorType: "AccessDeniedException",
		Message: "User is not authorized to perform: ecr:" + op,
	})
	return b
}

// testAccFaultsFailThenApply applies config twice: the first apply must
// fail with wantErr; then the faults are cleared (before retry's own
// PreConfig) and retry applies the same config. After destroy nothing may
// be left.
func testAccFaultsFailThenApply(t *testing.T, b *acctest.Backend, config string, wantErr *regexp.Regexp, retry resource.TestStep) {
	t.Helper()
	pre := retry.PreConfig
	retry.PreConfig = func() {
		b.Emulator.Faults().Clear()
		if pre != nil {
			pre()
		}
	}
	retry.Config = config
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			return testAccFaultsCheckNothingLeft(b, s)
		},
		Steps: []resource.TestStep{{Config: config, ExpectError: wantErr}, retry},
	})
}

// testAccFaultsStats are the figures of a call log.
type testAccFaultsStats struct {
	total, faulted, retries, maxAttempt int
	byOp, faultedByOp, byFault          map[string]int
	failed                              map[string]int // answers with an error no fault injected
}

func testAccFaultsSummarize(calls []emulator.Call) testAccFaultsStats {
	st := testAccFaultsStats{total: len(calls), byOp: map[string]int{}, faultedByOp: map[string]int{},
		byFault: map[string]int{}, failed: map[string]int{}}
	for _, c := range calls {
		st.byOp[c.Op]++
		switch {
		case c.Fault != "":
			st.faulted++
			st.faultedByOp[c.Op]++
			st.byFault[c.ErrorCode]++
		case c.ErrorCode != "":
			st.failed[c.Op+": "+c.ErrorCode]++
		}
		if c.Attempt > 1 {
			st.retries++
		}
		st.maxAttempt = max(st.maxAttempt, c.Attempt)
	}
	return st
}

func (st testAccFaultsStats) String() string {
	var ops []string
	for _, op := range slices.Sorted(maps.Keys(st.byOp)) {
		ops = append(ops, fmt.Sprintf("%s %d (%d faulted)", op, st.byOp[op], st.faultedByOp[op]))
	}
	return fmt.Sprintf("%d calls, %d faulted (%.0f%%: %v), %d retried attempts (max attempt %d), other errors %v; per operation: %s",
		st.total, st.faulted, 100*float64(st.faulted)/float64(max(st.total, 1)), st.byFault, st.retries, st.maxAttempt,
		st.failed, strings.Join(ops, ", "))
}

// check proves the faults fired (at least kinds distinct fault answers)
// and that each faulted attempt was retried: the SDK retries nothing else
// here, so the retried attempts are exactly the faulted ones.
func (st testAccFaultsStats) check(kinds int) error {
	switch {
	case st.faulted == 0:
		return errors.New("no fault fired: the test proves nothing")
	case len(st.byFault) < kinds:
		return fmt.Errorf("only %v fired, want %d kinds of fault", st.byFault, kinds)
	case st.retries != st.faulted:
		return fmt.Errorf("%d retried attempts for %d faulted ones: a fault was not retried, or something else was",
			st.retries, st.faulted)
	}
	return nil
}

// testAccFaultsCheckNothingLeft proves through the SDK that no repository
// of the state is left, nor any other (no orphan of a retried create).
func testAccFaultsCheckNothingLeft(b *acctest.Backend, s *terraform.State) error {
	ctx := context.Background()
	for _, rs := range s.RootModule().Resources {
		var err error
		switch rs.Type {
		case "ecr_repository":
			_, err = ecr.FindRepositoryByName(ctx, b.Client, rs.Primary.Attributes["name"])
		case "ecr_repository_policy":
			_, err = ecr.FindRepositoryPolicyByName(ctx, b.Client, rs.Primary.Attributes["repository"])
		case "ecr_lifecycle_policy":
			_, err = ecr.FindLifecyclePolicyByName(ctx, b.Client, rs.Primary.Attributes["repository"])
		default:
			continue
		}
		if err == nil {
			return fmt.Errorf("%s %s still exists", rs.Type, rs.Primary.ID)
		}
		if !ecr.IsNotFound(err) {
			return err
		}
	}
	out, err := b.Client.DescribeRepositories(ctx, &awsecr.DescribeRepositoriesInput{})
	if err != nil {
		return err
	}
	if n := len(out.Repositories); n > 0 {
		return fmt.Errorf("%d repositories left, e.g. %s", n, aws.ToString(out.Repositories[0].RepositoryName))
	}
	return nil
}

// testAccFaultsExpectChanges checks that the plan changes exactly that
// many resources (any action but no-op).
type testAccFaultsExpectChanges int

func (want testAccFaultsExpectChanges) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var changed []string
	for _, rc := range req.Plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() {
			changed = append(changed, fmt.Sprintf("%s (%v)", rc.Address, rc.Change.Actions))
		}
	}
	if len(changed) != int(want) {
		resp.Error = fmt.Errorf("the plan changes %d resources, want %d: %v", len(changed), want, changed)
	}
}

// testAccFaultsConfig_many is n repositories, each with a repository
// policy and a lifecycle policy. (count, not for_each: the test framework's
// state shim does not support string instance keys.)
func testAccFaultsConfig_many(prefix string, n int) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  count = %[2]d
  name  = format("%%s-%%02d", %[1]q, count.index)
}

resource "ecr_repository_policy" "test" {
  count      = %[2]d
  repository = ecr_repository.test[count.index].name
  policy     = %[3]s
}

resource "ecr_lifecycle_policy" "test" {
  count      = %[2]d
  repository = ecr_repository.test[count.index].name
  policy     = %[4]s
}
`, prefix, n, testAccFaultsRepositoryPolicy, testAccFaultsLifecyclePolicy)
}

// testAccFaultsConfig_tagged is n repositories with tags.
func testAccFaultsConfig_tagged(prefix string, n int) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  count                = %[2]d
  name                 = format("%%s-%%02d", %[1]q, count.index)
  image_tag_mutability = "IMMUTABLE"
  tags = {
    index = tostring(count.index)
    team  = "platform"
  }
}
`, prefix, n)
}

// testAccFaultsConfig_one is a repository with a lifecycle policy.
func testAccFaultsConfig_one(rName string) string {
	return fmt.Sprintf(`
resource "ecr_repository" "test" {
  name = %[1]q
}

resource "ecr_lifecycle_policy" "test" {
  repository = ecr_repository.test.name
  policy     = %[2]s
}
`, rName, testAccFaultsLifecyclePolicy)
}

const testAccFaultsRepositoryPolicy = `jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "pull"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })`

const testAccFaultsLifecyclePolicy = `jsonencode({
    rules = [{
      rulePriority = 1
      description  = "expire untagged images after 14 days"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 14
      }
      action = { type = "expire" }
    }]
  })`

// TestAccFaults_imageTagsAndStorageClasses applies, re-plans and destroys
// 30 ecr_image_tag (three promotions of each of ten images) and 10
// ecr_image_storage_class (ten other images archived) while about a
// quarter of all calls are throttled or fail with a 5xx. Afterwards, read
// through the API: no tag is left besides those pushed, and every image
// is back in STANDARD.
func TestAccFaults_imageTagsAndStorageClasses(t *testing.T) {
	const (
		tags    = 30
		classes = 10
		share   = 0.25
	)
	b := acctest.NewBackend(t, emulator.WithFaultSeed(20261205))
	b.RequireEmulator(t, "fault injection; archives images")
	rName := acctest.RandomName("tf-acc-faults-img")
	ctx := acctest.Context()
	if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	// Sources of the promotions (s00..s09) and images to archive (a00..a09),
	// pushed before the faults are installed.
	var sources, archived []string
	for i := range classes {
		sources = append(sources, fmt.Sprintf("s%02d", i))
		archived = append(archived, fmt.Sprintf("a%02d", i))
	}
	for _, tag := range slices.Concat(sources, archived) {
		if err := putImage(b, rName, tag); err != nil {
			t.Fatal(err)
		}
	}
	b.Emulator.ResetCalls()
	p := 1 - math.Pow(1-share, 1.0/float64(len(testAccFaultsTransient)))
	for _, action := range slices.Sorted(maps.Keys(testAccFaultsTransient)) {
		b.Emulator.Faults().MustAdd(emulator.Fault{Op: "*", Action: action, Probability: p})
	}
	digests := func(tags []string) string {
		quoted := make([]string, len(tags))
		for i, tag := range tags {
			quoted[i] = fmt.Sprintf("%q", acctest.ImageDigest(tag))
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	config := b.Config(fmt.Sprintf(`
locals {
  sources  = %[3]s
  archived = %[4]s
}

resource "ecr_image_tag" "test" {
  count         = %[2]d
  repository    = %[1]q
  tag           = format("promo-%%02d", count.index)
  source_digest = local.sources[count.index %% length(local.sources)]
}

resource "ecr_image_storage_class" "test" {
  count         = length(local.archived)
  repository    = %[1]q
  image_digest  = local.archived[count.index]
  storage_class = "ARCHIVE"
}
`, rName, tags, digests(sources), digests(archived)))
	start := time.Now()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			all := testAccFaultsSummarize(b.Emulator.Calls())
			t.Logf("apply+plans+destroy: %s in %s", all, time.Since(start).Round(time.Millisecond))
			if err := all.check(len(testAccFaultsTransient)); err != nil {
				return err
			}
			b.Emulator.Faults().Clear()
			// Nothing left: each image has only the tag it was pushed
			// with, in STANDARD.
			return testAccFaultsCheckImages(b, rName, 2*classes, func(tag string) ([]string, awstypes.ImageStatus) {
				return []string{tag}, awstypes.ImageStatusActive
			})
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				st := testAccFaultsSummarize(b.Emulator.Calls())
				t.Logf("apply: %s in %s", st, time.Since(start).Round(time.Millisecond))
				if err := st.check(1); err != nil {
					return err
				}
				return testAccFaultsCheckImages(b, rName, 2*classes, func(tag string) ([]string, awstypes.ImageStatus) {
					if i := slices.Index(sources, tag); i >= 0 {
						want := []string{tag}
						for n := i; n < tags; n += len(sources) {
							want = append(want, fmt.Sprintf("promo-%02d", n))
						}
						return want, awstypes.ImageStatusActive
					}
					return []string{tag}, awstypes.ImageStatusArchived
				})
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// testAccFaultsCheckImages reads every image of a repository (faults
// cleared, or retried by the SDK) and compares its tags and status with
// want, which is given the tag the image was pushed with; there must be n.
func testAccFaultsCheckImages(b *acctest.Backend, repository string, n int, want func(tag string) ([]string, awstypes.ImageStatus)) error {
	p := awsecr.NewDescribeImagesPaginator(b.Client, &awsecr.DescribeImagesInput{RepositoryName: aws.String(repository),
		Filter: &awstypes.DescribeImagesFilter{ImageStatus: awstypes.ImageStatusFilterAny}})
	seen := 0
	for p.HasMorePages() {
		page, err := p.NextPage(acctest.Context())
		if err != nil {
			return err
		}
		for _, img := range page.ImageDetails {
			seen++
			tags := slices.Sorted(slices.Values(img.ImageTags))
			pushed := slices.IndexFunc(tags, func(t string) bool { return !strings.HasPrefix(t, "promo-") })
			if pushed < 0 {
				return fmt.Errorf("image %s has only the tags %v", aws.ToString(img.ImageDigest), tags)
			}
			wantTags, wantStatus := want(tags[pushed])
			slices.Sort(wantTags)
			if !slices.Equal(tags, wantTags) || img.ImageStatus != wantStatus {
				return fmt.Errorf("image %s: tags %v, %s; want %v, %s", tags[pushed], tags, img.ImageStatus, wantTags, wantStatus)
			}
		}
	}
	if seen != n {
		return fmt.Errorf("%d images in %s, want the %d pushed", seen, repository, n)
	}
	return nil
}
