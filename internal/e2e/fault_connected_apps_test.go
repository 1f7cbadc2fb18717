package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// faultConnectedApps is how many connected apps the fault run makes, each
// with an authorization of the fixture member that uses its secret.
const faultConnectedApps = 10

const connectedAppFaultConfig = `
variable "organization_id" { type = string }
variable "member_id" { type = string }

resource "machineauth_connected_app" "app" {
  count                    = %d
  client_type              = "third_party"
  client_name              = "fault-app-${count.index}"
  client_description       = "made by the fault run"
  redirect_urls            = [%q]
  secret_rotation_triggers = { generation = "%s" }
}

resource "machineauth_connected_app_authorization" "a" {
  count            = length(machineauth_connected_app.app)
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = machineauth_connected_app.app[count.index].client_id
  redirect_uri     = %q
  scopes           = ["openid", "offline_access"]
  client_secret_wo = machineauth_connected_app.app[count.index].client_secret
}
`

// expectNoOrphanApps fails if the emulator holds a connected app, other
// than the fixture's, that the state does not: a client nobody will delete.
// A tainted one counts as in state: the next apply replaces it.
func (r *run) expectNoOrphanApps() {
	r.t.Helper()
	inState := map[string]bool{}
	for _, a := range r.instances("machineauth_connected_app") {
		if id, _ := a["client_id"].(string); id != "" {
			inState[id] = true
		}
	}
	fixture := r.srv.Info().Fixture.StytchConnectedAppID
	for _, a := range r.srv.ConnectedApps() {
		if a.ClientID != fixture && !inState[a.ClientID] {
			r.t.Errorf("connected app %s (%s, %q) is not in state (an orphan)", a.ClientID, a.Name, a.Description)
		}
	}
}

// TestFaultRunConnectedApps applies connected apps and authorizations that
// use their secrets against an emulator that answers 429, 500 and drops
// connections after committing, rotates the apps' secrets, then destroys
// them. Whatever the faults, no
// client may exist that the state does not hold, every authorization must
// work with its app's secret, and nothing may be left once destroyed.
func TestFaultRunConnectedApps(t *testing.T) {
	t.Parallel()
	r, faults := newFaultRun(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fx := r.srv.Info().Fixture
	writeConfig := func(generation string) {
		r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(connectedAppFaultConfig, faultConnectedApps, faultRedirectURI, generation, faultRedirectURI))
	}
	writeConfig("1")
	r.writeJSON("terraform.tfvars.json", map[string]any{"organization_id": fx.StytchOrganizationID, "member_id": fx.StytchMemberID})

	noOrphans := func() {
		r.expectNoOrphanApps()
		var apps []string
		for _, a := range r.srv.ConnectedApps() {
			apps = append(apps, a.ClientID)
		}
		r.expectNoOrphanAuthorizations(apps)
	}
	applies, _ := r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	r.logStats("after apply")
	apps := r.instances("machineauth_connected_app")
	if len(apps) != faultConnectedApps {
		t.Errorf("%d connected apps in state, want %d", len(apps), faultConnectedApps)
	}
	for _, a := range apps {
		id, _ := a["client_id"].(string)
		got, ok := r.srv.ConnectedApp(id)
		switch {
		case a["__tainted"] != nil:
			t.Errorf("connected app %s is tainted after a converged apply", id)
		case !ok:
			t.Errorf("connected app %s in state is not in the emulator", id)
		case got.Description != "made by the fault run" || len(got.RedirectURLs) != 1:
			t.Errorf("connected app %s holds %+v, not the configured values", id, got)
		}
		if auth, ok := r.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, id); !ok || !auth.Active {
			t.Errorf("the authorization of %s is not active: %+v, %v", id, auth, ok)
		}
	}
	for _, a := range r.instances("machineauth_connected_app_authorization") {
		if tok, _ := a["access_token"].(string); tok == "" {
			t.Errorf("authorization %v has no access token: the code exchange with its app's secret did not happen", a["id"])
		}
	}
	res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after the apply exited %d (want 0, no changes) after %s:\n%s%s", code, d, res.Stdout, res.Stderr)
	}

	// A rotation under the same faults: started, both secrets work; once
	// the overlap has passed, completed, and only the new one works.
	secrets := func() (current, next map[string]string) {
		current, next = map[string]string{}, map[string]string{}
		for _, a := range r.instances("machineauth_connected_app") {
			id, _ := a["client_id"].(string)
			current[id], _ = a["client_secret"].(string)
			next[id], _ = a["next_client_secret"].(string)
		}
		return current, next
	}
	old, _ := secrets()
	writeConfig("2")
	r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	current, next := secrets()
	for id, s := range next {
		if s == "" || current[id] != old[id] || !r.srv.ConnectedAppSecretWorks(id, s) || !r.srv.ConnectedAppSecretWorks(id, old[id]) {
			t.Errorf("connected app %s after the rotation started: want the old secret kept and a working next one", id)
		}
	}
	r.srv.Advance(time.Hour + time.Minute)
	r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	current, after := secrets()
	for id, s := range current {
		if s != next[id] || after[id] != "" || !r.srv.ConnectedAppSecretWorks(id, s) || r.srv.ConnectedAppSecretWorks(id, old[id]) {
			t.Errorf("connected app %s after the rotation completed: want the next secret current and the old one refused", id)
		}
		if a, _ := r.srv.ConnectedApp(id); a.RotationPending {
			t.Errorf("connected app %s: the rotation is still pending in the emulator", id)
		}
	}
	r.logStats("after the rotation")

	destroys, _ := r.converge(ctx, maxRuns, noOrphans, "destroy", "-auto-approve")
	r.logStats("after destroy")
	if left := r.srv.ConnectedApps(); len(left) != 1 || left[0].ClientID != fx.StytchConnectedAppID {
		t.Errorf("after destroy the emulator holds %d connected apps, want the fixture's alone: %+v", len(left), left)
	}
	st := r.srv.Stats()
	if st.Authorizations.Active != 0 {
		t.Errorf("%d active authorizations after destroy, want 0", st.Authorizations.Active)
	}
	expectEveryFaultKind(t, faults, st)
	t.Logf("connected-app fault run: %d apply run(s), %d destroy run(s), %d creates, %d searches, %d deletes, faults %v",
		applies, destroys, st.Calls("POST", "/v1/connected_apps/clients"), st.Calls("POST", "/v1/connected_apps/clients/search"),
		st.Calls("DELETE", "/v1/connected_apps/clients/{client_id}"), st.Faults)
}
