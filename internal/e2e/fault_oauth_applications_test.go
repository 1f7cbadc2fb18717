package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// faultOAuthApps is how many OAuth applications the fault run manages, one
// in five of them public.
const faultOAuthApps = 20

// faultOAuthAppConfig takes the count and the rotation trigger.
const faultOAuthAppConfig = `
resource "machineauth_oauth_application" "app" {
  count         = %[1]d
  name          = "tf-acc-e2e-${count.index}"
  redirect_uris = ["https://app.example.test/callback"]
  public        = count.index %% 5 == 4
  secret_rotation_triggers = count.index %% 5 == 4 ? null : { rotation = %[2]q }
}
`

// expectNoOrphanOAuthApps fails if an OAuth application exists that is
// not in state: one nobody will delete. It holds after every run, a
// failed one included; a tainted application is in state.
func (r *run) expectNoOrphanOAuthApps() {
	r.t.Helper()
	inState := map[string]bool{}
	for _, a := range r.instances("machineauth_oauth_application") {
		inState[a["id"].(string)] = true
	}
	for _, a := range r.srv.OAuthApplications() {
		if !inState[a.ID] {
			r.t.Errorf("OAuth application %s (%q) exists but is not in state (an orphan)", a.ID, a.Name)
		}
	}
}

// TestFaultRunOAuthApplications applies 20 OAuth applications against the
// emulator's faults, rotates the secret of each confidential one, then
// destroys them. Whatever the faults, no application is left that the
// state does not hold, each secret in state is the one that works, and
// nothing is left after destroy.
func TestFaultRunOAuthApplications(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{Faults: faultSpec, Seed: faultSeed + 29})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	write := func(trigger string) {
		r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(faultOAuthAppConfig, faultOAuthApps, trigger))
	}
	secretsWork := func(when string) map[string]string {
		secrets := map[string]string{}
		apps := r.instances("machineauth_oauth_application")
		if len(apps) != faultOAuthApps {
			t.Fatalf("%s: %d applications in state, want %d", when, len(apps), faultOAuthApps)
		}
		for _, a := range apps {
			id, _ := a["id"].(string)
			secret, _ := a["client_secret"].(string)
			got, ok := r.srv.OAuthApplication(id)
			switch {
			case !ok:
				t.Errorf("%s: application %s in state does not exist", when, id)
			case got.Name != a["name"] || strings.Contains(got.Name, "machineauth-create-"):
				t.Errorf("%s: application %s is named %q, %q in state", when, id, got.Name, a["name"])
			case got.ClientSecret != secret:
				t.Errorf("%s: application %s's secret in state is not the one that works", when, id)
			}
			secrets[id] = secret
		}
		return secrets
	}
	expectEmptyPlan := func(when string) {
		res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
		if code := exitCode(err); code != 0 {
			t.Errorf("plan %s exited %d (want 0, no changes) after %s:\n%s%s", when, code, d, res.Stdout, res.Stderr)
		}
	}

	write("first")
	applies, out := r.converge(ctx, maxRuns, r.expectNoOrphanOAuthApps, "apply", "-auto-approve")
	r.logStats("after apply")
	t.Logf("apply took %d run(s); adopted %d application(s) and deleted %d left by lost answers", applies,
		strings.Count(out, "Adopted an OAuth application made by a create whose answer was lost"),
		strings.Count(out, "Deleted an OAuth application left behind by a lost answer"))
	first := secretsWork("after the apply")
	expectEmptyPlan("after the apply")

	// Every confidential application's secret rotated, in place, under the
	// same faults; the public ones keep having none.
	write("second")
	rotations, out := r.converge(ctx, maxRuns, r.expectNoOrphanOAuthApps, "apply", "-auto-approve")
	if n := strings.Count(out, "stops working at once"); n < faultOAuthApps*4/5 {
		t.Errorf("%d rotation warnings, want one per confidential application at least", n)
	}
	second := secretsWork("after the rotation")
	for id, secret := range first {
		switch {
		case secret == "" && second[id] != "":
			t.Errorf("public application %s got a secret", id)
		case secret != "" && (second[id] == "" || second[id] == secret):
			t.Errorf("application %s was not rotated", id)
		}
	}
	expectEmptyPlan("after the rotation")

	destroys, _ := r.converge(ctx, maxRuns, r.expectNoOrphanOAuthApps, "destroy", "-auto-approve")
	st := r.srv.Stats()
	if st.OAuthApplications.Live != 0 {
		t.Errorf("%d OAuth applications left after destroy: %+v", st.OAuthApplications.Live, r.srv.OAuthApplications())
	}
	if st.Faults["drop_after_commit"] == 0 || st.Faults["500"] == 0 || st.Faults["429"] == 0 {
		t.Errorf("the run saw faults %v: every kind should have been injected at least once", st.Faults)
	}
	t.Logf("OAuth application fault run: %d apply, %d rotation and %d destroy run(s), %d requests, faults %v, %s in all",
		applies, rotations, destroys, st.TotalRequests, st.Faults, time.Since(start).Round(time.Millisecond))
}
