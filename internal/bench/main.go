// Command bench measures the provider at scale, the way a user runs it: the
// real terraform CLI against a local build of the provider (through a dev
// override, see internal/tfcli) and the in-memory emulator, in-process.
//
// It reports, for N tokens of one machine, the wall time of terraform apply,
// plan and destroy beside a baseline of N terraform_data resources measured in
// the same run (so a busy machine slows both), and beside two calibrations
// that make no API call (internal/bench/noopprovider): one with the same
// schemas, for what the plugin protocol, the framework and a state of that
// shape cost alone, and one whose resource has nothing but an id, for the
// protocol alone. With them: the CPU time of each command, the API calls of
// each phase as the emulator counted them, and the provider's peak resident
// set (the VmHWM of every provider process terraform started). Then the
// growth table (apply, plan and destroy of 250 to 2,000 tokens beside the
// same-schema no-op, with the CPU time split between terraform, the
// provider processes and the emulator, run as its own process for it), the
// rate-limit scenario (tokens applied and destroyed under the emulator's
// rate limit, against the floor the limit sets), the fleet table (1 to 20
// pipelines sharing that limit at once) and a plan with emulator latency. BENCHMARKS.md records a run.
//
//	go run ./internal/bench                 # what `make bench` runs
//	go run ./internal/bench -only growth -growth 250,500   # one table alone
//	go run ./internal/bench -n 200 -noop=false -growth= -rate-n 0 -latency 0   # a quick iteration
//
// Timings are wall clock on a machine that may be shared: compare the ratios,
// which are taken within one run with the phases interleaved, and repeat with
// -rounds to see the spread. No test asserts any of them.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

const (
	createRoute = "/clerk/v1/m2m_tokens"
	listRoute   = "/clerk/v1/m2m_tokens"
	revokeRoute = "/clerk/v1/m2m_tokens/{m2m_token_id}/revoke"
)

type options struct {
	n           int
	parallelism int
	rounds      int
	rateN       int
	rateLimit   string
	rateRPS     float64
	latency     time.Duration
	latencyN    int
	noop        bool
	keep        bool
	binary      string
	profileDir  string
	growth      []int
	fleet       []int
	fleetTokens int
	only        map[string]bool
}

// scenarios are what -only picks from, in the order they run.
var scenarios = []string{"scale", "growth", "rate", "fleet", "latency"}

// runs says whether a scenario is picked (all are without -only).
func (o options) runs(name string) bool { return len(o.only) == 0 || o.only[name] }

func main() {
	var o options
	flag.IntVar(&o.n, "n", 1000, "tokens of one machine in the scale run (0 skips it)")
	flag.IntVar(&o.parallelism, "parallelism", 0, "terraform -parallelism; 0 leaves terraform's default (10), as a user would")
	flag.IntVar(&o.rounds, "rounds", 1, "times to repeat the scale run; the table shows the median of each phase")
	flag.IntVar(&o.rateN, "rate-n", 300, "tokens applied under -rate-limit (0 skips the rate-limit scenario)")
	flag.StringVar(&o.rateLimit, "rate-limit", "100/10s", "the emulator's rate limit in the rate-limit scenario")
	flag.Float64Var(&o.rateRPS, "rate-rps", 9, "also run the rate-limit scenario with the provider's requests_per_second set to this (0 skips it)")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "emulator latency for the latency scenario (0 skips it)")
	flag.IntVar(&o.latencyN, "latency-n", 0, "tokens in the latency scenario; 0 means -n")
	flag.BoolVar(&o.noop, "noop", true, "also measure two providers that make no API call (internal/bench/noopprovider): one with the same schemas, the floor under the real one, and one whose resource has only an id, the protocol's own cost")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directories")
	flag.StringVar(&o.binary, "terraform", "terraform", "the terraform (or tofu) binary")
	flag.StringVar(&o.profileDir, "profile", "", "serve the provider from this process (TF_REATTACH_PROVIDERS) and write CPU and heap profiles of each phase of the scale run into this directory; the timings then describe that setup, not a user's")
	growth := flag.String("growth", "250,500,1000,2000", "token counts of the growth table, e.g. 250,500 (empty skips it)")
	fleet := flag.String("fleet", "1,4,10,20", "pipelines of the fleet table, each applying and destroying -fleet-tokens tokens at once under -rate-limit (empty skips it)")
	flag.IntVar(&o.fleetTokens, "fleet-tokens", 40, "tokens of each pipeline in the fleet table")
	only := flag.String("only", "", "run only these scenarios, comma-separated: "+strings.Join(scenarios, ", ")+" (e.g. -only growth)")
	flag.Parse()
	var err error
	if o.growth, err = parseCounts("growth", *growth); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if o.fleet, err = parseCounts("fleet", *fleet); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if *only != "" {
		o.only = map[string]bool{}
		for f := range strings.SplitSeq(*only, ",") {
			f = strings.TrimSpace(f)
			if !slices.Contains(scenarios, f) {
				_, _ = fmt.Fprintf(os.Stderr, "bench: -only %q: want some of %s\n", *only, strings.Join(scenarios, ", "))
				os.Exit(2)
			}
			o.only[f] = true
		}
	}
	if o.profileDir != "" && o.runs("growth") && len(o.growth) > 0 {
		_, _ = fmt.Fprintln(os.Stderr, "bench: -profile serves the provider in-process, which the growth table cannot split CPU for: add -only scale or -growth=")
		os.Exit(2)
	}
	if o.latencyN == 0 {
		o.latencyN = o.n
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o, os.Stdout)
	stop()
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	root, err := tfcli.RepoRoot(".")
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "machineauth-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		_, _ = fmt.Fprintln(out, "working directory:", tmp)
	} else {
		defer func() { _ = os.RemoveAll(tmp) }()
	}
	b := &bench{o: o, root: root, tmp: tmp, out: out}
	b.providerDir, err = tfcli.BuildProvider(ctx, root, filepath.Join(tmp, "provider"))
	if err != nil {
		return err
	}
	growth := o.runs("growth") && len(o.growth) > 0
	if (o.noop || growth) && o.profileDir == "" {
		b.noopDir = filepath.Join(tmp, "noop")
		if err := buildNoop(ctx, root, b.noopDir); err != nil {
			return err
		}
	}
	if o.profileDir != "" {
		if b.reattach, err = serveInProcess(ctx); err != nil {
			return err
		}
	}
	b.header()
	if o.n > 0 && o.runs("scale") {
		if err := b.scale(ctx); err != nil {
			return err
		}
	}
	if growth {
		if err := b.growth(ctx); err != nil {
			return err
		}
	}
	if o.rateN > 0 && o.runs("rate") {
		if err := b.rateLimited(ctx); err != nil {
			return err
		}
	}
	if len(o.fleet) > 0 && o.fleetTokens > 0 && o.runs("fleet") {
		if err := b.fleetTable(ctx); err != nil {
			return err
		}
	}
	if o.latency > 0 && o.latencyN > 0 && o.runs("latency") {
		if err := b.withLatency(ctx); err != nil {
			return err
		}
	}
	if load := loadAverage(); load != "" {
		b.printf("\nload average at end: %s\n", load)
	}
	return nil
}

// loadAverage is the 1, 5 and 15 minute load averages, or "" off Linux.
func loadAverage() string {
	load, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(load))[:3], " ")
}

type bench struct {
	o           options
	root        string
	tmp         string
	out         io.Writer
	providerDir string
	noopDir     string
	// reattach is the TF_REATTACH_PROVIDERS value when the provider is
	// served from this process (-profile).
	reattach string
}

// calibrate says whether the scale run measures the no-op providers too.
func (b *bench) calibrate() bool { return b.o.noop && b.noopDir != "" }

// printf and println write the report; a failed write to stdout has
// nowhere better to be reported.
func (b *bench) printf(format string, args ...any) { _, _ = fmt.Fprintf(b.out, format, args...) }

func (b *bench) println(args ...any) { _, _ = fmt.Fprintln(b.out, args...) }

func (b *bench) header() {
	tfv := "?"
	if v, err := exec.Command(b.o.binary, "version").Output(); err == nil { //nolint:gosec // the binary the user named with -terraform
		tfv = strings.SplitN(string(v), "\n", 2)[0]
	}
	cpu := "?"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(info)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimLeft(v, "\t :"))
				break
			}
		}
	}
	par := "default (10)"
	if b.o.parallelism > 0 {
		par = strconv.Itoa(b.o.parallelism)
	}
	b.printf("machine: %d CPUs (%s), %s, %s, %s/%s; terraform -parallelism %s\n",
		runtime.NumCPU(), cpu, tfv, runtime.Version(), runtime.GOOS, runtime.GOARCH, par)
	if b.reattach != "" {
		b.println("provider served in-process for profiling: timings and RSS are not a user's")
	}
	if load := loadAverage(); load != "" {
		b.printf("load average at start: %s\n", load)
	}
}

func buildNoop(ctx context.Context, root, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "terraform-provider-machineauth"), "./internal/bench/noopprovider") //nolint:gosec // a fixed package into the bench's own temporary directory
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the no-op provider: %w\n%s", err, out)
	}
	return nil
}

// workspace prepares a directory with config as main.tf, for the provider
// built into providerDir.
func (b *bench) workspace(name, config string, env ...string) (*tfcli.Workspace, error) {
	return b.workspaceFor(b.providerDir, name, config, env...)
}

func (b *bench) workspaceFor(providerDir, name, config string, env ...string) (*tfcli.Workspace, error) {
	w, err := tfcli.NewWorkspace(filepath.Join(b.tmp, name), providerDir)
	if err != nil {
		return nil, err
	}
	w.Binary = b.o.binary
	w.Env = env
	if b.reattach != "" {
		w.Env = append(w.Env, "TF_REATTACH_PROVIDERS="+b.reattach)
	}
	if err := w.WriteFile("main.tf", config); err != nil {
		return nil, err
	}
	return w, nil
}

// tokensConfig is n tokens of the emulator's fixture machine. The
// credentials are in the provider block rather than the environment so
// that a provider served in-process (-profile) reads them too.
func tokensConfig(info emulator.Info, n int) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    machineauth = { source = %q }
  }
}

provider "machineauth" {
  clerk {
    api_url            = %q
    secret_key         = %q
    machine_secret_key = %q
  }
}

resource "machineauth_m2m_token" "t" {
  count = %d
}
`, strings.TrimPrefix(tfcli.ProviderAddress, "registry.terraform.io/"),
		info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture.ClerkMachineSecretKey, n)
}

func baselineConfig(n int) string {
	return fmt.Sprintf("resource \"terraform_data\" \"t\" {\n  count = %d\n}\n", n)
}

// phase is one terraform command's measurements.
type phase struct {
	wall      time.Duration
	calls     calls
	peakRSS   int64 // bytes, over every provider process of the command
	processes int   // provider processes terraform started
	// cpu is the CPU time of terraform and the provider processes it
	// waited for; terraformCPU and providerCPU split it (see cpuOf).
	cpu, terraformCPU, providerCPU time.Duration
	// emulatorCPU is the emulator's CPU time over the command, when it
	// runs as its own process (emulatorMeasured).
	emulatorCPU      time.Duration
	emulatorMeasured bool
}

// calls are the emulator's request counts over one command.
type calls struct {
	creates, lists, revokes, total int
	throttled                      int // answered 429 by the rate limit
	failed                         int // any other answer outside 2xx
}

func (c calls) String() string {
	s := fmt.Sprintf("%d list, %d create, %d revoke", c.lists, c.creates, c.revokes)
	if other := c.total - c.lists - c.creates - c.revokes; other != 0 {
		s += fmt.Sprintf(", %d other", other)
	}
	return s
}

func delta(before, after emulator.Stats) calls {
	var c calls
	for k, v := range after.Requests {
		n := v - before.Requests[k]
		if n == 0 {
			continue
		}
		f := strings.Fields(k) // METHOD ROUTE STATUS
		status, _ := strconv.Atoi(f[len(f)-1])
		route := strings.Join(f[1:len(f)-1], " ")
		switch {
		case status == 429:
			c.throttled += n
		case status < 200 || status > 299:
			c.failed += n
		}
		switch {
		case f[0] == "GET" && route == listRoute:
			c.lists += n
		case f[0] == "POST" && route == createRoute:
			c.creates += n
		case f[0] == "POST" && route == revokeRoute:
			c.revokes += n
		}
		c.total += n
	}
	return c
}

// counted is an emulator whose requests the bench counts: one served from
// this process, or one in its own, whose CPU time it can tell apart.
type counted interface {
	stats() (emulator.Stats, error)
	// cpuTime is the emulator process's CPU time so far; false when it
	// is served from this process.
	cpuTime() (time.Duration, bool)
}

// local is an emulator served from this process.
type local struct{ *emulator.Server }

func (s local) stats() (emulator.Stats, error) { return s.Stats(), nil }

func (local) cpuTime() (time.Duration, bool) { return 0, false }

// command runs terraform with args in w, timing it and watching its
// provider processes; srv, if set, is the emulator whose counts to take.
func (b *bench) command(ctx context.Context, w *tfcli.Workspace, srv counted, args ...string) (phase, error) {
	args = append(args, "-no-color", "-input=false")
	if b.o.parallelism > 0 && (args[0] == "apply" || args[0] == "plan" || args[0] == "destroy") {
		args = append(args, "-parallelism="+strconv.Itoa(b.o.parallelism))
	}
	var before emulator.Stats
	var emuBefore time.Duration
	var emuMeasured bool
	if srv != nil {
		var err error
		if before, err = srv.stats(); err != nil {
			return phase{}, err
		}
		emuBefore, emuMeasured = srv.cpuTime()
	}
	cmd := w.Command(ctx, args...)
	// On Ctrl-C terraform gets an interrupt, as from a terminal, and stops
	// its provider processes, rather than being killed and orphaning them.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	var outBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return phase{}, err
	}
	watch := watchRSS(cmd.Process.Pid, 100*time.Millisecond)
	// Exited but not reaped, terraform's own CPU time and that of the
	// children it waited for (its provider processes) can still be read.
	exited := exitedCPU(cmd.Process.Pid)
	err := cmd.Wait()
	p := phase{wall: time.Since(start)}
	var polled time.Duration
	p.peakRSS, p.processes, polled = watch.Stop()
	if ps := cmd.ProcessState; ps != nil {
		p.cpu = ps.UserTime() + ps.SystemTime()
	}
	p.terraformCPU, p.providerCPU = cpuOf(exited, p.cpu, polled)
	if srv != nil {
		after, serr := srv.stats()
		if serr != nil && err == nil {
			err = serr
		}
		p.calls = delta(before, after)
		if emu, ok := srv.cpuTime(); ok && emuMeasured {
			p.emulatorCPU, p.emulatorMeasured = emu-emuBefore, true
		}
	}
	if err != nil {
		tail := outBuf.String()
		if len(tail) > 4000 {
			tail = "..." + tail[len(tail)-4000:]
		}
		return p, fmt.Errorf("%s %s in %s: %w\n%s", w.Binary, strings.Join(args, " "), w.Dir, err, tail)
	}
	return p, nil
}

var phases = []string{"apply", "plan", "destroy"}

// The columns of the scale run: the baseline, the provider, and the two
// no-op calibrations (measured only with -noop).
const (
	colBaseline = iota
	colProvider
	colNoop
	colMinimal
	columns
)

func phaseArgs(name string) []string {
	if name == "plan" {
		return []string{"plan"}
	}
	return []string{name, "-auto-approve"}
}

func median[T any](xs []T, f func(T) time.Duration) time.Duration {
	ds := make([]time.Duration, len(xs))
	for i, x := range xs {
		ds[i] = f(x)
	}
	slices.Sort(ds)
	if len(ds)%2 == 1 {
		return ds[len(ds)/2]
	}
	return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
}

func medianOf[T any](xs []T, f func(T) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = f(x)
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return a.Seconds() / b.Seconds()
}

func mib(bytes int64) string {
	if bytes == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(bytes)/(1<<20))
}
