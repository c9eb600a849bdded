package emulator_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

func dest(region, registry string) types.ReplicationDestination {
	return types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(registry)}
}

func prefixFilter(f string) types.RepositoryFilter {
	return types.RepositoryFilter{Filter: aws.String(f), FilterType: types.RepositoryFilterTypePrefixMatch}
}

// destinations returns n distinct destinations in account 111111111111.
func destinations(n int) []types.ReplicationDestination {
	out := make([]types.ReplicationDestination, n)
	for i := range out {
		out[i] = dest(fmt.Sprintf("xx-test-%d", i), "111111111111")
	}
	return out
}

func TestDescribeRegistry_default(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	out, err := c.DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.RegistryId) != "123456789012" || out.ReplicationConfiguration == nil ||
		out.ReplicationConfiguration.Rules == nil || len(out.ReplicationConfiguration.Rules) != 0 {
		t.Errorf("DescribeRegistry = %+v, want registry 123456789012 with rules []", out)
	}
}

func TestPutReplicationConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rule := func(d []types.ReplicationDestination, f ...types.RepositoryFilter) types.ReplicationRule {
		return types.ReplicationRule{Destinations: d, RepositoryFilters: f}
	}
	manyFilters := make([]types.RepositoryFilter, 101)
	for i := range manyFilters {
		manyFilters[i] = prefixFilter(fmt.Sprintf("p%d", i))
	}
	elevenRules := make([]types.ReplicationRule, 11)
	for i := range elevenRules {
		elevenRules[i] = rule([]types.ReplicationDestination{dest("eu-west-1", "111111111111")})
	}
	cases := []struct {
		name  string
		rules []types.ReplicationRule
		want  string
	}{
		{"cross region", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "123456789012")})}, ""},
		{"cross account with filters", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("us-west-2", "111111111111")},
			prefixFilter("app"), prefixFilter("team/x"))}, ""},
		{"ten rules", elevenRules[:10], ""},
		{"eleven rules", elevenRules, "InvalidParameterException"},
		{"no destinations", []types.ReplicationRule{rule([]types.ReplicationDestination{})}, "InvalidParameterException"},
		{"26 destinations in a rule", []types.ReplicationRule{rule(destinations(26))}, "InvalidParameterException"},
		{"26 unique destinations across rules", []types.ReplicationRule{rule(destinations(20)), rule(destinations(26)[20:])}, "InvalidParameterException"},
		{"same as source", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("us-west-2", "123456789012")})}, "InvalidParameterException"},
		{"bad region", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("EU_WEST", "111111111111")})}, "InvalidParameterException"},
		{"bad registry", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "12345")})}, "InvalidParameterException"},
		{"bad filter", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "111111111111")}, prefixFilter("Upper"))}, "InvalidParameterException"},
		{"short filter", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "111111111111")}, prefixFilter("a"))}, "InvalidParameterException"},
		{"bad filter type", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "111111111111")},
			types.RepositoryFilter{Filter: aws.String("app"), FilterType: "WILDCARD"})}, "InvalidParameterException"},
		{"101 filters", []types.ReplicationRule{rule([]types.ReplicationDestination{dest("eu-west-1", "111111111111")}, manyFilters...)}, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
				ReplicationConfiguration: &types.ReplicationConfiguration{Rules: tc.rules}})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			desc, derr := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
			if derr != nil {
				t.Fatal(derr)
			}
			if err != nil {
				if n := len(desc.ReplicationConfiguration.Rules); n != 0 {
					t.Errorf("rejected configuration was stored: %d rules", n)
				}
				return
			}
			if len(out.ReplicationConfiguration.Rules) != len(tc.rules) || len(desc.ReplicationConfiguration.Rules) != len(tc.rules) {
				t.Fatalf("rules: put %d, described %d, want %d", len(out.ReplicationConfiguration.Rules),
					len(desc.ReplicationConfiguration.Rules), len(tc.rules))
			}
			got := desc.ReplicationConfiguration.Rules[0]
			if len(got.RepositoryFilters) != len(tc.rules[0].RepositoryFilters) ||
				aws.ToString(got.Destinations[0].Region) != aws.ToString(tc.rules[0].Destinations[0].Region) {
				t.Errorf("described rule %+v, want %+v", got, tc.rules[0])
			}
			// rules: [] clears the configuration.
			if _, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
				ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{}}}); err != nil {
				t.Fatal(err)
			}
			desc, _ = c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
			if n := len(desc.ReplicationConfiguration.Rules); n != 0 {
				t.Errorf("after clearing: %d rules", n)
			}
		})
	}
}

// pushIndex pushes an empty OCI image index (it references no blobs), made
// unique by name, with the given tag.
func pushIndex(t *testing.T, c *ecr.Client, repo, name, tag string) {
	t.Helper()
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"name":%q}}`, name)
	if _, err := c.PutImage(context.Background(), &ecr.PutImageInput{RepositoryName: aws.String(repo),
		ImageManifest: aws.String(manifest), ImageTag: aws.String(tag)}); err != nil {
		t.Fatalf("PutImage(%s): %v", repo, err)
	}
}

// backfillFixture configures replication of app* to eu-west-1 and returns a
// client whose clock the test drives (transition delay 1 minute).
func backfillFixture(t *testing.T) (*ecr.Client, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, _ := newClient(t, emulator.WithClock(clk), emulator.WithTransitionDelay(time.Minute))
	ctx := context.Background()
	for _, r := range []string{"app/one", "app/two", "other"} {
		mustCreateRepo(t, c, r)
	}
	pushIndex(t, c, "app/one", "a", "v1")
	pushIndex(t, c, "app/one", "b", "v2")
	pushIndex(t, c, "app/two", "c", "latest")
	pushIndex(t, c, "other", "d", "v1")
	regions := append([]types.ReplicationDestination{dest("eu-west-1", "123456789012")}, destinations(11)...)
	if _, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{
			{Destinations: regions, RepositoryFilters: []types.RepositoryFilter{prefixFilter("app")}},
		}}}); err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func TestReplicationBackfill_lifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, clk := backfillFixture(t)
	start, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("eu-west-1", "123456789012"))})
	if err != nil {
		t.Fatal(err)
	}
	id := start.ReplicationBackfillId
	if start.Status != types.ReplicationBackfillStatusPreparing || aws.ToString(id) == "" || start.StartedAt == nil ||
		aws.ToString(start.RegistryId) != "123456789012" {
		t.Fatalf("start = %+v", start)
	}
	// A second backfill for the same destination region is refused.
	_, err = c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("eu-west-1", "123456789012"))})
	if got := errCode(err); got != "ReplicationBackfillInProgressException" {
		t.Errorf("second start: %q (%v)", got, err)
	}
	describe := func(in ecr.DescribeReplicationBackfillResultsInput) *ecr.DescribeReplicationBackfillResultsOutput {
		t.Helper()
		in.ReplicationBackfillId = id
		out, err := c.DescribeReplicationBackfillResults(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if d := describe(ecr.DescribeReplicationBackfillResultsInput{}); d.Status != types.ReplicationBackfillStatusPreparing ||
		d.Progress != nil || len(d.Results) != 0 || d.EndedAt != nil {
		t.Errorf("preparing: %+v", d)
	}
	clk.Advance(30 * time.Second)
	d := describe(ecr.DescribeReplicationBackfillResultsInput{})
	if d.Status != types.ReplicationBackfillStatusInProgress || d.Progress == nil ||
		aws.ToInt32(d.Progress.TotalReplicationCount) != 3 || len(d.Results) != 0 {
		t.Errorf("in progress: %+v", d)
	}
	clk.Advance(30 * time.Second)
	d = describe(ecr.DescribeReplicationBackfillResultsInput{})
	if d.Status != types.ReplicationBackfillStatusComplete || d.EndedAt == nil ||
		aws.ToInt32(d.Progress.CompletedReplicationCount) != 3 || len(d.Results) != 3 {
		t.Fatalf("complete: %+v", d)
	}
	for _, res := range d.Results {
		if res.Status != types.ReplicationBackfillResultStatusComplete || aws.ToString(res.RepositoryName) == "other" ||
			res.ImageId == nil || aws.ToString(res.ImageId.ImageDigest) == "" {
			t.Errorf("result %+v", res)
		}
	}
	// Paging through the results, and the FAILED filter.
	var seen int
	p := ecr.NewDescribeReplicationBackfillResultsPaginator(c, &ecr.DescribeReplicationBackfillResultsInput{
		ReplicationBackfillId: id, MaxResults: aws.Int32(2)})
	for pages := 0; p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Results) > 2 || pages > 2 {
			t.Fatalf("page %d has %d results", pages, len(page.Results))
		}
		seen += len(page.Results)
	}
	if seen != 3 {
		t.Errorf("paged %d results, want 3", seen)
	}
	if d := describe(ecr.DescribeReplicationBackfillResultsInput{ResultStatusFilter: types.ReplicationBackfillResultStatusFailed}); len(d.Results) != 0 {
		t.Errorf("FAILED filter: %d results", len(d.Results))
	}
	// A completed backfill cannot be stopped; a new one may start.
	_, err = c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: id})
	if got := errCode(err); got != "ReplicationBackfillInvalidStatusException" {
		t.Errorf("stop complete: %q (%v)", got, err)
	}
	if _, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("eu-west-1", "123456789012"))}); err != nil {
		t.Errorf("restart after completion: %v", err)
	}
}

func TestReplicationBackfill_errors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := backfillFixture(t)
	cases := []errorCase{
		{"unconfigured destination", func() error {
			_, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("ap-south-1", "123456789012"))})
			return err
		}, "ValidationException"},
		{"bad destination region", func() error {
			_, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("X", "123456789012"))})
			return err
		}, "InvalidParameterException"},
		{"stop unknown", func() error {
			_, err := c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: aws.String("nope")})
			return err
		}, "ReplicationBackfillNotFoundException"},
		{"describe unknown", func() error {
			_, err := c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{ReplicationBackfillId: aws.String("nope")})
			return err
		}, "ReplicationBackfillNotFoundException"},
		{"list with bad max", func() error {
			_, err := c.ListReplicationBackfills(ctx, &ecr.ListReplicationBackfillsInput{MaxResults: aws.Int32(51)})
			return err
		}, "InvalidParameterException"},
	}
	runErrorCases(t, cases)
}

func TestReplicationBackfill_limitAndList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := backfillFixture(t)
	all := destinations(11)
	// At most 10 in progress per registry.
	fillToLimit(t, "start", 10, func(i int) error {
		_, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(all[i])})
		return err
	})
	var ids []string
	p := ecr.NewListReplicationBackfillsPaginator(c, &ecr.ListReplicationBackfillsInput{MaxResults: aws.Int32(4)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Backfills) > 4 || aws.ToString(page.RegistryId) != "123456789012" {
			t.Fatalf("page: %+v", page)
		}
		for _, b := range page.Backfills {
			if b.Status != types.ReplicationBackfillStatusPreparing {
				t.Errorf("backfill %s status %s", aws.ToString(b.ReplicationBackfillId), b.Status)
			}
			ids = append(ids, aws.ToString(b.ReplicationBackfillId))
		}
	}
	if len(ids) != 10 {
		t.Errorf("listed %d backfills, want 10", len(ids))
	}
}

func TestStopReplicationBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, clk := backfillFixture(t)
	startEU := func() *string {
		t.Helper()
		out, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: pointerTo(dest("eu-west-1", "123456789012"))})
		if err != nil {
			t.Fatal(err)
		}
		return out.ReplicationBackfillId
	}
	// Stopped while preparing: STOPPED at once, no progress, no results.
	id := startEU()
	stop, err := c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: id})
	if err != nil || stop.Status != types.ReplicationBackfillStatusStopped {
		t.Fatalf("stop preparing: %+v, %v", stop, err)
	}
	d, err := c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{ReplicationBackfillId: id})
	if err != nil || d.Status != types.ReplicationBackfillStatusStopped || d.Progress != nil || len(d.Results) != 0 || d.EndedAt == nil {
		t.Fatalf("stopped while preparing: %+v, %v", d, err)
	}
	_, err = c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: id})
	if got := errCode(err); got != "ReplicationBackfillInvalidStatusException" {
		t.Errorf("stop stopped: %q", got)
	}
	// Stopped while in progress: STOPPING, then STOPPED.
	id = startEU()
	clk.Advance(40 * time.Second)
	stop, err = c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: id})
	if err != nil || stop.Status != types.ReplicationBackfillStatusStopping {
		t.Fatalf("stop in progress: %+v, %v", stop, err)
	}
	_, err = c.StopReplicationBackfill(ctx, &ecr.StopReplicationBackfillInput{ReplicationBackfillId: id})
	if got := errCode(err); got != "ReplicationBackfillInvalidStatusException" {
		t.Errorf("stop stopping: %q", got)
	}
	clk.Advance(time.Minute)
	d, err = c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{ReplicationBackfillId: id})
	if err != nil || d.Status != types.ReplicationBackfillStatusStopped || d.Progress == nil {
		t.Fatalf("stopped in progress: %+v, %v", d, err)
	}
	// 10 of the 30 seconds of replication had passed: 1 of 3 images.
	if n := aws.ToInt32(d.Progress.CompletedReplicationCount); n != 1 || len(d.Results) != 1 {
		t.Errorf("completed %d, results %d, want 1 and 1", n, len(d.Results))
	}
}

// pointerTo returns a pointer to a copy of v.
func pointerTo[T any](v T) *T { return &v }

// TestReplicationBackfill_replicates: images pushed before the replication
// configuration existed are not in the destination; a backfill replicates
// each image and tag through the push's replication path (destination
// repository and tags, the source image's replication status), and a
// destination in another account whose registry policy does not allow
// ecr:ReplicateImage gets FAILED results and a FAILED backfill.
func TestReplicationBackfill_replicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, emu := newClient(t, emulator.WithClock(clk), emulator.WithTransitionDelay(time.Minute))
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	c := clientFor(srv.URL, "AKIDEXAMPLE", "us-west-2")
	east := clientFor(srv.URL, "AKIDEXAMPLE", "us-east-2")
	stranger := clientFor(srv.URL, replStranger, "eu-west-1")

	mustCreateRepo(t, c, "app/one")
	pushIndex(t, c, "app/one", "a", "v1")
	pushIndex(t, c, "app/one", "a", "v2") // the same image, a second tag
	pushIndex(t, c, "app/one", "b", "v3")
	sameAccount, crossAccount := dest("us-east-2", replSource), dest("eu-west-1", replStranger)
	if _, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{
			{Destinations: []types.ReplicationDestination{sameAccount, crossAccount}},
		}}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	// The configuration replicates later pushes only.
	if _, err := east.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/one")}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("destination before the backfill: %v", err)
	}

	backfill := func(d types.ReplicationDestination) *ecr.DescribeReplicationBackfillResultsOutput {
		t.Helper()
		start, err := c.StartReplicationBackfill(ctx, &ecr.StartReplicationBackfillInput{Destination: &d})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(40 * time.Second) // part of the replications are done
		mid, err := c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{ReplicationBackfillId: start.ReplicationBackfillId})
		if err != nil {
			t.Fatal(err)
		}
		if mid.Status != types.ReplicationBackfillStatusInProgress || mid.Progress == nil ||
			aws.ToInt32(mid.Progress.TotalReplicationCount) != 3 ||
			n(mid.Progress.CompletedReplicationCount)+n(mid.Progress.FailedReplicationCount) != 1 {
			t.Fatalf("in progress: %+v %+v", mid, mid.Progress)
		}
		clk.Advance(20 * time.Second)
		out, err := c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{ReplicationBackfillId: start.ReplicationBackfillId})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	done := backfill(sameAccount)
	if done.Status != types.ReplicationBackfillStatusComplete || aws.ToInt32(done.Progress.CompletedReplicationCount) != 3 ||
		aws.ToInt32(done.Progress.FailedReplicationCount) != 0 || len(done.Results) != 3 || done.FailureCode != nil {
		t.Fatalf("same-account backfill: %+v", done)
	}
	var tags []string
	for _, r := range done.Results {
		if r.Status != types.ReplicationBackfillResultStatusComplete || r.FailureCode != nil {
			t.Errorf("result %+v", r)
		}
		tags = append(tags, aws.ToString(r.ImageId.ImageTag))
	}
	slices.Sort(tags)
	if !slices.Equal(tags, []string{"v1", "v2", "v3"}) {
		t.Errorf("result tags %v", tags)
	}
	imgs, err := east.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/one")})
	if err != nil {
		t.Fatal(err)
	}
	tags = nil
	for _, d := range imgs.ImageDetails {
		tags = append(tags, d.ImageTags...)
	}
	slices.Sort(tags)
	if len(imgs.ImageDetails) != 2 || !slices.Equal(tags, []string{"v1", "v2", "v3"}) {
		t.Errorf("destination after the backfill: %d images, tags %v", len(imgs.ImageDetails), tags)
	}
	if got := replicationStatuses(t, c, "app/one", "v1"); got[replSource+"/us-east-2"] != types.ReplicationStatusComplete {
		t.Errorf("replication status after the backfill: %v", got)
	}

	failed := backfill(crossAccount)
	if failed.Status != types.ReplicationBackfillStatusFailed || aws.ToString(failed.FailureCode) != "ACCESS_DENIED" ||
		aws.ToInt32(failed.Progress.FailedReplicationCount) != 3 || !slices.Equal(failed.Progress.FailureCodes, []string{"ACCESS_DENIED"}) ||
		len(failed.Results) != 3 || failed.EndedAt == nil {
		t.Fatalf("cross-account backfill: %+v %+v", failed, failed.Progress)
	}
	for _, r := range failed.Results {
		if r.Status != types.ReplicationBackfillResultStatusFailed || aws.ToString(r.FailureCode) != "ACCESS_DENIED" {
			t.Errorf("result %+v", r)
		}
	}
	only, err := c.DescribeReplicationBackfillResults(ctx, &ecr.DescribeReplicationBackfillResultsInput{
		ReplicationBackfillId: failed.ReplicationBackfillId, ResultStatusFilter: types.ReplicationBackfillResultStatusComplete})
	if err != nil || len(only.Results) != 0 {
		t.Errorf("COMPLETE filter on the failed backfill: %+v, %v", only, err)
	}
	if got := replicationStatuses(t, c, "app/one", "v3"); got[replStranger+"/eu-west-1"] != types.ReplicationStatusFailed ||
		got[replSource+"/us-east-2"] != types.ReplicationStatusComplete {
		t.Errorf("replication status after the failed backfill: %v", got)
	}
	if _, err := stranger.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/one"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("cross-account destination: %v", err)
	}
	list, err := c.ListReplicationBackfills(ctx, &ecr.ListReplicationBackfillsInput{})
	if err != nil || len(list.Backfills) != 2 || list.Backfills[1].Status != types.ReplicationBackfillStatusFailed ||
		aws.ToString(list.Backfills[1].FailureCode) != "ACCESS_DENIED" {
		t.Errorf("list: %+v, %v", list, err)
	}
}

// n reads an optional count.
func n(p *int32) int32 { return aws.ToInt32(p) }
