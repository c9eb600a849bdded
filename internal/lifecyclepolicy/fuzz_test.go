package lifecyclepolicy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

// FuzzValidate checks that Validate never panics, that it fails only with
// the package's error types, that Parse agrees with it, and that a valid
// policy can be evaluated. The seeds run with every `go test`.
func FuzzValidate(f *testing.F) {
	seeds := []string{
		policy(ruleUntagged),
		policy(ruleUntagged, ruleTaggedProd, ruleTransition, ruleArchived, ruleAny),
		policy(),
		policy(`"x"`, `null`, `[]`, `1`),
		policy(`{"rulePriority":1}`),
		policy(rule("1e3", `{}`, `{}`)),
		policy(rule("-1", `{"tagStatus":"tagged","tagPatternList":["*****"],"countType":"imageCountMoreThan","countNumber":1}`, expire)),
		policy(rule("1", `{"tagStatus":"tagged","tagPrefixList":[null],"countType":"sinceImagePushed","countNumber":99999999999999999999}`, expire)),
		`{"rules":[` + ruleUntagged + `],"rules":{}}`,
		strings.Repeat("[", 200),
		strings.Repeat(" ", 100),
		"\uFFFD" + policy(ruleAny),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		err := lifecyclepolicy.Validate(text)
		p, perr := lifecyclepolicy.Parse(text)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Validate = %v but Parse = %v", err, perr)
		}
		if err != nil {
			var e *lifecyclepolicy.Error
			var le *lifecyclepolicy.LengthError
			if !errors.As(err, &e) && !errors.As(err, &le) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if e != nil && (e.RuleIndex < -1 || e.Msg == "") {
				t.Fatalf("malformed error %+v", e)
			}
			return
		}
		if len(p.Rules) == 0 {
			t.Fatal("valid policy without rules")
		}
		images := []lifecyclepolicy.Image{img("a", 1, "prod-1"), img("b", 40), img("c", 400, "dev-1", "x")}
		for _, r := range p.Evaluate(images, now) {
			if r.Index < 0 || r.Index >= len(images) {
				t.Fatalf("result index %d out of range", r.Index)
			}
		}
	})
}
