// Command schematime measures how long a Terraform provider binary takes from
// exec to a served GetProviderSchema answer, the way Terraform starts it: the
// go-plugin handshake (magic cookie, protocol 6, no TLS), then one gRPC call
// on the socket the provider announces. It prints the median and the maximum
// in milliseconds over -n runs. make bench-plan uses it; it is a test tool,
// not shipped.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
)

// magicCookie is Terraform's go-plugin handshake cookie (public, fixed).
const magicCookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

func main() {
	n := flag.Int("n", 10, "runs")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: schematime [-n runs] PROVIDER-BINARY")
		os.Exit(2)
	}
	var times, cpus []time.Duration
	size := 0
	for range *n {
		d, cpu, s, err := once(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "schematime:", err)
			os.Exit(1)
		}
		times, cpus = append(times, d), append(cpus, cpu)
		size = s
	}
	slices.Sort(times)
	slices.Sort(cpus)
	// The CPU time (user+system of the provider, until it is killed right
	// after answering) moves less with the machine's load than the wall time.
	fmt.Printf("median_ms=%.1f max_ms=%.1f cpu_median_ms=%.1f schema_bytes=%d\n",
		ms(times[len(times)/2]), ms(times[len(times)-1]), ms(cpus[len(cpus)/2]), size)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rawCodec passes message bytes through: GetProviderSchema.Request is an
// empty message, and only the answer's size matters here.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(b []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = append([]byte(nil), b...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

var _ encoding.Codec = rawCodec{}

func once(bin string) (wall, cpu time.Duration, size int, err error) {
	wall, size, err = serveSchema(bin, &cpu)
	return wall, cpu, size, err
}

// serveSchema starts bin, asks for the schema, kills bin and sets *cpu to
// its CPU time.
func serveSchema(bin string, cpu *time.Duration) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "TF_PLUGIN_MAGIC_COOKIE="+magicCookie, "PLUGIN_PROTOCOL_VERSIONS=6",
		"PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		*cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return 0, 0, fmt.Errorf("reading the handshake: %w", err)
	}
	// CORE-PROTOCOL|APP-PROTOCOL|NETWORK|ADDRESS|PROTOCOL
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 || parts[1] != "6" || parts[4] != "grpc" {
		return 0, 0, fmt.Errorf("unexpected handshake %q", line)
	}
	target := parts[3]
	if parts[2] == "unix" {
		target = "unix://" + target
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = conn.Close() }()
	req, resp := []byte{}, []byte(nil)
	if err := conn.Invoke(ctx, "/tfplugin6.Provider/GetProviderSchema", &req, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	if len(resp) == 0 {
		return 0, 0, errors.New("empty GetProviderSchema answer")
	}
	return d, len(resp), nil
}
