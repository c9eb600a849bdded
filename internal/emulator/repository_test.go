package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func TestCreateRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		in   ecr.CreateRepositoryInput
		want string // error code, "" for success
	}{
		{"basic", ecr.CreateRepositoryInput{RepositoryName: aws.String("app/web")}, ""},
		{"double dash and double underscore", ecr.CreateRepositoryInput{RepositoryName: aws.String("ab--cd__ef")}, ""},
		{"uppercase", ecr.CreateRepositoryInput{RepositoryName: aws.String("Upper/Case")}, "InvalidParameterException"},
		{"trailing slash", ecr.CreateRepositoryInput{RepositoryName: aws.String("trailing/")}, "InvalidParameterException"},
		{"too short", ecr.CreateRepositoryInput{RepositoryName: aws.String("a")}, "InvalidParameterException"},
		{"bad encryption", ecr.CreateRepositoryInput{RepositoryName: aws.String("enc"),
			EncryptionConfiguration: &types.EncryptionConfiguration{EncryptionType: "ROT13"}}, "InvalidParameterException"},
		{"exclusion without filters", ecr.CreateRepositoryInput{RepositoryName: aws.String("excl"),
			ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion}, "InvalidParameterException"},
		{"filters without exclusion", ecr.CreateRepositoryInput{RepositoryName: aws.String("excl2"),
			ImageTagMutability: types.ImageTagMutabilityImmutable,
			ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev-*")}}}, "InvalidParameterException"},
		{"exclusion with filters", ecr.CreateRepositoryInput{RepositoryName: aws.String("excl3"),
			ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
			ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev-*")}}}, ""},
		{"reserved tag", ecr.CreateRepositoryInput{RepositoryName: aws.String("tagged"),
			Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}, "InvalidTagParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.CreateRepository(ctx, &tc.in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			r := out.Repository
			name := aws.ToString(tc.in.RepositoryName)
			if got, want := aws.ToString(r.RepositoryArn), "arn:aws:ecr:us-west-2:123456789012:repository/"+name; got != want {
				t.Errorf("arn = %s, want %s", got, want)
			}
			if got, want := aws.ToString(r.RepositoryUri), "123456789012.dkr.ecr.us-west-2.amazonaws.com/"+name; got != want {
				t.Errorf("uri = %s, want %s", got, want)
			}
			if r.EncryptionConfiguration.EncryptionType != types.EncryptionTypeAes256 || r.CreatedAt == nil {
				t.Errorf("defaults not applied: %+v", r)
			}
			if _, err := c.CreateRepository(ctx, &tc.in); errCode(err) != "RepositoryAlreadyExistsException" {
				t.Errorf("duplicate create: %v", err)
			}
		})
	}
}

func TestDescribeRepositoriesPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	for _, n := range []string{"r01", "r02", "r03", "r04", "r05"} {
		mustCreateRepo(t, c, n)
	}
	p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Repositories {
			got = append(got, *r.RepositoryName)
		}
	}
	if pages != 3 || len(got) != 5 {
		t.Fatalf("pages=%d repos=%v", pages, got)
	}
	_, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"r01", "missing"}})
	if errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("missing name: %v", err)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"r01"}, MaxResults: aws.Int32(1)})
	if errCode(err) != "InvalidParameterException" {
		t.Fatalf("names+maxResults: %v", err)
	}
	_, err = c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{NextToken: aws.String("garbage")})
	if errCode(err) != "InvalidParameterException" {
		t.Fatalf("bad token: %v", err)
	}
}

func TestDeleteRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "gone")
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("gone")})
	if errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("second delete: %v", err)
	}
}
