package ecr

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// countImages counts the distinct image digests of a repository.
func countImages(ctx context.Context, client *ecr.Client, name, registryID string) (int, error) {
	digests := map[string]bool{}
	p := ecr.NewListImagesPaginator(client, &ecr.ListImagesInput{RepositoryName: aws.String(name), RegistryId: aws.String(registryID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, id := range page.ImageIds {
			digests[aws.ToString(id.ImageDigest)] = true
		}
	}
	return len(digests), nil
}
