package acctest

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// What a run did, by top-level test: the tests that made a Target, and
// the emulator-only ones StartEmulator skipped in live mode.
var tally = struct {
	sync.Mutex
	targets, skipped map[string]bool
}{targets: map[string]bool{}, skipped: map[string]bool{}}

func topLevel(t testing.TB) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	return name
}

func countTarget(t testing.TB) {
	tally.Lock()
	tally.targets[topLevel(t)] = true
	tally.Unlock()
}

func countSkipped(t testing.TB) {
	tally.Lock()
	tally.skipped[topLevel(t)] = true
	tally.Unlock()
}

// Summary says how many tests ran against the target and how many were
// skipped as emulator-only, for a package's TestMain to report.
func Summary(pkg string) string {
	tally.Lock()
	defer tally.Unlock()
	mode := "emulator mode (an emulator without control routes per test)"
	if Live() {
		mode = "live mode"
	}
	return fmt.Sprintf("%s, %s: %d tests ran against their target, %d emulator-only tests were skipped", pkg, mode, len(tally.targets), len(tally.skipped))
}

// Report appends lines to the file EnvReport names, if any, and always
// logs them to t.
func Report(t testing.TB, lines ...string) {
	t.Helper()
	for _, l := range lines {
		t.Log(l)
	}
	ReportLines(lines...)
}

var reportMu sync.Mutex

// ReportLines appends lines to the file EnvReport names, if any.
func ReportLines(lines ...string) {
	path := os.Getenv(EnvReport)
	if path == "" || len(lines) == 0 {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // G304: the report's path is the one make testacc-live chose
	if err == nil {
		_, err = fmt.Fprintln(f, strings.Join(lines, "\n"))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "acctest: writing the report: %v\n", err)
	}
}

// SkippedNames lists the emulator-only tests skipped so far, sorted.
func SkippedNames() []string {
	tally.Lock()
	defer tally.Unlock()
	var out []string
	for n := range tally.skipped {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
