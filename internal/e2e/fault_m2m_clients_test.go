package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// faultM2MClients is how many M2M clients the fault run makes; every
// fourth is made inactive, which takes an update after the create.
const faultM2MClients = 20

const m2mClientFaultConfig = `
resource "machineauth_m2m_client" "c" {
  count                    = %d
  client_name              = "fault-client-${count.index}"
  scopes                   = ["read:reports", "write:reports"]
  trusted_metadata         = jsonencode({ index = count.index })
  status                   = count.index %% 4 == 3 ? "inactive" : "active"
  secret_rotation_triggers = { generation = "%s" }
}
`

// expectNoOrphanM2MClients fails if the emulator holds an M2M client the
// state does not (tainted ones count as held: the next apply replaces them).
func (r *run) expectNoOrphanM2MClients() {
	r.t.Helper()
	inState := map[string]bool{}
	for _, a := range r.instances("machineauth_m2m_client") {
		if id, _ := a["client_id"].(string); id != "" {
			inState[id] = true
		}
	}
	for _, id := range r.srv.M2MClientIDs() {
		if !inState[id] {
			r.t.Errorf("M2M client %s is not in state (an orphan)", id)
		}
	}
}

// TestFaultRunM2MClients applies M2M clients against an emulator that
// answers 429, 500 and drops connections after committing, rotates their
// secrets, then destroys them. No client may exist that the state does not
// hold, each secret in state must work, and nothing may be left.
func TestFaultRunM2MClients(t *testing.T) {
	t.Parallel()
	r, faults := newFaultRun(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	writeConfig := func(generation string) {
		r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(m2mClientFaultConfig, faultM2MClients, generation))
	}
	secrets := func() (current, next map[string]string) {
		current, next = map[string]string{}, map[string]string{}
		for _, a := range r.instances("machineauth_m2m_client") {
			id, _ := a["client_id"].(string)
			current[id], _ = a["client_secret"].(string)
			next[id], _ = a["next_client_secret"].(string)
		}
		return current, next
	}

	writeConfig("1")
	applies, _ := r.converge(ctx, maxRuns, r.expectNoOrphanM2MClients, "apply", "-auto-approve")
	r.logStats("after apply")
	clients := r.instances("machineauth_m2m_client")
	if len(clients) != faultM2MClients {
		t.Errorf("%d M2M clients in state, want %d", len(clients), faultM2MClients)
	}
	for _, a := range clients {
		id, _ := a["client_id"].(string)
		secret, _ := a["client_secret"].(string)
		got, ok := r.srv.M2MClient(id)
		switch {
		case a["__tainted"] != nil:
			t.Errorf("M2M client %s is tainted after a converged apply", id)
		case !ok:
			t.Errorf("M2M client %s in state is not in the emulator", id)
		case got.Status != a["status"]:
			t.Errorf("M2M client %s is %s, the state says %v", id, got.Status, a["status"])
		case !r.srv.M2MClientSecretWorks(id, secret):
			t.Errorf("the secret in state does not work for M2M client %s", id)
		}
	}
	res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after the apply exited %d (want 0, no changes) after %s:\n%s%s", code, d, res.Stdout, res.Stderr)
	}

	old, _ := secrets()
	writeConfig("2")
	r.converge(ctx, maxRuns, r.expectNoOrphanM2MClients, "apply", "-auto-approve")
	_, next := secrets()
	for id, s := range next {
		if s == "" || !r.srv.M2MClientSecretWorks(id, s) || !r.srv.M2MClientSecretWorks(id, old[id]) {
			t.Errorf("M2M client %s after the rotation started: want both secrets working", id)
		}
	}
	r.srv.Advance(time.Hour + time.Minute)
	r.converge(ctx, maxRuns, r.expectNoOrphanM2MClients, "apply", "-auto-approve")
	current, _ := secrets()
	for id, s := range current {
		if s != next[id] || !r.srv.M2MClientSecretWorks(id, s) || r.srv.M2MClientSecretWorks(id, old[id]) {
			t.Errorf("M2M client %s after the rotation completed: want only the next secret working", id)
		}
	}
	r.logStats("after the rotation")

	destroys, _ := r.converge(ctx, maxRuns, r.expectNoOrphanM2MClients, "destroy", "-auto-approve")
	st := r.srv.Stats()
	if ids := r.srv.M2MClientIDs(); len(ids) != 0 {
		t.Errorf("M2M clients left after destroy: %v", ids)
	}
	expectEveryFaultKind(t, faults, st)
	t.Logf("M2M client fault run: %d apply run(s), %d destroy run(s), %d creates, %d reads, faults %v",
		applies, destroys, st.Calls("POST", "/v1/m2m/clients"), st.Calls("GET", "/v1/m2m/clients/{client_id}"), st.Faults)
}
