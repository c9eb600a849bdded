package iampolicy_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
)

// awscliExample is the policyText of the awscli example
// examples/ecr/get-repository-policy.rst, as ECR returns it.
const awscliExample = "{\n  \"Version\" : \"2008-10-17\",\n  \"Statement\" : [ {\n    \"Sid\" : \"allow public pull\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : \"*\",\n    \"Action\" : [ \"ecr:BatchCheckLayerAvailability\", \"ecr:BatchGetImage\", \"ecr:GetDownloadUrlForLayer\" ]\n  } ]\n}"

func TestFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"awscli example", `{"Version":"2008-10-17","Statement":[{"Sid":"allow public pull","Effect":"Allow","Principal":"*",` +
			`"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`, awscliExample},
		{"already formatted", awscliExample, awscliExample},
		{"key order kept", `{"b":1,"a":2}`, "{\n  \"b\" : 1,\n  \"a\" : 2\n}"},
		{"empty containers", `{"o":{},"a":[],"n":null}`, "{\n  \"o\" : { },\n  \"a\" : [ ],\n  \"n\" : null\n}"},
		{"top-level empties", ` [ ] `, "[ ]"},
		{"empty object", `{}`, "{ }"},
		{"scalars", `[true,false,null,-1.5e3,"x"]`, `[ true, false, null, -1.5e3, "x" ]`},
		{"two objects in an array", `{"S":[{"a":1},{"b":{"c":[1,{"d":2}]}}]}`,
			"{\n  \"S\" : [ {\n    \"a\" : 1\n  }, {\n    \"b\" : {\n      \"c\" : [ 1, {\n        \"d\" : 2\n      } ]\n    }\n  } ]\n}"},
		{"nested arrays", `[[1,[]],[{}]]`, `[ [ 1, [ ] ], [ { } ] ]`},
		{"escapes", `{"s":"q\" b\\ \/ \b\f\n\r\t \u0001\u001f \u00e9 \u2028 <&>"}`,
			"{\n  \"s\" : \"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0001\\u001F é \u2028 <&>\"\n}"},
		{"duplicate keys kept", `{"a":1,"a":2}`, "{\n  \"a\" : 1,\n  \"a\" : 2\n}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := iampolicy.Format(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Format(%s)\n got: %q\nwant: %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{`, `{"a":}`, `{"a":1,}`, `[1,]`, `{} {}`, `{}x`, `nul`, `{'a':1}`, `"\x"`} {
		if got, err := iampolicy.Format(in); err == nil {
			t.Errorf("Format(%q) = %q, want an error", in, got)
		}
	}
}

// seeds are shared by the fuzz targets; they run as part of go test.
var seeds = []string{
	awscliExample,
	`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["123456789012"]},"NotAction":"ecr:*","Resource":"*"}}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"ecr:*",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]},"NumericLessThan":{"k":3600}}}]}`,
	`{}`, `[]`, `[1,2.5e10,-0,"\u0000",true,null]`, `{"a":{"b":{"c":[{},[]]}}}`, `"x"`, `{"a":1,"a":2}`,
	`{"a":1,}`, `[`, ``, "\"\xff\"", `{"\ud800":1}`,
}

func FuzzFormat(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := iampolicy.Format(in)
		if valid := json.Valid([]byte(in)); valid != (err == nil) {
			t.Fatalf("Format(%q) error = %v, but json.Valid = %v", in, err, valid)
		}
		if err != nil {
			return
		}
		var a, b any
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatalf("Format(%q) = %q does not parse: %v", in, out, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Format(%q) = %q changes the value", in, out)
		}
		again, err := iampolicy.Format(out)
		if err != nil || again != out {
			t.Fatalf("Format is not idempotent: %q -> %q (%v)", out, again, err)
		}
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		err := iampolicy.Validate(in)
		if err == nil {
			// A valid policy stays valid once formatted.
			out, ferr := iampolicy.Format(in)
			if ferr != nil {
				t.Fatalf("valid policy %q does not format: %v", in, ferr)
			}
			if err := iampolicy.Validate(out); err != nil {
				t.Fatalf("formatted policy %q is invalid: %v", out, err)
			}
		}
	})
}
