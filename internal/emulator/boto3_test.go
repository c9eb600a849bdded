package emulator_test

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// TestBoto3AllOperations drives every operation botocore's ECR model has
// (all but the four replication-backfill operations, which only the Go SDK
// has) through boto3, a second SDK with its own copy of the model, its own
// request serialisation and its own response parsing
// (testdata/boto3_all_operations.py). python3 with boto3 is installed on
// every machine that has moto_server; the test fails rather than skips
// without it.
func TestBoto3AllOperations(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is not on PATH; it is needed with boto3 (installed with moto_server)")
	}
	// With SigV4 verification on (the script's key): botocore's signer,
	// payload hash and clock pass the emulator's checks on every operation.
	emu := emulator.New(emulator.WithTransitionDelay(0), emulator.WithCredentials(map[string]string{"AKIDEXAMPLE": "secret"}))
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/boto3_all_operations.py", srv.URL)
	cmd.Env = append(cmd.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 run failed: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	calledList, ok := strings.CutPrefix(lines[len(lines)-1], "called: ")
	if !ok {
		t.Fatalf("last line of the boto3 run is not the list of operations called:\n%s", out)
	}
	called := strings.Split(calledList, ",")
	// Every operation the script says it called reached the emulator and
	// was answered (the script checks each answer).
	counts := emu.CallCounts()
	for _, op := range called {
		if counts[op] == 0 {
			t.Errorf("the script reports %s, but the emulator never saw it", op)
		}
	}
	var goOnly []string
	for _, op := range emulator.Operations() {
		if !slices.Contains(called, op) {
			goOnly = append(goOnly, op)
		}
	}
	slices.Sort(goOnly)
	want := []string{"DescribeReplicationBackfillResults", "ListReplicationBackfills", "StartReplicationBackfill", "StopReplicationBackfill"}
	if !slices.Equal(goOnly, want) {
		t.Errorf("operations not driven through boto3 = %v, want only the Go-only backfill operations %v", goOnly, want)
	}
}
