package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// m2mClientSecretConfig makes an M2M client whose secret a rotation
// replaces, takes access tokens with it through the ephemeral resource and
// verifies them, also ephemerally.
const m2mClientSecretConfig = `
variable "generation" { type = string }

resource "machineauth_m2m_client" "c" {
  client_name              = "secrets"
  scopes                   = ["read:reports", "write:reports"]
  secret_rotation_triggers = { generation = var.generation }
}

ephemeral "machineauth_m2m_client_token" "current" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
}

# The secret a consumer switches to during a rotation.
ephemeral "machineauth_m2m_client_token" "next" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = coalesce(machineauth_m2m_client.c.next_client_secret, machineauth_m2m_client.c.client_secret)
  scopes        = ["read:reports"]
}

ephemeral "machineauth_token_verification" "current" {
  token           = ephemeral.machineauth_m2m_client_token.current.access_token
  required_scopes = ["write:reports"]
}

data "machineauth_m2m_client" "c" {
  client_id  = machineauth_m2m_client.c.client_id
  depends_on = [machineauth_m2m_client.c]
}
`

// TestSecretHygieneM2MClients creates an M2M client, takes and verifies
// access tokens with its secret, rotates the secret and destroys the
// client, all with TF_LOG=TRACE: no client secret, current or next, and no
// access token may reach the log or terraform's output.
func TestSecretHygieneM2MClients(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	secrets := map[string]string{"stytch project secret": r.srv.Info().StytchSecret}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+m2mClientSecretConfig)
	logs := t.TempDir()
	var outputs []string
	step := func(name, generation string, args ...string) {
		r.writeJSON("terraform.tfvars.json", map[string]any{"generation": generation})
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
		res := r.mustTF(ctx, args...)
		outputs = append(outputs, res.Stdout+res.Stderr)
	}
	keep := func(what, attr string) {
		clients := r.instances("machineauth_m2m_client")
		if len(clients) != 1 {
			t.Fatalf("%d M2M clients in state", len(clients))
		}
		v, _ := clients[0][attr].(string)
		if v == "" {
			t.Fatalf("%s is empty, so the test would check nothing", attr)
		}
		secrets[what] = v
	}

	step("create", "1", "apply", "-auto-approve")
	keep("client secret", "client_secret")
	step("rotate", "2", "apply", "-auto-approve")
	keep("next client secret", "next_client_secret")
	r.srv.Advance(time.Hour + time.Minute)
	step("complete", "2", "apply", "-auto-approve")
	step("destroy", "2", "destroy", "-auto-approve")
	if ids := r.srv.M2MClientIDs(); len(ids) != 0 {
		t.Errorf("M2M clients left after destroy: %v", ids)
	}
	// Every plan and apply opened the ephemeral tokens; the emulator kept
	// each one it issued.
	issued := r.srv.M2MAccessTokens()
	if len(issued) < 4 {
		t.Fatalf("%d access tokens issued: the runs did not take tokens with both secrets", len(issued))
	}
	for i, tok := range issued {
		secrets["access token "+string(rune('a'+i%26))+strings.Repeat("'", i/26)] = tok
	}

	var all strings.Builder
	for _, name := range []string{"create", "rotate", "complete", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, masked := range []string{`client_secret\":\"***\"`, `next_client_secret\":\"***\"`, `access_token\":\"***\"`} {
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
	t.Logf("checked %d secrets, %d of them access tokens, against %d bytes of trace log and %d runs' output", len(secrets), len(issued), all.Len(), len(outputs))
}
