package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// renderRun renders a lifecycle run's results as "seed priority ACTION",
// with " skipped" when the action was not taken.
func renderRun(results []emulator.LifecycleRunResult, seedOf map[string]string) []string {
	var out []string
	for _, r := range results {
		s := fmt.Sprintf("%s %d %s", seedOf[r.ImageDigest], r.AppliedRulePriority, r.Action)
		if r.Skipped != "" {
			s += " skipped"
		}
		out = append(out, s)
	}
	return out
}

// The run acts on exactly the images the preview lists, and the API shows
// the result: expired images are gone with their tags, transitioned ones
// are archived, and lastEvaluatedAt moves.
func TestRunLifecyclePolicies(t *testing.T) {
	ctx := context.Background()
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, emu := newClient(t, emulator.WithClock(clock))
	mustCreateRepo(t, c, "app/web")
	mustCreateRepo(t, c, "app/no-policy")
	name := aws.String("app/web")

	digests := map[string]string{}
	for _, im := range []struct{ seed, tag string }{
		{"untagged-old", ""}, {"dev-1", "dev-1"}, {"v1", "v1"}, {"dev-2", "dev-2"}, {"v2", "v2"}, {"untagged-new", ""},
	} {
		digests[im.seed] = pushImage(t, c, "app/web", im.seed, im.tag)
		pushImage(t, c, "app/no-policy", im.seed, im.tag)
		clock.advance(36 * time.Hour)
	}
	clock.advance(-35 * time.Hour)
	seedOf := map[string]string{}
	for s, d := range digests {
		seedOf[d] = s
	}
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcKeepTwo)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name})
	if err != nil || !aws.ToTime(got.LastEvaluatedAt).Equal(time.Unix(0, 0)) {
		t.Fatalf("lastEvaluatedAt before any run = %v (%v), want the epoch", got.LastEvaluatedAt, err)
	}

	// The preview of the stored policy, for comparison.
	if _, err := c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name}); err != nil {
		t.Fatal(err)
	}
	preview, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name})
	if err != nil || preview.Status != types.LifecyclePolicyPreviewStatusComplete {
		t.Fatalf("preview: %+v, %v", preview, err)
	}
	var previewed []string
	for _, r := range preview.PreviewResults {
		previewed = append(previewed, fmt.Sprintf("%s %d %s", seedOf[aws.ToString(r.ImageDigest)], aws.ToInt32(r.AppliedRulePriority), r.Action.Type))
	}

	results, err := emu.RunLifecyclePolicies()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"untagged-old 1 EXPIRE", "dev-1 2 TRANSITION", "v1 3 EXPIRE"}
	if got := renderRun(results, seedOf); !slices.Equal(got, want) || !slices.Equal(previewed, want) {
		t.Fatalf("run = %v, preview = %v, want both %v", got, previewed, want)
	}
	for _, r := range results {
		if r.Account != "123456789012" || r.Region != "us-west-2" || r.RepositoryName != "app/web" {
			t.Errorf("result %+v: wrong account, region or repository", r)
		}
	}
	if results[1].ImageTags[0] != "dev-1" || len(results[0].ImageTags) != 0 {
		t.Errorf("imageTags = %v / %v", results[1].ImageTags, results[0].ImageTags)
	}

	status := func(repo, seed string) string {
		out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String(repo),
			ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String(digests[seed])}}})
		if errCode(err) == "ImageNotFoundException" {
			return "gone"
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out.ImageDetails[0].ImageStatus)
	}
	for seed, want := range map[string]string{
		"untagged-old": "gone", "dev-1": "ARCHIVED", "v1": "gone", "dev-2": "ACTIVE", "v2": "ACTIVE", "untagged-new": "ACTIVE",
	} {
		if got := status("app/web", seed); got != want {
			t.Errorf("%s: %s, want %s", seed, got, want)
		}
		if got := status("app/no-policy", seed); got != "ACTIVE" {
			t.Errorf("%s in the repository without a policy: %s, want ACTIVE", seed, got)
		}
	}
	// The expired image's tag is free again.
	if _, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: name, ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}}); err != nil {
		t.Fatal(err)
	}
	archived, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: name,
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("dev-1")}}})
	if err != nil || !aws.ToTime(archived.ImageDetails[0].LastArchivedAt).Equal(clock.Now()) {
		t.Errorf("dev-1 lastArchivedAt = %v (%v), want %v", archived.ImageDetails[0].LastArchivedAt, err, clock.Now())
	}
	got, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name})
	if err != nil || !aws.ToTime(got.LastEvaluatedAt).Equal(clock.Now()) {
		t.Errorf("lastEvaluatedAt after the run = %v (%v), want %v", got.LastEvaluatedAt, err, clock.Now())
	}

	// A second run finds nothing more to do.
	clock.advance(time.Hour)
	if again, err := emu.RunLifecyclePolicies(); err != nil || len(again) != 0 {
		t.Errorf("second run = %v, %v; want nothing", renderRun(again, seedOf), err)
	}
}

// An image a manifest list still references is not expired; a list and its
// child expired by the same run both go.
func TestRunLifecyclePolicies_manifestLists(t *testing.T) {
	ctx := context.Background()
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, emu := newClient(t, emulator.WithClock(clock))
	mustCreateRepo(t, c, "multi")
	child := pushImage(t, c, "multi", "child", "")
	list := mustPutImage(t, c, "multi", testIndex(child), "multi")
	clock.advance(48 * time.Hour)
	seedOf := map[string]string{child: "child", list: "list"}

	const untaggedOld = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`
	const anyOld = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}`
	for _, step := range []struct {
		policy string
		want   []string
		left   int
	}{
		{untaggedOld, []string{"child 1 EXPIRE skipped"}, 2},
		{anyOld, []string{"list 1 EXPIRE", "child 1 EXPIRE"}, 0},
	} {
		if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("multi"), LifecyclePolicyText: aws.String(step.policy)}); err != nil {
			t.Fatal(err)
		}
		results, err := emu.RunLifecyclePolicies()
		if err != nil {
			t.Fatal(err)
		}
		if got := renderRun(results, seedOf); !slices.Equal(got, step.want) {
			t.Errorf("run = %v, want %v", got, step.want)
		}
		out, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("multi")})
		if err != nil || len(out.ImageIds) != step.left {
			t.Errorf("images left = %v (%v), want %d", out.ImageIds, err, step.left)
		}
	}
}

// POST /_emulator/lifecycle/run runs the policies of every account and
// region and answers what it did; the change survives through persistence.
func TestControlLifecycleRun(t *testing.T) {
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	var persisted []byte
	_, url := controlServer(t, emulator.WithClock(clock), emulator.WithPersist(func(s []byte) error { persisted = s; return nil }))
	ctx := context.Background()
	for _, key := range []string{"111111111111", "222222222222"} {
		c := clientFor(url, key, "eu-west-1")
		mustCreateRepo(t, c, "svc")
		pushImage(t, c, "svc", "old", "")
		if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("svc"), LifecyclePolicyText: aws.String(lcCompact)}); err != nil {
			t.Fatal(err)
		}
	}
	clock.advance(15 * 24 * time.Hour)
	status, body := control(t, http.MethodPost, url+"/_emulator/lifecycle/run", "")
	if status != http.StatusOK {
		t.Fatalf("POST lifecycle/run = %d %s", status, body)
	}
	var out struct {
		Results []emulator.LifecycleRunResult `json:"results"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Results {
		got = append(got, r.Account+"/"+r.Region+"/"+r.RepositoryName+" "+r.Action)
	}
	want := []string{"111111111111/eu-west-1/svc EXPIRE", "222222222222/eu-west-1/svc EXPIRE"}
	if !slices.Equal(got, want) {
		t.Errorf("results = %v, want %v (%s)", got, want, body)
	}
	restored := httptest.NewServer(emulator.New(emulator.WithState(persisted)))
	t.Cleanup(restored.Close)
	for _, key := range []string{"111111111111", "222222222222"} {
		out, err := clientFor(restored.URL, key, "eu-west-1").ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("svc")})
		if err != nil || len(out.ImageIds) != 0 {
			t.Errorf("account %s after restoring the persisted state: images %v (%v), want none", key, out.ImageIds, err)
		}
	}
	if status, body := control(t, http.MethodGet, url+"/_emulator/lifecycle/run", ""); status == http.StatusOK {
		t.Errorf("GET lifecycle/run = %d %s, want an error", status, body)
	}
}

// An image restored from archive and then archived again by a policy keeps
// when it was last activated.
func TestRunLifecyclePolicies_transitionAfterRestore(t *testing.T) {
	ctx := context.Background()
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, emu := newClient(t, emulator.WithClock(clock))
	mustCreateRepo(t, c, "restored")
	id := []types.ImageIdentifier{{ImageTag: aws.String("v1")}}
	pushImage(t, c, "restored", "v1", "v1")
	for _, target := range []types.TargetStorageClass{types.TargetStorageClassArchive, types.TargetStorageClassStandard} {
		if _, err := c.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("restored"),
			ImageId: &id[0], TargetStorageClass: target}); err != nil {
			t.Fatal(err)
		}
	}
	restoredAt := clock.Now()
	clock.advance(48 * time.Hour)
	const archiveOld = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"transition","targetStorageClass":"archive"}}]}`
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("restored"), LifecyclePolicyText: aws.String(archiveOld)}); err != nil {
		t.Fatal(err)
	}
	if results, err := emu.RunLifecyclePolicies(); err != nil || len(results) != 1 || results[0].Action != "TRANSITION" {
		t.Fatalf("run = %+v, %v; want one transition", results, err)
	}
	out, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("restored"), ImageIds: id})
	if err != nil {
		t.Fatal(err)
	}
	d := out.ImageDetails[0]
	if d.ImageStatus != types.ImageStatusArchived || !aws.ToTime(d.LastActivatedAt).Equal(restoredAt) || !aws.ToTime(d.LastArchivedAt).Equal(clock.Now()) {
		t.Errorf("status %s, lastActivatedAt %v (want %v), lastArchivedAt %v (want %v)",
			d.ImageStatus, d.LastActivatedAt, restoredAt, d.LastArchivedAt, clock.Now())
	}
}

// Runs concurrent with pushes and reads are race-free (go test -race) and
// leave a consistent repository: every listed image can be described.
func TestRunLifecyclePolicies_concurrent(t *testing.T) {
	ctx := context.Background()
	c, emu := newClient(t)
	mustCreateRepo(t, c, "busy")
	const keepThree = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String("busy"), LifecyclePolicyText: aws.String(keepThree)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	runs := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-done:
				runs <- n
				return
			default:
			}
			if _, err := emu.RunLifecyclePolicies(); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	for i := range 40 {
		pushImage(t, c, "busy", fmt.Sprint("img-", i), fmt.Sprint("t", i))
		if _, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("busy")}); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	if n := <-runs; n == 0 {
		t.Fatal("no lifecycle run happened during the pushes")
	}
	if _, err := emu.RunLifecyclePolicies(); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("busy")})
	if err != nil || len(list.ImageIds) != 3 {
		t.Fatalf("images left = %d (%v), want 3", len(list.ImageIds), err)
	}
	if _, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("busy"), ImageIds: list.ImageIds}); err != nil {
		t.Fatalf("a listed image cannot be described: %v", err)
	}
}
