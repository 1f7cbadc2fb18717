package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// faultAPIKeys is how many API keys the fault run adds, spread over a
// user, an organization and a machine so each subject's listing is
// exercised.
const faultAPIKeys = 50

const faultAPIKeyConfig = `
variable "subjects" { type = list(string) }

resource "machineauth_api_key" "k" {
  count                    = %d
  name                     = "e2e key ${count.index}"
  subject                  = var.subjects[count.index %% length(var.subjects)]
  scopes                   = ["read"]
  claims                   = jsonencode({ suite = "e2e" })
  seconds_until_expiration = 3600
  renew_before_seconds     = 600
  revocation_reason        = "e2e fault run over"
}
`

// stateAPIKeyIDs is the set of API key ids in state.
func (r *run) stateAPIKeyIDs() map[string]bool {
	ids := map[string]bool{}
	for _, a := range r.instances("machineauth_api_key") {
		if id, _ := a["id"].(string); id != "" {
			ids[id] = true
		}
	}
	return ids
}

// liveAPIKeys is the set of the subjects' keys the emulator holds live.
func (r *run) liveAPIKeys(subjects []string) map[string]bool {
	now := r.srv.Now()
	live := map[string]bool{}
	for _, s := range subjects {
		for _, k := range r.srv.APIKeys(s) {
			if !k.Revoked && (k.Expiration == nil || now.Before(*k.Expiration)) {
				live[k.ID] = true
			}
		}
	}
	return live
}

// expectNoOrphanAPIKeys fails if a subject has a live key that is not in
// state: a credential nobody will revoke. It holds after every run.
func (r *run) expectNoOrphanAPIKeys(subjects []string) {
	r.t.Helper()
	inState := r.stateAPIKeyIDs()
	for id := range r.liveAPIKeys(subjects) {
		if !inState[id] {
			r.t.Errorf("API key %s is live but not in state (an orphan)", id)
		}
	}
}

// TestFaultRunAPIKeys applies 50 API keys against an emulator that answers
// 429, 500 and drops connections after committing, renews them in place,
// then destroys them. Whatever the faults, the emulator must end up
// holding exactly the keys in state, and none live once destroyed, each
// revoked (never deleted) with the configured reason, or, for what a lost
// answer left behind, with the provider's own.
func TestFaultRunAPIKeys(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{Faults: faultSpec, Seed: faultSeed})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fx := r.srv.Info().Fixture
	subjects := []string{fx.ClerkUserID, fx.ClerkOrganizationID, fx.ClerkMachineID}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(faultAPIKeyConfig, faultAPIKeys))
	r.writeJSON("terraform.tfvars.json", map[string]any{"subjects": subjects})
	noOrphans := func() { r.expectNoOrphanAPIKeys(subjects) }

	applies, out := r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	r.logStats("after apply")
	inState, live := r.stateAPIKeyIDs(), r.liveAPIKeys(subjects)
	if len(inState) != faultAPIKeys || len(live) != faultAPIKeys {
		t.Errorf("%d keys in state and %d live, want %d of each", len(inState), len(live), faultAPIKeys)
	}
	for id := range inState {
		if !live[id] {
			t.Errorf("API key %s in state is not live", id)
		}
	}
	secrets := map[string]string{}
	for _, a := range r.instances("machineauth_api_key") {
		secrets[a["id"].(string)] = a["secret"].(string)
	}

	// A converged apply leaves nothing to do, faults and all.
	res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after the apply exited %d (want 0, no changes) after %s:\n%s%s", code, d, res.Stdout, res.Stderr)
	}

	// Into the renewal window by the emulator's clock: every key renewed
	// in place, none replaced, the secrets unchanged.
	r.srv.Advance(3100 * time.Second)
	renewals, _ := r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	after := r.stateAPIKeyIDs()
	for id := range inState {
		if !after[id] {
			t.Errorf("API key %s was replaced, not renewed", id)
		}
	}
	now := r.srv.Now()
	for _, a := range r.instances("machineauth_api_key") {
		id := a["id"].(string)
		if a["secret"] != secrets[id] {
			t.Errorf("API key %s has a new secret after its renewal", id)
		}
		if k, _ := r.srv.APIKey(id); k.Expiration == nil || k.Expiration.Sub(now) < 3000*time.Second {
			t.Errorf("API key %s expires at %v: not renewed", id, k.Expiration)
		}
	}

	destroys, _ := r.converge(ctx, maxRuns, noOrphans, "destroy", "-auto-approve")
	r.logStats("after destroy")
	if n := len(r.liveAPIKeys(subjects)); n != 0 {
		t.Errorf("%d live API keys after destroy, want 0", n)
	}
	orphans := 0
	for _, s := range subjects {
		for _, k := range r.srv.APIKeys(s) {
			switch reason := apiKeyReason(k.RevocationReason); {
			case reason == "e2e fault run over":
			case strings.Contains(reason, "answer was lost"):
				orphans++
			default:
				t.Errorf("API key %s revoked with %q, want the configured reason", k.ID, reason)
			}
		}
	}
	if st := r.srv.Stats(); st.Faults["drop_after_commit"] == 0 || st.Faults["500"] == 0 || st.Faults["429"] == 0 {
		t.Errorf("the run saw faults %v: every kind should have been injected at least once", st.Faults)
	}
	st := r.srv.Stats()
	t.Logf("API key fault run: %d apply, %d renewal and %d destroy run(s), %d key(s) left by lost answers revoked (%d warnings), keys %+v, %d requests, faults %v, %s in all",
		applies, renewals, destroys, orphans, strings.Count(out, "Revoked an API key left behind"), st.APIKeys, st.TotalRequests, st.Faults, time.Since(start).Round(time.Millisecond))
}

func apiKeyReason(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
