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

// secretMachineConfig uses every machine key the provider handles: the key
// a machine is created with, the one a rotation gives it, both read back
// on refresh, one passed write-only to a token, and one read by the
// ephemeral resource for another token.
const secretMachineConfig = `
variable "rotation" { type = string }

resource "machineauth_machine" "m" {
  name                     = "e2e-secrets-machine"
  previous_key_ttl_seconds = 600
  rotation_triggers        = { rotation = var.rotation }
}

resource "machineauth_m2m_token" "wo" {
  machine_id            = machineauth_machine.m.id
  machine_secret_key_wo = machineauth_machine.m.secret_key
}

ephemeral "machineauth_machine_secret_key" "m" {
  machine_id = machineauth_machine.m.id
}

resource "machineauth_m2m_token" "ephemeral_key" {
  machine_id            = machineauth_machine.m.id
  machine_secret_key_wo = ephemeral.machineauth_machine_secret_key.m.secret_key
}

output "key" {
  value     = machineauth_machine.m.secret_key
  sensitive = true
}
`

// TestSecretHygieneMachineKeys creates a machine, rotates its key, plans
// and destroys with TF_LOG=TRACE into files, and checks that neither the
// machine's first key nor its rotated one, nor the tokens they issued,
// reach those logs or terraform's output. The tokens keep no key, so the
// keys must not be in their state either.
func TestSecretHygieneMachineKeys(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	secrets := map[string]string{
		"clerk instance secret key": info.ClerkSecretKey,
		"clerk machine secret key":  info.Fixture.ClerkMachineSecretKey,
	}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+secretMachineConfig)

	logs := t.TempDir()
	var outputs []string
	step := func(name string, args ...string) {
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
		res := r.mustTF(ctx, args...)
		outputs = append(outputs, res.Stdout+res.Stderr)
	}
	keyInState := func(what string) string {
		ms := r.instances("machineauth_machine")
		if len(ms) != 1 {
			t.Fatalf("%d machines in state", len(ms))
		}
		k, _ := ms[0]["secret_key"].(string)
		if !strings.HasPrefix(k, "ak_") {
			t.Fatalf("the %s in state is %q", what, k)
		}
		secrets[what] = k
		return k
	}
	keepTokens := func() {
		for _, a := range r.instances("machineauth_m2m_token") {
			secrets["m2m token "+a["id"].(string)] = a["token"].(string)
		}
	}

	step("apply", "apply", "-auto-approve", "-var", "rotation=first")
	first := keyInState("first machine key")
	keepTokens()
	step("rotate", "apply", "-auto-approve", "-var", "rotation=second")
	second := keyInState("rotated machine key")
	if second == first {
		t.Fatal("the apply did not rotate the key")
	}
	keepTokens()
	res, _, err := r.tf(ctx, "output", "-raw", "key")
	if err != nil || res.Stdout != second {
		t.Fatalf("the sensitive output is not the rotated key: %v", err)
	}
	// The tokens keep no key of their own.
	for _, a := range r.instances("machineauth_m2m_token") {
		for attr, v := range a {
			if s, _ := v.(string); s == first || s == second {
				t.Errorf("token %v keeps a machine key in its state, at %s", a["id"], attr)
			}
		}
	}
	step("plan", "plan", "-var", "rotation=second")
	step("destroy", "destroy", "-auto-approve", "-var", "rotation=second")
	if st := r.srv.Stats(); st.M2MTokens.Live != 0 || st.Machines.Live != 2 {
		t.Errorf("after destroy: tokens %+v, machines %+v", st.M2MTokens, st.Machines)
	}

	var all strings.Builder
	for _, name := range []string{"apply", "rotate", "plan", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	// The bodies that carry the keys were logged, masked: a create's
	// answer, a rotation's and each secret key read.
	for _, masked := range []string{`"secret_key":"***"`, `"secret":"***"`, `"token":"***"`} {
		if !strings.Contains(all.String(), masked) {
			t.Errorf("the logs hold no %s: the bodies that carry that secret were not logged, so the test shows nothing about it", masked)
		}
	}
	for what, secret := range secrets {
		if len(secret) < 8 {
			t.Fatalf("%s is %q: too short to look for", what, secret)
		}
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
