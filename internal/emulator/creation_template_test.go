package emulator_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

const (
	templateRepoPolicy      = `{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage"]}]}`
	templateLifecyclePolicy = `{"rules":[{"rulePriority":1,"description":"expire untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`
)

func TestCreateRepositoryCreationTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pushOnly := []types.RCTAppliedFor{types.RCTAppliedForCreateOnPush}
	cases := []struct {
		name string
		in   ecr.CreateRepositoryCreationTemplateInput
		want string
	}{
		{"minimal", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly}, ""},
		{"root", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("ROOT"), AppliedFor: pushOnly}, ""},
		{"full", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("apps/"), Description: aws.String("apps"),
			AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForReplication, types.RCTAppliedForPullThroughCache},
			EncryptionConfiguration: &types.EncryptionConfigurationForRepositoryCreationTemplate{EncryptionType: types.EncryptionTypeKms,
				KmsKey: aws.String("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")},
			ResourceTags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
			ImageTagMutability: types.ImageTagMutabilityImmutableWithExclusion,
			ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{
				{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("latest")}},
			RepositoryPolicy: aws.String(templateRepoPolicy), LifecyclePolicy: aws.String(templateLifecyclePolicy),
			CustomRoleArn: aws.String("arn:aws:iam::123456789012:role/ecr-templates")}, ""},
		{"bad prefix", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("Team"), AppliedFor: pushOnly}, "InvalidParameterException"},
		{"empty applied for", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: []types.RCTAppliedFor{}}, "InvalidParameterException"},
		{"bad applied for", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: []types.RCTAppliedFor{"ALWAYS"}}, "InvalidParameterException"},
		{"long description", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			Description: aws.String(fmt.Sprintf("%0257d", 0))}, "InvalidParameterException"},
		{"bad kms key", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			EncryptionConfiguration: &types.EncryptionConfigurationForRepositoryCreationTemplate{EncryptionType: types.EncryptionTypeKms,
				KmsKey: aws.String("alias/mine")}}, "InvalidParameterException"},
		{"bad repository policy", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			RepositoryPolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}`)}, "InvalidParameterException"},
		{"non-JSON lifecycle policy", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			LifecyclePolicy: aws.String(fmt.Sprintf("not json %0100d", 0))}, "InvalidParameterException"},
		{"exclusion without filters", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			ImageTagMutability: types.ImageTagMutabilityMutableWithExclusion}, "InvalidParameterException"},
		{"reserved tag", ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"), AppliedFor: pushOnly,
			ResourceTags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}, "InvalidTagParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t)
			out, err := c.CreateRepositoryCreationTemplate(ctx, &tc.in)
			if got := errCode(err); got != tc.want {
				t.Fatalf("error = %q (%v), want %q", got, err, tc.want)
			}
			if err != nil {
				return
			}
			tpl := out.RepositoryCreationTemplate
			if aws.ToString(out.RegistryId) != "123456789012" || aws.ToString(tpl.Prefix) != aws.ToString(tc.in.Prefix) ||
				tpl.CreatedAt == nil || tpl.UpdatedAt == nil || len(tpl.AppliedFor) != len(tc.in.AppliedFor) {
				t.Errorf("created %+v", tpl)
			}
			wantMut := tc.in.ImageTagMutability
			if wantMut == "" {
				wantMut = types.ImageTagMutabilityMutable
			}
			if tpl.ImageTagMutability != wantMut || tpl.EncryptionConfiguration == nil ||
				aws.ToString(tpl.RepositoryPolicy) != aws.ToString(tc.in.RepositoryPolicy) ||
				aws.ToString(tpl.LifecyclePolicy) != aws.ToString(tc.in.LifecyclePolicy) || len(tpl.ResourceTags) != len(tc.in.ResourceTags) {
				t.Errorf("created %+v", tpl)
			}
			if _, err := c.CreateRepositoryCreationTemplate(ctx, &tc.in); errCode(err) != "TemplateAlreadyExistsException" {
				t.Errorf("duplicate: %v", err)
			}
		})
	}
}

func TestRepositoryCreationTemplate_describeUpdateDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	for i := range 5 {
		if _, err := c.CreateRepositoryCreationTemplate(ctx, &ecr.CreateRepositoryCreationTemplateInput{
			Prefix: aws.String(fmt.Sprintf("team%d", i)), AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForCreateOnPush}}); err != nil {
			t.Fatal(err)
		}
	}
	// Paging.
	var prefixes []string
	p := ecr.NewDescribeRepositoryCreationTemplatesPaginator(c, &ecr.DescribeRepositoryCreationTemplatesInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.RepositoryCreationTemplates) > 2 {
			t.Fatalf("page of %d", len(page.RepositoryCreationTemplates))
		}
		for _, tpl := range page.RepositoryCreationTemplates {
			prefixes = append(prefixes, aws.ToString(tpl.Prefix))
		}
	}
	if fmt.Sprint(prefixes) != "[team0 team1 team2 team3 team4]" {
		t.Errorf("paged prefixes %v", prefixes)
	}
	// By prefix; unknown prefixes are left out.
	desc, err := c.DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{Prefixes: []string{"team3", "nope"}})
	if err != nil || len(desc.RepositoryCreationTemplates) != 1 || aws.ToString(desc.RepositoryCreationTemplates[0].Prefix) != "team3" {
		t.Errorf("describe by prefix: %+v, %v", desc, err)
	}
	// Update changes only what it names.
	upd, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{Prefix: aws.String("team3"),
		Description: aws.String("third"), ImageTagMutability: types.ImageTagMutabilityImmutable,
		LifecyclePolicy: aws.String(templateLifecyclePolicy)})
	if err != nil {
		t.Fatal(err)
	}
	tpl := upd.RepositoryCreationTemplate
	if aws.ToString(tpl.Description) != "third" || tpl.ImageTagMutability != types.ImageTagMutabilityImmutable ||
		len(tpl.AppliedFor) != 1 || aws.ToString(tpl.LifecyclePolicy) != templateLifecyclePolicy || tpl.UpdatedAt.Before(*tpl.CreatedAt) {
		t.Errorf("updated %+v", tpl)
	}
	del, err := c.DeleteRepositoryCreationTemplate(ctx, &ecr.DeleteRepositoryCreationTemplateInput{Prefix: aws.String("team3")})
	if err != nil || aws.ToString(del.RepositoryCreationTemplate.Description) != "third" {
		t.Errorf("delete: %+v, %v", del, err)
	}

	cases := []errorCase{
		{"update missing", func() error {
			_, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{Prefix: aws.String("team3"), Description: aws.String("x")})
			return err
		}, "TemplateNotFoundException"},
		{"delete missing", func() error {
			_, err := c.DeleteRepositoryCreationTemplate(ctx, &ecr.DeleteRepositoryCreationTemplateInput{Prefix: aws.String("team3")})
			return err
		}, "TemplateNotFoundException"},
		{"update empty applied for", func() error {
			_, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{Prefix: aws.String("team1"), AppliedFor: []types.RCTAppliedFor{}})
			return err
		}, "InvalidParameterException"},
		{"update filters without exclusion", func() error {
			_, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{Prefix: aws.String("team1"),
				ImageTagMutabilityExclusionFilters: []types.ImageTagMutabilityExclusionFilter{
					{FilterType: types.ImageTagMutabilityExclusionFilterTypeWildcard, Filter: aws.String("dev-*")}}})
			return err
		}, "InvalidParameterException"},
		{"update bad lifecycle policy", func() error {
			_, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{Prefix: aws.String("team1"),
				LifecyclePolicy: aws.String(`{"rules":[]}`)})
			return err
		}, "InvalidParameterException"},
		{"describe bad prefix", func() error {
			_, err := c.DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{Prefixes: []string{"Bad"}})
			return err
		}, "InvalidParameterException"},
	}
	runErrorCases(t, cases)
}

func TestRepositoryCreationTemplate_limit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newClient(t)
	fillToLimit(t, "template", 100, func(i int) error {
		_, err := c.CreateRepositoryCreationTemplate(ctx, &ecr.CreateRepositoryCreationTemplateInput{
			Prefix: aws.String(fmt.Sprintf("p%03d", i)), AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForReplication}})
		return err
	})
}
