package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKillSwitchPattern runs examples/patterns/m2m-client-kill-switch, the
// pattern the M2M client's and the token's pages show: off in one apply,
// plans that still work while off, and back on in one apply, with no token
// ever asked of the inactive client. Without the M2M client's planning of
// client_secret as unknown on a reactivation, the last apply fails at plan
// with Stytch's invalid_client. It runs against its target, the example's
// names prefixed for the test.
func TestKillSwitchPattern(t *testing.T) {
	r, tg, calls := newTargetRun(t)
	root, _ := examplesSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := filepath.Join(root, "examples", "patterns", "m2m-client-kill-switch")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".tf" {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			r.write(e.Name(), prefixedNames(tg, string(b)))
		}
	}

	var clientID string
	status := func(want string) {
		t.Helper()
		clients := r.instances("machineauth_m2m_client")
		if len(clients) != 1 {
			t.Fatalf("%d M2M clients in state, want 1", len(clients))
		}
		clientID, _ = clients[0]["client_id"].(string)
		c, err := tg.Client.GetM2MClient(ctx, clientID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != want {
			t.Fatalf("the client is %s, want %s", c.Status, want)
		}
	}
	granted := func() int { return calls.Count("POST", `/v1/public/[^/]+/oauth2/token`, 200) }
	noCheckFailed := func(res string) {
		t.Helper()
		if strings.Contains(res, "Check block assertion failed") {
			t.Fatalf("the token's check failed:\n%s", res)
		}
	}

	res := r.mustTF(ctx, "apply", "-auto-approve")
	noCheckFailed(res.Stdout + res.Stderr)
	status("active")
	if granted() == 0 {
		t.Fatal("no token was asked for while the client is active")
	}

	res = r.mustTF(ctx, "apply", "-auto-approve", "-var", "billing_active=false")
	noCheckFailed(res.Stdout + res.Stderr)
	status("inactive")
	off := granted()
	if _, _, err := r.tf(ctx, "plan", "-detailed-exitcode", "-var", "billing_active=false"); err != nil {
		t.Fatalf("a plan while the client is off fails or is not empty: %v", err)
	}

	res = r.mustTF(ctx, "apply", "-auto-approve", "-var", "billing_active=true")
	noCheckFailed(res.Stdout + res.Stderr)
	status("active")
	if granted() == off {
		t.Error("no token was asked for after the client was turned back on")
	}
	if n := calls.Count("POST", `/v1/public/[^/]+/oauth2/token`, 401) + calls.Count("POST", `/v1/public/[^/]+/oauth2/token`, 400); n != 0 {
		t.Errorf("%d token requests were refused: a token was asked of the inactive client", n)
	}
	if _, _, err := r.tf(ctx, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after turning the client back on is not empty: %v", err)
	}
	r.mustTF(ctx, "destroy", "-auto-approve")
	if _, err := tg.Client.GetM2MClient(ctx, clientID); err == nil {
		t.Errorf("after destroy: M2M client %s is still there", clientID)
	}
}
