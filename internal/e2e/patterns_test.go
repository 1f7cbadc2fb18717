package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// TestKillSwitchPattern runs examples/patterns/m2m-client-kill-switch, the
// pattern the M2M client's and the token's pages show: off in one apply,
// plans that still work while off, and back on in one apply, with no token
// ever asked of the inactive client. Without the M2M client's planning of
// client_secret as unknown on a reactivation, the last apply fails at plan
// with Stytch's invalid_client.
func TestKillSwitchPattern(t *testing.T) {
	r := newRun(t, emulator.Options{})
	t.Parallel()
	root, _ := examplesSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r.copyInto(root, filepath.Join("patterns", "m2m-client-kill-switch"))

	status := func(want string) {
		t.Helper()
		ids := r.srv.M2MClientIDs()
		if len(ids) != 1 {
			t.Fatalf("%d M2M clients, want 1", len(ids))
		}
		if c, _ := r.srv.M2MClient(ids[0]); c.Status != want {
			t.Fatalf("the client is %s, want %s", c.Status, want)
		}
	}
	granted := func() int { return r.srv.Stats().Count("POST", tokenRoute, 200) }
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
	if n := r.srv.Stats().Count("POST", tokenRoute, 401); n != 0 {
		t.Errorf("%d token requests were refused: a token was asked of the inactive client", n)
	}
	if _, _, err := r.tf(ctx, "plan", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after turning the client back on is not empty: %v", err)
	}
	r.mustTF(ctx, "destroy", "-auto-approve")
	if st := r.srv.Stats(); st.M2MClients != (emulator.M2MClientCounts{}) {
		t.Errorf("after destroy: %+v M2M clients", st.M2MClients)
	}
}
