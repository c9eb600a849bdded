// Command terraform-provider-ecr is a Terraform and OpenTofu provider for
// Amazon ECR (the private container registry).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/ecrkit/terraform-provider-ecr/internal/provider"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// pprofEnv names a path prefix: when set, each provider process writes a CPU
// profile to PREFIX.PID.cpu while it serves and a heap profile to
// PREFIX.PID.heap when it stops (Terraform starts several processes per run).
const pprofEnv = "ECR_PROVIDER_PPROF"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietUnreadLogs()
	collectLessOften()
	if prefix := os.Getenv(pprofEnv); prefix != "" {
		stop, err := startProfiles(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
		if err != nil {
			log.Fatal(err.Error())
		}
		defer stop()
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/ecrkit/ecr", provider.NewServer(version), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietUnreadLogs turns the provider's logs off when nobody reads them.
// Terraform-plugin-log logs at TRACE unless a TF_LOG* variable says
// otherwise, and hands every entry, formatted as JSON, to Terraform, which
// keeps provider logs only when TF_LOG, TF_LOG_PROVIDER or
// TF_LOG_PROVIDER_ECR is set (Terraform passes its environment to the
// provider). With none of the TF_LOG* variables set, the framework's trace
// entries alone were a third of the provider's CPU and allocations in a
// plan of a thousand repositories, and Terraform spent as much parsing
// them to discard them. Any TF_LOG* variable keeps the default.
func quietUnreadLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	// The provider's root logger (and the "aws" subsystem under it), and
	// the SDK's (the framework's and terraform-plugin-go's subsystems).
	for _, name := range []string{"TF_LOG_PROVIDER_ECR", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
		_ = os.Setenv(name, "OFF")
	}
}

// gcPercent is the provider's GOGC unless the GOGC variable sets one.
const gcPercent = 200

// collectLessOften sets GOGC to gcPercent when the GOGC variable does not
// set it. A plan allocates about 0.7 MB per resource in the provider,
// nearly all of it garbage at once (the framework's per-request values),
// while the live heap stays near 8 MB: at Go's default of 100 the
// collector ran every ~8 MB, and it and its allocation slow paths were a
// quarter of the provider's CPU in a plan of 3,000 resources, CPU taken
// from Terraform on the same machine. At 200 it runs half as often, for a
// few more MB of peak RSS.
func collectLessOften() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

// startProfiles starts the CPU profile to base.cpu; stop ends it and writes
// the heap profile to base.heap.
func startProfiles(base string) (stop func(), err error) {
	cpu, err := os.Create(base + ".cpu")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pprofEnv, err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		_ = cpu.Close()
		return nil, fmt.Errorf("%s: %w", pprofEnv, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		heap, err := os.Create(base + ".heap")
		if err != nil {
			log.Printf("%s: %v", pprofEnv, err)
			return
		}
		err = pprof.Lookup("allocs").WriteTo(heap, 0)
		if cerr := heap.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			log.Printf("%s: %v", pprofEnv, err)
		}
	}, nil
}
