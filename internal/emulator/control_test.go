package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// controlServer serves the ECR API and the control API as the standalone
// binary does.
func controlServer(t *testing.T, opts ...emulator.Option) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(append([]emulator.Option{emulator.WithTransitionDelay(0)}, opts...)...)
	emulator.CheckStore(t, emu)
	mux := http.NewServeMux()
	mux.Handle(emulator.ControlPrefix, emu.ControlHandler())
	mux.Handle("/", emu)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

func control(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestControlAPI(t *testing.T) {
	var persisted []byte
	emu, url := controlServer(t, emulator.WithPersist(func(s []byte) error { persisted = s; return nil }))
	c := clientFor(url, "AKIDEXAMPLE", "us-west-2")
	ctx := context.Background()
	base := url + emulator.ControlPrefix

	if code, b := control(t, "GET", base+"health", ""); code != 200 || string(b) != `{"status":"ok"}` {
		t.Fatalf("health: %d %s", code, b)
	}

	code, b := control(t, "POST", base+"faults", `{"op":"DescribeRepositories","action":"throttle","count":1}`)
	var added struct{ ID string }
	if code != 201 || json.Unmarshal(b, &added) != nil || added.ID == "" {
		t.Fatalf("add fault: %d %s", code, b)
	}
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}); errCode(err) != "ThrottlingException" {
		t.Errorf("fault not applied: %v", err)
	}
	if _, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{}); err != nil {
		t.Errorf("count 1 fired twice: %v", err)
	}

	code, b = control(t, "GET", base+"faults", "")
	var list struct{ Faults []emulator.Fault }
	if code != 200 || json.Unmarshal(b, &list) != nil || len(list.Faults) != 1 || list.Faults[0].ID != added.ID {
		t.Errorf("list faults: %d %s", code, b)
	}
	if code, _ := control(t, "DELETE", base+"faults/"+added.ID, ""); code != 204 {
		t.Errorf("remove fault: %d", code)
	}
	if code, _ := control(t, "DELETE", base+"faults/"+added.ID, ""); code != 404 {
		t.Errorf("remove unknown fault: %d", code)
	}
	control(t, "POST", base+"faults", `{"action":"server-error"}`)
	if code, _ := control(t, "DELETE", base+"faults", ""); code != 204 || len(emu.Faults().List()) != 0 {
		t.Errorf("clear faults: %d %v", code, emu.Faults().List())
	}

	code, b = control(t, "GET", base+"calls", "")
	var calls struct{ Calls []emulator.Call }
	if code != 200 || json.Unmarshal(b, &calls) != nil || len(calls.Calls) != 2 ||
		calls.Calls[0].ErrorCode != "ThrottlingException" || calls.Calls[1].Attempt != 1 {
		t.Errorf("calls: %d %s", code, b)
	}
	code, b = control(t, "GET", base+"counts", "")
	if code != 200 || string(b) != `{"DescribeRepositories":2}` {
		t.Errorf("counts: %d %s", code, b)
	}
	if code, _ := control(t, "DELETE", base+"calls", ""); code != 204 || len(emu.Calls()) != 0 {
		t.Errorf("reset calls: %d", code)
	}

	mustCreateRepo(t, c, "before-reset")
	if code, b := control(t, "GET", base+"state", ""); code != 200 || !bytes.Contains(b, []byte("before-reset")) {
		t.Errorf("state: %d %s", code, b)
	}
	if code, _ := control(t, "POST", base+"reset", ""); code != 200 {
		t.Errorf("reset: %d", code)
	}
	out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 0 {
		t.Errorf("after reset: %v %v", out, err)
	}
	if bytes.Contains(persisted, []byte("before-reset")) {
		t.Errorf("reset was not persisted: %s", persisted)
	}
}

func TestControlAPIErrors(t *testing.T) {
	_, url := controlServer(t)
	base := url + emulator.ControlPrefix
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "faults", `{"action":"explode"}`, 400},
		{"POST", "faults", `{"action":"latency","latency":"soon"}`, 400},
		{"POST", "faults", `not json`, 400},
		{"GET", "nothing-here", "", 404},
		{"PUT", "health", "", 404},
	}
	for _, tt := range tests {
		code, b := control(t, tt.method, base+tt.path, tt.body)
		if code != tt.want {
			t.Errorf("%s %s %s: %d %s, want %d", tt.method, tt.path, tt.body, code, b, tt.want)
		}
	}
	// The ECR API is still served at "/".
	if code, _ := control(t, "GET", url+"/", ""); code != 404 {
		t.Errorf("GET / = %d", code)
	}
}

func TestSnapshotRestore(t *testing.T) {
	c, emu := newClient(t)
	mustCreateRepo(t, c, "kept")
	other := clientFor(startServer(t, emu), "111122223333", "eu-west-1")
	mustCreateRepo(t, other, "kept-too")
	snap, err := emu.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	restored := emulator.New(emulator.WithState(snap))
	again, err := restored.Snapshot()
	if err != nil || !bytes.Equal(snap, again) {
		t.Fatalf("round trip differs:\n%s\n%s", snap, again)
	}
	rc := clientFor(startServer(t, restored), "111122223333", "eu-west-1")
	out, err := rc.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{})
	if err != nil || len(out.Repositories) != 1 || *out.Repositories[0].RepositoryName != "kept-too" {
		t.Errorf("restored: %v %v", out, err)
	}

	fresh := emulator.New()
	if err := fresh.Restore([]byte(`{"registries":{"no-slash":{}}}`)); err == nil {
		t.Error("Restore accepted a bad registry key")
	}
	if err := fresh.Restore([]byte(`[`)); err == nil {
		t.Error("Restore accepted bad JSON")
	}
	if err := fresh.Restore(snap); err != nil {
		t.Fatal(err)
	}
	// Maps left out of a snapshot come back empty, so writes work.
	if err := fresh.Restore([]byte(`{"registries":{"123456789012/us-west-2":{"repositories":{"bare":{"repositoryName":"bare","registryId":"123456789012"}}}}}`)); err != nil {
		t.Fatal(err)
	}
	fc := clientFor(startServer(t, fresh), "AKIDEXAMPLE", "us-west-2")
	mustCreateRepo(t, fc, "after-restore")
	if _, err := fc.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: awsString("bare")}); err != nil {
		t.Errorf("delete restored repository: %v", err)
	}
}

func awsString(s string) *string { return &s }

// TestControlFaultAfter installs an after-the-operation fault in its JSON
// form and checks that it lists as such and strikes after the change.
func TestControlFaultAfter(t *testing.T) {
	emu, url := controlServer(t)
	c := clientFor(url, "AKIDEXAMPLE", "us-west-2")
	base := url + emulator.ControlPrefix
	if code, b := control(t, "POST", base+"faults", `{"op":"CreateRepository","action":"server-error","after":true,"count":1}`); code != 201 {
		t.Fatalf("add fault: %d %s", code, b)
	}
	if code, b := control(t, "GET", base+"faults", ""); code != 200 || !bytes.Contains(b, []byte(`"after":true`)) {
		t.Errorf("list faults: %d %s", code, b)
	}
	if got := emu.Faults().List(); len(got) != 1 || !got[0].After {
		t.Errorf("List = %+v", got)
	}
	ctx := context.Background()
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("lost-answer")}); errCode(err) != "ServerException" {
		t.Fatalf("CreateRepository: %v", err)
	}
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("lost-answer")}); errCode(err) != "RepositoryAlreadyExistsException" {
		t.Errorf("retry: %v", err)
	}
	if code, _ := control(t, "POST", base+"faults", `{"action":"latency","latency":"1s","after":true}`); code != 400 {
		t.Errorf("after with latency: %d, want 400", code)
	}
}
