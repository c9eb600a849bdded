package emulator_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

func TestStartImageScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newImageTestClock(0)
	c, _ := newClient(t, emulator.WithClock(clock), emulator.WithTransitionDelay(time.Minute))
	mustCreateRepo(t, c, "scan")
	digest := mustPutImage(t, c, "scan", buildManifest("scan-cfg", "scan-layer"), "v1")
	index := mustPutImage(t, c, "scan", testIndex(digest), "multi")
	mustPutImage(t, c, "scan", buildManifest("cold"), "cold")
	if _, err := c.UpdateImageStorageClass(ctx, &ecr.UpdateImageStorageClassInput{RepositoryName: aws.String("scan"),
		ImageId: &types.ImageIdentifier{ImageTag: aws.String("cold")}, TargetStorageClass: types.TargetStorageClassArchive}); err != nil {
		t.Fatal(err)
	}
	v1 := &types.ImageIdentifier{ImageTag: aws.String("v1")}
	steps := []struct {
		name    string
		id      *types.ImageIdentifier
		advance time.Duration // before the call
		want    string
	}{
		{"first scan", v1, 0, ""},
		{"again within 24h", v1, 23 * time.Hour, "LimitExceededException"},
		{"after 24h", v1, 2 * time.Hour, ""},
		{"unknown image", &types.ImageIdentifier{ImageTag: aws.String("nope")}, 0, "ImageNotFoundException"},
		{"manifest list", &types.ImageIdentifier{ImageDigest: aws.String(index)}, 0, "UnsupportedImageTypeException"},
		{"archived", &types.ImageIdentifier{ImageTag: aws.String("cold")}, 0, "ImageArchivedException"},
	}
	for _, s := range steps {
		clock.advance(s.advance)
		out, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("scan"), ImageId: s.id})
		if got := errCode(err); got != s.want {
			t.Fatalf("%s: error %q (%v), want %q", s.name, got, err, s.want)
		}
		if err == nil && (out.ImageScanStatus.Status != types.ScanStatusInProgress || aws.ToString(out.ImageId.ImageDigest) != digest) {
			t.Errorf("%s: %+v", s.name, out)
		}
	}
	d := describeOne(t, c, "scan", *v1)
	if d.ImageScanStatus == nil || d.ImageScanStatus.Status != types.ScanStatusInProgress || d.ImageScanFindingsSummary != nil {
		t.Errorf("in progress: %+v %+v", d.ImageScanStatus, d.ImageScanFindingsSummary)
	}
	clock.advance(time.Minute)
	d = describeOne(t, c, "scan", *v1)
	if d.ImageScanStatus == nil || d.ImageScanStatus.Status != types.ScanStatusComplete || d.ImageScanFindingsSummary == nil ||
		d.ImageScanFindingsSummary.ImageScanCompletedAt == nil {
		t.Errorf("complete: %+v %+v", d.ImageScanStatus, d.ImageScanFindingsSummary)
	}
}

func TestDescribeImageScanFindings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "findings")
	mustPutImage(t, c, "findings", buildManifest("unscanned"), "new")
	cases := []struct {
		name string
		in   ecr.DescribeImageScanFindingsInput
		want string
	}{
		{"before any scan", ecr.DescribeImageScanFindingsInput{ImageId: &types.ImageIdentifier{ImageTag: aws.String("new")}}, "ScanNotFoundException"},
		{"unknown image", ecr.DescribeImageScanFindingsInput{ImageId: &types.ImageIdentifier{ImageTag: aws.String("gone")}}, "ImageNotFoundException"},
		{"missing repository", ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("nope"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("new")}}, "RepositoryNotFoundException"},
	}
	for _, tc := range cases {
		in := tc.in
		if in.RepositoryName == nil {
			in.RepositoryName = aws.String("findings")
		}
		if _, err := c.DescribeImageScanFindings(ctx, &in); errCode(err) != tc.want {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.want)
		}
	}

	// Findings are derived from the image: find one with several and check
	// that paging returns them all, consistently with the counts.
	for i := range 40 {
		tag := fmt.Sprintf("img-%d", i)
		mustPutImage(t, c, "findings", buildManifest(tag), tag)
		id := &types.ImageIdentifier{ImageTag: aws.String(tag)}
		if _, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("findings"), ImageId: id}); err != nil {
			t.Fatal(err)
		}
		full, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("findings"), ImageId: id})
		if err != nil {
			t.Fatal(err)
		}
		if full.ImageScanStatus.Status != types.ScanStatusComplete || full.ImageScanFindings == nil {
			t.Fatalf("status %+v", full.ImageScanStatus)
		}
		all := full.ImageScanFindings.Findings
		total := 0
		for _, n := range full.ImageScanFindings.FindingSeverityCounts {
			total += int(n)
		}
		if total != len(all) {
			t.Fatalf("severity counts %v for %d findings", full.ImageScanFindings.FindingSeverityCounts, len(all))
		}
		if len(all) < 2 {
			continue
		}
		p := ecr.NewDescribeImageScanFindingsPaginator(c, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("findings"),
			ImageId: id, MaxResults: aws.Int32(1)})
		var paged []types.ImageScanFinding
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, out.ImageScanFindings.Findings...)
		}
		if len(paged) != len(all) {
			t.Fatalf("paged %d findings, want %d", len(paged), len(all))
		}
		for j := range all {
			if aws.ToString(paged[j].Name) != aws.ToString(all[j].Name) || paged[j].Severity != all[j].Severity {
				t.Errorf("finding %d: %+v vs %+v", j, paged[j], all[j])
			}
		}
		again, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("findings"), ImageId: id})
		if err != nil || len(again.ImageScanFindings.Findings) != len(all) || aws.ToString(again.ImageScanFindings.Findings[0].Name) != aws.ToString(all[0].Name) {
			t.Errorf("findings are not deterministic: %v", err)
		}
		return
	}
	t.Fatal("no image with at least two findings among 40")
}

func TestImageScanCompleteWaiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Every reading of the clock moves it a minute on; scans take three.
	c, _ := newClient(t, emulator.WithClock(newImageTestClock(time.Minute)), emulator.WithTransitionDelay(3*time.Minute))
	mustCreateRepo(t, c, "wait")
	mustPutImage(t, c, "wait", buildManifest("waiting"), "v1")
	id := &types.ImageIdentifier{ImageTag: aws.String("v1")}
	if _, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("wait"), ImageId: id}); err != nil {
		t.Fatal(err)
	}
	first, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("wait"), ImageId: id})
	if err != nil || first.ImageScanStatus.Status != types.ScanStatusInProgress || first.ImageScanFindings != nil {
		t.Fatalf("first poll: %v %+v", err, first)
	}
	w := ecr.NewImageScanCompleteWaiter(c, func(o *ecr.ImageScanCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 5*time.Millisecond
	})
	out, err := w.WaitForOutput(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("wait"), ImageId: id}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if out.ImageScanStatus.Status != types.ScanStatusComplete || out.ImageScanFindings == nil {
		t.Errorf("after waiting: %+v", out.ImageScanStatus)
	}
}

func TestScanOnPush(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name     string
		repoScan bool
		rules    []types.RegistryScanningRule
		want     bool
	}{
		{"off", false, nil, false},
		{"repository setting", true, nil, true},
		{"registry rule", false, []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush,
			RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String("team-*"), FilterType: types.ScanningRepositoryFilterTypeWildcard}}}}, true},
		{"registry rule for others", false, []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush,
			RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String("other-*"), FilterType: types.ScanningRepositoryFilterTypeWildcard}}}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			if tc.rules != nil {
				if _, err := c.PutRegistryScanningConfiguration(ctx, &ecr.PutRegistryScanningConfigurationInput{ScanType: types.ScanTypeBasic, Rules: tc.rules}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team-a"),
				ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: tc.repoScan}}); err != nil {
				t.Fatal(err)
			}
			mustPutImage(t, c, "team-a", buildManifest("pushed"), "v1")
			d := describeOne(t, c, "team-a", types.ImageIdentifier{ImageTag: aws.String("v1")})
			if got := d.ImageScanStatus != nil; got != tc.want {
				t.Fatalf("scanned = %v, want %v", got, tc.want)
			}
			_, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("team-a"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			if want := map[bool]string{true: "LimitExceededException", false: ""}[tc.want]; errCode(err) != want {
				t.Errorf("manual scan after push: %v, want %q", err, want)
			}
		})
	}
}

// TestScanImageSizeExceeded: the scan of an image larger than a scan covers
// ends IMAGE_SIZE_EXCEEDED, with no findings.
func TestScanImageSizeExceeded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t, emulator.WithTransitionDelay(0))
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("big"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}}); err != nil {
		t.Fatal(err)
	}
	// A foreign layer (with urls) need not be uploaded: its size is what
	// the manifest says.
	config := "big-config"
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":%q,"size":%d},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":"sha256:%064d","size":%d,"urls":["https://example.com/layer"]}]}`,
		remember(config), len(config), 1, int64(11)<<30)
	uploadLayer(t, c, "big", config, 20<<20)
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("big"), ImageManifest: aws.String(manifest),
		ImageTag: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	id := &types.ImageIdentifier{ImageTag: aws.String("v1")}
	f, err := c.DescribeImageScanFindings(ctx, &ecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("big"), ImageId: id})
	if err != nil || f.ImageScanStatus.Status != types.ScanStatusImageSizeExceeded || f.ImageScanFindings != nil {
		t.Fatalf("scan of an 11 GiB image: %+v %v", f, err)
	}
	d := describeOne(t, c, "big", *id)
	if d.ImageScanStatus.Status != types.ScanStatusImageSizeExceeded || d.ImageScanFindingsSummary != nil {
		t.Fatalf("DescribeImages: %+v", d.ImageScanStatus)
	}
}
