package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// faultMachines is how many machines the machine fault run manages, each
// scoping the next (the last the first), with a token issued with each
// machine's own key.
const faultMachines = 20

// faultMachinesConfig takes the machine count and the rotation trigger.
const faultMachinesConfig = `
resource "machineauth_machine" "m" {
  count                    = %[1]d
  name                     = "e2e-${count.index}"
  previous_key_ttl_seconds = 600
  rotation_triggers        = { rotation = %[2]q }
}

resource "machineauth_machine_scope" "next" {
  count             = %[1]d
  machine_id        = machineauth_machine.m[count.index].id
  scoped_machine_id = machineauth_machine.m[(count.index + 1) %% %[1]d].id
}

resource "machineauth_m2m_token" "t" {
  count                    = %[1]d
  machine_id               = machineauth_machine.m[count.index].id
  machine_secret_key_wo    = machineauth_machine.m[count.index].secret_key
  seconds_until_expiration = 86400
  depends_on               = [machineauth_machine_scope.next]
}
`

// expectNoOrphanMachines fails if a machine exists that is neither the
// fixture's nor in state: one nobody will delete. It holds after every
// run, a failed one included. A tainted machine is in state: the next
// apply replaces it.
func (r *run) expectNoOrphanMachines() {
	r.t.Helper()
	fx := r.srv.Info().Fixture
	inState := map[string]bool{fx.ClerkMachineID: true, fx.ClerkScopedMachineID: true}
	for _, a := range r.instances("machineauth_machine") {
		inState[a["id"].(string)] = true
	}
	for _, m := range r.srv.Machines() {
		if !inState[m.ID] {
			r.t.Errorf("machine %s (%q) exists but is not in state (an orphan)", m.ID, m.Name)
		}
	}
}

// expectNoOrphanTokensOfMachines is expectNoOrphans for every machine in
// state.
func (r *run) expectNoOrphanTokensOfMachines() {
	r.t.Helper()
	for _, a := range r.instances("machineauth_machine") {
		r.expectNoOrphans(a["id"].(string))
	}
}

// TestFaultRunMachines applies 20 machines scoping each other in a ring,
// with a token of each issued with its machine's write-only key, against
// the emulator's faults; rotates every machine's key; then destroys it
// all. Whatever the faults, no machine, scope or token is left that the
// state does not hold, each rotation happens once, and nothing is left
// after destroy.
func TestFaultRunMachines(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{Faults: faultSpec, Seed: faultSeed + 14})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	before := r.srv.Stats().Machines

	noOrphans := func() {
		r.expectNoOrphanMachines()
		r.expectNoOrphanTokensOfMachines()
	}
	write := func(trigger string) {
		r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(faultMachinesConfig, faultMachines, trigger))
	}
	write("first")
	applies, out := r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	r.logStats("after apply")
	t.Logf("apply took %d run(s); adopted %d machine(s) and deleted %d left by lost answers", applies,
		strings.Count(out, "Adopted a machine made by a create whose answer was lost"), strings.Count(out, "Deleted a machine left behind by a lost answer"))

	machines := r.instances("machineauth_machine")
	if len(machines) != faultMachines {
		t.Fatalf("%d machines in state, want %d", len(machines), faultMachines)
	}
	keys := map[string]string{}
	for _, a := range machines {
		id := a["id"].(string)
		m, ok := r.srv.Machine(id)
		switch {
		case !ok:
			t.Errorf("machine %s in state does not exist", id)
		case m.Name != a["name"] || strings.Contains(m.Name, "machineauth-create-"):
			t.Errorf("machine %s is named %q in the emulator, %q in state", id, m.Name, a["name"])
		case m.SecretKey != a["secret_key"]:
			t.Errorf("machine %s's key in state is not its current one", id)
		case len(m.ScopedMachineIDs) != 1:
			t.Errorf("machine %s scopes %v, want one machine", id, m.ScopedMachineIDs)
		}
		keys[id] = m.SecretKey
	}
	if n := len(r.instances("machineauth_machine_scope")); n != faultMachines {
		t.Errorf("%d scopes in state, want %d", n, faultMachines)
	}
	if got := r.srv.Stats().Machines; got.Live != before.Live+faultMachines || got.Scopes != before.Scopes+faultMachines {
		t.Errorf("the emulator counts %+v machines and scopes, want %d more of each than %+v", got, faultMachines, before)
	}
	for _, a := range r.instances("machineauth_m2m_token") {
		if tok, ok := r.srv.M2MToken(a["id"].(string)); !ok || tok.Revoked || len(tok.Scopes) != 1 {
			t.Errorf("token %v: %+v, want live and scoped to one machine", a["id"], tok)
		}
	}
	expectEmptyPlan := func(when string) {
		res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
		if code := exitCode(err); code != 0 {
			t.Errorf("plan %s exited %d (want 0, no changes) after %s:\n%s%s", when, code, d, res.Stdout, res.Stderr)
		}
	}
	expectEmptyPlan("after the apply")

	// Every key rotated, under the same faults: once each, in place. A
	// rotation is sent at most once per apply (a second inside one overlap
	// could end the key consumers hold), so a machine whose rotate draws
	// a 500 needs another apply: at 5% a try, one of 20 machines fails
	// three in a row about once in 300 runs, hence two more runs here.
	write("second")
	rotations, _ := r.converge(ctx, maxRuns+2, noOrphans, "apply", "-auto-approve")
	for _, a := range r.instances("machineauth_machine") {
		id := a["id"].(string)
		m, _ := r.srv.Machine(id)
		if keys[id] == "" {
			t.Errorf("machine %s was replaced by the rotation", id)
			continue
		}
		if m.SecretKey != a["secret_key"] || m.SecretKey == keys[id] || len(m.PreviousKeys) != 1 || m.PreviousKeys[0] != keys[id] {
			t.Errorf("machine %s after the rotation: want one rotation, the new key in state and the old one overlapping; got %d previous key(s)", id, len(m.PreviousKeys))
		}
	}
	expectEmptyPlan("after the rotation")

	destroys, _ := r.converge(ctx, maxRuns, noOrphans, "destroy", "-auto-approve")
	r.logStats("after destroy")
	st := r.srv.Stats()
	if st.Machines != before {
		t.Errorf("after destroy the emulator counts %+v machines and scopes, want %+v (the fixture's)", st.Machines, before)
	}
	if st.M2MTokens.Live != 0 {
		t.Errorf("%d live tokens after destroy, want 0", st.M2MTokens.Live)
	}
	if st.Faults["drop_after_commit"] == 0 || st.Faults["500"] == 0 || st.Faults["429"] == 0 {
		t.Errorf("the run saw faults %v: every kind should have been injected at least once", st.Faults)
	}
	t.Logf("machine fault run: %d apply, %d rotation and %d destroy run(s), %d requests, faults %v, %s in all",
		applies, rotations, destroys, st.TotalRequests, st.Faults, time.Since(start).Round(time.Millisecond))
}
