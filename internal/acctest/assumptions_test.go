package acctest

import (
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Against an emulator switched to each alternative of each switch, the
// switch's probe must name that alternative: the report can only be
// trusted to tell real Clerk and Stytch apart if it tells the emulator's
// own choices apart. Against the default emulator, every row's probe must
// name the default or say why it cannot ask.
func TestProbesTellEveryAlternative(t *testing.T) {
	if Live() {
		t.Skip("emulator-only: " + whyProbes)
	}
	t.Parallel()
	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		tg := newTarget(t, false, emulator.Options{NoControl: true})
		for _, o := range ObserveAssumptions(t.Context(), t, tg) {
			t.Log(o.Line())
			if o.NotObserved == "" && o.Choice != o.Row.Default.Name {
				t.Errorf("%s: the probe saw %q (%s) in an emulator answering %q", o.Row.Name, o.Choice, o.Answer, o.Row.Default.Name)
			}
			if o.NotObserved != "" && !unaskable[o.Row.Name] {
				t.Errorf("%s: the probe could not tell: %s", o.Row.Name, o.NotObserved)
			}
		}
	})
	for _, row := range emulator.Switches() {
		for _, alt := range row.Alternatives {
			t.Run(row.Name+"="+alt.Name, func(t *testing.T) {
				t.Parallel()
				tg := newTarget(t, false, emulator.Options{NoControl: true, Assume: map[string]string{row.Name: alt.Name}})
				o := ObserveAssumption(t.Context(), t, tg, row.Name)
				if unaskable[row.Name] && o.NotObserved != "" {
					t.Skipf("no public route tells this alternative: %s", o.Line())
				}
				if o.Choice != alt.Name || o.NotObserved != "" {
					t.Errorf("the probe says %q", o.Line())
				}
			})
		}
	}
}

// unaskable are the rows no probe can observe against the emulator, for the
// reason its line gives.
var unaskable = map[string]bool{
	"clerk_directory_defaults":            true,
	"clerk_identifier_rules":              true,
	"stytch_directory_conflicts":          true,
	"connected_app_delete_authorizations": true,
	"oauth_delete_tokens":                 true,
	"revoked_oauth_token_revoke":          true,
	"oauth_verify_refusal":                true,
	"oauth_verify_jwt":                    true,
	"oauth_jwt_claims":                    true,
	"oauth_token_issuance":                true,
}
