package main

import (
	"context"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

// registryLogin is `aws ecr get-login-password | docker login`.
func registryLogin(t *testing.T, c *ecr.Client) authn.Authenticator {
	t.Helper()
	auth, err := acctest.RegistryLogin(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return auth
}

// Images pushed over the registry protocol (/v2/, as docker and crane push)
// under -data-dir survive kill -9: after a restart a multi-platform index
// and a single image pull back whole (every blob read and checked against
// its digest), by tag and by digest, and the API lists the same images; the
// token issued before the restart is still accepted.
func TestRegistryPushSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	p := start(t, "-data-dir", dir)
	ctx := context.Background()
	c := client(p.url, "AKIDEXAMPLE", "secret")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("kept/app")}); err != nil {
		t.Fatal(err)
	}
	ref := func(url, suffix string) name.Reference {
		t.Helper()
		r, err := name.ParseReference(strings.TrimPrefix(url, "http://")+"/kept/app"+suffix, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	auth := remote.WithAuth(registryLogin(t, c))
	index, err := random.Index(4096, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	image, err := random.Image(64<<10, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref(p.url, ":multi"), index, auth); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref(p.url, ":single"), image, auth); err != nil {
		t.Fatal(err)
	}
	indexDigest, _ := index.Digest()
	imageDigest, _ := image.Digest()

	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	p2 := start(t, "-data-dir", dir)
	c2 := client(p2.url, "AKIDEXAMPLE", "secret")
	// The login made before the restart still holds (the token key is kept
	// in the data directory), as an ECR token holds for 12 hours.
	if _, err := remote.Head(ref(p2.url, ":single"), auth); err != nil {
		t.Fatalf("the token issued before the restart is refused after it: %v", err)
	}
	auth = remote.WithAuth(registryLogin(t, c2))

	for _, suffix := range []string{":multi", "@" + indexDigest.String()} {
		got, err := remote.Index(ref(p2.url, suffix), auth)
		if err != nil {
			t.Fatalf("pull index %s after restart: %v", suffix, err)
		}
		if err := validate.Index(got); err != nil {
			t.Fatalf("index %s after restart: %v", suffix, err)
		}
		if d, _ := got.Digest(); d != indexDigest {
			t.Errorf("index %s digest %s, want %s", suffix, d, indexDigest)
		}
	}
	for _, suffix := range []string{":single", "@" + imageDigest.String()} {
		got, err := remote.Image(ref(p2.url, suffix), auth)
		if err != nil {
			t.Fatalf("pull image %s after restart: %v", suffix, err)
		}
		if err := validate.Image(got); err != nil {
			t.Fatalf("image %s after restart: %v", suffix, err)
		}
		if d, _ := got.Digest(); d != imageDigest {
			t.Errorf("image %s digest %s, want %s", suffix, d, imageDigest)
		}
	}

	// The API sees them too: the index, its two children, the image.
	out, err := c2.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("kept/app"),
		Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusAny}})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[v1.Hash][]string{}
	for _, d := range out.ImageDetails {
		h, err := v1.NewHash(aws.ToString(d.ImageDigest))
		if err != nil {
			t.Fatal(err)
		}
		tags[h] = d.ImageTags
	}
	if len(tags) != 4 || strings.Join(tags[indexDigest], ",") != "multi" || strings.Join(tags[imageDigest], ",") != "single" {
		t.Errorf("DescribeImages after restart: %v; want the index (multi), its 2 children and the image (single)", tags)
	}
}
