package ecr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"sync"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

// This file holds the JSON document string type of the policy resources.
// It keeps the configured text in state when what ECR returns means the
// same (ECR pretty-prints repository policies, and may reorder lifecycle
// rules), and validates the document at plan time. What "the same" and
// "valid" mean is the document kind's: iamPolicyDocument or
// lifecyclePolicyDocument.

var (
	_ basetypes.StringTypable                    = jsonDocumentType[iamPolicyDocument]{}
	_ basetypes.StringValuableWithSemanticEquals = jsonDocumentValue[iamPolicyDocument]{}
	_ xattr.ValidateableAttribute                = jsonDocumentValue[iamPolicyDocument]{}
)

// documentKind is the kind of JSON document an attribute holds. Its
// methods are called on the zero value.
type documentKind interface {
	// typeName names the attribute type in messages ("ecr.iamPolicyType").
	typeName() string
	// noun names the document in diagnostics ("policy").
	noun() string
	// equivalent reports whether two texts mean the same.
	equivalent(a, b string) bool
	// validate checks a text that is valid JSON; it returns an empty
	// summary when the document is valid.
	validate(text string) (summary, detail string)
}

// jsonDocumentType is a string holding a JSON document of kind K.
type jsonDocumentType[K documentKind] struct{ basetypes.StringType }

func (t jsonDocumentType[K]) String() string {
	var k K
	return k.typeName()
}

// documentKindName names K; a test matches it with the attribute's
// useStateWhenEquivalent plan modifier.
func (t jsonDocumentType[K]) documentKindName() string {
	var k K
	return k.typeName()
}

func (t jsonDocumentType[K]) Equal(o attr.Type) bool {
	_, ok := o.(jsonDocumentType[K])
	return ok
}

func (t jsonDocumentType[K]) ValueType(context.Context) attr.Value { return jsonDocumentValue[K]{} }

func (t jsonDocumentType[K]) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return jsonDocumentValue[K]{StringValue: in}, nil
}

func (t jsonDocumentType[K]) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return jsonDocumentValue[K]{StringValue: s}, nil
}

// jsonDocumentValue is a JSON document of kind K; two documents are equal
// when K says they are equivalent.
type jsonDocumentValue[K documentKind] struct{ basetypes.StringValue }

func newJSONDocumentValue[K documentKind](s string) jsonDocumentValue[K] {
	return jsonDocumentValue[K]{StringValue: basetypes.NewStringValue(s)}
}

func (v jsonDocumentValue[K]) Type(context.Context) attr.Type { return jsonDocumentType[K]{} }

func (v jsonDocumentValue[K]) Equal(o attr.Value) bool {
	other, ok := o.(jsonDocumentValue[K])
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals implements basetypes.StringValuableWithSemanticEquals.
func (v jsonDocumentValue[K]) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(jsonDocumentValue[K])
	if !ok {
		diags.AddError("Semantic equality check error",
			fmt.Sprintf("expected %T, got %T; this is a bug in the provider", v, newValuable))
		return false, diags
	}
	var k K
	return k.equivalent(v.ValueString(), other.ValueString()), diags
}

// ValidateAttribute implements xattr.ValidateableAttribute: the text must be
// JSON and a document of kind K.
func (v jsonDocumentValue[K]) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if summary, detail := checkDocument[K](v.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// checkDocument returns the diagnostic of a text as a document of kind K
// (an empty summary when it is valid). Terraform validates every
// instance's configuration on every plan, and many resources often have
// the same document (count, for_each, a module): the answers for the last
// few distinct texts are kept.
func checkDocument[K documentKind](text string) (summary, detail string) {
	var k K
	key := k.typeName() + "\x00" + text
	documentChecks.Lock()
	c, ok := documentChecks.m[key]
	documentChecks.Unlock()
	if ok {
		return c.summary, c.detail
	}
	if !json.Valid([]byte(text)) {
		c = documentCheck{"Invalid JSON", fmt.Sprintf("The %s is not valid JSON (RFC 7159).", k.noun())}
	} else {
		c.summary, c.detail = k.validate(text)
	}
	documentChecks.Lock()
	if len(documentChecks.m) >= documentChecksMax {
		clear(documentChecks.m)
	}
	documentChecks.m[key] = c
	documentChecks.Unlock()
	return c.summary, c.detail
}

// documentChecksMax bounds the texts checkDocument remembers; when full it
// starts again.
const documentChecksMax = 64

type documentCheck struct{ summary, detail string }

var documentChecks = struct {
	sync.Mutex
	m map[string]documentCheck
}{m: map[string]documentCheck{}}

// ---- IAM policy documents ----

// iamPolicyDocument is an IAM resource policy document; two documents are
// equivalent when awspolicyequivalence says they grant the same.
type iamPolicyDocument struct{}

func (iamPolicyDocument) typeName() string { return "ecr.iamPolicyType" }

func (iamPolicyDocument) noun() string { return "policy" }

func (iamPolicyDocument) equivalent(a, b string) bool { return iamPoliciesEquivalent(a, b) }

// validate: a policy document ECR accepts.
func (iamPolicyDocument) validate(text string) (string, string) {
	if err := iampolicy.Validate(text); err != nil {
		return "Invalid IAM policy document", err.Error()
	}
	return "", ""
}

// iamPoliciesEquivalent reports whether two policy texts grant the same; a
// text that is not a policy is only equivalent to the same text.
func iamPoliciesEquivalent(a, b string) bool {
	if a == b {
		return true
	}
	eq, err := awspolicy.PoliciesAreEquivalent(a, b)
	return err == nil && eq
}

// ---- lifecycle policies ----

// lifecyclePolicyDocument is an ECR lifecycle policy; two policies are
// equivalent when their normalised forms are (see normalizeLifecyclePolicy).
type lifecyclePolicyDocument struct{}

func (lifecyclePolicyDocument) typeName() string { return "ecr.lifecyclePolicyType" }

func (lifecyclePolicyDocument) noun() string { return "lifecycle policy" }

func (lifecyclePolicyDocument) equivalent(a, b string) bool { return lifecyclePoliciesEquivalent(a, b) }

// validate: a lifecycle policy PutLifecyclePolicy accepts. A failure inside
// a rule names the rule by position and priority.
func (lifecyclePolicyDocument) validate(text string) (string, string) {
	if err := lifecyclepolicy.Diagnose(text); err != nil {
		return "Invalid lifecycle policy", describeLifecyclePolicyError(err)
	}
	return "", ""
}

// lifecyclePoliciesEquivalent reports whether two lifecycle policy texts
// say the same; a text that is not JSON is only equivalent to itself.
func lifecyclePoliciesEquivalent(a, b string) bool {
	if a == b {
		return true
	}
	na, err := normalizeLifecyclePolicy(a)
	if err != nil {
		return false
	}
	nb, err := normalizeLifecyclePolicy(b)
	return err == nil && na == nb
}

// describeLifecyclePolicyError turns a lifecyclepolicy validation error into
// a diagnostic detail such as
// "rule 2 (priority 20): selection.countUnit: <ECR's message>".
func describeLifecyclePolicyError(err error) string {
	var le *lifecyclepolicy.Error
	if !errors.As(err, &le) {
		var lenErr *lifecyclepolicy.LengthError
		if errors.As(err, &lenErr) {
			return fmt.Sprintf("the policy has %d characters; ECR accepts %d to %d (%s)",
				lenErr.Length, lifecyclepolicy.MinLength, lifecyclepolicy.MaxLength, err)
		}
		return err.Error()
	}
	var where string
	if le.RuleIndex >= 0 {
		where = fmt.Sprintf("rule %d", le.RuleIndex+1)
		if le.RulePriority > 0 {
			where += fmt.Sprintf(" (priority %d)", le.RulePriority)
		}
		if le.Field != "" {
			where += ": " + le.Field
		}
	} else if le.Field != "" {
		where = le.Field
	}
	if where == "" {
		return err.Error()
	}
	return fmt.Sprintf("%s: %s\n\n(JSON path %s)", where, err.Error(), jsonPathOf(le))
}

func jsonPathOf(le *lifecyclepolicy.Error) string {
	if p := le.Path(); p != "" {
		return p
	}
	return "the policy"
}

// normalizeLifecyclePolicy returns a canonical compact form of a lifecycle
// policy: object keys sorted, rules sorted by rulePriority, the tag lists of
// each selection sorted, empty lists dropped (an empty list means the same
// as none) and numbers in a canonical spelling. Keys the provider does not
// know are kept and compared, so a change to them is never hidden.
func normalizeLifecyclePolicy(text string) (string, error) {
	root, err := decodeJSON(text)
	if err != nil {
		return "", err
	}
	if obj, ok := root.(map[string]any); ok {
		if rules, ok := obj["rules"].([]any); ok {
			for _, r := range rules {
				normalizeLifecycleRule(r)
			}
			slices.SortStableFunc(rules, compareRulePriority)
		}
	}
	root = canonicalNumbers(root)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

func normalizeLifecycleRule(r any) {
	rule, ok := r.(map[string]any)
	if !ok {
		return
	}
	for _, block := range []string{"selection", "action"} {
		obj, ok := rule[block].(map[string]any)
		if !ok {
			continue
		}
		for k, v := range obj {
			list, ok := v.([]any)
			if !ok {
				continue
			}
			if len(list) == 0 {
				delete(obj, k)
				continue
			}
			if k == "tagPatternList" || k == "tagPrefixList" {
				slices.SortStableFunc(list, compareJSONScalars)
			}
		}
	}
}

// compareRulePriority orders rules by numeric rulePriority; rules without
// a numeric priority go last, in their original order.
func compareRulePriority(a, b any) int {
	pa, oka := rulePriority(a)
	pb, okb := rulePriority(b)
	switch {
	case oka && okb:
		return pa.Cmp(pb)
	case oka:
		return -1
	case okb:
		return 1
	}
	return 0
}

func rulePriority(r any) (*big.Rat, bool) {
	rule, ok := r.(map[string]any)
	if !ok {
		return nil, false
	}
	n, ok := rule["rulePriority"].(json.Number)
	if !ok {
		return nil, false
	}
	return new(big.Rat).SetString(string(n))
}

func compareJSONScalars(a, b any) int {
	sa, oka := a.(string)
	sb, okb := b.(string)
	switch {
	case oka && okb:
		return strings.Compare(sa, sb)
	case oka:
		return -1
	case okb:
		return 1
	}
	return 0
}

// canonicalNumbers rewrites every number so that 10, 10.0 and 1e1 have the
// same spelling.
func canonicalNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = canonicalNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = canonicalNumbers(e)
		}
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(t)); ok {
			if r.IsInt() {
				return json.Number(r.Num().String())
			}
			return json.Number(r.FloatString(20))
		}
	}
	return v
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact.
func decodeJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// normalizeJSON returns the compact form of a JSON text with object keys
// sorted, as Terraform's jsonencode writes it. Read stores this form when it
// has no equivalent prior value (import), so that a configuration written
// with jsonencode matches the imported state.
func normalizeJSON(text string) string {
	v, err := decodeJSON(text)
	if err != nil {
		return text
	}
	b, err := json.Marshal(v)
	if err != nil {
		return text
	}
	return string(b)
}
