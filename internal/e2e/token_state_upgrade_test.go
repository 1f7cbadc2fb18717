package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// A state written by a provider from before machine_id and
// machine_secret_key_wo, made here by stripping them from the state the
// current provider writes (what is left is that schema exactly): with its
// unchanged configuration, which keeps machine_secret_key, the plan is
// empty; moved to machine_id and machine_secret_key_wo, the token is
// updated in place, never replaced, and the key leaves the state.
func TestTokenStateFromBeforeMachineIDUpgrades(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	machineID, key, err := r.srv.CreateMachine("e2e-legacy", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.writeJSON("terraform.tfvars.json", map[string]any{"machine_key": key, "machine_id": machineID})
	vars := `
variable "machine_key" {
  type      = string
  sensitive = true
}
variable "machine_id" { type = string }
`
	r.write("main.tf", providerBlock()+vars+`
resource "machineauth_m2m_token" "t" {
  machine_secret_key = var.machine_key
}
`)
	r.mustTF(ctx, "apply", "-auto-approve")
	tokens := r.instances("machineauth_m2m_token")
	if len(tokens) != 1 || tokens[0]["machine_secret_key"] != key {
		t.Fatalf("the token does not keep its key in state: %v", tokens)
	}
	id := tokens[0]["id"].(string)

	// The previous schema's state: the same, less the two new attributes.
	path := filepath.Join(r.ws.Dir, "terraform.tfstate")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	stripped := 0
	for _, res := range st["resources"].([]any) {
		for _, in := range res.(map[string]any)["instances"].([]any) {
			attrs := in.(map[string]any)["attributes"].(map[string]any)
			for _, a := range []string{"machine_id", "machine_secret_key_wo"} {
				if _, ok := attrs[a]; ok {
					delete(attrs, a)
					stripped++
				}
			}
		}
	}
	if stripped != 2 {
		t.Fatalf("stripped %d attributes, want machine_id and machine_secret_key_wo", stripped)
	}
	b, err = json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	res, _, err := r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Fatalf("plan on the previous schema's state exited %d, want 0 (no changes):\n%s%s", code, res.Stdout, res.Stderr)
	}

	r.write("main.tf", providerBlock()+vars+`
resource "machineauth_m2m_token" "t" {
  machine_id            = var.machine_id
  machine_secret_key_wo = var.machine_key
}
`)
	res = r.mustTF(ctx, "apply", "-auto-approve")
	if !strings.Contains(res.Stdout, "0 added, 1 changed, 0 destroyed") {
		t.Errorf("moving to machine_id did not update the token in place:\n%s", res.Stdout)
	}
	tokens = r.instances("machineauth_m2m_token")
	if len(tokens) != 1 || tokens[0]["id"] != id || tokens[0]["machine_secret_key"] != nil {
		t.Errorf("after the move the token is %v, want %s without a key", tokens, id)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), key) {
		t.Error("the machine key is still in the state file")
	}
	res, _, err = r.tf(ctx, "plan", "-detailed-exitcode")
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after the move exited %d, want 0:\n%s%s", code, res.Stdout, res.Stderr)
	}
	r.mustTF(ctx, "destroy", "-auto-approve")
	if tok, ok := r.srv.M2MToken(id); !ok || !tok.Revoked {
		t.Errorf("destroy did not revoke the token: %+v", tok)
	}
}
