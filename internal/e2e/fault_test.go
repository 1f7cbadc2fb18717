package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const (
	faultSpec        = "429=0.1,500=0.05,drop_after_commit=0.02,latency=2ms"
	faultSeed        = 20260512
	faultTokens      = 200
	faultApps        = 20
	faultRedirectURI = "https://app.example.test/callback"

	authorizeRoute    = "/v1/b2b/idp/oauth/authorize"
	tokenRoute        = "/v1/public/{project_id}/oauth2/token"
	memberRevokeRoute = "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke"
	// maxRuns bounds the applies (or destroys) a fault run may take: a run
	// that loses every answer to one create reports an error by design,
	// and the next one must finish the job.
	maxRuns = 3
)

// faultConfig, given a count of tokens and the redirect URI, is that many
// tokens sharing the same claims (the hard case for the orphan search,
// which cannot tell them apart by claims) and one authorization of the
// fixture member per connected app in var.app_ids.
const faultConfig = `
variable "organization_id" { type = string }
variable "member_id" { type = string }
variable "app_ids" { type = list(string) }
variable "app_secrets" {
  type      = list(string)
  sensitive = true
}

resource "machineauth_m2m_token" "t" {
  count                    = %d
  seconds_until_expiration = 3600
  claims                   = jsonencode({ suite = "e2e" })
}

resource "machineauth_connected_app_authorization" "a" {
  count            = length(var.app_ids)
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.app_ids[count.index]
  redirect_uri     = %q
  scopes           = ["openid", "offline_access", "read:reports"]
  client_secret_wo = var.app_secrets[count.index]
}
`

// writeTokensAndAuthorizations writes a configuration of tokens M2M tokens
// and apps authorizations of the fixture member, one per new connected
// app, and returns the apps' ids.
func (r *run) writeTokensAndAuthorizations(tokens, apps int) []string {
	r.t.Helper()
	fx := r.srv.Info().Fixture
	var appIDs, appSecrets []string
	for i := range apps {
		id, secret, err := r.srv.CreateConnectedApp("third_party", fmt.Sprintf("app-%d", i), []string{faultRedirectURI}, []string{"read:reports"})
		if err != nil {
			r.t.Fatal(err)
		}
		appIDs, appSecrets = append(appIDs, id), append(appSecrets, secret)
	}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(faultConfig, tokens, faultRedirectURI))
	r.writeJSON("terraform.tfvars.json", map[string]any{
		"organization_id": fx.StytchOrganizationID,
		"member_id":       fx.StytchMemberID,
		"app_ids":         appIDs,
		"app_secrets":     appSecrets,
	})
	return appIDs
}

// expectNoOrphanAuthorizations fails if the fixture member's authorization
// of one of apps is active but not in state (tainted counts as in state:
// the next apply revokes it).
func (r *run) expectNoOrphanAuthorizations(apps []string) {
	r.t.Helper()
	fx := r.srv.Info().Fixture
	inState := map[string]bool{}
	for _, a := range r.instances("machineauth_connected_app_authorization") {
		inState[a["connected_app_id"].(string)] = true
	}
	for _, app := range apps {
		if got, ok := r.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, app); ok && got.Active && !inState[app] {
			r.t.Errorf("the authorization of %s is active but not in state", app)
		}
	}
}

// TestFaultRun applies 200 tokens and 20 authorizations against an
// emulator that answers 429, 500 and drops connections after committing,
// then destroys them. Whatever the faults, the emulator must end up
// holding exactly the tokens in state, and nothing once destroyed.
func TestFaultRun(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r, faults := newFaultRun(t)
	// At HEAD the whole run takes well under a minute; the deadline only
	// turns a stall into a failure with terraform's output.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fx := r.srv.Info().Fixture

	appIDs := r.writeTokensAndAuthorizations(faultTokens, faultApps)

	// After every run, failed ones too: no live token and no active
	// authorization that the state does not hold.
	noOrphans := func() {
		r.expectNoOrphans(fx.ClerkMachineID)
		r.expectNoOrphanAuthorizations(appIDs)
	}
	applies, out := r.converge(ctx, maxRuns, noOrphans, "apply", "-auto-approve")
	r.logStats("after apply")
	t.Logf("apply took %d run(s); warnings about revoked leftovers: %d", applies, strings.Count(out, "Revoked an M2M token left behind by a lost answer"))

	apply := r.srv.Stats()
	t.Logf("apply requests, 429s included: %d token creates, %d authorizes, %d code exchanges, %d authorization revokes",
		apply.Calls("POST", "/clerk/v1/m2m_tokens"), apply.Calls("POST", authorizeRoute), apply.Calls("POST", tokenRoute), apply.Calls("POST", memberRevokeRoute))
	r.expectStateMatchesLive(fx.ClerkMachineID, faultTokens)
	auths := r.instances("machineauth_connected_app_authorization")
	if len(auths) != faultApps {
		t.Errorf("%d authorizations in state, want %d", len(auths), faultApps)
	}
	for _, a := range auths {
		if a["__tainted"] != nil {
			t.Errorf("authorization %v is tainted after a converged apply", a["id"])
		}
	}
	for _, app := range appIDs {
		got, ok := r.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, app)
		if !ok || !got.Active {
			t.Errorf("authorization of %s is not active in the emulator", app)
		}
	}
	if n := r.srv.Stats().Authorizations.Active; n != faultApps {
		t.Errorf("%d active authorizations in the emulator, want %d", n, faultApps)
	}

	// A converged apply leaves nothing to do: the refresh, faults and all,
	// finds every credential as the apply recorded it.
	res, d, err := r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after the apply exited %d (want 0, no changes) after %s:\n%s%s", code, d, res.Stdout, res.Stderr)
	}

	destroys, _ := r.converge(ctx, maxRuns, noOrphans, "destroy", "-auto-approve")
	r.logStats("after destroy")
	st := r.srv.Stats()
	if st.M2MTokens.Live != 0 {
		t.Errorf("%d live tokens after destroy, want 0", st.M2MTokens.Live)
	}
	if st.Authorizations.Active != 0 {
		t.Errorf("%d active authorizations after destroy, want 0", st.Authorizations.Active)
	}
	if n := len(r.stateTokenIDs()); n != 0 {
		t.Errorf("%d tokens left in state after destroy", n)
	}
	expectEveryFaultKind(t, faults, st)
	t.Logf("fault run: %d apply run(s), %d destroy run(s), %d orphan token(s) revoked by the provider, %d requests, faults %v, %s in all",
		applies, destroys, r.orphansRevoked(fx.ClerkMachineID), st.TotalRequests, st.Faults, time.Since(start).Round(time.Millisecond))
}

// newFaultRun is a run against an emulator with the fault run's faults
// and seed, or, for hunting, those of MACHINEAUTH_E2E_FAULTS and
// MACHINEAUTH_E2E_SEED: the same faults with other draws. It returns the
// faults in force.
func newFaultRun(t *testing.T) (*run, string) {
	t.Helper()
	seed := int64(faultSeed)
	if s := os.Getenv("MACHINEAUTH_E2E_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("MACHINEAUTH_E2E_SEED=%q: %v", s, err)
		}
		seed = n
	}
	faults := faultSpec
	if f := os.Getenv("MACHINEAUTH_E2E_FAULTS"); f != "" {
		faults = f
	}
	t.Logf("faults %s, seed %d", faults, seed)
	return newRun(t, emulator.Options{Faults: faults, Seed: seed}), faults
}

// expectEveryFaultKind fails a run under the default faults that did not
// meet each kind at least once: it would have tested less than it says.
func expectEveryFaultKind(t *testing.T, faults string, st emulator.Stats) {
	t.Helper()
	if faults == faultSpec && (st.Faults["drop_after_commit"] == 0 || st.Faults["500"] == 0 || st.Faults["429"] == 0) {
		t.Errorf("the run saw faults %v: every kind should have been injected at least once", st.Faults)
	}
}
