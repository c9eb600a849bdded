package ecr

import (
	"errors"
	"fmt"
	"strings"

	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// notFoundError says that an ECR object does not exist (or not yet, or no
// longer). Finders return it so that callers need one predicate, whatever
// the API's own error type is.
type notFoundError struct {
	what string
	err  error // the API error, if any
}

func (e *notFoundError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s not found: %s", e.what, e.err)
	}
	return e.what + " not found"
}

func (e *notFoundError) Unwrap() error { return e.err }

// isNotFound reports whether err is a finder's not-found error.
func isNotFound(err error) bool {
	_, ok := errors.AsType[*notFoundError](err)
	return ok
}

// isRepositoryNotFound reports whether err is ECR's RepositoryNotFoundException.
func isRepositoryNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.RepositoryNotFoundException](err)
	return ok
}

// isRepositoryNotEmpty reports whether err is ECR's RepositoryNotEmptyException.
func isRepositoryNotEmpty(err error) bool {
	_, ok := errors.AsType[*awstypes.RepositoryNotEmptyException](err)
	return ok
}

// isIAMPropagationError reports whether err is the InvalidParameterException
// ECR returns for a policy naming a principal IAM does not know (yet). ECR
// answers an invalid policy with the same error, but the plan has ruled
// that out, so SetRepositoryPolicy is retried on it.
func isIAMPropagationError(err error) bool {
	e, ok := errors.AsType[*awstypes.InvalidParameterException](err)
	return ok && strings.Contains(e.ErrorMessage(), "Invalid repository policy provided")
}

// isRepositoryPolicyNotFound reports whether err is ECR's RepositoryPolicyNotFoundException.
func isRepositoryPolicyNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.RepositoryPolicyNotFoundException](err)
	return ok
}

// isLifecyclePolicyNotFound reports whether err is ECR's LifecyclePolicyNotFoundException.
func isLifecyclePolicyNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.LifecyclePolicyNotFoundException](err)
	return ok
}

// isPullThroughCacheRuleNotFound reports whether err is ECR's PullThroughCacheRuleNotFoundException.
func isPullThroughCacheRuleNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.PullThroughCacheRuleNotFoundException](err)
	return ok
}

// isPullThroughCacheRuleAlreadyExists reports whether err is ECR's PullThroughCacheRuleAlreadyExistsException.
func isPullThroughCacheRuleAlreadyExists(err error) bool {
	_, ok := errors.AsType[*awstypes.PullThroughCacheRuleAlreadyExistsException](err)
	return ok
}

// isTemplateNotFound reports whether err is ECR's TemplateNotFoundException.
func isTemplateNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.TemplateNotFoundException](err)
	return ok
}

// isTemplateAlreadyExists reports whether err is ECR's TemplateAlreadyExistsException.
func isTemplateAlreadyExists(err error) bool {
	_, ok := errors.AsType[*awstypes.TemplateAlreadyExistsException](err)
	return ok
}

// isInvalidParameter reports whether err is ECR's InvalidParameterException.
func isInvalidParameter(err error) bool {
	_, ok := errors.AsType[*awstypes.InvalidParameterException](err)
	return ok
}

// isRegistryPolicyNotFound reports whether err is ECR's RegistryPolicyNotFoundException.
func isRegistryPolicyNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.RegistryPolicyNotFoundException](err)
	return ok
}

// isSigningConfigurationNotFound reports whether err is ECR's SigningConfigurationNotFoundException.
func isSigningConfigurationNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.SigningConfigurationNotFoundException](err)
	return ok
}

// isImageNotFound reports whether err is ECR's ImageNotFoundException.
func isImageNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.ImageNotFoundException](err)
	return ok
}

// isExclusionNotFound reports whether err is ECR's ExclusionNotFoundException.
func isExclusionNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.ExclusionNotFoundException](err)
	return ok
}

// isExclusionAlreadyExists reports whether err is ECR's ExclusionAlreadyExistsException.
func isExclusionAlreadyExists(err error) bool {
	_, ok := errors.AsType[*awstypes.ExclusionAlreadyExistsException](err)
	return ok
}

// isScanNotFound reports whether err is ECR's ScanNotFoundException.
func isScanNotFound(err error) bool {
	_, ok := errors.AsType[*awstypes.ScanNotFoundException](err)
	return ok
}
