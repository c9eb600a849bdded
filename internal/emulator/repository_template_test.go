package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func createTemplate(t *testing.T, c *ecr.Client, in ecr.CreateRepositoryCreationTemplateInput) {
	t.Helper()
	if _, err := c.CreateRepositoryCreationTemplate(context.Background(), &in); err != nil {
		t.Fatal(err)
	}
}

// TestRegistryCreateOnPush: a crane push to a repository that does not
// exist creates it from the creation template that applies to its name for
// CREATE_ON_PUSH (its settings, policies and tags); without one the push is
// NAME_UNKNOWN.
func TestRegistryCreateOnPush(t *testing.T) {
	env := newRegistryEnv(t)
	ctx := context.Background()
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}

	// No template: NAME_UNKNOWN, and nothing is created.
	err = crane.Push(img, env.ref("team/app:v1"), env.opts...)
	if !isCode(err, transport.NameUnknownErrorCode) {
		t.Fatalf("push without a template: %v, want NAME_UNKNOWN", err)
	}
	if _, err := env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("a refused push created the repository: %v", err)
	}

	// A template for another use does not apply.
	createTemplate(t, env.client, ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team"),
		AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForPullThroughCache}})
	if err := crane.Push(img, env.ref("team/app:v1"), env.opts...); !isCode(err, transport.NameUnknownErrorCode) {
		t.Fatalf("push with a PULL_THROUGH_CACHE template only: %v, want NAME_UNKNOWN", err)
	}

	// A CREATE_ON_PUSH template for "team/" applies to team/app.
	createTemplate(t, env.client, ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("team/svc/"),
		AppliedFor:         []types.RCTAppliedFor{types.RCTAppliedForCreateOnPush, types.RCTAppliedForReplication},
		ImageTagMutability: types.ImageTagMutabilityImmutable,
		ResourceTags:       []types.Tag{{Key: aws.String("owner"), Value: aws.String("svc")}},
		RepositoryPolicy:   aws.String(templateRepoPolicy), LifecyclePolicy: aws.String(templateLifecyclePolicy),
		EncryptionConfiguration: &types.EncryptionConfigurationForRepositoryCreationTemplate{EncryptionType: types.EncryptionTypeKms}})
	if err := crane.Push(img, env.ref("team/svc/api:v1"), env.opts...); err != nil {
		t.Fatalf("push under a CREATE_ON_PUSH template: %v", err)
	}
	d, err := env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/svc/api"}})
	if err != nil {
		t.Fatal(err)
	}
	repo := d.Repositories[0]
	if repo.ImageTagMutability != types.ImageTagMutabilityImmutable || repo.EncryptionConfiguration.EncryptionType != types.EncryptionTypeKms ||
		aws.ToString(repo.EncryptionConfiguration.KmsKey) == "" {
		t.Fatalf("repository created on push: %+v %+v", repo, repo.EncryptionConfiguration)
	}
	tags, err := env.client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: repo.RepositoryArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "owner" {
		t.Fatalf("tags of the repository created on push: %v %v", tags, err)
	}
	if _, err := env.client.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String("team/svc/api")}); err != nil {
		t.Fatalf("repository policy of the template not applied: %v", err)
	}
	if _, err := env.client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String("team/svc/api")}); err != nil {
		t.Fatalf("lifecycle policy of the template not applied: %v", err)
	}
	li, err := env.client.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("team/svc/api")})
	if err != nil || len(li.ImageIds) != 1 || aws.ToString(li.ImageIds[0].ImageTag) != "v1" {
		t.Fatalf("the pushed image: %v %v", li, err)
	}
	// The template's immutability holds for the next push.
	other, _ := random.Image(512, 1)
	if err := crane.Push(other, env.ref("team/svc/api:v1"), env.opts...); !isCode(err, transport.ErrorCode("TAG_INVALID")) {
		t.Fatalf("moving an immutable tag: %v, want TAG_INVALID", err)
	}
	// team/app is not under team/svc/: still no template.
	if err := crane.Push(img, env.ref("team/app:v1"), env.opts...); !isCode(err, transport.NameUnknownErrorCode) {
		t.Fatalf("push outside the template's prefix: %v, want NAME_UNKNOWN", err)
	}

	// ROOT applies to every other name; the longer prefix still wins.
	createTemplate(t, env.client, ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("ROOT"),
		AppliedFor:   []types.RCTAppliedFor{types.RCTAppliedForCreateOnPush},
		ResourceTags: []types.Tag{{Key: aws.String("from"), Value: aws.String("root")}}})
	if err := crane.Push(img, env.ref("team/app:v1"), env.opts...); err != nil {
		t.Fatalf("push under the ROOT template: %v", err)
	}
	d, err = env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}})
	if err != nil || d.Repositories[0].ImageTagMutability != types.ImageTagMutabilityMutable {
		t.Fatalf("repository created under ROOT: %v %v", d, err)
	}
	tags, err = env.client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: d.Repositories[0].RepositoryArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "root" {
		t.Fatalf("tags of the repository created under ROOT: %v %v", tags, err)
	}
	if err := crane.Push(img, env.ref("team/svc/web:v1"), env.opts...); err != nil {
		t.Fatal(err)
	}
	d, err = env.client.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/svc/web"}})
	if err != nil || d.Repositories[0].ImageTagMutability != types.ImageTagMutabilityImmutable {
		t.Fatalf("the longer prefix must win over ROOT: %v %v", d, err)
	}

	// The API's PutImage does not create repositories.
	raw, _ := img.RawManifest()
	if _, err := env.client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("elsewhere"),
		ImageManifest: aws.String(string(raw))}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("PutImage to a missing repository: %v", err)
	}
}
