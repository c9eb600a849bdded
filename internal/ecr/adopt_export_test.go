package ecr

// Exports of adopt.go for the tests of package ecr_test.

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// RepositoryMatches is repositoryMatches with the window from..to.
func RepositoryMatches(repo *awstypes.Repository, input *ecr.CreateRepositoryInput, from, to time.Time) error {
	return repositoryMatches(repo, input, createWindow{from: from, to: to})
}

var MayHaveBeenCarriedOut = mayHaveBeenCarriedOut
