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
			ImageTagMutability:                 types.ImageTagMutabilityImmutable,
			ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("dev-*")}}}, "InvalidParameterException"},
		{"exclusion with filters", ecr.CreateRepositoryInput{RepositoryName: aws.String("excl3"),
			ImageTagMutability:                 types.ImageTagMutabilityImmutableWithExclusion,
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

func TestPutImageTagMutability(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	devFilter := []types.ImageTagMutabilityExclusionFilter{{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("dev-*")}}
	cases := []struct {
		name    string
		in      ecr.PutImageTagMutabilityInput
		want    string // error code, "" for success
		filters int    // filters expected back
	}{
		{"immutable", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityImmutable}, "", 0},
		{"immutable with exclusion", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
			ImageTagMutabilityExclusionFilters: devFilter}, "", 1},
		{"mutable with exclusion", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityMutableWithExclusion,
			ImageTagMutabilityExclusionFilters: devFilter}, "", 1},
		{"exclusion without filters", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion}, "InvalidParameterException", 0},
		{"filters without exclusion", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityMutable,
			ImageTagMutabilityExclusionFilters: devFilter}, "InvalidParameterException", 0},
		{"bad filter", ecr.PutImageTagMutabilityInput{ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
			ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("a b")}}}, "InvalidParameterException", 0},
		{"bad enum", ecr.PutImageTagMutabilityInput{ImageTagMutability: "SOMETIMES"}, "InvalidParameterException", 0},
		{"missing repository", ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("missing"),
			ImageTagMutability: types.ImageTagMutabilityImmutable}, "RepositoryNotFoundException", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			mustCreateRepo(t, c, "repo")
			if tc.in.RepositoryName == nil {
				tc.in.RepositoryName = aws.String("repo")
			}
			out, err := c.PutImageTagMutability(ctx, &tc.in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			if out.ImageTagMutability != tc.in.ImageTagMutability || aws.ToString(out.RepositoryName) != "repo" ||
				aws.ToString(out.RegistryId) != "123456789012" || len(out.ImageTagMutabilityExclusionFilters) != tc.filters {
				t.Errorf("response = %+v", out)
			}
			d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
			if err != nil {
				t.Fatal(err)
			}
			if r := d.Repositories[0]; r.ImageTagMutability != tc.in.ImageTagMutability || len(r.ImageTagMutabilityExclusionFilters) != tc.filters {
				t.Errorf("described = %+v", r)
			}
		})
	}
}

func TestPutImageTagMutabilityClearsFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("repo"),
		ImageTagMutability:                 types.ImageTagMutabilityImmutableWithExclusion,
		ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{{FilterType: "WILDCARD", Filter: aws.String("latest")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("repo"),
		ImageTagMutability: types.ImageTagMutabilityMutable}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Repositories[0]; r.ImageTagMutability != types.ImageTagMutabilityMutable || len(r.ImageTagMutabilityExclusionFilters) != 0 {
		t.Errorf("described = %+v", r)
	}
}

func TestPutImageScanningConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	mustCreateRepo(t, c, "repo")
	for _, scan := range []bool{true, false} {
		out, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("repo"),
			ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: scan}})
		if err != nil {
			t.Fatal(err)
		}
		if out.ImageScanningConfiguration.ScanOnPush != scan || aws.ToString(out.RepositoryName) != "repo" || aws.ToString(out.RegistryId) != "123456789012" {
			t.Errorf("response = %+v", out)
		}
		d, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"repo"}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Repositories[0].ImageScanningConfiguration.ScanOnPush != scan {
			t.Errorf("scanOnPush = %v, want %v", d.Repositories[0].ImageScanningConfiguration.ScanOnPush, scan)
		}
	}
	_, err := c.PutImageScanningConfiguration(ctx, &ecr.PutImageScanningConfigurationInput{RepositoryName: aws.String("missing"),
		ImageScanningConfiguration: &types.ImageScanningConfiguration{ScanOnPush: true}})
	if errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("missing repository: %v", err)
	}
}

// testManifest is a minimal OCI image manifest (PutImage accepts bare
// manifests into a repository that has had no layer uploads).
const testManifest = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
	`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,` +
	`"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}`

func TestDeleteRepositoryForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	create := func() string {
		t.Helper()
		out, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("full")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Repository.RepositoryArn)
	}
	arn := create()
	remember("{}") // testManifest's config
	uploadBlobs(t, c, "full", testManifest)
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("full"), ImageManifest: aws.String(testManifest),
		ImageTag: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{RepositoryName: aws.String("full"), PolicyText: aws.String(awscliPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("full")})
	if errCode(err) != "RepositoryNotEmptyException" {
		t.Fatalf("delete without force: %v", err)
	}
	out, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("full"), Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Repository.RepositoryArn) != arn {
		t.Errorf("deleted repository = %+v", out.Repository)
	}
	// A repository created again under the same name starts empty.
	create()
	imgs, err := c.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("full")})
	if err != nil || len(imgs.ImageIds) != 0 {
		t.Errorf("images after re-create = %v (%v)", imgs, err)
	}
	if _, err := c.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("full")}); errCode(err) != "RepositoryPolicyNotFoundException" {
		t.Errorf("policy after re-create: %v", err)
	}
	tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 0 {
		t.Errorf("tags after re-create = %v (%v)", tags, err)
	}
}
