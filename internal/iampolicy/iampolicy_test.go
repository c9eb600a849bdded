package iampolicy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	// stmt wraps one statement body in a 2012-10-17 policy.
	stmt := func(body string) string {
		return `{"Version":"2012-10-17","Statement":[{` + body + `}]}`
	}
	const pa = `"Principal":"*","Action":"ecr:GetDownloadUrlForLayer"`
	cases := []struct {
		name, policy string
		wantErr      string // substring of the error, "" for valid
	}{
		{"awscli example", awscliExample, ""},
		{"statement object, no version", `{"Statement":{"Effect":"Deny",` + pa + `}}`, ""},
		{"full statement", stmt(`"Sid":"a b","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","123456789012","*"],` +
			`"Service":"codebuild.amazonaws.com"},"Action":["ecr:*","ecr:Batch?etImage"],"Resource":"arn:aws:ecr:us-west-2:123456789012:repository/x",` +
			`"Condition":{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":["o-a/*"]},"NumericLessThanIfExists":{"k":5},"Bool":{"aws:SecureTransport":true}}`), ""},
		{"not elements", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"NotAction":"*","NotResource":"*"`), ""},
		{"id and duplicate sids", `{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"s","Effect":"Allow",` + pa + `},{"Sid":"s","Effect":"Allow",` + pa + `}]}`, ""},

		{"not json", `{"Version":`, "invalid JSON"},
		{"not an object", `["x"]`, "must be a JSON object"},
		{"bad version", `{"Version":"2012-10-18","Statement":[{"Effect":"Allow",` + pa + `}]}`, `"Version" must be`},
		{"unknown top-level", `{"Version":"2012-10-17","Foo":1,"Statement":[]}`, `unknown element "Foo"`},
		{"no statement", `{"Version":"2012-10-17"}`, `no "Statement"`},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, "empty array"},
		{"statement string", `{"Statement":"x"}`, "object or an array"},
		{"statement item not object", `{"Statement":[1]}`, "Statement[0] must be an object"},
		{"no effect", stmt(pa), `has no "Effect"`},
		{"lowercase effect", stmt(`"Effect":"allow",` + pa), `"Effect" must be "Allow" or "Deny", got "allow"`},
		{"unknown statement key", stmt(`"Effect":"Allow","Actions":"ecr:*","Principal":"*"`), `unknown element "Actions"`},
		{"duplicate key", stmt(`"Effect":"Allow","Effect":"Deny",` + pa), `"Effect" more than once`},
		{"no principal", stmt(`"Effect":"Allow","Action":"ecr:*"`), `must have "Principal" or "NotPrincipal"`},
		{"principal and not principal", stmt(`"Effect":"Allow","NotPrincipal":"*",` + pa), `both "Principal" and "NotPrincipal"`},
		{"principal arn string", stmt(`"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"ecr:*"`), `must be "*" or an object`},
		{"principal unknown type", stmt(`"Effect":"Allow","Principal":{"User":"x"},"Action":"ecr:*"`), `unknown element "User"`},
		{"principal empty object", stmt(`"Effect":"Allow","Principal":{},"Action":"ecr:*"`), "empty object"},
		{"principal bad aws", stmt(`"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"ecr:*"`), `"bob" is not`},
		{"no action", stmt(`"Effect":"Allow","Principal":"*"`), `must have "Action" or "NotAction"`},
		{"action and not action", stmt(`"Effect":"Allow","NotAction":"*",` + pa), `both "Action" and "NotAction"`},
		{"action without service", stmt(`"Effect":"Allow","Principal":"*","Action":"GetObject"`), "is not an action"},
		{"action empty list", stmt(`"Effect":"Allow","Principal":"*","Action":[]`), "empty array"},
		{"action number", stmt(`"Effect":"Allow","Principal":"*","Action":[1]`), "only strings"},
		{"resource and not resource", stmt(`"Effect":"Allow","Resource":"*","NotResource":"*",` + pa), `both "Resource" and "NotResource"`},
		{"resource not arn", stmt(`"Effect":"Allow","Resource":"repo/x",` + pa), "neither"},
		{"condition not object", stmt(`"Effect":"Allow","Condition":[],` + pa), `"Condition" must be an object`},
		{"condition unknown operator", stmt(`"Effect":"Allow","Condition":{"StringEqualz":{"a":"b"}},` + pa), "unknown condition operator"},
		{"null if exists", stmt(`"Effect":"Allow","Condition":{"NullIfExists":{"a":"true"}},` + pa), "unknown condition operator"},
		{"condition value null", stmt(`"Effect":"Allow","Condition":{"StringEquals":{"a":null}},` + pa), "must be a string"},
		{"sid number", stmt(`"Sid":1,"Effect":"Allow",` + pa), `"Sid" must be a string`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := iampolicy.Validate(tc.policy)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("Validate accepted %s", tc.policy)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	doc, err := iampolicy.Parse(`{"Version":"2012-10-17","Id":"p","Statement":[` +
		`{"Sid":"a","Effect":"Allow","Principal":"*","Action":["ecr:A","ecr:B"],"Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","NotAction":"ecr:C","NotResource":["arn:aws:ecr:us-east-1:123456789012:repository/x"]}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || doc.ID != "p" || len(doc.Statements) != 2 {
		t.Fatalf("document = %+v", doc)
	}
	s0, s1 := doc.Statements[0], doc.Statements[1]
	if s0.Sid != "a" || s0.Effect != "Allow" || !slices.Equal(s0.Action, []string{"ecr:A", "ecr:B"}) || !slices.Equal(s0.Resource, []string{"*"}) {
		t.Errorf("statement 0 = %+v", s0)
	}
	if s1.Effect != "Deny" || s1.Action != nil || !slices.Equal(s1.NotAction, []string{"ecr:C"}) || len(s1.NotResource) != 1 {
		t.Errorf("statement 1 = %+v", s1)
	}
}
