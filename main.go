// Command terraform-provider-ecr is a Terraform and OpenTofu provider for
// Amazon ECR (the private container registry).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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

	if prefix := os.Getenv(pprofEnv); prefix != "" {
		stop, err := startProfiles(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
		if err != nil {
			log.Fatal(err.Error())
		}
		defer stop()
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/ecrkit/ecr",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
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
		defer heap.Close()
		if err := pprof.Lookup("allocs").WriteTo(heap, 0); err != nil {
			log.Printf("%s: %v", pprofEnv, err)
		}
	}, nil
}
