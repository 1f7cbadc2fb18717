// Command machineauth-emulator serves the in-memory Clerk and Stytch emulator
// until SIGINT or SIGTERM. When ready it prints one JSON line with its URLs,
// credentials and fixture ids, so scripts can read it with jq.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	faults := flag.String("faults", "", `fault spec, e.g. "429=0.1,500=0.05,drop_after_commit=0.02,latency=5ms"`)
	rateLimit := flag.String("rate-limit", "", `request limit answered with 429 + Retry-After, e.g. "100/10s"`)
	seed := flag.Int64("seed", 1, "seed for the fault draws")
	fixture := flag.Bool("fixture", true, "seed a machine pair, an organization with a member and a connected app")
	latency := flag.Duration("latency", 0, "latency added to every API request, e.g. 50ms")
	flag.Parse()

	srv, err := emulator.Start(emulator.Options{
		Listen:    *listen,
		Faults:    *faults,
		RateLimit: *rateLimit,
		Seed:      *seed,
		NoFixture: !*fixture,
		Latency:   *latency,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	line, err := json.Marshal(srv.Info())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(string(line))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	done := make(chan struct{})
	go func() { _ = srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
