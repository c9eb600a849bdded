package emulator_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// policyKind drives one lagging policy kind through the SDK: put returns
// the text as stored, get the text read ("" with the error code when not
// found), del the text deleted.
type policyKind struct {
	kind     string
	notFound string
	texts    [2]string
	put      func(c *ecr.Client, text string) (string, error)
	get      func(c *ecr.Client) (string, error)
	del      func(c *ecr.Client) error
}

func policyKinds() []policyKind {
	ctx := context.Background()
	repo := aws.String("lagging")
	return []policyKind{
		{
			kind: "repository_policy", notFound: "RepositoryPolicyNotFoundException",
			texts: [2]string{ccPolicy, strings.Replace(ccPolicy, "AllowPull", "AllowPull2", 1)},
			put: func(c *ecr.Client, text string) (string, error) {
				out, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: repo, PolicyText: aws.String(text)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyText), nil
			},
			get: func(c *ecr.Client) (string, error) {
				out, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: repo})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyText), nil
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: repo})
				return err
			},
		},
		{
			kind: "lifecycle_policy", notFound: "LifecyclePolicyNotFoundException",
			texts: [2]string{ccLifecycle, strings.Replace(ccLifecycle, "countNumber\":14", "countNumber\":15", 1)},
			put: func(c *ecr.Client, text string) (string, error) {
				out, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: repo, LifecyclePolicyText: aws.String(text)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.LifecyclePolicyText), nil
			},
			get: func(c *ecr.Client) (string, error) {
				out, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: repo})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.LifecyclePolicyText), nil
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: repo})
				return err
			},
		},
		{
			kind: "registry_policy", notFound: "RegistryPolicyNotFoundException",
			texts: [2]string{ccRegistry, ccRegistryV2},
			put: func(c *ecr.Client, text string) (string, error) {
				out, err := c.PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{PolicyText: aws.String(text)})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyText), nil
			},
			get: func(c *ecr.Client) (string, error) {
				out, err := c.GetRegistryPolicy(ctx, &ecr.GetRegistryPolicyInput{})
				if err != nil {
					return "", err
				}
				return aws.ToString(out.PolicyText), nil
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeleteRegistryPolicy(ctx, &ecr.DeleteRegistryPolicyInput{})
				return err
			},
		},
	}
}

// reads names what n reads of k see: "A" or "B" for the stored texts
// a and b, otherwise the error code.
func (k policyKind) reads(t *testing.T, c *ecr.Client, n int, a, b string) string {
	t.Helper()
	var got []string
	for range n {
		text, err := k.get(c)
		switch {
		case err != nil:
			got = append(got, errCode(err))
		case text == a:
			got = append(got, "A")
		case text == b:
			got = append(got, "B")
		default:
			got = append(got, "other: "+text)
		}
	}
	return strings.Join(got, " ")
}

func TestConsistencyLagPolicies(t *testing.T) {
	for _, k := range policyKinds() {
		t.Run(k.kind, func(t *testing.T) {
			c, emu := newClient(t)
			mustCreateRepo(t, c, "lagging")
			emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: k.kind, LagReads: 2})
			nf := k.notFound

			a, err := k.put(c, k.texts[0])
			if err != nil {
				t.Fatal(err)
			}
			if got, want := k.reads(t, c, 3, a, ""), nf+" "+nf+" A"; got != want {
				t.Errorf("after create: %s, want %s", got, want)
			}
			b, err := k.put(c, k.texts[1])
			if err != nil || a == b {
				t.Fatalf("change: %v (texts %q, %q)", err, a, b)
			}
			if got := k.reads(t, c, 3, a, b); got != "A A B" {
				t.Errorf("after change: %s, want A A B", got)
			}
			// The delete sees the current state, so it succeeds at once;
			// reads still see the policy.
			if err := k.del(c); err != nil {
				t.Fatal(err)
			}
			if got, want := k.reads(t, c, 3, a, b), "B B "+nf; got != want {
				t.Errorf("after delete: %s, want %s", got, want)
			}
			// A delete of what is already gone fails, whatever reads see.
			if _, err := k.put(c, k.texts[0]); err != nil {
				t.Fatal(err)
			}
			if err := k.del(c); err != nil {
				t.Fatal(err)
			}
			if err := k.del(c); errCode(err) != nf {
				t.Errorf("second delete: %v, want %s", err, nf)
			}
		})
	}
}

func TestConsistencyLagPoliciesByTime(t *testing.T) {
	for _, k := range policyKinds() {
		t.Run(k.kind, func(t *testing.T) {
			clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			c, emu := newClient(t, emulator.WithClock(clk))
			mustCreateRepo(t, c, "lagging")
			emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "*_policy", LagFor: time.Minute})
			a, err := k.put(c, k.texts[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := k.reads(t, c, 5, a, ""); got != strings.TrimSpace(strings.Repeat(k.notFound+" ", 5)) {
				t.Errorf("during lag: %s", got)
			}
			clk.Advance(time.Minute)
			if got := k.reads(t, c, 1, a, ""); got != "A" {
				t.Errorf("after lag: %s", got)
			}
		})
	}
}

// TestConsistencyLagKinds checks that a rule lags only the kinds it names,
// and that a re-created repository does not inherit the lag of its
// predecessor's policies.
func TestConsistencyLagKinds(t *testing.T) {
	ctx := context.Background()
	c, emu := newClient(t)
	kinds := policyKinds()
	repoPolicy, lifecycle := kinds[0], kinds[1]
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository_policy", LagReads: 5})
	mustCreateRepo(t, c, "lagging")
	a, err := lifecycle.put(c, lifecycle.texts[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := lifecycle.reads(t, c, 1, a, ""); got != "A" {
		t.Errorf("lifecycle policy lagged: %s", got)
	}
	p, err := repoPolicy.put(c, repoPolicy.texts[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := repoPolicy.reads(t, c, 1, p, ""); got != repoPolicy.notFound {
		t.Errorf("repository policy did not lag: %s", got)
	}
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("lagging")}); err != nil {
		t.Fatal(err)
	}
	mustCreateRepo(t, c, "lagging")
	if got := repoPolicy.reads(t, c, 1, p, ""); got != repoPolicy.notFound {
		t.Errorf("new repository: %s, want %s", got, repoPolicy.notFound)
	}
	if _, err := repoPolicy.put(c, repoPolicy.texts[1]); err != nil {
		t.Fatal(err)
	}
	// The new repository's first policy lags from "absent", not from the
	// old repository's policy.
	if got := repoPolicy.reads(t, c, 1, p, ""); got != repoPolicy.notFound {
		t.Errorf("new repository's policy: %s, want %s", got, repoPolicy.notFound)
	}
}

func TestConsistencyLagListing(t *testing.T) {
	ctx := context.Background()
	c, emu := newClient(t)
	mustCreateRepo(t, c, "a-kept")
	mustCreateRepo(t, c, "b-gone")
	mustCreateRepo(t, c, "c-kept")
	emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: "repository", LagReads: 2})
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("b-gone")}); err != nil {
		t.Fatal(err)
	}
	list := func(maxResults int32) string {
		var names []string
		p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(maxResults)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Repositories {
				names = append(names, aws.ToString(r.RepositoryName))
			}
		}
		return strings.Join(names, ",")
	}
	// Each listing that shows the deleted repository is one read of it.
	got := []string{list(100), list(100), list(100)}
	if want := "[a-kept,b-gone,c-kept a-kept,b-gone,c-kept a-kept,c-kept]"; fmt.Sprint(got) != want {
		t.Errorf("listings = %v, want %s", got, want)
	}
	// The two listings that showed it are the two stale reads counted.
	if hidden, old := emu.Faults().StaleReads("repository"); hidden != 0 || old != 2 {
		t.Errorf("StaleReads(repository) = %d, %d; want 0, 2", hidden, old)
	}

	// Paging across the deleted repository, and a listing of another
	// registry that does not see it.
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("c-kept")}); err != nil {
		t.Fatal(err)
	}
	other := clientFor(startServer(t, emu), "111122223333", "us-west-2")
	if out, err := other.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}); err != nil || len(out.Repositories) != 0 {
		t.Errorf("other registry: %v %v", out, err)
	}
	if got := list(1); got != "a-kept,c-kept" {
		t.Errorf("paged listing = %s", got)
	}
}
