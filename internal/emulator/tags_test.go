package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

const repoARN = "arn:aws:ecr:us-west-2:123456789012:repository/tagged"

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func nTags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = tag(fmt.Sprintf("k%02d", i), "v")
	}
	return out
}

// tagMap flattens tags for comparison.
func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestTagResource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name    string
		initial []types.Tag // on CreateRepository
		arn     string
		tags    []types.Tag
		want    string            // error code, "" for success
		result  map[string]string // tags afterwards, on success
	}{
		{"add", nil, repoARN, []types.Tag{tag("a", "1")}, "", map[string]string{"a": "1"}},
		{"merge and overwrite", []types.Tag{tag("a", "1"), tag("b", "2")}, repoARN, []types.Tag{tag("b", "3"), tag("c", "")}, "",
			map[string]string{"a": "1", "b": "3", "c": ""}},
		{"exactly 50", nTags(40), repoARN, nTags(50), "", nil},
		{"51 in total", nTags(50), repoARN, []types.Tag{tag("extra", "x")}, "TooManyTagsException", nil},
		{"key too long", nil, repoARN, []types.Tag{tag(strings.Repeat("k", 129), "v")}, "InvalidTagParameterException", nil},
		{"key of 128", nil, repoARN, []types.Tag{tag(strings.Repeat("k", 128), strings.Repeat("v", 256))}, "", nil},
		{"value too long", nil, repoARN, []types.Tag{tag("k", strings.Repeat("v", 257))}, "InvalidTagParameterException", nil},
		{"empty key", nil, repoARN, []types.Tag{tag("", "v")}, "InvalidTagParameterException", nil},
		{"reserved prefix", nil, repoARN, []types.Tag{tag("AWS:x", "v")}, "InvalidTagParameterException", nil},
		{"not an arn", nil, "tagged", []types.Tag{tag("a", "1")}, "InvalidParameterException", nil},
		{"other service", nil, "arn:aws:s3:us-west-2:123456789012:repository/tagged", []types.Tag{tag("a", "1")}, "InvalidParameterException", nil},
		{"not a repository", nil, "arn:aws:ecr:us-west-2:123456789012:template/tagged", []types.Tag{tag("a", "1")}, "InvalidParameterException", nil},
		{"missing repository", nil, "arn:aws:ecr:us-west-2:123456789012:repository/nope", []types.Tag{tag("a", "1")}, "RepositoryNotFoundException", nil},
		{"other region", nil, "arn:aws:ecr:eu-west-1:123456789012:repository/tagged", []types.Tag{tag("a", "1")}, "RepositoryNotFoundException", nil},
		{"other account", nil, "arn:aws:ecr:us-west-2:210987654321:repository/tagged", []types.Tag{tag("a", "1")}, "RepositoryNotFoundException", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"), Tags: tc.initial}); err != nil {
				t.Fatal(err)
			}
			_, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(tc.arn), Tags: tc.tags})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil && tc.want == "InvalidParameterException" && !strings.Contains(err.Error(),
				"Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'") {
				t.Errorf("message: %v", err)
			}
			out, lerr := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(repoARN)})
			if lerr != nil {
				t.Fatal(lerr)
			}
			got := tagMap(out.Tags)
			want := tc.result
			if want == nil { // unchanged on failure; initial merged with added on success
				want = tagMap(tc.initial)
				if err == nil {
					for k, v := range tagMap(tc.tags) {
						want[k] = v
					}
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("tags = %v, want %v", got, want)
			}
		})
	}
}

func TestUntagResource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"),
		Tags: []types.Tag{tag("a", "1"), tag("b", "2"), tag("c", "3")}}); err != nil {
		t.Fatal(err)
	}
	// Absent keys are ignored.
	if _, err := c.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: aws.String(repoARN), TagKeys: []string{"b", "absent"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(repoARN)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tg := range out.Tags {
		keys = append(keys, aws.ToString(tg.Key))
	}
	if !slices.Equal(keys, []string{"a", "c"}) {
		t.Errorf("keys after untag = %v", keys)
	}
	errs := []struct {
		name string
		in   ecr.UntagResourceInput
		want string
	}{
		{"key too long", ecr.UntagResourceInput{ResourceArn: aws.String(repoARN), TagKeys: []string{strings.Repeat("k", 129)}}, "InvalidTagParameterException"},
		{"malformed arn", ecr.UntagResourceInput{ResourceArn: aws.String("arn:aws:ecr"), TagKeys: []string{"a"}}, "InvalidParameterException"},
		{"missing repository", ecr.UntagResourceInput{ResourceArn: aws.String("arn:aws:ecr:us-west-2:123456789012:repository/nope"),
			TagKeys: []string{"a"}}, "RepositoryNotFoundException"},
	}
	for _, tc := range errs {
		if _, err := c.UntagResource(ctx, &tc.in); errCode(err) != tc.want {
			t.Errorf("%s: error = %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestListTagsForResource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "tagged")
	out, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(repoARN)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Tags == nil || len(out.Tags) != 0 {
		t.Errorf("tags = %#v, want an empty list", out.Tags)
	}
	errs := map[string]string{
		"not-an-arn": "InvalidParameterException",
		"arn:aws:ecr:us-west-2:123456789012:repository/Bad":  "InvalidParameterException",
		"arn:aws:ecr:us-west-2:123456789012:repository/nope": "RepositoryNotFoundException",
	}
	for arn, want := range errs {
		if _, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)}); errCode(err) != want {
			t.Errorf("%s: error = %v, want %s", arn, err, want)
		}
	}
}

// withoutInputValidation turns off the SDK's client-side check of required
// members, so that a request with a missing member reaches the emulator.
func withoutInputValidation(o *ecr.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

func TestTagMembersRequired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "tagged")
	keyOnly := []types.Tag{{Key: aws.String("a")}}
	valueOnly := []types.Tag{{Value: aws.String("v")}}
	msg := func(member string) string {
		return "Invalid parameter at '" + member + "' failed to satisfy constraint: 'Member must not be null'"
	}
	cases := []struct {
		name, wantCode, wantMsg string
		call                    func() error
	}{
		{"create, no value", "InvalidParameterException", msg("tags.member.value"), func() error {
			_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("new"), Tags: keyOnly}, withoutInputValidation)
			return err
		}},
		{"create, no key", "InvalidParameterException", msg("tags.member.key"), func() error {
			_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("new"), Tags: valueOnly}, withoutInputValidation)
			return err
		}},
		{"tag, no value", "InvalidParameterException", msg("tags.member.value"), func() error {
			_, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(repoARN), Tags: []types.Tag{tag("ok", "v"), keyOnly[0]}}, withoutInputValidation)
			return err
		}},
		{"template, no value", "InvalidParameterException", msg("resourceTags.member.value"), func() error {
			_, err := c.CreateRepositoryCreationTemplate(ctx, &ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"),
				AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForReplication}, ResourceTags: keyOnly}, withoutInputValidation)
			return err
		}},
		{"empty value is a value", "", "", func() error {
			_, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(repoARN), Tags: []types.Tag{tag("empty", "")}})
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		if errCode(err) != tc.wantCode {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.wantCode)
			continue
		}
		var ae smithy.APIError
		if tc.wantMsg != "" && (!errors.As(err, &ae) || ae.ErrorMessage() != tc.wantMsg) {
			t.Errorf("%s: message %v, want %q", tc.name, err, tc.wantMsg)
		}
	}
	// Nothing was created or tagged by the failed calls.
	out, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(repoARN)})
	if err != nil || fmt.Sprint(tagMap(out.Tags)) != "map[empty:]" {
		t.Errorf("tags = %v %v", out, err)
	}
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"new"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Errorf("repository created: %v", err)
	}
}
