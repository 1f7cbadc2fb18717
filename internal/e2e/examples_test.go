package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// requiredProviders is added to an example that does not declare the
// provider's source itself: documentation snippets leave it out, and
// without it Terraform would look for hashicorp/machineauth.
const requiredProviders = `terraform {
  required_providers {
    machineauth = {
      source = "seed-56a0beb6/machineauth"
    }
  }
}
`

// examplesSetup skips unless TF_ACC is set, and returns the repository root
// and the provider build every e2e test shares.
func examplesSetup(t *testing.T) (root, providerDir string) {
	t.Helper()
	requireAcc(t)
	providerDir = providerBuild(t)
	root, err := tfcli.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root, providerDir
}

// copyExample copies the .tf files of one example directory, but those
// named in skip, into a fresh workspace, so that terraform's working files
// never land in examples/.
func copyExample(t *testing.T, src, providerDir string, skip ...string) *tfcli.Workspace {
	t.Helper()
	w, err := tfcli.NewWorkspace(t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	declared := false
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" || slices.Contains(skip, e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || strings.Contains(string(b), "required_providers")
		if err := w.WriteFile(e.Name(), string(b)); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		if err := w.WriteFile("zz_required_providers.tf", requiredProviders); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// exampleDirs lists, relative to examplesRoot, every directory holding a
// .tf file: each is one Terraform module.
func exampleDirs(t *testing.T, examplesRoot string) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(examplesRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Ext(p) == ".tf" {
			rel, err := filepath.Rel(examplesRoot, filepath.Dir(p))
			if err != nil {
				return err
			}
			seen[rel] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// TestExamplesValidate runs `terraform validate` on every example
// directory, with no `terraform init`: the dev override supplies the
// provider, and the examples use nothing but it and Terraform's built-ins.
func TestExamplesValidate(t *testing.T) {
	root, providerDir := examplesSetup(t)
	examplesRoot := filepath.Join(root, "examples")
	dirs := exampleDirs(t, examplesRoot)
	if len(dirs) == 0 {
		t.Fatal("no example directories found under " + examplesRoot)
	}
	major, minor := cliVersion(t)
	atLeast := func(m int) bool { return major > 1 || (major == 1 && minor >= m) }
	var skip []string
	if !atLeast(12) {
		// Import blocks take an identity from Terraform 1.12 on.
		skip = append(skip, "import-by-identity.tf")
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			if strings.HasPrefix(dir, "actions"+string(filepath.Separator)) && !atLeast(14) {
				// internal/provider validates them with Terraform 1.14+.
				t.Skip("action blocks need Terraform 1.14 or later")
			}
			t.Parallel()
			w := copyExample(t, filepath.Join(examplesRoot, dir), providerDir, skip...)
			if _, err := w.Run(context.Background(), "validate", "-no-color"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// cliVersion is the major and minor version of the terraform on PATH.
func cliVersion(t *testing.T) (major, minor int) {
	t.Helper()
	out, err := exec.Command("terraform", "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version -json: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version -json: %v", err)
	}
	_, _ = fmt.Sscanf(v.Version, "%d.%d", &major, &minor)
	return major, minor
}

// TestQuickstartAppliesAndDestroys runs examples/quickstart as `make demo`
// does, against the emulator: it must apply every type it declares (a
// machine, two tokens from its key, an API key, an M2M client whose token
// passes its check, an authorization), report its outputs without a secret
// among them, and leave no credential live after destroy.
func TestQuickstartAppliesAndDestroys(t *testing.T) {
	root, providerDir := examplesSetup(t)
	r, tg, calls := newTargetRun(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture

	w := copyExample(t, filepath.Join(root, "examples", "quickstart"), providerDir)
	files, err := filepath.Glob(filepath.Join(w.Dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFile(filepath.Base(f), prefixedNames(tg, string(b))); err != nil {
			t.Fatal(err)
		}
	}
	w.Env = slices.Concat(r.ws.Env, []string{
		"TF_VAR_organization_id=" + fx.StytchOrganizationID,
		"TF_VAR_member_id=" + fx.StytchMemberID,
		"TF_VAR_connected_app_id=" + fx.StytchConnectedAppID,
		"TF_VAR_connected_app_client_secret=" + fx.StytchConnectedAppClientSecret,
		"TF_VAR_redirect_uri=" + fx.StytchRedirectURI,
	})
	ctx := context.Background()
	applied, err := w.Run(ctx, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatal(err)
	}
	if out := applied.Stdout + applied.Stderr; strings.Contains(out, "Check block assertion failed") || strings.Contains(out, "Warning:") && !strings.Contains(out, "Provider development overrides") {
		t.Errorf("the quickstart's apply warned:\n%s", out)
	}
	res, err := w.Run(ctx, "output", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var outputs map[string]struct {
		Sensitive bool            `json:"sensitive"`
		Value     json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &outputs); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, res.Stdout)
	}
	secrets := append(issuedSecrets(t, w), tg.Env.ClerkSecretKey, fx.ClerkMachineSecretKey, tg.Env.StytchSecret, fx.StytchConnectedAppClientSecret)
	for name, o := range outputs {
		if o.Sensitive {
			t.Errorf("output %s is sensitive: the quickstart must output ids and validity, never secrets", name)
		}
		for _, secret := range secrets {
			if strings.Contains(string(o.Value), secret) {
				t.Errorf("output %s carries a secret", name)
			}
		}
	}
	for name, want := range map[string]string{
		"access_token_valid": "true",
		"m2m_tokens_valid":   `{"billing":true,"reports":true}`,
		"m2m_client_status":  `"active"`,
	} {
		var got bytes.Buffer
		if err := json.Compact(&got, outputs[name].Value); err != nil || got.String() != want {
			t.Errorf("%s = %s, want %s", name, outputs[name].Value, want)
		}
	}
	// What the services hold: the machine Terraform made, its two tokens
	// live, the API key, the M2M client active, the authorization.
	var ids map[string]string
	if err := json.Unmarshal(outputs["m2m_token_ids"].Value, &ids); err != nil {
		t.Fatal(err)
	}
	var machine string
	if err := json.Unmarshal(outputs["machine_id"].Value, &machine); err != nil {
		t.Fatal(err)
	}
	for consumer, id := range ids {
		if tok, ok := tg.M2MToken(t, machine, id); !ok || tok.Revoked || tok.Expired {
			t.Errorf("the %s token %s is not a live token of the quickstart machine: %+v", consumer, id, tok)
		}
	}
	state := stateIn(t, w.Dir)
	apiKeys, clients, tokens := state.instances("machineauth_api_key"), state.instances("machineauth_m2m_client"), state.instances("machineauth_m2m_token")
	if len(apiKeys) != 1 || len(clients) != 1 || len(tokens) != 2 {
		t.Fatalf("state holds %d API keys, %d M2M clients, %d tokens; want 1, 1, 2", len(apiKeys), len(clients), len(tokens))
	}
	apiKeyID, _ := apiKeys[0]["id"].(string)
	clientID, _ := clients[0]["client_id"].(string)
	if k, err := tg.Client.GetAPIKey(ctx, apiKeyID); err != nil || k.Revoked {
		t.Errorf("API key %s after apply: %+v (%v), want live", apiKeyID, k, err)
	}
	if c, err := tg.Client.GetM2MClient(ctx, clientID); err != nil || c.Status != "active" {
		t.Errorf("M2M client %s after apply: %+v (%v), want active", clientID, c, err)
	}
	if active, err := authorized(tg); err != nil || !active {
		t.Errorf("the fixture member's authorization after apply: active %v (%v), want active", active, err)
	}
	if calls.Count("POST", `/v1/public/[^/]+/oauth2/token`, 200) == 0 {
		t.Error("no token was asked of the M2M client")
	}

	if _, err := w.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Client.GetMachine(ctx, machine); err == nil {
		t.Errorf("after destroy: machine %s is still there", machine)
	}
	for _, tok := range tokens {
		secret, _ := tok["token"].(string)
		if got, err := tg.Client.VerifyM2MToken(ctx, tg.Env.ClerkSecretKey, secret); err == nil && !got.Revoked && !got.Expired {
			t.Errorf("after destroy: token %s still verifies", got.ID)
		}
	}
	if k, err := tg.Client.GetAPIKey(ctx, apiKeyID); err != nil || !k.Revoked {
		t.Errorf("API key %s after destroy: %+v (%v), want revoked", apiKeyID, k, err)
	}
	if _, err := tg.Client.GetM2MClient(ctx, clientID); err == nil {
		t.Errorf("after destroy: M2M client %s is still there", clientID)
	}
	if active, err := authorized(tg); err != nil || active {
		t.Errorf("the fixture member's authorization after destroy: active %v (%v), want revoked", active, err)
	}
}

// authorized reports whether the fixture member authorizes the fixture app.
func authorized(tg *acctest.Target) (bool, error) {
	fx := tg.Fixture
	apps, err := tg.Client.MemberConnectedApps(context.Background(), fx.StytchOrganizationID, fx.StytchMemberID)
	if err != nil {
		return false, err
	}
	for _, a := range apps.ConnectedApps {
		if a.ConnectedAppID == fx.StytchConnectedAppID {
			return true, nil
		}
	}
	return false, nil
}

// issuedSecrets reads from the state the secrets the quickstart's resources
// were issued, so the outputs can be checked against them.
func issuedSecrets(t *testing.T, w *tfcli.Workspace) []string {
	t.Helper()
	res, err := w.Run(context.Background(), "show", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &state); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	var secrets []string
	for _, r := range state.Values.RootModule.Resources {
		for _, attr := range []string{"token", "access_token", "refresh_token", "id_token", "secret", "secret_key", "client_secret"} {
			if s, ok := r.Values[attr].(string); ok && s != "" {
				secrets = append(secrets, s)
			}
		}
	}
	if len(secrets) < 6 {
		t.Fatalf("found %d issued secrets in the state, want the machine's key, two M2M tokens, the API key's, the M2M client's and the access token at least", len(secrets))
	}
	return secrets
}
