package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
)

// Shapes of the secrets the demo handles, as the emulator makes them. The
// demo starts an emulator of its own, so the test cannot know the values:
// it knows their shapes, which differ from the ids the demo shows, but for
// one: a machine's secret key and an API key's id are both ak_ and 32 hex
// digits, so an ak_ hex value may appear only as the API key's id.
var (
	// Clerk instance keys, Stytch project secrets and JWTs (access and ID
	// tokens, M2M client tokens).
	secretPrefixes = regexp.MustCompile(`sk_(?:test|live)_[A-Za-z0-9]|secret-(?:test|live)-[A-Za-z0-9]|eyJ[A-Za-z0-9_-]{8,}\.`)
	// M2M tokens and API keys: ids are lowercase hex, secrets are not.
	clerkValue = regexp.MustCompile(`\b(mt|ak)_[A-Za-z0-9]{32}\b`)
	lowerHex   = regexp.MustCompile(`^(mt|ak)_[0-9a-f]{32}$`)
	// Stytch client secrets and refresh tokens, and the secrets the
	// provider makes for M2M clients: long URL-safe runs with capitals.
	// Stytch's ids are lowercase, Clerk's mch_ ids are 31 characters.
	longRun   = regexp.MustCompile(`[A-Za-z0-9_-]{40,}`)
	capital   = regexp.MustCompile(`[A-Z]`)
	apiKeyID  = regexp.MustCompile(`machineauth_api_key\.service: Creation complete after \S+ \[id=(ak_[0-9a-f]{32})\]`)
	demoSteps = []string{
		"Applying examples/quickstart",
		"emulator: 1 machine, 2 M2M tokens, 1 API key, 1 M2M client, 1 authorization live",
		"Rotating the machine's key in place",
		"a new key, the same 2 tokens: nothing replaced",
		"the old key, during the overlap: Clerk answers HTTP 201",
		"past the overlap",
		"the old key, after the overlap: Clerk answers HTTP 401",
		"the new key: Clerk answers HTTP 201",
		"No changes.",
		`m2m_tokens_valid = {"billing":true,"reports":true}`,
		"Destroy complete! Resources: 6 destroyed.",
		"emulator: 0 machines (besides the fixture's 2), 0 M2M tokens, 0 API keys, 0 M2M clients, 0 authorizations live",
		"live afterwards: 0",
		"demo OK in",
	}
)

// TestDemo runs scripts/demo.sh, which `make demo` runs, with its binaries
// in a cache directory of its own: it must tell the whole story in order
// (the apply, the key rotated in place, the old key accepted during the
// overlap and refused after it by the emulator's clock, the tokens still
// valid, the destroy, zero live), and print no secret.
func TestDemo(t *testing.T) {
	acctest.RequireEmulator(t)
	root, _ := examplesSetup(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "demo.sh")) //nolint:gosec // G204: the repository's own script
	cmd.Dir = root
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	cmd.Env = append(os.Environ(), "MACHINEAUTH_DEMO_CACHE="+t.TempDir(),
		"TF_LOG=", "TF_LOG_PATH=", "TF_CLI_CONFIG_FILE=", "CLERK_API_URL=", "STYTCH_BASE_URL=")
	start := time.Now()
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("the demo failed: %v\n%s", err, out)
	}
	t.Logf("the demo took %s, its binaries built from cold", time.Since(start).Round(time.Millisecond))

	rest := out
	for _, step := range demoSteps {
		i := strings.Index(rest, step)
		if i < 0 {
			t.Fatalf("the demo's output lacks %q after the steps before it:\n%s", step, out)
		}
		rest = rest[i+len(step):]
	}

	if m := secretPrefixes.FindString(out); m != "" {
		t.Errorf("the demo printed a secret beginning %.12s", m)
	}
	keyID := ""
	if m := apiKeyID.FindStringSubmatch(out); m != nil {
		keyID = m[1]
	} else {
		t.Error("the demo did not show the API key's id")
	}
	for _, v := range clerkValue.FindAllString(out, -1) {
		switch {
		case !lowerHex.MatchString(v):
			t.Errorf("the demo printed a Clerk secret beginning %.8s", v)
		case strings.HasPrefix(v, "ak_") && v != keyID:
			t.Errorf("the demo printed an ak_ value that is not the API key's id (a machine key?) beginning %.8s", v)
		}
	}
	for _, v := range longRun.FindAllString(out, -1) {
		if capital.MatchString(v) {
			t.Errorf("the demo printed what looks like a Stytch secret, beginning %.8s", v)
		}
	}
}
