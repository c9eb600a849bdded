package ecr

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// repositoryNamePattern is ECR's RepositoryName pattern (full match).
var repositoryNamePattern = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)

// repositoryNameValidators check an argument that names a repository
// (ecr_repository's `name`, the policies' `repository`) as ECR does.
func repositoryNameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(2, 256),
		stringvalidator.RegexMatches(repositoryNamePattern,
			"must be a repository name, which must be lowercase letters and digits in groups separated by `.`, `_`, `__` "+
				"or runs of `-`, with `/` between path parts"),
	}
}
