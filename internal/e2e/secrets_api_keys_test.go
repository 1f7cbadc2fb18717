package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// apiKeySecretConfig handles API key secrets every way the provider can:
// made by a resource, recovered by an import, made by an ephemeral
// resource and verified without landing anywhere, and verified by the
// data source.
const apiKeySecretConfig = `
variable "user_id" { type = string }
variable "organization_id" { type = string }
variable "imported_id" { type = string }

resource "machineauth_api_key" "made" {
  name                     = "e2e secrets"
  subject                  = var.user_id
  claims                   = jsonencode({ suite = "e2e-secrets" })
  seconds_until_expiration = 3600
}

import {
  to = machineauth_api_key.imported
  id = var.imported_id
}

resource "machineauth_api_key" "imported" {
  name    = "made outside"
  subject = var.organization_id
}

ephemeral "machineauth_api_key" "run" {
  name                     = "e2e run"
  subject                  = var.organization_id
  seconds_until_expiration = 600
}

ephemeral "machineauth_token_verification" "run" {
  token = ephemeral.machineauth_api_key.run.secret
}

data "machineauth_token_verification" "made" {
  token = machineauth_api_key.made.secret
}

data "machineauth_token_verification" "imported" {
  token = machineauth_api_key.imported.secret
  type  = "api_key"
}

output "valid" {
  value = [data.machineauth_token_verification.made.valid, data.machineauth_token_verification.imported.valid]
}

output "secrets" {
  value     = [machineauth_api_key.made.secret, machineauth_api_key.imported.secret]
  sensitive = true
}
`

// TestSecretHygieneAPIKeys applies, plans and destroys API keys with
// TF_LOG=TRACE into a file and checks that no API key secret, nor the
// instance key that manages them, reaches that log or terraform's output.
// The secrets are every key the emulator holds, the ephemeral ones
// included, which never reach state.
func TestSecretHygieneAPIKeys(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	fx := info.Fixture
	imported := r.makeAPIKey(fx.ClerkOrganizationID, "made outside")

	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+apiKeySecretConfig)
	r.writeJSON("terraform.tfvars.json", map[string]any{
		"user_id": fx.ClerkUserID, "organization_id": fx.ClerkOrganizationID, "imported_id": imported,
	})
	logs := t.TempDir()
	var outputs []string
	step := func(name string, args ...string) {
		t.Helper()
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
		res := r.mustTF(ctx, args...)
		outputs = append(outputs, res.Stdout+res.Stderr)
	}
	step("apply", "apply", "-auto-approve")
	res := r.mustTF(ctx, "output", "-json", "secrets")
	var inState []string
	if err := json.Unmarshal([]byte(res.Stdout), &inState); err != nil || len(inState) != 2 || inState[0] == "" || inState[1] == "" {
		t.Fatalf("output secrets: %v %q", err, res.Stdout)
	}
	if k, _ := r.srv.APIKey(imported); inState[1] != k.Secret {
		t.Error("the imported key's secret in state is not the key's: the import did not recover it")
	}
	if res := r.mustTF(ctx, "output", "valid"); strings.Count(res.Stdout, "true") != 2 {
		t.Errorf("the verifications did not both succeed:\n%s", res.Stdout)
	}
	step("plan", "plan")
	step("destroy", "destroy", "-auto-approve")

	secrets := map[string]string{"clerk instance secret key": info.ClerkSecretKey}
	for _, subject := range []string{fx.ClerkUserID, fx.ClerkOrganizationID} {
		for _, k := range r.srv.APIKeys(subject) {
			secrets["API key secret of "+k.ID+" ("+k.Name+")"] = k.Secret
		}
	}
	// The made, the imported, and an ephemeral one per plan and apply.
	if len(secrets) < 5 {
		t.Fatalf("%d secrets to look for: the run made fewer keys than it should", len(secrets))
	}
	if live := r.srv.Stats().APIKeys.Live; live != 0 {
		t.Errorf("%d API keys live after destroy", live)
	}
	var all strings.Builder
	for _, name := range []string{"apply", "plan", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	// The bodies that carry API key secrets were logged, masked: the create
	// answer, the secret read of the import, and the verify request.
	for _, masked := range []string{`"secret":"***"`, "machineauth API request bodies"} {
		if !strings.Contains(all.String(), masked) {
			t.Errorf("the logs hold no %s: the test shows nothing about the bodies that carry API key secrets", masked)
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
	t.Logf("checked %d secrets against %d bytes of trace log and %d runs' output in %s", len(secrets), all.Len(), len(outputs), time.Since(start).Round(time.Millisecond))
}

// makeAPIKey makes a key outside Terraform, as a script would, and returns
// its id.
func (r *run) makeAPIKey(subject, name string) string {
	r.t.Helper()
	info := r.srv.Info()
	body := strings.NewReader(`{"name":"` + name + `","subject":"` + subject + `"}`)
	req, err := http.NewRequest(http.MethodPost, info.ClerkAPIURL+"/api_keys", body)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+info.ClerkSecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var k struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || resp.StatusCode != http.StatusOK || k.ID == "" {
		r.t.Fatalf("making an API key: %d, %v", resp.StatusCode, err)
	}
	return k.ID
}
