package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// lifecycleClock is a settable clock for the preview tests.
type lifecycleClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lifecycleClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *lifecycleClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	// lcPretty is a valid policy with whitespace, to check compaction.
	lcPretty = `{
  "rules": [
    {
      "rulePriority": 1,
      "description": "expire untagged",
      "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
      "action": {"type": "expire"}
    }
  ]
}`
	lcCompact = `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
	// lcKeepTwo keeps the two newest images, except that untagged images
	// older than a day are expired first and dev images are archived.
	lcKeepTwo = `{"rules":[` +
		`{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},` +
		`{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPatternList":["dev-*"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"transition","targetStorageClass":"archive"}},` +
		`{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}`
)

func TestLifecyclePolicy_putGetDelete(t *testing.T) {
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "app/web")
	name := aws.String("app/web")

	_, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name})
	wantAPIError(t, err, "LifecyclePolicyNotFoundException",
		"Lifecycle policy does not exist for the repository with name 'app/web' in the registry with id '123456789012'")

	put, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcPretty)})
	if err != nil {
		t.Fatalf("PutLifecyclePolicy: %v", err)
	}
	if aws.ToString(put.LifecyclePolicyText) != lcCompact || aws.ToString(put.RegistryId) != "123456789012" || aws.ToString(put.RepositoryName) != "app/web" {
		t.Errorf("Put = %+v", put)
	}

	got, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name, RegistryId: aws.String("123456789012")})
	if err != nil {
		t.Fatalf("GetLifecyclePolicy: %v", err)
	}
	if aws.ToString(got.LifecyclePolicyText) != lcCompact || got.LastEvaluatedAt == nil || got.LastEvaluatedAt.Unix() != 0 {
		t.Errorf("Get = %q, lastEvaluatedAt %v", aws.ToString(got.LifecyclePolicyText), got.LastEvaluatedAt)
	}

	// A second put replaces the policy.
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcKeepTwo)}); err != nil {
		t.Fatalf("PutLifecyclePolicy again: %v", err)
	}
	del, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: name})
	if err != nil {
		t.Fatalf("DeleteLifecyclePolicy: %v", err)
	}
	if aws.ToString(del.LifecyclePolicyText) != lcKeepTwo || aws.ToString(del.RepositoryName) != "app/web" || del.LastEvaluatedAt == nil {
		t.Errorf("Delete = %+v", del)
	}
	_, err = c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: name})
	wantAPIError(t, err, "LifecyclePolicyNotFoundException",
		"Lifecycle policy does not exist for the repository with name 'app/web' in the registry with id '123456789012'")
	_, err = c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: name})
	wantAPIError(t, err, "LifecyclePolicyNotFoundException", "")
}

func TestPutLifecyclePolicy_errors(t *testing.T) {
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "app/web")
	pad := func(s string) string { return s + strings.Repeat(" ", max(0, 100-len(s))) }
	cases := []struct {
		name, repo, text, code, msg string
	}{
		{"too short", "app/web", `{"rules":[]}`, "InvalidParameterException",
			"Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'"},
		{"too long", "app/web", pad(lcCompact) + strings.Repeat(" ", 30720), "InvalidParameterException",
			"Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length less than or equal to 30720'"},
		{"not json", "app/web", strings.Repeat("x", 120), "InvalidParameterException",
			"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy.'"},
		{"missing properties", "app/web", pad(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any"},"action":{"type":"expire"}}]}`), "InvalidParameterException",
			`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: object has missing required properties (["countNumber","countType"])'`},
		{"tagged without list", "app/web", pad(`{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`), "InvalidParameterException",
			"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'"},
		{"missing repository", "missing", lcCompact, "RepositoryNotFoundException",
			"The repository with name 'missing' does not exist in the registry with id '123456789012'"},
		{"bad repository name", "Bad", lcCompact, "InvalidParameterException", ""},
		{"length before existence", "missing", `{"rules":[]}`, "InvalidParameterException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: aws.String(tc.repo), LifecyclePolicyText: aws.String(tc.text)})
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	if _, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("app/web")}); errCode(err) != "LifecyclePolicyNotFoundException" {
		t.Errorf("a rejected policy was stored: %v", err)
	}
	for _, op := range []func() error{
		func() error {
			_, err := c.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("missing")})
			return err
		},
		func() error {
			_, err := c.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String("missing")})
			return err
		},
		func() error {
			_, err := c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: aws.String("missing")})
			return err
		},
		func() error {
			_, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: aws.String("missing")})
			return err
		},
	} {
		wantAPIError(t, op(), "RepositoryNotFoundException", "")
	}
}

// wantAPIError fails unless err has the code and, when msg is not empty,
// the message.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if errCode(err) != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if msg == "" {
		return
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != msg {
		t.Errorf("message = %q\nwant      %q", ae.ErrorMessage(), msg)
	}
}

// pushImage pushes a distinct small manifest, tagged when tag != "".
func pushImage(t *testing.T, c *ecr.Client, repo, seed, tag string) string {
	t.Helper()
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",`+
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":2},"layers":[],`+
		`"annotations":{"seed":%q}}`, remember("{}"), seed)
	uploadBlobs(t, c, repo, manifest)
	in := &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageManifest: aws.String(manifest)}
	if tag != "" {
		in.ImageTag = aws.String(tag)
	}
	out, err := c.PutImage(context.Background(), in)
	if err != nil {
		t.Fatalf("PutImage(%s): %v", seed, err)
	}
	return aws.ToString(out.Image.ImageId.ImageDigest)
}

func TestLifecyclePolicyPreview(t *testing.T) {
	ctx := context.Background()
	clock := &lifecycleClock{t: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}
	c, _ := newClient(t, emulator.WithClock(clock), emulator.WithTransitionDelay(time.Minute))
	mustCreateRepo(t, c, "app/web")
	name := aws.String("app/web")

	_, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name})
	wantAPIError(t, err, "LifecyclePolicyPreviewNotFoundException", "")
	_, err = c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name})
	wantAPIError(t, err, "LifecyclePolicyNotFoundException",
		"Lifecycle policy does not exist for the repository with name 'app/web' in the registry with id '123456789012'")

	// Pushed a day apart, oldest first.
	digests := map[string]string{}
	for _, im := range []struct{ seed, tag string }{
		{"untagged-old", ""}, {"dev-1", "dev-1"}, {"v1", "v1"}, {"dev-2", "dev-2"}, {"v2", "v2"}, {"untagged-new", ""},
	} {
		digests[im.seed] = pushImage(t, c, "app/web", im.seed, im.tag)
		clock.advance(36 * time.Hour)
	}
	clock.advance(-35 * time.Hour) // the newest image is an hour old

	start, err := c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcKeepTwo)})
	if err != nil {
		t.Fatalf("StartLifecyclePolicyPreview: %v", err)
	}
	if start.Status != types.LifecyclePolicyPreviewStatusInProgress || aws.ToString(start.LifecyclePolicyText) != lcKeepTwo {
		t.Errorf("Start = %+v", start)
	}
	_, err = c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcKeepTwo)})
	wantAPIError(t, err, "LifecyclePolicyPreviewInProgressException", "")

	inProgress, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name})
	if err != nil {
		t.Fatalf("GetLifecyclePolicyPreview: %v", err)
	}
	if inProgress.Status != types.LifecyclePolicyPreviewStatusInProgress || len(inProgress.PreviewResults) != 0 || inProgress.Summary != nil {
		t.Errorf("in progress = %+v", inProgress)
	}

	clock.advance(time.Minute)
	done, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name})
	if err != nil {
		t.Fatalf("GetLifecyclePolicyPreview: %v", err)
	}
	if done.Status != types.LifecyclePolicyPreviewStatusComplete || aws.ToString(done.LifecyclePolicyText) != lcKeepTwo {
		t.Fatalf("complete = %+v", done)
	}
	// Rule 1 expires the old untagged image (the new one is an hour old);
	// rule 2 archives dev-1 (dev-2 is the newest dev image); rule 3 keeps
	// untagged-new and v2, and of the rest may act only on v1 (dev-2 is
	// rule 2's).
	want := []string{
		"untagged-old 1 EXPIRE  STANDARD",
		"dev-1 2 TRANSITION ARCHIVE STANDARD",
		"v1 3 EXPIRE  STANDARD",
	}
	seedOf := map[string]string{}
	for s, d := range digests {
		seedOf[d] = s
	}
	render := func(rs []types.LifecyclePolicyPreviewResult) []string {
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%s %d %s %s %s", seedOf[aws.ToString(r.ImageDigest)], aws.ToInt32(r.AppliedRulePriority),
				r.Action.Type, r.Action.TargetStorageClass, r.StorageClass))
			if r.ImagePushedAt == nil {
				t.Errorf("result %s has no imagePushedAt", aws.ToString(r.ImageDigest))
			}
		}
		return out
	}
	if got := render(done.PreviewResults); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if done.PreviewResults[1].ImageTags[0] != "dev-1" || len(done.PreviewResults[0].ImageTags) != 0 {
		t.Errorf("imageTags = %v / %v", done.PreviewResults[1].ImageTags, done.PreviewResults[0].ImageTags)
	}
	s := done.Summary
	if s == nil || aws.ToInt32(s.ExpiringImageTotalCount) != 2 || len(s.TransitioningImageTotalCounts) != 1 ||
		aws.ToInt32(s.TransitioningImageTotalCounts[0].ImageTotalCount) != 1 ||
		s.TransitioningImageTotalCounts[0].TargetStorageClass != types.LifecyclePolicyTargetStorageClassArchive {
		t.Errorf("summary = %+v", s)
	}

	// Filters, image ids and paging.
	for _, tc := range []struct {
		name string
		in   ecr.GetLifecyclePolicyPreviewInput
		want []string
	}{
		{"tagged", ecr.GetLifecyclePolicyPreviewInput{Filter: &types.LifecyclePolicyPreviewFilter{TagStatus: types.TagStatusTagged}}, want[1:]},
		{"untagged", ecr.GetLifecyclePolicyPreviewInput{Filter: &types.LifecyclePolicyPreviewFilter{TagStatus: types.TagStatusUntagged}}, want[:1]},
		{"any", ecr.GetLifecyclePolicyPreviewInput{Filter: &types.LifecyclePolicyPreviewFilter{TagStatus: types.TagStatusAny}}, want},
		{"by tag and digest", ecr.GetLifecyclePolicyPreviewInput{ImageIds: []types.ImageIdentifier{
			{ImageTag: aws.String("v1")}, {ImageDigest: aws.String(digests["untagged-old"])}, {ImageTag: aws.String("v2")},
		}}, []string{want[0], want[2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RepositoryName = name
			out, err := c.GetLifecyclePolicyPreview(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(out.PreviewResults); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("results = %v, want %v", got, tc.want)
			}
		})
	}
	var paged []string
	p := ecr.NewGetLifecyclePolicyPreviewPaginator(c, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name, MaxResults: aws.Int32(1)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		paged = append(paged, render(out.PreviewResults)...)
	}
	if pages != 3 || strings.Join(paged, "|") != strings.Join(want, "|") {
		t.Errorf("paged in %d pages: %v", pages, paged)
	}

	// Errors of GetLifecyclePolicyPreview's members.
	for _, tc := range []struct {
		name string
		in   ecr.GetLifecyclePolicyPreviewInput
	}{
		{"imageIds with maxResults", ecr.GetLifecyclePolicyPreviewInput{ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}, MaxResults: aws.Int32(5)}},
		{"imageIds with nextToken", ecr.GetLifecyclePolicyPreviewInput{ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}}, NextToken: aws.String("x")}},
		{"maxResults too big", ecr.GetLifecyclePolicyPreviewInput{MaxResults: aws.Int32(101)}},
		{"maxResults zero", ecr.GetLifecyclePolicyPreviewInput{MaxResults: aws.Int32(0)}},
		{"bad tagStatus", ecr.GetLifecyclePolicyPreviewInput{Filter: &types.LifecyclePolicyPreviewFilter{TagStatus: "SOME"}}},
		{"bad nextToken", ecr.GetLifecyclePolicyPreviewInput{NextToken: aws.String("garbage")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RepositoryName = name
			_, err := c.GetLifecyclePolicyPreview(ctx, &in)
			wantAPIError(t, err, "InvalidParameterException", "")
		})
	}

	// Once complete, a new preview may start; without text it uses the
	// stored policy, and an invalid text is rejected like PutLifecyclePolicy.
	_, err = c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name,
		LifecyclePolicyText: aws.String(strings.Repeat("x", 120))})
	wantAPIError(t, err, "InvalidParameterException",
		"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy.'")
	if _, err := c.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{RepositoryName: name, LifecyclePolicyText: aws.String(lcPretty)}); err != nil {
		t.Fatal(err)
	}
	again, err := c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: name})
	if err != nil {
		t.Fatalf("StartLifecyclePolicyPreview with the stored policy: %v", err)
	}
	if aws.ToString(again.LifecyclePolicyText) != lcCompact {
		t.Errorf("preview policy = %q", aws.ToString(again.LifecyclePolicyText))
	}
	clock.advance(time.Minute)
	stored, err := c.GetLifecyclePolicyPreview(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: name})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing untagged is older than 14 days.
	if stored.Status != types.LifecyclePolicyPreviewStatusComplete || len(stored.PreviewResults) != 0 ||
		stored.Summary == nil || aws.ToInt32(stored.Summary.ExpiringImageTotalCount) != 0 {
		t.Errorf("stored-policy preview = %+v", stored)
	}
}

func TestLifecyclePolicyPreview_waiter(t *testing.T) {
	ctx := context.Background()
	c, _ := newClient(t, emulator.WithTransitionDelay(150*time.Millisecond))
	mustCreateRepo(t, c, "app/web")
	pushImage(t, c, "app/web", "a", "")
	pushImage(t, c, "app/web", "b", "")
	policy := `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`
	if _, err := c.StartLifecyclePolicyPreview(ctx, &ecr.StartLifecyclePolicyPreviewInput{RepositoryName: aws.String("app/web"), LifecyclePolicyText: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	w := ecr.NewLifecyclePolicyPreviewCompleteWaiter(c, func(o *ecr.LifecyclePolicyPreviewCompleteWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 50 * time.Millisecond
	})
	out, err := w.WaitForOutput(ctx, &ecr.GetLifecyclePolicyPreviewInput{RepositoryName: aws.String("app/web")}, 30*time.Second)
	if err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if out.Status != types.LifecyclePolicyPreviewStatusComplete || len(out.PreviewResults) != 1 {
		t.Errorf("preview = %+v", out)
	}
}
