package ecr

import (
	"fmt"
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

// validRepositoryName checks a repository name given where no validator
// runs (an import ID).
func validRepositoryName(name string) error {
	if len(name) < 2 || len(name) > 256 || !repositoryNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not a repository name; import by the name of the repository, `name` or `name@region`", name)
	}
	return nil
}
