package acctest

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// PushImage pushes a small Docker v2 image, unique per tag, to repository
// as a client does against ECR: its config and layer are uploaded with the
// layer operations first (ECR refuses a manifest whose blobs are not in the
// repository with LayersNotFoundException), then the manifest is put. It
// returns the image's digest.
func (b *Backend) PushImage(repository, tag string) (string, error) {
	config, layer, manifest := testImage(tag)
	// moto_server answers InitiateLayerUpload with a 500 (and does not
	// check that a manifest's blobs exist): on moto the manifest alone is put.
	for _, blob := range [][]byte{config, layer} {
		if backendKind() == backendMoto {
			break
		}
		if err := b.uploadBlob(repository, blob, sha256Digest(blob)); err != nil {
			return "", err
		}
	}
	out, err := b.Client.PutImage(Context(), &ecr.PutImageInput{
		RepositoryName: aws.String(repository),
		ImageManifest:  aws.String(string(manifest)),
		ImageTag:       aws.String(tag),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Image.ImageId.ImageDigest), nil
}

// ImageDigest is the digest of the image PushImage pushes for tag.
func ImageDigest(tag string) string {
	_, _, manifest := testImage(tag)
	return sha256Digest(manifest)
}

func sha256Digest(p []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(p)) }

// testImage is the config, layer and manifest of the image PushImage
// pushes for tag.
func testImage(tag string) (config, layer, manifest []byte) {
	config = []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{"Labels":{"tag":%q}}}`, tag))
	layer = []byte("layer of " + tag)
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.docker.distribution.manifest.v2+json",
		"config": map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json",
			"size": len(config), "digest": sha256Digest(config)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
			"size": len(layer), "digest": sha256Digest(layer)}},
	})
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return config, layer, manifest
}

// uploadBlob uploads one blob in one part; a blob the repository already
// has is fine.
func (b *Backend) uploadBlob(repository string, blob []byte, digest string) error {
	up, err := b.Client.InitiateLayerUpload(Context(), &ecr.InitiateLayerUploadInput{RepositoryName: aws.String(repository)})
	if err != nil {
		return fmt.Errorf("uploading blob %s: %w", digest, err)
	}
	if _, err := b.Client.UploadLayerPart(Context(), &ecr.UploadLayerPartInput{
		RepositoryName: aws.String(repository), UploadId: up.UploadId,
		PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(blob) - 1)), LayerPartBlob: blob,
	}); err != nil {
		return fmt.Errorf("uploading blob %s: %w", digest, err)
	}
	_, err = b.Client.CompleteLayerUpload(Context(), &ecr.CompleteLayerUploadInput{
		RepositoryName: aws.String(repository), UploadId: up.UploadId, LayerDigests: []string{digest},
	})
	var exists *types.LayerAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("uploading blob %s: %w", digest, err)
	}
	return nil
}
