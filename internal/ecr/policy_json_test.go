package ecr_test

import (
	"strings"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// ECR's Jackson-style reformatting of a repository policy.
const (
	testPolicyCompact = `{"Statement":[{"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Effect":"Allow","Principal":"*","Sid":"pull"}],"Version":"2012-10-17"}`
	testPolicyJackson = "{\n  \"Version\" : \"2012-10-17\",\n  \"Statement\" : [ {\n    \"Sid\" : \"pull\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : \"*\",\n    \"Action\" : [ \"ecr:GetDownloadUrlForLayer\", \"ecr:BatchGetImage\" ]\n  } ]\n}"
)

func TestIAMPoliciesEquivalent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", testPolicyCompact, testPolicyCompact, true},
		{"jackson reformatting and action order", testPolicyCompact, testPolicyJackson, true},
		{"single action as string vs list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage"]}]}`, true},
		{"different action", testPolicyCompact, strings.Replace(testPolicyCompact, "BatchGetImage", "PutImage", 1), false},
		{"different effect", testPolicyCompact, strings.Replace(testPolicyCompact, "Allow", "Deny", 1), false},
		{"not JSON", testPolicyCompact, "{", false},
		{"same invalid text", "{", "{", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ecr.IAMPoliciesEquivalent(tc.a, tc.b); got != tc.want {
				t.Errorf("IAMPoliciesEquivalent = %v, want %v", got, tc.want)
			}
		})
	}
}

const testLifecycleTwoRules = `{"rules":[` +
	`{"rulePriority":10,"description":"keep 5 prod","selection":{"tagStatus":"tagged","tagPrefixList":["prod","release"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},` +
	`{"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`

func TestLifecyclePoliciesEquivalent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		b    string
		want bool
	}{
		{"identical", testLifecycleTwoRules, true},
		{"rules reordered", `{"rules":[` +
			`{"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
			`{"rulePriority":10,"description":"keep 5 prod","selection":{"tagStatus":"tagged","tagPrefixList":["prod","release"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}`, true},
		{"tag list reordered, keys reordered, whitespace", `{ "rules": [
			{"selection":{"countNumber":5,"countType":"imageCountMoreThan","tagPrefixList":["release","prod"],"tagStatus":"tagged"},"rulePriority":10,"description":"keep 5 prod","action":{"type":"expire"}},
			{"rulePriority":20,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}`, true},
		{"number spelling", strings.Replace(testLifecycleTwoRules, `"countNumber":14`, `"countNumber":14.0`, 1), true},
		{"empty list is absent", strings.Replace(testLifecycleTwoRules, `"tagStatus":"untagged",`, `"tagStatus":"untagged","tagPatternList":[],`, 1), true},
		{"different count", strings.Replace(testLifecycleTwoRules, `"countNumber":14`, `"countNumber":15`, 1), false},
		{"different description", strings.Replace(testLifecycleTwoRules, "keep 5 prod", "keep 6 prod", 1), false},
		{"different priority", strings.Replace(testLifecycleTwoRules, `"rulePriority":20`, `"rulePriority":30`, 1), false},
		{"unknown key kept", strings.Replace(testLifecycleTwoRules, `"action":{"type":"expire"}}]}`, `"action":{"type":"expire","future":1}}]}`, 1), false},
		{"unknown top-level key kept", strings.Replace(testLifecycleTwoRules, `{"rules":`, `{"x":true,"rules":`, 1), false},
		{"not JSON", "{", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ecr.LifecyclePoliciesEquivalent(testLifecycleTwoRules, tc.b); got != tc.want {
				t.Errorf("LifecyclePoliciesEquivalent = %v, want %v", got, tc.want)
			}
			if got := ecr.LifecyclePoliciesEquivalent(tc.b, testLifecycleTwoRules); got != tc.want {
				t.Errorf("LifecyclePoliciesEquivalent (swapped) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNormalizeLifecyclePolicyKeepsUnknownKeys(t *testing.T) {
	t.Parallel()
	got, err := ecr.NormalizeLifecyclePolicy(`{"rules":[{"rulePriority":1,"newThing":{"b":2,"a":1e0},"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rules":[{"action":{"type":"expire"},"newThing":{"a":1,"b":2},"rulePriority":1,"selection":{"countNumber":1,"countType":"imageCountMoreThan","tagStatus":"any"}}]}`
	if got != want {
		t.Errorf("NormalizeLifecyclePolicy =\n%s\nwant\n%s", got, want)
	}
}

func TestNormalizeJSON(t *testing.T) {
	t.Parallel()
	if got := ecr.NormalizeJSON(testPolicyJackson); got != `{"Statement":[{"Action":["ecr:GetDownloadUrlForLayer","ecr:BatchGetImage"],"Effect":"Allow","Principal":"*","Sid":"pull"}],"Version":"2012-10-17"}` {
		t.Errorf("NormalizeJSON = %s", got)
	}
	if got := ecr.NormalizeJSON("not json"); got != "not json" {
		t.Errorf("NormalizeJSON of invalid text = %q, want it unchanged", got)
	}
}

func TestValidatePolicyAttributes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		lifecycle bool
		text      string
		wantErr   string // "" = valid
	}{
		{"iam valid", false, testPolicyCompact, ""},
		{"iam not JSON", false, `{"Version":`, "not valid JSON"},
		{"iam bad effect", false, strings.Replace(testPolicyCompact, "Allow", "Maybe", 1), "Effect"},
		{"lifecycle valid", true, testLifecycleTwoRules, ""},
		{"lifecycle not JSON", true, `{"rules":[`, "not valid JSON"},
		{"lifecycle rule names index and priority", true,
			strings.Replace(testLifecycleTwoRules, `"countUnit":"days",`, ``, 1), "rule 2 (priority 20): selection"},
		{"lifecycle duplicate priority", true,
			strings.Replace(testLifecycleTwoRules, `"rulePriority":20`, `"rulePriority":10`, 1), "Lifecycle policy validation failure"},
		// Short and malformed: the malformation is reported, not the length.
		{"lifecycle too short", true, `{"rules":[]}`, "must have at least 1 elements"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			diags := ecr.ValidatePolicyText(tc.lifecycle, tc.text)
			if tc.wantErr == "" {
				if diags.HasError() {
					t.Fatalf("unexpected diagnostics: %v", diags)
				}
				return
			}
			if !diags.HasError() {
				t.Fatalf("no error, want one containing %q", tc.wantErr)
			}
			if d := diags.Errors()[0].Detail(); !strings.Contains(d, tc.wantErr) {
				t.Errorf("detail %q does not contain %q", d, tc.wantErr)
			}
		})
	}
}
