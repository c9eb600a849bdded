package emulator_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

func TestRegisterPullTimeUpdateExclusion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name, arn, want string
	}{
		{"role", "arn:aws:iam::123456789012:role/ci", ""},
		{"user with path", "arn:aws:iam::123456789012:user/ops/alice", ""},
		{"gov partition", "arn:aws-us-gov:iam::123456789012:role/ci", ""},
		{"group", "arn:aws:iam::123456789012:group/admins", "InvalidParameterException"},
		{"short account", "arn:aws:iam::1234:role/ci", "InvalidParameterException"},
		{"too long", "arn:aws:iam::123456789012:role/" + fmt.Sprintf("%0180d", 0), "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.RegisterPullTimeUpdateExclusion(ctx, &ecr.RegisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(tc.arn)})
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			if aws.ToString(out.PrincipalArn) != tc.arn || out.CreatedAt == nil {
				t.Errorf("registered %+v", out)
			}
			_, err = c.RegisterPullTimeUpdateExclusion(ctx, &ecr.RegisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(tc.arn)})
			if got := errCode(err); got != "ExclusionAlreadyExistsException" {
				t.Errorf("duplicate: %q", got)
			}
			dereg, err := c.DeregisterPullTimeUpdateExclusion(ctx, &ecr.DeregisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(tc.arn)})
			if err != nil || aws.ToString(dereg.PrincipalArn) != tc.arn {
				t.Fatalf("deregister: %+v, %v", dereg, err)
			}
			_, err = c.DeregisterPullTimeUpdateExclusion(ctx, &ecr.DeregisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(tc.arn)})
			if got := errCode(err); got != "ExclusionNotFoundException" {
				t.Errorf("second deregister: %q", got)
			}
		})
	}
}

func TestListPullTimeUpdateExclusions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	fillToLimit(t, "exclusion", 100, func(i int) error {
		_, err := c.RegisterPullTimeUpdateExclusion(ctx, &ecr.RegisterPullTimeUpdateExclusionInput{
			PrincipalArn: aws.String(fmt.Sprintf("arn:aws:iam::123456789012:role/r%03d", i))})
		return err
	})
	// Default page: all 100, no token.
	out, err := c.ListPullTimeUpdateExclusions(ctx, &ecr.ListPullTimeUpdateExclusionsInput{})
	if err != nil || len(out.PullTimeUpdateExclusions) != 100 || out.NextToken != nil {
		t.Fatalf("default page: %d, token %v, %v", len(out.PullTimeUpdateExclusions), out.NextToken, err)
	}
	// Pages of 30.
	var all []string
	in := &ecr.ListPullTimeUpdateExclusionsInput{MaxResults: aws.Int32(30)}
	for pages := 0; ; pages++ {
		page, err := c.ListPullTimeUpdateExclusions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.PullTimeUpdateExclusions) > 30 || pages > 4 {
			t.Fatalf("page %d has %d", pages, len(page.PullTimeUpdateExclusions))
		}
		all = append(all, page.PullTimeUpdateExclusions...)
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if len(all) != 100 || all[0] != "arn:aws:iam::123456789012:role/r000" || all[99] != "arn:aws:iam::123456789012:role/r099" {
		t.Errorf("paged %d: first %q", len(all), all[0])
	}
	for _, tc := range []struct {
		name string
		in   ecr.ListPullTimeUpdateExclusionsInput
	}{
		{"max too big", ecr.ListPullTimeUpdateExclusionsInput{MaxResults: aws.Int32(1001)}},
		{"bad token", ecr.ListPullTimeUpdateExclusionsInput{NextToken: aws.String("garbage")}},
	} {
		if _, err := c.ListPullTimeUpdateExclusions(ctx, &tc.in); errCode(err) != "InvalidParameterException" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
