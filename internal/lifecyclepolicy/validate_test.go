package lifecyclepolicy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

// policy wraps rules into a policy text padded with spaces to the minimum
// length, so that each case tests one rule and not the length.
func policy(rules ...string) string {
	s := `{"rules":[` + strings.Join(rules, ",") + `]}`
	if len(s) < lifecyclepolicy.MinLength {
		s += strings.Repeat(" ", lifecyclepolicy.MinLength-len(s))
	}
	return s
}

const (
	ruleUntagged   = `{"rulePriority":1,"description":"untagged","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}`
	ruleTaggedProd = `{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}`
	ruleAny        = `{"rulePriority":9,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":100},"action":{"type":"expire"}}`
	ruleTransition = `{"rulePriority":3,"selection":{"tagStatus":"tagged","tagPatternList":["dev-*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}`
	ruleArchived   = `{"rulePriority":4,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":90},"action":{"type":"expire"}}`
)

// rule builds a rule from its parts (JSON fragments).
func rule(priority, selection, action string) string {
	return `{"rulePriority":` + priority + `,"selection":` + selection + `,"action":` + action + `}`
}

const expire = `{"type":"expire"}`

func TestValidate_valid(t *testing.T) {
	cases := map[string]string{
		"untagged since pushed":   policy(ruleUntagged),
		"tagged count":            policy(ruleTaggedProd),
		"any last":                policy(ruleUntagged, ruleTaggedProd, ruleAny),
		"transition and archive":  policy(ruleTransition, ruleArchived),
		"all four":                policy(ruleUntagged, ruleTaggedProd, ruleTransition, ruleArchived, ruleAny),
		"standard explicit":       policy(rule("1", `{"tagStatus":"any","storageClass":"standard","countType":"imageCountMoreThan","countNumber":1}`, expire)),
		"four wildcards":          policy(rule("1", `{"tagStatus":"tagged","tagPatternList":["*a*b*c*"],"countType":"imageCountMoreThan","countNumber":1}`, expire)),
		"untagged per class":      policy(ruleUntagged, rule("2", `{"tagStatus":"untagged","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1}`, expire)),
		"any per storage class":   policy(ruleArchived, ruleUntagged),
		"priorities not sequence": policy(rule("7", `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1}`, expire), rule("3", `{"tagStatus":"tagged","tagPrefixList":["a","b"],"countType":"imageCountMoreThan","countNumber":1}`, expire)),
		"padded whitespace":       "\n  " + policy(ruleUntagged) + "\n\t",
		"max length":              policy(ruleUntagged) + strings.Repeat(" ", lifecyclepolicy.MaxLength-len(policy(ruleUntagged))),
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if err := lifecyclepolicy.Validate(text); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			p, err := lifecyclepolicy.Parse(text)
			if err != nil || len(p.Rules) == 0 {
				t.Fatalf("Parse: %v, %+v", err, p)
			}
		})
	}
}

func TestParse_typed(t *testing.T) {
	p, err := lifecyclepolicy.Parse(policy(ruleUntagged, ruleTransition))
	if err != nil {
		t.Fatal(err)
	}
	want := lifecyclepolicy.Rule{
		RulePriority: 3,
		Selection: lifecyclepolicy.Selection{TagStatus: "tagged", TagPatternList: []string{"dev-*"},
			CountType: "sinceImagePulled", CountUnit: "days", CountNumber: 30},
		Action: lifecyclepolicy.Action{Type: "transition", TargetStorageClass: "archive"},
	}
	got := p.Rules[1]
	if got.RulePriority != want.RulePriority || got.Selection.TagPatternList[0] != "dev-*" ||
		got.Selection.CountType != want.Selection.CountType || got.Selection.CountNumber != 30 ||
		got.Selection.CountUnit != "days" || got.Action != want.Action || got.Selection.EffectiveStorageClass() != "standard" {
		t.Errorf("rule = %+v, want %+v", got, want)
	}
	if p.Rules[0].Description != "untagged" {
		t.Errorf("description = %q", p.Rules[0].Description)
	}
}

func TestValidate_length(t *testing.T) {
	short := `{"rules":[]}`
	long := policy(ruleUntagged) + strings.Repeat(" ", lifecyclepolicy.MaxLength)
	for text, want := range map[string]string{
		short: "Member must have length greater than or equal to 100",
		long:  "Member must have length less than or equal to 30720",
	} {
		err := lifecyclepolicy.Validate(text)
		var le *lifecyclepolicy.LengthError
		if !errors.As(err, &le) || err.Error() != want {
			t.Errorf("Validate(len %d) = %v, want LengthError %q", len(text), err, want)
		}
		if !lifecyclepolicy.IsValidationError(err) {
			t.Errorf("IsValidationError(%v) = false", err)
		}
	}
}

func TestValidate_invalid(t *testing.T) {
	sel := func(s string) string { return rule("1", s, expire) }
	cases := []struct {
		name  string
		text  string
		msg   string // Error() without the prefix
		index int
		prio  int
		field string
	}{
		{"not json", strings.Repeat("x", 120), "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"trailing data", policy(ruleUntagged) + "{}", "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"array", "[" + strings.Repeat(" ", 120) + "]", "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"no rules", `{"x":1}` + strings.Repeat(" ", 100), "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"rules not array", `{"rules":{}}` + strings.Repeat(" ", 100), "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"unknown top-level", `{"rules":[` + ruleUntagged + `],"x":1}`, `object instance has properties which are not allowed by the schema: (["x"])`, -1, 0, ""},
		{"empty rules", policy(), "array is too short: must have at least 1 elements but instance has 0 elements", -1, 0, "rules"},
		{"rule not object", policy(`"r"`), `instance type (string) does not match any allowed primitive type (allowed: ["object"])`, 0, 0, ""},
		{"rule missing", policy(`{"rulePriority":1}`), `object has missing required properties (["action","selection"])`, 0, 1, ""},
		{"rule unknown", policy(`{"rulePriority":1,"selection":{},"action":{},"y":1,"x":2}`), `object instance has properties which are not allowed by the schema: (["x","y"])`, 0, 1, ""},
		{"priority string", policy(rule(`"1"`, `{}`, expire)), `instance type (string) does not match any allowed primitive type (allowed: ["integer"])`, 0, 0, "rulePriority"},
		{"priority float", policy(rule(`1.5`, `{}`, expire)), `instance type (number) does not match any allowed primitive type (allowed: ["integer"])`, 0, 0, "rulePriority"},
		{"priority zero", policy(rule(`0`, `{}`, expire)), `numeric instance is lower than the required minimum (minimum: 1, found: 0)`, 0, 0, "rulePriority"},
		{"priority overflow", policy(rule(`99999999999`, `{}`, expire)), "Could not map policyString into LifecyclePolicy.", -1, 0, ""},
		{"description type", policy(`{"rulePriority":2,"description":5,"selection":{},"action":{}}`), `instance type (integer) does not match any allowed primitive type (allowed: ["string"])`, 0, 2, "description"},
		{"selection not object", policy(rule("1", `[]`, expire)), `instance type (array) does not match any allowed primitive type (allowed: ["object"])`, 0, 1, "selection"},
		{"selection missing", policy(sel(`{"tagStatus":"any"}`)), `object has missing required properties (["countNumber","countType"])`, 0, 1, "selection"},
		{"selection unknown", policy(sel(`{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1,"x":1}`)), `object instance has properties which are not allowed by the schema: (["x"])`, 0, 1, "selection"},
		{"tagStatus enum", policy(sel(`{"tagStatus":"TAGGED","countType":"imageCountMoreThan","countNumber":1}`)), `instance value ("TAGGED") not found in enum (possible values: ["tagged","untagged","any"])`, 0, 1, "selection.tagStatus"},
		{"tagStatus type", policy(sel(`{"tagStatus":null,"countType":"imageCountMoreThan","countNumber":1}`)), `instance type (null) does not match any allowed primitive type (allowed: ["string"])`, 0, 1, "selection.tagStatus"},
		{"countType enum", policy(sel(`{"tagStatus":"any","countType":"sinceImageBuilt","countNumber":1}`)), `instance value ("sinceImageBuilt") not found in enum (possible values: ["imageCountMoreThan","sinceImagePushed","sinceImagePulled","sinceImageTransitioned"])`, 0, 1, "selection.countType"},
		{"countUnit enum", policy(sel(`{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"hours","countNumber":1}`)), `instance value ("hours") not found in enum (possible values: ["days"])`, 0, 1, "selection.countUnit"},
		{"storageClass enum", policy(sel(`{"tagStatus":"any","storageClass":"glacier","countType":"imageCountMoreThan","countNumber":1}`)), `instance value ("glacier") not found in enum (possible values: ["standard","archive"])`, 0, 1, "selection.storageClass"},
		{"countNumber zero", policy(sel(`{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":0}`)), `numeric instance is lower than the required minimum (minimum: 1, found: 0)`, 0, 1, "selection.countNumber"},
		{"countNumber string", policy(sel(`{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":"5"}`)), `instance type (string) does not match any allowed primitive type (allowed: ["integer"])`, 0, 1, "selection.countNumber"},
		{"prefix list type", policy(sel(`{"tagStatus":"tagged","tagPrefixList":"prod","countType":"imageCountMoreThan","countNumber":1}`)), `instance type (string) does not match any allowed primitive type (allowed: ["array"])`, 0, 1, "selection.tagPrefixList"},
		{"pattern element type", policy(sel(`{"tagStatus":"tagged","tagPatternList":["a",1],"countType":"imageCountMoreThan","countNumber":1}`)), `instance type (integer) does not match any allowed primitive type (allowed: ["string"])`, 0, 1, "selection.tagPatternList[1]"},
		{"action not object", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `"expire"`)), `instance type (string) does not match any allowed primitive type (allowed: ["object"])`, 0, 1, "action"},
		{"action missing", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{}`)), `object has missing required properties (["type"])`, 0, 1, "action"},
		{"action unknown", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"expire","when":"now"}`)), `object instance has properties which are not allowed by the schema: (["when"])`, 0, 1, "action"},
		{"action type enum", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"delete"}`)), `instance value ("delete") not found in enum (possible values: ["expire","transition"])`, 0, 1, "action.type"},
		{"target enum", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"transition","targetStorageClass":"standard"}`)), `instance value ("standard") not found in enum (possible values: ["archive"])`, 0, 1, "action.targetStorageClass"},
		{"tagged without list", policy(sel(`{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":1}`)), "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.", 0, 1, "selection.tagStatus"},
		{"tagged empty list", policy(sel(`{"tagStatus":"tagged","tagPrefixList":[],"countType":"imageCountMoreThan","countNumber":1}`)), "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.", 0, 1, "selection.tagStatus"},
		{"tagged both lists", policy(sel(`{"tagStatus":"tagged","tagPrefixList":["a"],"tagPatternList":["b*"],"countType":"imageCountMoreThan","countNumber":1}`)), "Cannot specify both tagPrefixList and tagPatternList in the same rule.", 0, 1, "selection.tagPatternList"},
		{"untagged with prefix", policy(sel(`{"tagStatus":"untagged","tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1}`)), "tagPrefixList and tagPatternList are not allowed when tagStatus=UNTAGGED.", 0, 1, "selection.tagPrefixList"},
		{"untagged with pattern", policy(sel(`{"tagStatus":"untagged","tagPatternList":["a*"],"countType":"imageCountMoreThan","countNumber":1}`)), "tagPrefixList and tagPatternList are not allowed when tagStatus=UNTAGGED.", 0, 1, "selection.tagPatternList"},
		{"any with prefix", policy(sel(`{"tagStatus":"any","tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1}`)), "tagPrefixList and tagPatternList are not allowed when tagStatus=ANY.", 0, 1, "selection.tagPrefixList"},
		{"five wildcards", policy(sel(`{"tagStatus":"tagged","tagPatternList":["ok*","*a*b*c*d*"],"countType":"imageCountMoreThan","countNumber":1}`)), "Tag pattern '*a*b*c*d*' has more than 4 wildcards (*); at most 4 are allowed per pattern.", 0, 1, "selection.tagPatternList"},
		{"count with unit", policy(sel(`{"tagStatus":"any","countType":"imageCountMoreThan","countUnit":"days","countNumber":1}`)), "countUnit cannot be specified when countType=imageCountMoreThan.", 0, 1, "selection.countUnit"},
		{"pushed without unit", policy(sel(`{"tagStatus":"any","countType":"sinceImagePushed","countNumber":1}`)), "countUnit must be specified when countType=sinceImagePushed.", 0, 1, "selection.countUnit"},
		{"pulled without unit", policy(sel(`{"tagStatus":"any","countType":"sinceImagePulled","countNumber":1}`)), "countUnit must be specified when countType=sinceImagePulled.", 0, 1, "selection.countUnit"},
		{"transitioned standard", policy(sel(`{"tagStatus":"any","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1}`)), "storageClass must be archive when countType=sinceImageTransitioned.", 0, 1, "selection.storageClass"},
		{"archive with count", policy(sel(`{"tagStatus":"any","storageClass":"archive","countType":"imageCountMoreThan","countNumber":1}`)), "storageClass must be standard when countType=imageCountMoreThan.", 0, 1, "selection.storageClass"},
		{"expire with target", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"expire","targetStorageClass":"archive"}`)), "targetStorageClass cannot be specified when action type=expire.", 0, 1, "action.targetStorageClass"},
		{"transition without target", policy(rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"transition"}`)), "targetStorageClass must be specified when action type=transition.", 0, 1, "action.targetStorageClass"},
		{"transition from archive", policy(rule("1", `{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":1}`, `{"type":"transition","targetStorageClass":"archive"}`)), "transition is only allowed for rules with storageClass=standard.", 0, 1, "action.type"},
		{"duplicate priority", policy(ruleTaggedProd, strings.Replace(ruleUntagged, `"rulePriority":1`, `"rulePriority":2`, 1)), "Rule priority 2 is used by more than one rule; rulePriority must be unique.", 1, 2, "rulePriority"},
		{"any not last", policy(ruleAny, strings.Replace(ruleTaggedProd, `"rulePriority":2`, `"rulePriority":10`, 1)), "Rule for tagStatus=ANY must have the lowest priority per storage class", 0, 9, "rulePriority"},
		{"two any", policy(strings.Replace(ruleAny, `:9,`, `:8,`, 1), ruleAny), "Rule for tagStatus=ANY must have the lowest priority per storage class", 0, 8, "rulePriority"},
		{"two untagged", policy(ruleUntagged, rule("5", `{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":3}`, expire)), "Only one rule can select Untagged images per storage class", 1, 5, "selection.tagStatus"},
		{"second rule fails", policy(ruleUntagged, rule("4", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":-1}`, expire)), `numeric instance is lower than the required minimum (minimum: 1, found: -1)`, 1, 4, "selection.countNumber"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := lifecyclepolicy.Validate(tc.text)
			var e *lifecyclepolicy.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate = %v, want *Error", err)
			}
			if e.Msg != tc.msg || err.Error() != lifecyclepolicy.ErrorPrefix+tc.msg {
				t.Errorf("message = %q\nwant      %q", e.Msg, tc.msg)
			}
			if e.RuleIndex != tc.index || e.RulePriority != tc.prio || e.Field != tc.field {
				t.Errorf("location = (%d, %d, %q), want (%d, %d, %q)", e.RuleIndex, e.RulePriority, e.Field, tc.index, tc.prio, tc.field)
			}
			if _, perr := lifecyclepolicy.Parse(tc.text); perr == nil || perr.Error() != err.Error() {
				t.Errorf("Parse error = %v, want %v", perr, err)
			}
		})
	}
}

func TestErrorPath(t *testing.T) {
	for _, tc := range []struct {
		e    lifecyclepolicy.Error
		want string
	}{
		{lifecyclepolicy.Error{RuleIndex: -1}, ""},
		{lifecyclepolicy.Error{RuleIndex: -1, Field: "rules"}, "rules"},
		{lifecyclepolicy.Error{RuleIndex: 2}, "rules[2]"},
		{lifecyclepolicy.Error{RuleIndex: 0, Field: "selection.countType"}, "rules[0].selection.countType"},
	} {
		if got := tc.e.Path(); got != tc.want {
			t.Errorf("Path(%+v) = %q, want %q", tc.e, got, tc.want)
		}
	}
}
