package ecr_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// invokeStartImageScan invokes ecr_start_image_scan through the protocol
// and returns its progress messages and its error diagnostics.
func invokeStartImageScan(t *testing.T, p *protoProvider, repository, tag, failOn string) (messages, errs []string) {
	t.Helper()
	return p.invokeAction(t, "ecr_start_image_scan", map[string]tftypes.Value{
		"repository": optionalString(repository), "image_tag": optionalString(tag), "image_digest": optionalString(""),
		"region": optionalString(""), "timeout": optionalString("1m"), "fail_on_severity": optionalString(failOn),
	})
}

// TestStartImageScanAction_protocol scans images and reports their
// severity counts; a second scan within the day reports the last one; an
// image with findings fails fail_on_severity = "INFORMATIONAL" and passes
// when nothing reaches the threshold.
func TestStartImageScanAction_protocol(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "scans images")
	p := newProtoProvider(t, b)
	ctx := context.Background()
	if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("svc")}); err != nil {
		t.Fatal(err)
	}
	withFindings := ""
	for _, tag := range []string{"v1", "v2", "v3", "v4", "v5", "v6"} {
		if err := putImage(b, "svc", tag); err != nil {
			t.Fatal(err)
		}
		messages, errs := invokeStartImageScan(t, p, "svc", tag, "")
		out := strings.Join(messages, "\n")
		if len(errs) > 0 || !strings.Contains(out, "svc@"+acctest.ImageDigest(tag)+": scan started") || !strings.Contains(out, ": scan COMPLETE: ") {
			t.Fatalf("%s: messages %q, errors %q", tag, out, errs)
		}
		f, err := b.Client.DescribeImageScanFindings(ctx, &awsecr.DescribeImageScanFindingsInput{RepositoryName: aws.String("svc"),
			ImageId: &awstypes.ImageIdentifier{ImageTag: aws.String(tag)}})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(f.ImageScanFindings.Findings); n > 0 {
			withFindings = tag
			if strings.Contains(out, "no findings") {
				t.Errorf("%s has %d findings, reported %q", tag, n, out)
			}
			break
		}
		if !strings.Contains(out, "no findings") {
			t.Errorf("%s has no findings, reported %q", tag, out)
		}
	}
	if withFindings == "" {
		t.Fatal("no image with findings among the pushed ones")
	}
	messages, errs := invokeStartImageScan(t, p, "svc", withFindings, "INFORMATIONAL")
	if out := strings.Join(messages, "\n"); !strings.Contains(out, "at most once a day; reporting its last scan") {
		t.Errorf("second scan: %q", out)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], `at or above fail_on_severity = "INFORMATIONAL"`) {
		t.Errorf("fail_on_severity: errors %q", errs)
	}
	if _, errs := invokeStartImageScan(t, p, "svc", "nope", ""); len(errs) != 1 || !strings.Contains(errs[0], "svc:nope not found") {
		t.Errorf("missing image: errors %q", errs)
	}
}

// TestAccStartImageScanAction_CLI invokes the action with the CLI
// (Terraform 1.14+): its messages are in the output.
func TestAccStartImageScanAction_CLI(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "scans images")
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	rName := acctest.RandomName("tf-acc-scan")
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	if err := putImage(b, rName, "v1"); err != nil {
		t.Fatal(err)
	}
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(fmt.Sprintf(`
action "ecr_start_image_scan" "test" {
  config {
    repository = %[1]q
    image_tag  = "v1"
    timeout    = "1m"
  }
}
`, rName))
	out := cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_start_image_scan.test")
	if !strings.Contains(out, rName+"@"+acctest.ImageDigest("v1")+": scan started") || !strings.Contains(out, "scan COMPLETE") {
		t.Errorf("output lacks the scan's progress:\n%s", out)
	}
}
