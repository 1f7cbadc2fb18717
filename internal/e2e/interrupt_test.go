package e2e

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const (
	interruptTokens = 200
	interruptApps   = 20
)

// TestInterruptedApply sends SIGINT to terraform while it creates 200
// tokens and 20 authorizations. Terraform stops the provider, which cancels
// the operations under way: a create whose request reached the service
// before its answer came back is the ambiguous create again, now with a
// cancelled context. Whatever the timing, no live token or active
// authorization may be missing from the state, and the next apply must
// finish the job.
func TestInterruptedApply(t *testing.T) {
	t.Parallel()
	start := time.Now()
	// Latency stretches the apply, so the signal lands in its middle
	// however fast the machine is.
	r := newRun(t, emulator.Options{Latency: 100 * time.Millisecond})
	machine := r.srv.Info().Fixture.ClerkMachineID
	// Authorizations too: one cut off mid-flow must be revoked or kept
	// in state (tainted), never left active unknown.
	apps := r.writeTokensAndAuthorizations(interruptTokens, interruptApps)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := r.ws.Command(ctx, "apply", "-auto-approve", "-no-color")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Poll the emulator, not the clock: signal once some tokens exist.
	deadline := time.Now().Add(2 * time.Minute)
	var atSignal int
	for {
		select {
		case err := <-exited:
			t.Fatalf("terraform exited (%v) before it was interrupted:\n%s%s", err, stdout.String(), stderr.String())
		default:
		}
		if atSignal = r.srv.Stats().M2MTokens.Live; atSignal >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 20 tokens after 2 minutes:\n%s%s", stdout.String(), stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	t.Logf("interrupted with %d live tokens; terraform exited %d after %s", atSignal, exitCode(err), time.Since(start).Round(time.Millisecond))
	if err == nil {
		t.Errorf("terraform exited 0 after SIGINT:\n%s", stdout.String())
	}
	live := r.srv.Stats().M2MTokens.Live
	if live >= interruptTokens {
		t.Fatalf("all %d tokens were created: the signal did not land in the middle of the apply", live)
	}
	inState := len(r.stateTokenIDs())
	t.Logf("after the interrupted apply: %d tokens in state, %d live in the emulator", inState, live)
	if inState == 0 {
		t.Errorf("the interrupted apply saved no token in state:\n%s", stderr.String())
	}
	// The interrupted run itself must not leave a credential only the
	// service knows.
	r.expectNoOrphans(machine)
	r.expectNoOrphanAuthorizations(apps)
	t.Logf("after the interrupted apply: %d authorizations in state, %d active", len(r.instances("machineauth_connected_app_authorization")), r.srv.Stats().Authorizations.Active)

	r.converge(ctx, 1, nil, "apply", "-auto-approve")
	r.expectStateMatchesLive(machine, interruptTokens)

	if n := len(r.instances("machineauth_connected_app_authorization")); n != interruptApps {
		t.Errorf("%d authorizations in state, want %d", n, interruptApps)
	}
	if n := r.srv.Stats().Authorizations.Active; n != interruptApps {
		t.Errorf("%d authorizations active, want %d", n, interruptApps)
	}

	r.converge(ctx, 1, nil, "destroy", "-auto-approve")
	if st := r.srv.Stats(); st.M2MTokens.Live != 0 || st.Authorizations.Active != 0 {
		t.Errorf("after destroy: %d live tokens and %d active authorizations, want none", st.M2MTokens.Live, st.Authorizations.Active)
	}
	r.logStats("interrupt run")
	t.Logf("interrupt run: %d orphan token(s) revoked by the provider, %s in all", r.orphansRevoked(machine), time.Since(start).Round(time.Millisecond))
}
