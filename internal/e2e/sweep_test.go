package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// TestSweepAfterInterruptedRun kills an apply of prefixed objects of every
// type before it can save its state, as a cancelled CI job would, so they
// are left behind; makes objects without the prefix beside them, moves the
// clock past the sweepers' hour and makes prefixed objects that are
// younger than that; then runs make sweep, as a maintainer would, against
// the emulator. Every prefixed leftover must be gone or revoked, and
// nothing else touched; a second make sweep must change nothing.
func TestSweepAfterInterruptedRun(t *testing.T) {
	requireAcc(t)
	srv := acctest.StartEmulator(t, emulator.Options{NoControl: true})
	t.Parallel()
	root, providerDir := examplesSetup(t)
	info := srv.Info()
	fx := info.Fixture
	env := acctest.EnvOfEmulator(info)
	c, err := acctest.NewClient(env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// The interrupted run: everything it makes is named, or tagged, with
	// its prefix, dated by the emulator's clock as a Target dates it.
	run := acctest.RunPrefix(srv.Now())
	name := func(what string) string { return run + "-" + what }
	ws, err := tfcli.NewWorkspace(t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ws.Env = []string{
		"CLERK_API_URL=" + env.ClerkAPIURL, "CLERK_SECRET_KEY=" + env.ClerkSecretKey, "CLERK_MACHINE_SECRET_KEY=" + env.ClerkMachineSecretKey,
		"STYTCH_BASE_URL=" + env.StytchBaseURL, "STYTCH_PROJECT_ID=" + env.StytchProjectID, "STYTCH_SECRET=" + env.StytchSecret,
		"TF_LOG=", "TF_LOG_PATH=",
	}
	if err := ws.WriteFile("main.tf", providerBlock()+fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = %[1]q
}

# Tokens that outlive the sweepers' hour, as ones that never expire would.
resource "machineauth_m2m_token" "of_machine" {
  machine_id               = machineauth_machine.m.id
  machine_secret_key_wo    = machineauth_machine.m.secret_key
  seconds_until_expiration = 86400
}

resource "machineauth_m2m_token" "tagged" {
  claims                   = jsonencode({ %[2]s = %[3]q })
  seconds_until_expiration = 86400
}

resource "machineauth_api_key" "k" {
  name    = %[4]q
  subject = %[5]q
}

resource "machineauth_connected_app" "app" {
  client_type   = "third_party"
  client_name   = %[6]q
  redirect_urls = [%[7]q]
}

resource "machineauth_connected_app_authorization" "a" {
  organization_id  = %[8]q
  member_id        = %[9]q
  connected_app_id = machineauth_connected_app.app.client_id
  redirect_uri     = %[7]q
  scopes           = ["openid"]
  client_secret_wo = machineauth_connected_app.app.client_secret
}

resource "machineauth_m2m_client" "c" {
  client_name = %[10]q
  scopes      = ["read:reports"]
}

resource "machineauth_oauth_application" "o" {
  name          = %[11]q
  redirect_uris = [%[7]q]
}

# Holds the apply open once everything above exists, for the test to kill.
resource "terraform_data" "hang" {
  depends_on = [
    machineauth_m2m_token.of_machine, machineauth_m2m_token.tagged, machineauth_api_key.k,
    machineauth_connected_app_authorization.a, machineauth_m2m_client.c, machineauth_oauth_application.o,
  ]
  provisioner "local-exec" {
    command = "sleep 600"
  }
}
`, name("service"), acctest.TagClaim, run, name("key"), fx.ClerkUserID, name("app"), "https://app.example.test/callback",
		fx.StytchOrganizationID, fx.StytchMemberID, name("client"), name("oauth"))); err != nil {
		t.Fatal(err)
	}
	cmd := ws.Command(ctx, "apply", "-auto-approve", "-no-color")
	// Its own process group: the kill takes the provider and the
	// provisioner's sleep with terraform.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		st := srv.Stats()
		if st.M2MTokens.Live == 2 && st.APIKeys.Live == 1 && st.Authorizations.Active == 1 && st.M2MClients.Active == 1 && len(srv.OAuthApplications()) == 1 &&
			strings.Contains(out.String(), "terraform_data.hang: Creating") {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("terraform exited (%v) before it was killed:\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("the run made not everything in time:\n%s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatal("terraform exited 0 though it was killed")
	}
	// A killed CI job's workspace goes with it, and whatever state it
	// saved so far: no destroy will come for what the run made.
	if err := os.RemoveAll(ws.Dir); err != nil {
		t.Fatal(err)
	}
	left := srv.Stats()

	// Beside them, what carries no prefix: a person's objects of each type,
	// an untagged token of the fixture's machine, and the fixture member's
	// authorization of an app without the prefix.
	keepMachine, err := c.CreateMachine(ctx, client.CreateMachineRequest{Name: "billing-service"})
	if err != nil {
		t.Fatal(err)
	}
	day := int64(86400)
	keepToken, err := c.CreateM2MToken(ctx, env.ClerkMachineSecretKey, client.CreateM2MTokenRequest{Claims: []byte(`{"tf_acc":"not-a-test"}`), SecondsUntilExpiration: &day})
	if err != nil {
		t.Fatal(err)
	}
	keepKey, err := c.CreateAPIKey(ctx, client.CreateAPIKeyRequest{Name: "billing export", Subject: fx.ClerkUserID})
	if err != nil {
		t.Fatal(err)
	}
	keepApp, keepAppSecret, err := srv.CreateConnectedApp("third_party", "reports", []string{"https://app.example.test/callback"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Authorize(ctx, client.AuthorizeRequest{ConsentGranted: true, Scopes: []string{"openid"}, ClientID: keepApp,
		RedirectURI: "https://app.example.test/callback", OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID}); err != nil {
		t.Fatal(err)
	}
	keepClient, err := c.CreateM2MClient(ctx, client.CreateM2MClientRequest{ClientName: "billing", Scopes: []string{"read:reports"}})
	if err != nil {
		t.Fatal(err)
	}
	keepOAuth, err := c.CreateOAuthApplication(ctx, client.CreateOAuthApplicationRequest{Name: "reports portal"})
	if err != nil {
		t.Fatal(err)
	}

	// An hour and a minute on, by the services' clock, and a run under
	// way: prefixed, but young.
	srv.Advance(time.Hour + time.Minute)
	young := acctest.RunPrefix(srv.Now())
	youngMachine, err := c.CreateMachine(ctx, client.CreateMachineRequest{Name: young + "-service"})
	if err != nil {
		t.Fatal(err)
	}
	youngClient, err := c.CreateM2MClient(ctx, client.CreateM2MClientRequest{ClientName: young + "-client", Scopes: []string{"read:reports"}})
	if err != nil {
		t.Fatal(err)
	}

	sweep := func() string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", root, "sweep") //nolint:gosec // G204: the repository's own make target
		cmd.Env = append(os.Environ(),
			"CLERK_API_URL="+env.ClerkAPIURL, "CLERK_SECRET_KEY="+env.ClerkSecretKey, "CLERK_MACHINE_SECRET_KEY="+env.ClerkMachineSecretKey,
			"STYTCH_BASE_URL="+env.StytchBaseURL, "STYTCH_PROJECT_ID="+env.StytchProjectID, "STYTCH_SECRET="+env.StytchSecret,
			"MACHINEAUTH_FIXTURE_CLERK_USER_ID="+env.ClerkUserID, "MACHINEAUTH_FIXTURE_CLERK_ORGANIZATION_ID="+env.ClerkOrganizationID,
			"MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID="+env.StytchOrganizationID, "MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID="+env.StytchMemberID,
			"MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID="+env.StytchConnectedAppID,
			"MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET="+env.StytchConnectedAppClientSecret,
			"MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI="+env.StytchRedirectURI,
		)
		start := time.Now()
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make sweep: %v\n%s", err, b)
		}
		t.Logf("make sweep took %s", time.Since(start).Round(time.Millisecond))
		return string(b)
	}
	first := sweep()
	for _, want := range []string{"deleted machine", "revoked M2M token", "revoked API key", "revoked the fixture member's authorization", "deleted connected app", "deleted M2M client", "deleted OAuth application"} {
		if !strings.Contains(first, "swept: "+want) {
			t.Errorf("the sweep did not report that it %s:\n%s", want, first)
		}
	}

	// The leftovers: gone, or revoked.
	st := srv.Stats()
	for _, m := range srv.Machines() {
		if acctest.Prefixed(m.Name) && m.ID != youngMachine.ID {
			t.Errorf("machine %s (%s) was left behind", m.ID, m.Name)
		}
	}
	for _, tok := range srv.M2MTokens(fx.ClerkMachineID) {
		if claims, _ := tok.Claims.(map[string]any); claims[acctest.TagClaim] == run && !tok.Revoked {
			t.Errorf("the tagged token %s of the fixture's machine is not revoked", tok.ID)
		}
	}
	for _, k := range srv.APIKeys(fx.ClerkUserID) {
		if acctest.Prefixed(k.Name) && !k.Revoked {
			t.Errorf("API key %s (%s) is still live", k.ID, k.Name)
		}
	}
	for _, a := range srv.ConnectedApps() {
		if acctest.Prefixed(a.Name) {
			t.Errorf("connected app %s (%s) was left behind", a.ClientID, a.Name)
		}
	}
	for _, id := range srv.M2MClientIDs() {
		if m, _ := srv.M2MClient(id); acctest.Prefixed(m.Name) && id != youngClient.ClientID {
			t.Errorf("M2M client %s (%s) was left behind", id, m.Name)
		}
	}
	if st.M2MTokens.Live != 1 || st.APIKeys.Live != 1 || st.Authorizations.Active != 1 || st.M2MClients.Active != 2 {
		t.Errorf("after the sweep: %+v live tokens, %+v API keys, %+v authorizations, %+v M2M clients; want only the unprefixed and the young ones (left behind: %+v)",
			st.M2MTokens, st.APIKeys, st.Authorizations, st.M2MClients, left)
	}

	// Nothing without the prefix touched, nor the young prefixed ones.
	if _, ok := srv.Machine(keepMachine.ID); !ok {
		t.Error("the machine without the prefix was deleted")
	}
	if _, ok := srv.Machine(youngMachine.ID); !ok {
		t.Error("the prefixed machine younger than an hour was deleted")
	}
	if tok, _ := srv.M2MToken(keepToken.ID); tok.Revoked {
		t.Error("the untagged token of the fixture's machine was revoked")
	}
	if k, _ := srv.APIKey(keepKey.ID); k.Revoked {
		t.Error("the API key without the prefix was revoked")
	}
	if !srv.ConnectedAppSecretWorks(keepApp, keepAppSecret) {
		t.Error("the connected app without the prefix was deleted")
	}
	if a, _ := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, keepApp); !a.Active {
		t.Error("the fixture member's authorization of the app without the prefix was revoked")
	}
	if apps := srv.OAuthApplications(); len(apps) != 1 || apps[0].ID != keepOAuth.ID {
		t.Errorf("OAuth applications after the sweep: %+v; want only the one without the prefix", apps)
	}
	for _, id := range []string{keepClient.ClientID, youngClient.ClientID} {
		if _, ok := srv.M2MClient(id); !ok {
			t.Errorf("M2M client %s, without the prefix or young, was deleted", id)
		}
	}

	// Sweeping twice is harmless: nothing more to do, nothing changed.
	before := srv.Stats()
	if second := sweep(); strings.Contains(second, "swept: ") {
		t.Errorf("the second sweep swept again:\n%s", second)
	}
	after := srv.Stats()
	if after.M2MTokens != before.M2MTokens || after.APIKeys != before.APIKeys || after.Authorizations != before.Authorizations ||
		after.M2MClients != before.M2MClients || after.Machines != before.Machines {
		t.Errorf("the second sweep changed what the services hold: %+v, then %+v", before, after)
	}
}
