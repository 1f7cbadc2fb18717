// Package e2e runs the real terraform CLI against a local build of the
// provider and the in-memory emulator, for what only a real run shows: a
// fault-ridden apply that must leave no credential behind, secrets in
// TF_LOG output and terraform's own output, -parallelism under a rate limit,
// and a SIGINT in the middle of an apply. It also keeps examples/ and the
// guides honest: every example directory passes `terraform validate`, every
// guide's HCL is an example that does, the quickstart applies and destroys
// cleanly, `make demo` itself tells its story and prints no secret, the
// rotation and switching guides' configurations do what the guides say, the
// kill-switch pattern turns a client off and on in one apply each, and the
// module showing how to test with the emulator passes its `terraform test`
// against the emulator's binary. The tests run with TF_ACC=1, like the acceptance
// tests; they build the provider once per test binary.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

var (
	buildOnce   sync.Once
	buildDir    string // where the provider binary is built, removed by TestMain
	providerDir string
	buildErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	if acctest.Live() {
		line := acctest.Summary("internal/e2e")
		fmt.Println(line)
		acctest.ReportLines(line)
	}
	os.Exit(code)
}

// providerBuild compiles the provider the first time a test asks, and
// hands every later test the same binary.
func providerBuild(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := tfcli.RepoRoot(".")
		if err != nil {
			buildErr = err
			return
		}
		buildDir, err = os.MkdirTemp("", "machineauth-e2e-provider-")
		if err != nil {
			buildErr = err
			return
		}
		start := time.Now()
		providerDir, buildErr = tfcli.BuildProvider(context.Background(), root, buildDir)
		if buildErr == nil {
			t.Logf("built the provider in %s", time.Since(start).Round(time.Millisecond))
		}
	})
	if buildErr != nil {
		t.Fatalf("building the provider: %v", buildErr)
	}
	return providerDir
}

// requireAcc skips unless TF_ACC is set: these tests run terraform itself.
func requireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the terraform CLI: set TF_ACC=1")
	}
}

// run is one test's emulator and terraform working directory.
type run struct {
	t   *testing.T
	srv *emulator.Server
	ws  *tfcli.Workspace
}

// newRun starts an emulator with opts and a workspace whose environment
// carries every credential, as a CI job would set them: the configuration
// files then hold no secret.
func newRun(t *testing.T, opts emulator.Options) *run {
	t.Helper()
	requireAcc(t)
	return newRunOn(t, acctest.StartEmulator(t, opts))
}

// newRunOn is newRun against an emulator that others share: pipelines of
// one team against one instance.
func newRunOn(t *testing.T, srv *emulator.Server) *run {
	t.Helper()
	info := srv.Info()
	r := newWorkspaceRun(t, []string{
		"CLERK_API_URL=" + info.ClerkAPIURL,
		"CLERK_SECRET_KEY=" + info.ClerkSecretKey,
		"CLERK_MACHINE_SECRET_KEY=" + info.Fixture.ClerkMachineSecretKey,
		"STYTCH_BASE_URL=" + info.StytchBaseURL,
		"STYTCH_PROJECT_ID=" + info.StytchProjectID,
		"STYTCH_SECRET=" + info.StytchSecret,
	})
	r.srv = srv
	return r
}

// newTargetRun runs t in parallel with a workspace against its target
// (see acctest.New), through a counting proxy: a live-capable test
// observes only what the services' public APIs show, and counts what the
// provider sent on the way.
func newTargetRun(t *testing.T) (*run, *acctest.Target, *acctest.Counter) {
	t.Helper()
	requireAcc(t)
	t.Parallel()
	tg := acctest.New(t)
	clerkURL, stytchURL, calls := tg.CountingURLs(t)
	env := slices.Concat(tg.Environ(), []string{"CLERK_API_URL=" + clerkURL, "STYTCH_BASE_URL=" + stytchURL})
	return newWorkspaceRun(t, env), tg, calls
}

// newWorkspaceRun is a run whose terraform gets env: every credential, as
// a CI job would set them, so the configuration files hold no secret.
func newWorkspaceRun(t *testing.T, env []string) *run {
	t.Helper()
	bin := providerBuild(t)
	ws, err := tfcli.NewWorkspace(t.TempDir(), bin)
	if err != nil {
		t.Fatal(err)
	}
	ws.Env = slices.Concat(env, []string{
		// A developer's own settings must not change what is measured.
		"TF_LOG=", "TF_LOG_PATH=", "TF_LOG_PROVIDER=", "TF_LOG_CORE=",
		"MACHINEAUTH_MAX_RETRIES=", "MACHINEAUTH_MAX_RETRY_WAIT=", "MACHINEAUTH_REQUEST_TIMEOUT=",
		"MACHINEAUTH_CALL_TIMEOUT=", "MACHINEAUTH_REQUESTS_PER_SECOND=", "MACHINEAUTH_EXPIRY_WARNING_SECONDS=",
	})
	return &run{t: t, ws: ws}
}

// prefixedNames is a configuration with every literal name and
// client_name prefixed for the test (see acctest.Target.Name), so that
// what an example makes carries the prefix the sweepers look for.
func prefixedNames(tg *acctest.Target, config string) string {
	return namesRe.ReplaceAllStringFunc(config, func(m string) string {
		sub := namesRe.FindStringSubmatch(m)
		return sub[1] + strconv.Quote(tg.Name(sub[2]))
	})
}

var namesRe = regexp.MustCompile(`(?m)^(\s*(?:name|client_name)\s*=\s*)"([^"$]*)"`)

// write puts the configuration (and anything else) into the workspace.
func (r *run) write(name, content string) {
	r.t.Helper()
	if err := r.ws.WriteFile(name, content); err != nil {
		r.t.Fatal(err)
	}
}

// writeJSON writes v as JSON, e.g. terraform.tfvars.json.
func (r *run) writeJSON(name string, v any) {
	r.t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		r.t.Fatal(err)
	}
	r.write(name, string(b))
}

// tf runs terraform with args, always without colour, and reports how long
// it took. When ctx ends first, terraform is stopped as a user would stop
// it, with SIGINT, so it can save the state of what the provider finished;
// test contexts carry deadlines, so a run that stalls fails the test with
// its output rather than holding the suite until go test's own timeout.
func (r *run) tf(ctx context.Context, args ...string) (tfcli.Result, time.Duration, error) {
	args = append(args, "-no-color")
	cmd := r.ws.Command(ctx, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	res := tfcli.Result{Stdout: stdout.String(), Stderr: stderr.String()}
	switch {
	case ctx.Err() != nil:
		err = fmt.Errorf("terraform %s: stopped after %s, when the test's deadline passed (%w)\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), d.Round(time.Millisecond), err, res.Stdout, res.Stderr)
	case err != nil:
		err = fmt.Errorf("terraform %s: %w\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, res.Stdout, res.Stderr)
	}
	return res, d, err
}

// mustTF is tf that fails the test on a non-zero exit.
func (r *run) mustTF(ctx context.Context, args ...string) tfcli.Result {
	r.t.Helper()
	res, d, err := r.tf(ctx, args...)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("terraform %s: %s", args[0], d.Round(time.Millisecond))
	return res
}

// converge runs terraform with args until it exits 0, at most attempts
// times, and returns how many runs it took. A fault run may make terraform
// report an error (a create whose every answer was lost); the next run
// must then finish the job. after, if set, runs after every run, failed
// ones included: what must hold whatever terraform reported.
func (r *run) converge(ctx context.Context, attempts int, after func(), args ...string) (runs int, out string) {
	r.t.Helper()
	var all strings.Builder
	for i := 1; i <= attempts && ctx.Err() == nil; i++ {
		res, d, err := r.tf(ctx, args...)
		all.WriteString(res.Stdout + res.Stderr)
		if after != nil {
			after()
		}
		if err == nil {
			r.t.Logf("terraform %s: run %d succeeded in %s", args[0], i, d.Round(time.Millisecond))
			return i, all.String()
		}
		r.t.Logf("terraform %s: run %d failed after %s; its errors:\n%s", args[0], i, d.Round(time.Millisecond), errorBlocks(res.Stderr))
	}
	if ctx.Err() != nil {
		r.t.Fatalf("terraform %s did not converge before the test's deadline", args[0])
	}
	r.t.Fatalf("terraform %s did not converge in %d runs", args[0], attempts)
	return 0, ""
}

// errorBlocks is terraform's stderr, where its errors go, cut short: all a
// failing run's log needs.
func errorBlocks(stderr string) string {
	const limit = 6000
	if len(stderr) > limit {
		return stderr[:limit] + "\n... (cut)"
	}
	return stderr
}

// exitCode is the exit status of a finished command, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}

// stateFile is the part of terraform.tfstate the tests read.
type stateFile struct {
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			Status     string         `json:"status"`
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// instances returns the attributes of every managed instance of type typ in
// the workspace's state; none when there is no state yet.
func (r *run) instances(typ string) []map[string]any {
	r.t.Helper()
	return stateIn(r.t, r.ws.Dir).instances(typ)
}

// stateIn reads the terraform.tfstate of dir, empty when there is none.
func stateIn(t *testing.T, dir string) *stateFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return &stateFile{}
	}
	if err != nil {
		t.Fatal(err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("reading the state: %v", err)
	}
	return &st
}

// instances returns the attributes of every managed instance of type typ.
func (st *stateFile) instances(typ string) []map[string]any {
	var out []map[string]any
	for _, res := range st.Resources {
		if res.Mode != "managed" || res.Type != typ {
			continue
		}
		for _, in := range res.Instances {
			if in.Status == "tainted" {
				// Still tracked: the next apply replaces it.
				in.Attributes["__tainted"] = true
			}
			out = append(out, in.Attributes)
		}
	}
	return out
}

// stateTokenIDs is the set of M2M token ids in state.
func (r *run) stateTokenIDs() map[string]bool {
	ids := map[string]bool{}
	for _, a := range r.instances("machineauth_m2m_token") {
		if id, _ := a["id"].(string); id != "" {
			ids[id] = true
		}
	}
	return ids
}

// liveTokens is the set of the machine's tokens the emulator holds live:
// neither revoked nor expired.
func (r *run) liveTokens(machine string) map[string]bool {
	now := r.srv.Now()
	live := map[string]bool{}
	for _, tok := range r.srv.M2MTokens(machine) {
		if !tok.Revoked && (tok.Expiration == nil || now.Before(*tok.Expiration)) {
			live[tok.ID] = true
		}
	}
	return live
}

// expectNoOrphans fails if the machine has a live token that is not in
// state: a credential nobody will revoke. It holds after every run, a
// failed one included.
func (r *run) expectNoOrphans(machine string) {
	r.t.Helper()
	inState := r.stateTokenIDs()
	var orphans []string
	for id := range r.liveTokens(machine) {
		if !inState[id] {
			orphans = append(orphans, id)
		}
	}
	if len(orphans) > 0 {
		r.t.Errorf("%d live token(s) are not in state (orphans): %v", len(orphans), orphans)
	}
}

// expectStateMatchesLive fails unless the tokens in state and the machine's
// live tokens are the same set of want ids: none lost, none orphaned.
func (r *run) expectStateMatchesLive(machine string, want int) {
	r.t.Helper()
	r.expectNoOrphans(machine)
	inState, live := r.stateTokenIDs(), r.liveTokens(machine)
	var notLive []string
	for id := range inState {
		if !live[id] {
			notLive = append(notLive, id)
		}
	}
	if len(notLive) > 0 {
		r.t.Errorf("%d token(s) in state are not live in the emulator: %v", len(notLive), notLive)
	}
	if len(inState) != want {
		r.t.Errorf("%d tokens in state, want %d", len(inState), want)
	}
}

// orphansRevoked counts the machine's tokens the provider revoked as left
// behind by a lost create answer.
func (r *run) orphansRevoked(machine string) int {
	n := 0
	for _, tok := range r.srv.M2MTokens(machine) {
		if tok.RevocationReason != nil && strings.Contains(*tok.RevocationReason, "answer was lost") {
			n++
		}
	}
	return n
}

// logStats writes the emulator's counts into the test log, for the report.
func (r *run) logStats(label string) {
	st := r.srv.Stats()
	r.t.Logf("%s: %d requests; faults %v; tokens %+v; authorizations %+v", label, st.TotalRequests, st.Faults, st.M2MTokens, st.Authorizations)
}

func providerBlock(settings ...string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    machineauth = { source = "seed-56a0beb6/machineauth" }
  }
}

provider "machineauth" {
  %s
}
`, strings.Join(settings, "\n  "))
}
