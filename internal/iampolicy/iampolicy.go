// Package iampolicy validates and formats IAM resource policies the way
// Amazon ECR does for repository and registry policies. It is pure Go with
// no emulator or Terraform dependencies, so the provider can use it for
// plan-time validation and the emulator for the API's own checks.
package iampolicy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Document is a syntactically valid resource policy.
type Document struct {
	Version    string // "" when absent
	ID         string
	Statements []Statement
}

// Statement is one policy statement. Principal and Condition are validated
// but not exposed.
type Statement struct {
	Sid         string
	Effect      string // Allow | Deny
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
}

// Versions are the policy language versions IAM accepts.
var Versions = []string{"2012-10-17", "2008-10-17"}

var (
	topLevelKeys  = []string{"Version", "Id", "Statement"}
	statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
		"Resource", "NotResource", "Condition"}
	principalKeys = []string{"AWS", "Service", "Federated", "CanonicalUser"}

	// An action is "*" or service:action, where the action part may use the
	// wildcards * and ?.
	reAction    = regexp.MustCompile(`^(\*|[A-Za-z0-9_.-]+:[A-Za-z0-9_.*?-]+)$`)
	reAccountID = regexp.MustCompile(`^[0-9]{12}$`)

	conditionOperators = []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
		"NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
		"DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
		"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	}
)

// Validate reports whether policy is a valid IAM resource policy as ECR
// accepts it: a JSON object with an optional Version (2012-10-17 or
// 2008-10-17) and Id and a Statement that is an object or an array of
// objects; each statement has Effect Allow|Deny, exactly one of Principal
// and NotPrincipal, exactly one of Action and NotAction, at most one of
// Resource and NotResource, an optional Condition and Sid, and nothing
// else. The error says what is wrong and where.
func Validate(policy string) error {
	_, err := Parse(policy)
	return err
}

// Parse validates policy (see Validate) and returns its statements.
func Parse(policy string) (*Document, error) {
	root, err := parse(policy)
	if err != nil {
		return nil, err
	}
	if root.kind != kindObject {
		return nil, fmt.Errorf("policy must be a JSON object, got %s", root.kind)
	}
	if err := checkKeys("policy", root, topLevelKeys); err != nil {
		return nil, err
	}
	doc := &Document{}
	if v := get(root, "Version"); v != nil {
		if v.kind != kindString || !slices.Contains(Versions, v.text) {
			return nil, fmt.Errorf(`"Version" must be "2012-10-17" or "2008-10-17", got %s`, describe(v))
		}
		doc.Version = v.text
	}
	// Assumption: Version may be omitted, as everywhere in IAM (it then
	// means 2008-10-17).
	if v := get(root, "Id"); v != nil {
		if v.kind != kindString {
			return nil, fmt.Errorf(`"Id" must be a string, got %s`, v.kind)
		}
		doc.ID = v.text
	}
	st := get(root, "Statement")
	if st == nil {
		return nil, fmt.Errorf(`policy has no "Statement"`)
	}
	switch st.kind {
	case kindObject:
		s, err := parseStatement("Statement", st)
		if err != nil {
			return nil, err
		}
		doc.Statements = []Statement{s}
	case kindArray:
		// Assumption: an empty statement list is rejected, as IAM does.
		if len(st.items) == 0 {
			return nil, fmt.Errorf(`"Statement" must not be an empty array`)
		}
		for i, it := range st.items {
			where := fmt.Sprintf("Statement[%d]", i)
			if it.kind != kindObject {
				return nil, fmt.Errorf("%s must be an object, got %s", where, it.kind)
			}
			s, err := parseStatement(where, it)
			if err != nil {
				return nil, err
			}
			doc.Statements = append(doc.Statements, s)
		}
	default:
		return nil, fmt.Errorf(`"Statement" must be an object or an array of objects, got %s`, st.kind)
	}
	return doc, nil
}

func parseStatement(where string, n *node) (Statement, error) {
	var s Statement
	if err := checkKeys(where, n, statementKeys); err != nil {
		return s, err
	}
	if v := get(n, "Sid"); v != nil {
		if v.kind != kindString {
			return s, fmt.Errorf(`%s: "Sid" must be a string, got %s`, where, v.kind)
		}
		s.Sid = v.text
	}
	eff := get(n, "Effect")
	if eff == nil {
		return s, fmt.Errorf(`%s has no "Effect"`, where)
	}
	if eff.kind != kindString || (eff.text != "Allow" && eff.text != "Deny") {
		return s, fmt.Errorf(`%s: "Effect" must be "Allow" or "Deny", got %s`, where, describe(eff))
	}
	s.Effect = eff.text

	p, np, err := exactlyOne(where, n, "Principal", "NotPrincipal", true)
	if err != nil {
		return s, err
	}
	if p != nil {
		err = checkPrincipal(where+`: "Principal"`, p)
	} else {
		err = checkPrincipal(where+`: "NotPrincipal"`, np)
	}
	if err != nil {
		return s, err
	}

	a, na, err := exactlyOne(where, n, "Action", "NotAction", true)
	if err != nil {
		return s, err
	}
	if a != nil {
		s.Action, err = stringList(where+`: "Action"`, a, checkAction)
	} else {
		s.NotAction, err = stringList(where+`: "NotAction"`, na, checkAction)
	}
	if err != nil {
		return s, err
	}

	r, nr, err := exactlyOne(where, n, "Resource", "NotResource", false)
	if err != nil {
		return s, err
	}
	switch {
	case r != nil:
		s.Resource, err = stringList(where+`: "Resource"`, r, checkResource)
	case nr != nil:
		s.NotResource, err = stringList(where+`: "NotResource"`, nr, checkResource)
	}
	if err != nil {
		return s, err
	}

	if c := get(n, "Condition"); c != nil {
		if err := checkCondition(where+`: "Condition"`, c); err != nil {
			return s, err
		}
	}
	return s, nil
}

// checkKeys rejects unknown and duplicate member names.
func checkKeys(where string, n *node, allowed []string) error {
	seen := map[string]bool{}
	for _, m := range n.members {
		if !slices.Contains(allowed, m.key) {
			return fmt.Errorf("%s has an unknown element %q (allowed: %s)", where, m.key, strings.Join(allowed, ", "))
		}
		// Assumption: a duplicate element is an error (Jackson would keep
		// the last one silently; rejecting it is the safer reading).
		if seen[m.key] {
			return fmt.Errorf("%s has %q more than once", where, m.key)
		}
		seen[m.key] = true
	}
	return nil
}

// get returns the member named key, or nil.
func get(n *node, key string) *node {
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// exactlyOne returns the values of the mutually exclusive members a and b;
// with required, one of them must be present.
func exactlyOne(where string, n *node, a, b string, required bool) (*node, *node, error) {
	va, vb := get(n, a), get(n, b)
	if va != nil && vb != nil {
		return nil, nil, fmt.Errorf("%s has both %q and %q", where, a, b)
	}
	if required && va == nil && vb == nil {
		return nil, nil, fmt.Errorf("%s must have %q or %q", where, a, b)
	}
	return va, vb, nil
}

// stringList accepts a string or a non-empty array of strings and checks
// each one.
func stringList(where string, n *node, check func(string) error) ([]string, error) {
	var out []string
	switch n.kind {
	case kindString:
		out = []string{n.text}
	case kindArray:
		if len(n.items) == 0 {
			return nil, fmt.Errorf("%s must not be an empty array", where)
		}
		for _, it := range n.items {
			if it.kind != kindString {
				return nil, fmt.Errorf("%s must contain only strings, got %s", where, it.kind)
			}
			out = append(out, it.text)
		}
	default:
		return nil, fmt.Errorf("%s must be a string or an array of strings, got %s", where, n.kind)
	}
	for _, v := range out {
		if err := check(v); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	return out, nil
}

func checkAction(a string) error {
	if !reAction.MatchString(a) {
		return fmt.Errorf(`%q is not an action: use "*" or "service:Action" (wildcards * and ? allowed)`, a)
	}
	return nil
}

func checkResource(r string) error {
	if r == "*" {
		return nil
	}
	// arn:partition:service:region:account:resource
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf(`%q is neither "*" nor an ARN (arn:partition:service:region:account:resource)`, r)
	}
	return nil
}

func checkPrincipal(where string, n *node) error {
	switch n.kind {
	case kindString:
		if n.text != "*" {
			return fmt.Errorf(`%s must be "*" or an object such as {"AWS": "arn:..."}, got %q`, where, n.text)
		}
		return nil
	case kindObject:
		if len(n.members) == 0 {
			return fmt.Errorf("%s must not be an empty object", where)
		}
		if err := checkKeys(where, n, principalKeys); err != nil {
			return err
		}
		for _, m := range n.members {
			check := checkNonEmpty
			if m.key == "AWS" {
				check = checkAWSPrincipal
			}
			if _, err := stringList(where+"."+m.key, m.value, check); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf(`%s must be "*" or an object, got %s`, where, n.kind)
	}
}

func checkNonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("empty value")
	}
	return nil
}

func checkAWSPrincipal(s string) error {
	if s == "*" || reAccountID.MatchString(s) || checkResource(s) == nil {
		return nil
	}
	return fmt.Errorf(`%q is not "*", a 12-digit account id or an ARN`, s)
}

func checkCondition(where string, n *node) error {
	if n.kind != kindObject {
		return fmt.Errorf("%s must be an object, got %s", where, n.kind)
	}
	for _, op := range n.members {
		if !validOperator(op.key) {
			return fmt.Errorf("%s: unknown condition operator %q", where, op.key)
		}
		w := where + "." + op.key
		if op.value.kind != kindObject {
			return fmt.Errorf("%s must be an object of condition keys, got %s", w, op.value.kind)
		}
		if len(op.value.members) == 0 {
			return fmt.Errorf("%s must not be an empty object", w)
		}
		for _, k := range op.value.members {
			if k.key == "" {
				return fmt.Errorf("%s has an empty condition key", w)
			}
			if err := checkConditionValue(w+"."+k.key, k.value); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkConditionValue(where string, n *node) error {
	switch n.kind {
	case kindString, kindNumber, kindBool:
		return nil
	case kindArray:
		if len(n.items) == 0 {
			return fmt.Errorf("%s must not be an empty array", where)
		}
		for _, it := range n.items {
			if it.kind != kindString && it.kind != kindNumber && it.kind != kindBool {
				return fmt.Errorf("%s must contain only strings, numbers or booleans, got %s", where, it.kind)
			}
		}
		return nil
	default:
		return fmt.Errorf("%s must be a string, number, boolean or an array of them, got %s", where, n.kind)
	}
}

// validOperator accepts the IAM condition operators with the optional
// ForAnyValue:/ForAllValues: prefix and IfExists suffix.
// Assumption: operator names match case-insensitively.
func validOperator(op string) bool {
	lower := strings.ToLower(op)
	for _, p := range []string{"foranyvalue:", "forallvalues:"} {
		if rest, ok := strings.CutPrefix(lower, p); ok {
			lower = rest
			break
		}
	}
	base, ifExists := strings.CutSuffix(lower, "ifexists")
	for _, o := range conditionOperators {
		if strings.EqualFold(o, base) {
			return !ifExists || o != "Null"
		}
	}
	return false
}

// describe renders a scalar for an error message.
func describe(n *node) string {
	switch n.kind {
	case kindString:
		return fmt.Sprintf("%q", n.text)
	case kindNumber, kindBool:
		return n.text
	default:
		return n.kind.String()
	}
}
