package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// FuzzServeHTTP sends arbitrary bodies to every operation: the emulator
// must never panic, never answer 5xx (no fault is injected), and answer
// every error with X-Amzn-ErrorType and a JSON body carrying __type.
func FuzzServeHTTP(f *testing.F) {
	ops := emulator.Operations()
	slices.Sort(ops)
	bodies := []string{
		``, `{}`, `[]`, `null`, `"x"`, `{`, `{"repositoryName":"fuzz"}`,
		`{"repositoryName":"fuzz","force":true}`,
		`{"repositoryName":1}`, `{"registryId":"000000000000","repositoryName":"fuzz"}`,
		`{"repositoryNames":[],"maxResults":0}`, `{"nextToken":"!!"}`, `{"maxResults":-1}`,
		`{"repositoryName":"fuzz","imageIds":[{"imageTag":"latest"}]}`,
		`{"repositoryName":"fuzz","imageManifest":"{}","imageTag":"v1"}`,
		`{"repositoryName":"fuzz","tags":[{"Key":"k","Value":"v"}],"imageTagMutability":"IMMUTABLE"}`,
		`{"resourceArn":"arn:aws:ecr:us-east-1:123456789012:repository/fuzz","tags":[{"Key":""}]}`,
		`{"policyText":"{}","lifecyclePolicyText":"{\"rules\":[]}"}`,
		`{"rules":[{"destinations":[{"region":"eu-west-1","registryId":"123456789012"}]}]}`,
		`{"ecrRepositoryPrefix":"p","upstreamRegistryUrl":"public.ecr.aws"}`,
		`{"prefix":"p","appliedFor":["REPLICATION"]}`,
	}
	for _, op := range append(ops, "NoSuchOperation") {
		for _, b := range bodies {
			f.Add(op, []byte(b))
		}
	}
	emu := emulator.New(emulator.WithTransitionDelay(0))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", emulator.TargetPrefix+op)
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", op, body, rec.Code, rec.Body)
		}
		if rec.Code >= 200 && rec.Code < 300 {
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %q: success body is not JSON: %s", op, body, rec.Body)
			}
			return
		}
		var e struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == "" {
			t.Fatalf("%s %q: error body without __type: %s", op, body, rec.Body)
		}
		if h := rec.Header().Get("X-Amzn-ErrorType"); h != e.Type {
			t.Fatalf("%s %q: X-Amzn-ErrorType %q, __type %q", op, body, h, e.Type)
		}
	})
}
