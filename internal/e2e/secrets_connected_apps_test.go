package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// connectedAppSecretConfig makes a connected app whose secret a rotation
// replaces, an authorization that takes its secret through the ephemeral
// reader, and a data source read of the app.
const connectedAppSecretConfig = `
variable "organization_id" { type = string }
variable "member_id" { type = string }
variable "generation" { type = string }

resource "machineauth_connected_app" "app" {
  client_type              = "third_party"
  client_name              = "secrets"
  redirect_urls            = [%q]
  secret_rotation_triggers = { generation = var.generation }
}

ephemeral "machineauth_connected_app_secret" "app" {
  client_id          = machineauth_connected_app.app.client_id
  client_secret      = machineauth_connected_app.app.client_secret
  next_client_secret = machineauth_connected_app.app.next_client_secret
}

resource "machineauth_connected_app_authorization" "a" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = machineauth_connected_app.app.client_id
  redirect_uri     = %q
  scopes           = ["openid", "offline_access"]
  client_secret_wo = ephemeral.machineauth_connected_app_secret.app.secret
}

data "machineauth_connected_app" "app" {
  client_id  = machineauth_connected_app.app.client_id
  depends_on = [machineauth_connected_app.app]
}

output "rotation_pending" {
  value = data.machineauth_connected_app.app.secret_rotation_pending
}
`

// TestSecretHygieneConnectedApps creates a connected app, starts and then
// completes a rotation of its secret, and destroys it, all with
// TF_LOG=TRACE: neither the current nor the next secret, nor the tokens
// the authorization got with them, may reach the log or terraform's output.
func TestSecretHygieneConnectedApps(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	fx := info.Fixture
	secrets := map[string]string{"stytch project secret": info.StytchSecret}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+fmt.Sprintf(connectedAppSecretConfig, fx.StytchRedirectURI, fx.StytchRedirectURI))
	vars := func(generation string) {
		r.writeJSON("terraform.tfvars.json", map[string]any{
			"organization_id": fx.StytchOrganizationID, "member_id": fx.StytchMemberID, "generation": generation,
		})
	}
	logs := t.TempDir()
	var outputs []string
	step := func(name string, args ...string) {
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
		res := r.mustTF(ctx, args...)
		outputs = append(outputs, res.Stdout+res.Stderr)
	}
	app := func() map[string]any {
		apps := r.instances("machineauth_connected_app")
		if len(apps) != 1 {
			t.Fatalf("%d connected apps in state", len(apps))
		}
		return apps[0]
	}
	keep := func(what string, a map[string]any, attr string) {
		v, _ := a[attr].(string)
		if v == "" {
			t.Fatalf("%s: %s is empty, so the test would check nothing", what, attr)
		}
		secrets[what] = v
	}

	vars("1")
	step("create", "apply", "-auto-approve")
	keep("client secret", app(), "client_secret")
	for _, attr := range []string{"access_token", "refresh_token"} {
		keep("authorization "+attr, r.instances("machineauth_connected_app_authorization")[0], attr)
	}
	vars("2")
	step("rotate", "apply", "-auto-approve")
	keep("next client secret", app(), "next_client_secret")
	if out := r.mustTF(ctx, "output", "rotation_pending"); !strings.Contains(out.Stdout, "true") {
		t.Errorf("the data source does not see the rotation: %s", out.Stdout)
	}
	r.srv.Advance(time.Hour + time.Minute)
	step("complete", "apply", "-auto-approve")
	if got, _ := app()["client_secret"].(string); got != secrets["next client secret"] {
		t.Error("the completed rotation did not make the next secret current")
	}
	step("destroy", "destroy", "-auto-approve")
	if left := r.srv.ConnectedApps(); len(left) != 1 {
		t.Errorf("%d connected apps after destroy, want the fixture's alone", len(left))
	}

	var all strings.Builder
	for _, name := range []string{"create", "rotate", "complete", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "machineauth API request bodies") {
			t.Errorf("the %s log has no request bodies: TF_LOG=TRACE did not reach the provider", name)
		}
		all.Write(b)
	}
	// The answers that carry the secrets were logged, masked.
	for _, masked := range []string{`\"client_secret\":\"***\"`, `\"next_client_secret\":\"***\"`} {
		if !strings.Contains(all.String(), masked) && !strings.Contains(all.String(), strings.ReplaceAll(masked, `\"`, `"`)) {
			t.Errorf("the logs hold no %s: the bodies that carry that secret were not logged, so the test shows nothing about it", masked)
		}
	}
	for what, secret := range secrets {
		if strings.Contains(all.String(), secret) {
			t.Errorf("the %s appears in the TF_LOG output", what)
		}
		for i, o := range outputs {
			if strings.Contains(o, secret) {
				t.Errorf("the %s appears in terraform's output (run %d)", what, i)
			}
		}
	}
	t.Logf("checked %d secrets against %d bytes of trace log and %d runs' output", len(secrets), all.Len(), len(outputs))
}
