package provider

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Where Clerk's or Stytch's reference leaves room, the emulator guesses,
// and each guess that some provider behaviour depends on is a switch
// (internal/emulator/assumptions.go). The provider must keep its promises
// whichever way the real service answers: so every credential type runs
// its scenario through the real terraform under every alternative of every
// switch that touches it. A scenario is one type's life (create, a refresh
// with an empty plan, drift made outside Terraform, destroy, also of what
// is already gone, import, and the lost answers its switches touch), and
// asserts what a user cares about: no error where none is due, a clear one
// where one is, nothing left live, nothing revoked that the run did not
// make, state that matches the service, consumers' secrets working until
// their overlap ends. Each run has an emulator of its own and runs in
// parallel with the others.

// switchScenarios are the scenarios by the name of the credential type
// they run (some need a second type: a token needs its machine).
var switchScenarios = map[string]func(t *testing.T, srv *emulator.Server){
	"machine":                     machineSwitchScenario,
	"m2m_token":                   m2mTokenSwitchScenario,
	"m2m_token_foreign_machine":   foreignMachineTokenSwitchScenario,
	"api_key":                     apiKeySwitchScenario,
	"token_verification":          verificationSwitchScenario,
	"m2m_client":                  m2mClientSwitchScenario,
	"connected_app":               connectedAppSwitchScenario,
	"connected_app_authorization": authorizationSwitchScenario,
}

// switchTouches names, for every switch, the scenarios of the credential
// types whose behaviour depends on it (the Provider column of the
// assumptions table).
var switchTouches = map[string][]string{
	"m2m_token_default_ttl":               {"m2m_token"},
	"foreign_machine_token_listing":       {"m2m_token_foreign_machine"},
	"revoked_m2m_token_revoke":            {"m2m_token"},
	"clerk_verify_refusal":                {"token_verification", "m2m_token"},
	"m2m_jwt_scopes_claim":                {"token_verification"},
	"api_key_unknown_subject":             {"api_key"},
	"api_key_update_null":                 {"api_key"},
	"api_key_expiry_update":               {"api_key"},
	"revoked_api_key_revoke":              {"api_key"},
	"machine_delete_tokens":               {"m2m_token", "machine"},
	"machine_delete_api_keys":             {"api_key"},
	"previous_machine_keys":               {"machine"},
	"stytch_not_found_shape":              {"m2m_client", "connected_app_authorization"},
	"session_header_refusal":              {"connected_app_authorization"},
	"connected_app_delete_authorizations": {"connected_app_authorization"},
	"ungranted_authorization_revoke":      {"connected_app_authorization"},
	"code_replay":                         {"connected_app_authorization"},
	"introspect_other_client":             {"token_verification"},
	"rotation_out_of_turn":                {"m2m_client", "connected_app"},
	"m2m_client_update_omitted":           {"m2m_client"},
	"inactive_m2m_client_token":           {"m2m_client"},
}

// switchesTestedElsewhere are switches whose credential type runs its own
// tests under each of their answers, by the test that does.
var switchesTestedElsewhere = map[string]string{
	"oauth_public_change":        "TestAccOAuthApplication_publicChangeRefused",
	"revoked_oauth_token_revoke": "TestRevokeOAuthTokenAction_revokedAgain",
	"oauth_verify_refusal":       "TestVerifyOAuthToken_revokedUnderEachAnswer",
}

// switchRun is one scenario under one choice of one switch; the zero
// switch is every default.
type switchRun struct {
	scenario, name, choice string
}

func (r switchRun) String() string {
	if r.name == "" {
		return r.scenario + "/defaults"
	}
	return r.scenario + "/" + r.name + "=" + r.choice
}

// switchRuns are every scenario under every default, then under each
// alternative of each switch that touches it: the defaults run once, not
// once per switch.
func switchRuns() []switchRun {
	var runs []switchRun
	for _, name := range slices.Sorted(maps.Keys(switchScenarios)) {
		runs = append(runs, switchRun{scenario: name})
	}
	for _, sw := range emulator.Switches() {
		for _, alt := range sw.Alternatives {
			for _, sc := range switchTouches[sw.Name] {
				runs = append(runs, switchRun{scenario: sc, name: sw.Name, choice: alt.Name})
			}
		}
	}
	return runs
}

// TestAccSwitches runs every scenario under every choice that touches it:
// -run 'TestAccSwitches/api_key/' runs one type's, and
// -run 'TestAccSwitches/.*/code_replay=' one switch's.
func TestAccSwitches(t *testing.T) {
	for _, run := range switchRuns() {
		t.Run(run.String(), func(t *testing.T) {
			opts := emulator.Options{}
			if run.name != "" {
				opts.Assume = map[string]string{run.name: run.choice}
			}
			srv := startEmulator(t, opts)
			if got := srv.Assumed()[run.name]; run.name != "" && got != run.choice {
				t.Fatalf("the emulator assumes %s=%s, want %s", run.name, got, run.choice)
			}
			switchScenarios[run.scenario](t, srv)
		})
	}
}

// The tables above cover every switch the emulator has, and name only
// switches and scenarios that exist: a new switch fails here until a
// scenario runs under it, or a test of its own is named for it.
func TestSwitchTableCoversEverySwitch(t *testing.T) {
	t.Parallel()
	switches := map[string]bool{}
	for _, sw := range emulator.Switches() {
		switches[sw.Name] = true
		_, elsewhere := switchesTestedElsewhere[sw.Name]
		if (len(switchTouches[sw.Name]) == 0) == !elsewhere {
			t.Errorf("switch %s: want it in exactly one of switchTouches (the scenarios it runs) and switchesTestedElsewhere", sw.Name)
		}
		if len(sw.Alternatives) == 0 {
			t.Errorf("switch %s has no alternative", sw.Name)
		}
	}
	sources, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range sources {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for name, test := range switchesTestedElsewhere {
		if !switches[name] {
			t.Errorf("switchesTestedElsewhere names %s, which is no switch of the emulator", name)
		}
		if !strings.Contains(all.String(), "func "+test+"(t *testing.T)") {
			t.Errorf("switchesTestedElsewhere names %s for %s, which is no test of this package", test, name)
		}
	}
	for name, scenarios := range switchTouches {
		if !switches[name] {
			t.Errorf("switchTouches names %s, which is no switch of the emulator", name)
		}
		for _, sc := range scenarios {
			if switchScenarios[sc] == nil {
				t.Errorf("switch %s names scenario %s, which does not exist", name, sc)
			}
		}
	}
	runs := switchRuns()
	seen := map[string]bool{}
	for _, r := range runs {
		if seen[r.String()] {
			t.Errorf("run %s twice", r)
		}
		seen[r.String()] = true
	}
}

// assumed is the choice the emulator makes for switch name.
func assumed(srv *emulator.Server, name string) string { return srv.Assumed()[name] }

// withEchoProvider adds the echo provider, which takes an ephemeral value
// into its own configuration, so a test can open ephemeral resources.
func withEchoProvider(factories map[string]func() (tfprotov6.ProviderServer, error)) map[string]func() (tfprotov6.ProviderServer, error) {
	out := maps.Clone(factories)
	out["echo"] = echoprovider.NewProviderServer()
	return out
}

// proxied is the provider configuration with Clerk's and Stytch's base
// URLs pointing at the proxy at proxyURL, which forwards to srv.
func proxied(srv *emulator.Server, proxyURL string) string {
	info := srv.Info()
	return editProviderConfig(providerConfig(srv), func(attr string) (string, bool) {
		switch attr {
		case "api_url":
			return fmt.Sprintf("api_url = %q", proxyURL+strings.TrimPrefix(info.ClerkAPIURL, srv.URL())), true
		case "base_url":
			return fmt.Sprintf("base_url = %q", proxyURL+strings.TrimPrefix(info.StytchBaseURL, srv.URL())), true
		}
		return "", true
	})
}

// setRules replaces what a scripted proxy does from now on.
func (p *scriptedProxy) setRules(rules ...*scriptRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

// passOn forwards the request and passes the emulator's answer on.
func passOn(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
	rec := answer()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// first runs do before the request is forwarded: a change made outside
// Terraform an instant before the provider's own request.
func first(do func()) func(http.ResponseWriter, func() *httptest.ResponseRecorder) {
	return func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
		do()
		passOn(w, answer)
	}
}

// loseEveryOther loses the answer of every other request it is given, the
// first included: each revoke's first answer is lost, and its retry meets
// a credential already revoked, however many revokes run at once.
func loseEveryOther(p *scriptedProxy) func(http.ResponseWriter, func() *httptest.ResponseRecorder) {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
		mu.Lock()
		n++
		lose := n%2 == 1
		mu.Unlock()
		if lose {
			p.loseAnswer(w, answer)
			return
		}
		passOn(w, answer)
	}
}

// warningLike fails unless a warning the provider gave contains every one
// of parts.
func warningLike(rec *warningRecorder, parts ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if !rec.has(parts...) {
			return fmt.Errorf("no warning says %q; warnings:\n%s", parts, rec.all())
		}
		return nil
	}
}
