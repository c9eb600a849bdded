package ecr_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const testAccStorageClassChangeNeedsEmulator = "archives images: moto 5.2 has no UpdateImageStorageClass"

// storageClassChange is the configuration of one invocation of
// ecr_image_storage_class_change; unset fields are null.
type storageClassChange struct {
	repository, class, tagPrefix, pushedBefore string
	tags, digests                              []string
}

// invokeStorageClassChange invokes the action through the protocol and
// returns its progress messages and its error diagnostics.
func invokeStorageClassChange(t *testing.T, p *protoProvider, c storageClassChange) (messages, errs []string) {
	t.Helper()
	str := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	list := func(ss []string) tftypes.Value {
		typ := tftypes.List{ElementType: tftypes.String}
		if ss == nil {
			return tftypes.NewValue(typ, nil)
		}
		vs := make([]tftypes.Value, len(ss))
		for i, s := range ss {
			vs[i] = str(s)
		}
		return tftypes.NewValue(typ, vs)
	}
	typ := p.schemas.ActionSchemas["ecr_image_storage_class_change"].Schema.ValueType()
	cfg := mustDynamicValue(t, typ, tftypes.NewValue(typ, map[string]tftypes.Value{
		"repository": str(c.repository), "target_storage_class": str(c.class), "image_tags": list(c.tags),
		"image_digests": list(c.digests), "tag_prefix": str(c.tagPrefix), "tag_pattern": str(""), "pushed_after": str(""),
		"pushed_before": str(c.pushedBefore), "region": str(""), "timeout": str("1m"),
	}))
	actions := p.srv.(tfprotov6.ProviderServerWithActions) //nolint:staticcheck // InvokeAction is only there in v0.31
	stream, err := actions.InvokeAction(acctest.Context(), &tfprotov6.InvokeActionRequest{
		ActionType: "ecr_image_storage_class_change", Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	for e := range stream.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			messages = append(messages, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			for _, d := range ev.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, d.Summary+": "+d.Detail)
				}
			}
		}
	}
	return messages, errs
}

// expectImageStatuses checks the status of the images pushed with tags.
func expectImageStatuses(t *testing.T, b *acctest.Backend, repository string, want map[string]awstypes.ImageStatus) {
	t.Helper()
	for tag, status := range want {
		out, err := b.Client.DescribeImages(acctest.Context(), &awsecr.DescribeImagesInput{RepositoryName: aws.String(repository),
			ImageIds: []awstypes.ImageIdentifier{{ImageTag: aws.String(tag)}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.ImageDetails[0].ImageStatus; got != status {
			t.Errorf("%s:%s is %s, want %s", repository, tag, got, status)
		}
	}
}

// expectMessages checks that each wanted line is among the messages.
func expectMessages(t *testing.T, what string, messages []string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, m := range messages {
			found = found || m == w
		}
		if !found {
			t.Errorf("%s: no message %q among\n%s", what, w, strings.Join(messages, "\n"))
		}
	}
}

// imageLine is how the action names an image pushed with one tag.
func imageLine(repository, tag string) string {
	return fmt.Sprintf("%s@%s (tags: %s)", repository, acctest.ImageDigest(tag), tag)
}

// TestImageStorageClassChangeAction_protocol archives images named by tag,
// then those with a prefix (reporting those archived already), restores
// one by digest through ACTIVATING, and refuses a tag the repository
// lacks before moving anything.
func TestImageStorageClassChangeAction_protocol(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccStorageClassChangeNeedsEmulator)
	p := newProtoProvider(t, b)
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String("svc")}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1", "v2", "v3", "latest"} {
		if err := putImage(b, "svc", tag); err != nil {
			t.Fatal(err)
		}
	}
	const active, archived = awstypes.ImageStatusActive, awstypes.ImageStatusArchived

	messages, errs := invokeStorageClassChange(t, p, storageClassChange{repository: "svc", class: "ARCHIVE", tags: []string{"v1", "v2"}})
	if len(errs) > 0 {
		t.Fatalf("archiving v1 and v2: %q", errs)
	}
	expectMessages(t, "archiving v1 and v2", messages, "svc: 2 image(s) match",
		imageLine("svc", "v1")+": archived", imageLine("svc", "v2")+": archived", "svc: 2 image(s) moved to ARCHIVE, 0 in it already")
	expectImageStatuses(t, b, "svc", map[string]awstypes.ImageStatus{"v1": archived, "v2": archived, "v3": active, "latest": active})

	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	messages, errs = invokeStorageClassChange(t, p, storageClassChange{repository: "svc", class: "ARCHIVE", tagPrefix: "v", pushedBefore: future})
	if len(errs) > 0 {
		t.Fatalf("archiving v*: %q", errs)
	}
	expectMessages(t, "archiving v*", messages, "svc: 3 image(s) match", imageLine("svc", "v1")+": in ARCHIVE already",
		imageLine("svc", "v3")+": archived", "svc: 1 image(s) moved to ARCHIVE, 2 in it already")
	expectImageStatuses(t, b, "svc", map[string]awstypes.ImageStatus{"v3": archived, "latest": active})

	messages, errs = invokeStorageClassChange(t, p, storageClassChange{repository: "svc", class: "STANDARD", digests: []string{acctest.ImageDigest("v1")}})
	if len(errs) > 0 {
		t.Fatalf("restoring v1: %q", errs)
	}
	expectMessages(t, "restoring v1", messages, imageLine("svc", "v1")+": restore started (ACTIVATING)",
		"svc: 1 image(s) moved to STANDARD, 0 in it already")
	if !strings.Contains(strings.Join(messages, "\n"), imageLine("svc", "v1")+": restored (ACTIVE) after ") {
		t.Errorf("restoring v1: no message that it was restored among\n%s", strings.Join(messages, "\n"))
	}
	expectImageStatuses(t, b, "svc", map[string]awstypes.ImageStatus{"v1": active, "v2": archived})

	_, errs = invokeStorageClassChange(t, p, storageClassChange{repository: "svc", class: "STANDARD", tags: []string{"v2", "nope"}})
	if len(errs) != 1 || !strings.Contains(errs[0], "svc has no image nope; nothing was moved") {
		t.Errorf("a missing tag: errors %q", errs)
	}
	expectImageStatuses(t, b, "svc", map[string]awstypes.ImageStatus{"v2": archived})
}

// TestImageStorageClassChangeAction_refused: an image ECR refuses to
// archive (being restored) fails the action with ECR's message, after the
// other image was archived.
func TestImageStorageClassChangeAction_refused(t *testing.T) {
	b := acctest.NewBackend(t, emulator.WithTransitionDelay(time.Hour))
	b.RequireEmulator(t, testAccStorageClassChangeNeedsEmulator)
	p := newProtoProvider(t, b)
	ctx := acctest.Context()
	if _, err := b.Client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String("svc")}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1", "v2"} {
		if err := putImage(b, "svc", tag); err != nil {
			t.Fatal(err)
		}
	}
	// v1 is being restored, for an hour.
	for _, class := range []awstypes.TargetStorageClass{awstypes.TargetStorageClassArchive, awstypes.TargetStorageClassStandard} {
		if _, err := b.Client.UpdateImageStorageClass(ctx, &awsecr.UpdateImageStorageClassInput{RepositoryName: aws.String("svc"),
			ImageId: &awstypes.ImageIdentifier{ImageTag: aws.String("v1")}, TargetStorageClass: class}); err != nil {
			t.Fatal(err)
		}
	}
	messages, errs := invokeStorageClassChange(t, p, storageClassChange{repository: "svc", class: "ARCHIVE", tags: []string{"v1", "v2"}})
	want := fmt.Sprintf("moving ECR Image (svc@%s) to ARCHIVE: ", acctest.ImageDigest("v1"))
	if len(errs) != 1 || !strings.HasPrefix(errs[0], want) || !strings.Contains(errs[0],
		fmt.Sprintf("ImageStorageClassUpdateNotSupportedException: The image with digest '%s' is being restored", acctest.ImageDigest("v1"))) {
		t.Errorf("errors %q, want one starting %q with ECR's message", errs, want)
	}
	expectMessages(t, "archiving v1 and v2", messages, imageLine("svc", "v1")+": ECR refused to move it to ARCHIVE",
		imageLine("svc", "v2")+": archived", "svc: 1 image(s) moved to ARCHIVE, 0 in it already, 1 failed")
	expectImageStatuses(t, b, "svc", map[string]awstypes.ImageStatus{"v1": awstypes.ImageStatusActivating, "v2": awstypes.ImageStatusArchived})
}

// TestAccImageStorageClassChangeAction_CLI archives the v* images with the
// CLI (Terraform 1.14+), then restores one; its messages are in the
// output. An action without a filter is refused at validation.
func TestAccImageStorageClassChangeAction_CLI(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, testAccStorageClassChangeNeedsEmulator)
	acctest.SkipBelowTerraform(t, tfversion.Version1_14_0)
	t.Parallel()
	rName := acctest.RandomName("tf-acc-class")
	if _, err := b.Client.CreateRepository(acctest.Context(), &awsecr.CreateRepositoryInput{RepositoryName: aws.String(rName)}); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"v1", "v2", "latest"} {
		if err := putImage(b, rName, tag); err != nil {
			t.Fatal(err)
		}
	}
	cli := acctest.NewCLI(t, b)
	cli.WriteConfig(fmt.Sprintf(`
action "ecr_image_storage_class_change" "archive" {
  config {
    repository           = %[1]q
    target_storage_class = "ARCHIVE"
    tag_prefix           = "v"
  }
}

action "ecr_image_storage_class_change" "restore" {
  config {
    repository           = %[1]q
    target_storage_class = "STANDARD"
    image_tags           = ["v1"]
    timeout              = "2m"
  }
}
`, rName))
	out := cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_image_storage_class_change.archive")
	for _, want := range []string{imageLine(rName, "v1") + ": archived", imageLine(rName, "v2") + ": archived",
		rName + ": 2 image(s) moved to ARCHIVE, 0 in it already"} {
		if !strings.Contains(out, want) {
			t.Errorf("archiving: the output lacks %q:\n%s", want, out)
		}
	}
	expectImageStatuses(t, b, rName, map[string]awstypes.ImageStatus{"v1": awstypes.ImageStatusArchived,
		"v2": awstypes.ImageStatusArchived, "latest": awstypes.ImageStatusActive})

	out = cli.MustRun("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_image_storage_class_change.restore")
	for _, want := range []string{imageLine(rName, "v1") + ": restore started (ACTIVATING)", imageLine(rName, "v1") + ": restored (ACTIVE) after "} {
		if !strings.Contains(out, want) {
			t.Errorf("restoring: the output lacks %q:\n%s", want, out)
		}
	}
	expectImageStatuses(t, b, rName, map[string]awstypes.ImageStatus{"v1": awstypes.ImageStatusActive, "v2": awstypes.ImageStatusArchived})

	cli.WriteConfig(fmt.Sprintf(`
action "ecr_image_storage_class_change" "everything" {
  config {
    repository           = %[1]q
    target_storage_class = "ARCHIVE"
  }
}
`, rName))
	out, err := cli.Run("apply", "-input=false", "-auto-approve", "-invoke=action.ecr_image_storage_class_change.everything")
	if err == nil || !strings.Contains(out, "At least one of these attributes must be configured") {
		t.Errorf("an action without a filter: want a validation error, got %v:\n%s", err, out)
	}
	expectImageStatuses(t, b, rName, map[string]awstypes.ImageStatus{"latest": awstypes.ImageStatusActive})
}
