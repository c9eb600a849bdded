package lifecyclepolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrorPrefix starts the message of every policy validation failure.
const ErrorPrefix = "Lifecycle policy validation failure: "

const msgCouldNotMap = "Could not map policyString into LifecyclePolicy."

// Error is a lifecycle policy validation failure. Error() is ECR's message;
// the other fields say where the failure is, so that callers can name the
// rule in their own diagnostics.
type Error struct {
	// RuleIndex is the rule's index in "rules", or -1 when the failure is
	// about the policy as a whole.
	RuleIndex int
	// RulePriority is the rule's rulePriority when it is a valid integer,
	// otherwise 0.
	RulePriority int
	// Field is the path of the failing property inside the rule (for
	// example "selection.countType"); "" means the rule itself. When
	// RuleIndex is -1 it is the path inside the policy ("" or "rules").
	Field string
	// Msg is ECR's message without ErrorPrefix.
	Msg string
}

func (e *Error) Error() string { return ErrorPrefix + e.Msg }

// Path is the full path of the failing property inside the policy, e.g.
// "rules[2].selection.countType".
func (e *Error) Path() string {
	if e.RuleIndex < 0 {
		return e.Field
	}
	p := fmt.Sprintf("rules[%d]", e.RuleIndex)
	if e.Field != "" {
		p += "." + e.Field
	}
	return p
}

// LengthError reports a policy text outside MinLength..MaxLength characters.
// ECR reports this as a model constraint on lifecyclePolicyText, not as a
// policy validation failure, so its message has no ErrorPrefix.
type LengthError struct {
	Length int
}

func (e *LengthError) Error() string {
	if e.Length < MinLength {
		return fmt.Sprintf("Member must have length greater than or equal to %d", MinLength)
	}
	return fmt.Sprintf("Member must have length less than or equal to %d", MaxLength)
}

// Validate checks a lifecycle policy text as PutLifecyclePolicy does and
// returns nil, a *LengthError, or an *Error for the first failure found.
// Rules are checked in order; within a rule the JSON-schema checks come
// first (type, required and allowed properties, enumerations, minimums),
// then the rules that tie properties together; the checks across rules
// (unique priorities, tagStatus=any last, one untagged rule) come last.
func Validate(text string) error {
	_, err := parse(text)
	return err
}

// allowed properties of each object, sorted.
var (
	rulePropsRequired      = []string{"action", "rulePriority", "selection"}
	rulePropsAllowed       = []string{"action", "description", "rulePriority", "selection"}
	selectionPropsRequired = []string{"countNumber", "countType", "tagStatus"}
	selectionPropsAllowed  = []string{"countNumber", "countType", "countUnit", "storageClass", "tagPatternList", "tagPrefixList", "tagStatus"}
	actionPropsRequired    = []string{"type"}
	actionPropsAllowed     = []string{"targetStorageClass", "type"}

	enumTagStatus          = []string{TagStatusTagged, TagStatusUntagged, TagStatusAny}
	enumCountType          = []string{CountTypeImageCountMoreThan, CountTypeSinceImagePushed, CountTypeSinceImagePulled, CountTypeSinceImageTransitioned}
	enumCountUnit          = []string{CountUnitDays}
	enumStorageClass       = []string{StorageClassStandard, StorageClassArchive}
	enumActionType         = []string{ActionExpire, ActionTransition}
	enumTargetStorageClass = []string{StorageClassArchive}
)

// Diagnose is Validate for a person fixing the policy: when the length is
// out of range but the policy is also malformed, the malformation is
// reported instead ("rule 1: selection is required" says more than "57
// characters"). ECR, and so Validate, check the length first.
func Diagnose(text string) error {
	err := Validate(text)
	var le *LengthError
	if errors.As(err, &le) {
		if _, serr := parseBody(text); serr != nil {
			return serr
		}
	}
	return err
}

// AttributeChecked reports whether a failure is about a property value
// that is outside its enumeration or below its minimum: the checks a
// schema expresses per attribute (the ecr_lifecycle_policy_document data
// source has them on its attributes). Other failures tie properties
// together or are about the document's shape.
func AttributeChecked(p *Policy, err error) bool {
	var e *Error
	if p == nil || !errors.As(err, &e) || e.RuleIndex < 0 || e.RuleIndex >= len(p.Rules) {
		return false
	}
	r := p.Rules[e.RuleIndex]
	notIn := func(v string, enum []string) bool { return v != "" && !slices.Contains(enum, v) }
	switch e.Field {
	case "rulePriority":
		return r.RulePriority < 1
	case "selection.countNumber":
		return r.Selection.CountNumber < 1
	case "selection.tagStatus":
		return notIn(r.Selection.TagStatus, enumTagStatus)
	case "selection.countType":
		return notIn(r.Selection.CountType, enumCountType)
	case "selection.countUnit":
		return notIn(r.Selection.CountUnit, enumCountUnit)
	case "selection.storageClass":
		return notIn(r.Selection.StorageClass, enumStorageClass)
	case "action.type":
		return notIn(r.Action.Type, enumActionType)
	case "action.targetStorageClass":
		return notIn(r.Action.TargetStorageClass, enumTargetStorageClass)
	}
	return false
}

func parse(text string) (*Policy, error) {
	if n := utf8.RuneCountInString(text); n < MinLength || n > MaxLength {
		return nil, &LengthError{Length: n}
	}
	return parseBody(text)
}

// parseBody is parse without the length check.
func parseBody(text string) (*Policy, error) {
	couldNotMap := &Error{RuleIndex: -1, Msg: msgCouldNotMap}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, couldNotMap
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, couldNotMap // trailing data
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, couldNotMap
	}
	rawRules, ok := obj["rules"].([]any)
	if !ok {
		return nil, couldNotMap
	}
	// Assumption: the policy object, like its rules, admits no other
	// properties (ECR's schema is closed everywhere we can observe).
	if err := checkAllowed(obj, []string{"rules"}); err != "" {
		return nil, &Error{RuleIndex: -1, Msg: err}
	}
	// Assumption: an empty rules array is rejected, with the JSON-schema
	// minItems wording.
	if len(rawRules) == 0 {
		return nil, &Error{RuleIndex: -1, Field: "rules",
			Msg: "array is too short: must have at least 1 elements but instance has 0 elements"}
	}
	p := &Policy{Rules: make([]Rule, 0, len(rawRules))}
	for i, raw := range rawRules {
		rule, err := parseRule(i, raw)
		if err != nil {
			return nil, err
		}
		p.Rules = append(p.Rules, rule)
	}
	if err := checkAcrossRules(p.Rules); err != nil {
		return nil, err
	}
	return p, nil
}

// ruleParser accumulates one rule and builds errors that point into it.
type ruleParser struct {
	index    int
	priority int
}

func (rp *ruleParser) fail(field, format string, args ...any) *Error {
	return &Error{RuleIndex: rp.index, RulePriority: rp.priority, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func parseRule(index int, raw any) (Rule, error) {
	rp := &ruleParser{index: index}
	var r Rule
	obj, ok := raw.(map[string]any)
	if !ok {
		return r, rp.fail("", "%s", typeMismatch(raw, "object"))
	}
	// Learn the priority first so every later error can name it.
	if n, ok := obj["rulePriority"].(json.Number); ok {
		if v, err := strconv.ParseInt(string(n), 10, 32); err == nil && v >= 1 {
			rp.priority = int(v)
		}
	}
	if msg := checkObject(obj, rulePropsRequired, rulePropsAllowed); msg != "" {
		return r, rp.fail("", "%s", msg)
	}
	var err error
	if r.RulePriority, err = rp.integer(obj["rulePriority"], "rulePriority", 1); err != nil {
		return r, err
	}
	if d, ok := obj["description"]; ok {
		s, ok := d.(string)
		if !ok {
			return r, rp.fail("description", "%s", typeMismatch(d, "string"))
		}
		r.Description = s
	}
	if r.Selection, err = rp.selection(obj["selection"]); err != nil {
		return r, err
	}
	if r.Action, err = rp.action(obj["action"]); err != nil {
		return r, err
	}
	return r, rp.semantics(r)
}

func (rp *ruleParser) selection(raw any) (Selection, error) {
	var s Selection
	obj, ok := raw.(map[string]any)
	if !ok {
		return s, rp.fail("selection", "%s", typeMismatch(raw, "object"))
	}
	if msg := checkObject(obj, selectionPropsRequired, selectionPropsAllowed); msg != "" {
		return s, rp.fail("selection", "%s", msg)
	}
	var err error
	if s.TagStatus, err = rp.enum(obj["tagStatus"], "selection.tagStatus", enumTagStatus); err != nil {
		return s, err
	}
	if v, ok := obj["tagPatternList"]; ok {
		if s.TagPatternList, err = rp.stringList(v, "selection.tagPatternList"); err != nil {
			return s, err
		}
	}
	if v, ok := obj["tagPrefixList"]; ok {
		if s.TagPrefixList, err = rp.stringList(v, "selection.tagPrefixList"); err != nil {
			return s, err
		}
	}
	if v, ok := obj["storageClass"]; ok {
		if s.StorageClass, err = rp.enum(v, "selection.storageClass", enumStorageClass); err != nil {
			return s, err
		}
	}
	if s.CountType, err = rp.enum(obj["countType"], "selection.countType", enumCountType); err != nil {
		return s, err
	}
	if v, ok := obj["countUnit"]; ok {
		if s.CountUnit, err = rp.enum(v, "selection.countUnit", enumCountUnit); err != nil {
			return s, err
		}
	}
	if s.CountNumber, err = rp.integer(obj["countNumber"], "selection.countNumber", 1); err != nil {
		return s, err
	}
	return s, nil
}

func (rp *ruleParser) action(raw any) (Action, error) {
	var a Action
	obj, ok := raw.(map[string]any)
	if !ok {
		return a, rp.fail("action", "%s", typeMismatch(raw, "object"))
	}
	if msg := checkObject(obj, actionPropsRequired, actionPropsAllowed); msg != "" {
		return a, rp.fail("action", "%s", msg)
	}
	var err error
	if a.Type, err = rp.enum(obj["type"], "action.type", enumActionType); err != nil {
		return a, err
	}
	if v, ok := obj["targetStorageClass"]; ok {
		if a.TargetStorageClass, err = rp.enum(v, "action.targetStorageClass", enumTargetStorageClass); err != nil {
			return a, err
		}
	}
	return a, nil
}

// semantics applies the rules that tie a rule's properties together.
func (rp *ruleParser) semantics(r Rule) error {
	s, a := r.Selection, r.Action
	hasPattern, hasPrefix := len(s.TagPatternList) > 0, len(s.TagPrefixList) > 0
	switch s.TagStatus {
	case TagStatusTagged:
		if !hasPattern && !hasPrefix {
			return rp.fail("selection.tagStatus", "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.")
		}
		// AWS docs: "A lifecycle policy rule may specify either
		// tagPatternList or tagPrefixList, but not both."
		// Assumption: the wording of this message.
		if hasPattern && hasPrefix {
			return rp.fail("selection.tagPatternList", "Cannot specify both tagPrefixList and tagPatternList in the same rule.")
		}
	default:
		// Assumption: the lists are rejected for untagged and (as they
		// would be ignored) for any; the wording is ours.
		if hasPattern || hasPrefix {
			field := "selection.tagPrefixList"
			if hasPattern {
				field = "selection.tagPatternList"
			}
			return rp.fail(field, "tagPrefixList and tagPatternList are not allowed when tagStatus=%s.", strings.ToUpper(s.TagStatus))
		}
	}
	for _, pat := range s.TagPatternList {
		// Assumption: the wording of this message.
		if strings.Count(pat, "*") > MaxWildcards {
			return rp.fail("selection.tagPatternList", "Tag pattern '%s' has more than %d wildcards (*); at most %d are allowed per pattern.", pat, MaxWildcards, MaxWildcards)
		}
	}
	// Assumption for the messages below: ECR's schema reports these with
	// generic JSON-schema wording; ours names the properties involved.
	switch s.CountType {
	case CountTypeImageCountMoreThan:
		if s.CountUnit != "" {
			return rp.fail("selection.countUnit", "countUnit cannot be specified when countType=imageCountMoreThan.")
		}
	default:
		if s.CountUnit == "" {
			return rp.fail("selection.countUnit", "countUnit must be specified when countType=%s.", s.CountType)
		}
	}
	storage := s.EffectiveStorageClass()
	if s.CountType == CountTypeSinceImageTransitioned {
		if storage != StorageClassArchive {
			return rp.fail("selection.storageClass", "storageClass must be archive when countType=sinceImageTransitioned.")
		}
	} else if storage != StorageClassStandard {
		return rp.fail("selection.storageClass", "storageClass must be standard when countType=%s.", s.CountType)
	}
	switch a.Type {
	case ActionExpire:
		if a.TargetStorageClass != "" {
			return rp.fail("action.targetStorageClass", "targetStorageClass cannot be specified when action type=expire.")
		}
	case ActionTransition:
		if a.TargetStorageClass == "" {
			return rp.fail("action.targetStorageClass", "targetStorageClass must be specified when action type=transition.")
		}
		// Assumption: images already archived cannot be transitioned.
		if storage != StorageClassStandard {
			return rp.fail("action.type", "transition is only allowed for rules with storageClass=standard.")
		}
	}
	return nil
}

// checkAcrossRules applies the rules that relate several rules.
func checkAcrossRules(rules []Rule) error {
	fail := func(i int, field, msg string) *Error {
		return &Error{RuleIndex: i, RulePriority: rules[i].RulePriority, Field: field, Msg: msg}
	}
	seen := map[int]bool{}
	for i, r := range rules {
		if seen[r.RulePriority] {
			// Assumption: the wording of this message.
			return fail(i, "rulePriority", fmt.Sprintf("Rule priority %d is used by more than one rule; rulePriority must be unique.", r.RulePriority))
		}
		seen[r.RulePriority] = true
	}
	for i, r := range rules {
		if r.Selection.TagStatus != TagStatusAny {
			continue
		}
		for j, o := range rules {
			if j != i && o.RulePriority > r.RulePriority &&
				o.Selection.EffectiveStorageClass() == r.Selection.EffectiveStorageClass() {
				return fail(i, "rulePriority", "Rule for tagStatus=ANY must have the lowest priority per storage class")
			}
		}
	}
	untagged := map[string]bool{}
	for i, r := range rules {
		if r.Selection.TagStatus != TagStatusUntagged {
			continue
		}
		sc := r.Selection.EffectiveStorageClass()
		if untagged[sc] {
			return fail(i, "selection.tagStatus", "Only one rule can select Untagged images per storage class")
		}
		untagged[sc] = true
	}
	return nil
}

// ---- JSON-schema style checks (messages as ECR's schema validator words them) ----

func checkObject(obj map[string]any, required, allowed []string) string {
	var missing []string
	for _, k := range required {
		if _, ok := obj[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return "object has missing required properties (" + quoteList(missing) + ")"
	}
	return checkAllowed(obj, allowed)
}

func checkAllowed(obj map[string]any, allowed []string) string {
	var extra []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return "object instance has properties which are not allowed by the schema: (" + quoteList(extra) + ")"
	}
	return ""
}

func (rp *ruleParser) enum(v any, field string, allowed []string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", rp.fail(field, "%s", typeMismatch(v, "string"))
	}
	if !slices.Contains(allowed, s) {
		// Assumption: the schema validator's enum wording.
		return "", rp.fail(field, "instance value (%s) not found in enum (possible values: %s)", quote(s), quoteList(allowed))
	}
	return s, nil
}

func (rp *ruleParser) integer(v any, field string, minimum int64) (int, error) {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(n), ".eE") {
		return 0, rp.fail(field, "%s", typeMismatch(v, "integer"))
	}
	i, err := strconv.ParseInt(string(n), 10, 32)
	if err != nil {
		// Assumption: an integer beyond Java's int cannot be mapped.
		return 0, &Error{RuleIndex: -1, Msg: msgCouldNotMap}
	}
	if i < minimum {
		return 0, rp.fail(field, "numeric instance is lower than the required minimum (minimum: %d, found: %d)", minimum, i)
	}
	return int(i), nil
}

func (rp *ruleParser) stringList(v any, field string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, rp.fail(field, "%s", typeMismatch(v, "array"))
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, rp.fail(fmt.Sprintf("%s[%d]", field, i), "%s", typeMismatch(e, "string"))
		}
		out = append(out, s)
	}
	return out, nil
}

func typeMismatch(v any, want string) string {
	return fmt.Sprintf("instance type (%s) does not match any allowed primitive type (allowed: [%s])", jsonType(v), quote(want))
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "number"
		}
		return "integer"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// quoteList renders ["a","b"] as the schema validator does.
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}
