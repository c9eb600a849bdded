// Package lifecyclepolicy models Amazon ECR lifecycle policies: it validates
// a policy text the way PutLifecyclePolicy does, parses it into typed rules,
// and evaluates the rules against a set of images as ECR's lifecycle policy
// evaluator (and its preview) does.
//
// It is pure Go with no emulator or Terraform imports, so the emulator and
// the provider's plan-time validation share one implementation.
package lifecyclepolicy

import "errors"

// Length limits of a lifecycle policy text (the model's lifecyclePolicyText).
const (
	MinLength = 100
	MaxLength = 30720
)

// Values of the policy's enumerations, spelled as in the policy text.
const (
	TagStatusTagged   = "tagged"
	TagStatusUntagged = "untagged"
	TagStatusAny      = "any"

	CountTypeImageCountMoreThan     = "imageCountMoreThan"
	CountTypeSinceImagePushed       = "sinceImagePushed"
	CountTypeSinceImagePulled       = "sinceImagePulled"
	CountTypeSinceImageTransitioned = "sinceImageTransitioned"

	CountUnitDays = "days"

	StorageClassStandard = "standard"
	StorageClassArchive  = "archive"

	ActionExpire     = "expire"
	ActionTransition = "transition"
)

// MaxWildcards is the number of '*' a tagPatternList entry may contain.
const MaxWildcards = 4

// Policy is a lifecycle policy.
type Policy struct {
	Rules []Rule `json:"rules"`
}

// Rule is one lifecycle policy rule.
type Rule struct {
	RulePriority int       `json:"rulePriority"`
	Description  string    `json:"description,omitempty"`
	Selection    Selection `json:"selection"`
	Action       Action    `json:"action"`
}

// Selection says which images a rule applies to.
type Selection struct {
	TagStatus      string   `json:"tagStatus"`
	TagPatternList []string `json:"tagPatternList,omitempty"`
	TagPrefixList  []string `json:"tagPrefixList,omitempty"`
	// StorageClass is "" when the policy leaves it out; see EffectiveStorageClass.
	StorageClass string `json:"storageClass,omitempty"`
	CountType    string `json:"countType"`
	CountUnit    string `json:"countUnit,omitempty"`
	CountNumber  int    `json:"countNumber"`
}

// EffectiveStorageClass is the storage class the rule selects from
// (standard when the policy does not say).
func (s Selection) EffectiveStorageClass() string {
	if s.StorageClass == "" {
		return StorageClassStandard
	}
	return s.StorageClass
}

// Action is what a rule does to the images it selects.
type Action struct {
	Type               string `json:"type"`
	TargetStorageClass string `json:"targetStorageClass,omitempty"`
}

// Parse validates text (see Validate) and returns the typed policy.
func Parse(text string) (*Policy, error) {
	return parse(text)
}

// IsValidationError reports whether err is a policy validation failure
// (an *Error or a *LengthError) as opposed to some other error.
func IsValidationError(err error) bool {
	var e *Error
	var le *LengthError
	return errors.As(err, &e) || errors.As(err, &le)
}
