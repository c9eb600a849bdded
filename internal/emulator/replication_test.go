package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

const (
	replSource   = "123456789012" // the default account, us-west-2
	replOther    = "210987654321" // allows replication from replSource
	replStranger = "333333333333" // has no registry policy
)

func replicationPolicy(from string, actions ...string) string {
	a, _ := json.Marshal(actions)
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"repl","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":%s,"Resource":"*"}]}`,
		from, a)
}

func replicationStatuses(t *testing.T, c *ecr.Client, repo, tag string) map[string]types.ReplicationStatus {
	t.Helper()
	out, err := c.DescribeImageReplicationStatus(context.Background(), &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]types.ReplicationStatus{}
	for _, s := range out.ReplicationStatuses {
		got[aws.ToString(s.RegistryId)+"/"+aws.ToString(s.Region)] = s.Status
	}
	return got
}

// TestReplicationRuns: a crane push in the source registry appears, after
// the transition delay, in every destination the replication configuration
// names (repository created from the REPLICATION template, or defaults;
// image pullable there, layers included), except in another account whose
// registry policy does not allow it (FAILED); deletions and tag removals
// replicate where deleteReplication is enabled.
func TestReplicationRuns(t *testing.T) {
	clock := newImageTestClock(0)
	env := newRegistryEnv(t, emulator.WithClock(clock), emulator.WithTransitionDelay(time.Minute))
	ctx := context.Background()
	sameEast := clientFor(env.srv.URL, "AKIDEXAMPLE", "us-east-2")
	other := clientFor(env.srv.URL, replOther, "us-west-2")
	stranger := clientFor(env.srv.URL, replStranger, "eu-west-1")

	// The same account's us-east-2 has a REPLICATION template for app/.
	createTemplate(t, sameEast, ecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String("app"),
		AppliedFor:         []types.RCTAppliedFor{types.RCTAppliedForReplication},
		ImageTagMutability: types.ImageTagMutabilityImmutable,
		ResourceTags:       []types.Tag{{Key: aws.String("replica"), Value: aws.String("yes")}}})
	if _, err := other.PutRegistryPolicy(ctx, &ecr.PutRegistryPolicyInput{
		PolicyText: aws.String(replicationPolicy(replSource, "ecr:CreateRepository", "ecr:ReplicateImage"))}); err != nil {
		t.Fatal(err)
	}
	dest := func(region, account string) types.ReplicationDestination {
		return types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)}
	}
	if _, err := env.client.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
		ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{
			{Destinations: []types.ReplicationDestination{dest("us-east-2", replSource)}},
			{Destinations: []types.ReplicationDestination{dest("us-west-2", replOther), dest("eu-west-1", replStranger)},
				RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("app"), FilterType: types.RepositoryFilterTypePrefixMatch}},
				DeleteReplication: &types.DeleteReplication{Enabled: true}},
		}}}); err != nil {
		t.Fatal(err)
	}
	d, err := env.client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil || d.ReplicationConfiguration.Rules[1].DeleteReplication == nil || !d.ReplicationConfiguration.Rules[1].DeleteReplication.Enabled {
		t.Fatalf("DescribeRegistry does not keep deleteReplication: %+v %v", d, err)
	}

	env.createRepo(t, "app/web", "")
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := crane.Push(img, env.ref("app/web:v1"), env.opts...); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	all := []string{replSource + "/us-east-2", replOther + "/us-west-2", replStranger + "/eu-west-1"}
	got := replicationStatuses(t, env.client, "app/web", "v1")
	for _, k := range all {
		if got[k] != types.ReplicationStatusInProgress {
			t.Fatalf("before the delay: %v", got)
		}
	}
	if _, err := sameEast.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/web"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("replicated before the transition delay: %v", err)
	}

	clock.advance(time.Minute)
	got = replicationStatuses(t, env.client, "app/web", "v1")
	if got[all[0]] != types.ReplicationStatusComplete || got[all[1]] != types.ReplicationStatusComplete || got[all[2]] != types.ReplicationStatusFailed {
		t.Fatalf("after the delay: %v", got)
	}

	// us-east-2: created from the template, the image pullable with its layers.
	r, err := sameEast.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/web"}})
	if err != nil || r.Repositories[0].ImageTagMutability != types.ImageTagMutabilityImmutable {
		t.Fatalf("replica repository: %v %v", r, err)
	}
	tags, err := sameEast.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: r.Repositories[0].RepositoryArn})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("replica repository's tags: %v %v", tags, err)
	}
	user, pass := loginPassword(t, sameEast)
	eastOpts := []crane.Option{crane.Insecure, crane.WithAuth(&authn.Basic{Username: user, Password: pass})}
	pulled, err := crane.Pull(env.ref("app/web:v1"), eastOpts...)
	if err != nil {
		t.Fatalf("pull of the replica: %v", err)
	}
	wantLayers, _ := img.Layers()
	gotLayers, err := pulled.Layers()
	if err != nil || len(gotLayers) != len(wantLayers) {
		t.Fatal(err)
	}
	for i := range wantLayers {
		if !bytes.Equal(layerBytes(t, gotLayers[i]), layerBytes(t, wantLayers[i])) {
			t.Fatalf("replica's layer %d differs", i)
		}
	}
	// The other account: default settings, the image there.
	o, err := other.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(o.ImageDetails) != 1 || aws.ToString(o.ImageDetails[0].ImageDigest) != want.String() ||
		len(o.ImageDetails[0].ImageTags) != 1 {
		t.Fatalf("replica in the other account: %v %v", o, err)
	}
	// The stranger: nothing.
	if _, err := stranger.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app/web"}}); errCode(err) != "RepositoryNotFoundException" {
		t.Fatalf("replicated without a registry policy: %v", err)
	}

	// A multi-platform index replicates with the images it lists; PutImage
	// (the API path) replicates too.
	idx, err := random.Index(512, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(env.ref("app/web:multi"), name.Insecure)
	if err := remote.WriteIndex(ref, idx, remote.WithAuth(&authn.Basic{Username: env.user, Password: env.pass})); err != nil {
		t.Fatal(err)
	}
	img2, _ := random.Image(256, 1)
	if err := crane.Push(img2, env.ref("app/web:v2"), env.opts...); err != nil {
		t.Fatal(err)
	}
	raw2, _ := img2.RawManifest()
	if _, err := env.client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app/web"),
		ImageManifest: aws.String(string(raw2)), ImageTag: aws.String("v2-api")}); err != nil {
		t.Fatal(err)
	}
	clock.advance(time.Minute)
	o, err = other.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(o.ImageDetails) != 5 { // v1, the index and its 2 images, v2
		t.Fatalf("after the index and v2: %v %v", o, err)
	}
	if _, err := crane.Digest(env.ref("app/web:v2-api"), eastOpts...); err != nil {
		t.Fatalf("the PutImage tag did not replicate: %v", err)
	}

	// Deletions: a tag removal and an image deletion replicate where the
	// rule has deleteReplication (the other account), not elsewhere.
	if _, err := env.client.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("app/web"),
		ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v2-api")}, {ImageTag: aws.String("v1")}}}); err != nil {
		t.Fatal(err)
	}
	if err := crane.Delete(env.ref("app/web@"+want.String()), env.opts...); err == nil {
		t.Fatal("v1 is gone with its last tag; deleting it again must fail")
	}
	clock.advance(time.Minute)
	o, err = other.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(o.ImageDetails) != 4 {
		t.Fatalf("after the deletions, the other account: %v %v", o, err)
	}
	for _, im := range o.ImageDetails {
		if aws.ToString(im.ImageDigest) == want.String() || slices.Contains(im.ImageTags, "v2-api") {
			t.Fatalf("deletion did not replicate: %+v", im)
		}
	}
	e, err := sameEast.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app/web")})
	if err != nil || len(e.ImageDetails) != 5 {
		t.Fatalf("us-east-2 has no deleteReplication and keeps everything: %v %v", e, err)
	}
}
