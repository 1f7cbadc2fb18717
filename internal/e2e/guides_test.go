package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// hclBlock is a fenced terraform or hcl block of a rendered page.
var hclBlock = regexp.MustCompile("(?s)```(?:terraform|hcl)\n(.*?)```")

// exampleFiles maps the trimmed content of every .tf and .tftest.hcl file
// under examples/ to its directory, relative to examples/.
func exampleFiles(t *testing.T, examplesRoot string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(examplesRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") && !strings.HasSuffix(p, ".tftest.hcl") {
			return err
		}
		b, err := os.ReadFile(p) //nolint:gosec // G122: the repository's own examples
		if err != nil {
			return err
		}
		dir := filepath.Dir(p)
		if strings.HasSuffix(p, ".tftest.hcl") && filepath.Base(dir) == "tests" {
			// A test file belongs to the module above it, which
			// terraform validate checks it with.
			dir = filepath.Dir(dir)
		}
		rel, err := filepath.Rel(examplesRoot, dir)
		if err != nil {
			return err
		}
		out[strings.TrimSpace(string(b))] = rel
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// guidesWithoutHCL are the guides that configure nothing, and why.
var guidesWithoutHCL = map[string]string{
	"emulator-assumptions.md": "a table of the emulator's answers where the references are silent",
}

// TestGuidesHCLIsValidated holds every guide under docs/guides to HCL that
// a test validates: each terraform block of a guide must be, word for word,
// a file under examples/ (tfplugindocs' tffile puts it there), and every
// example module a guide draws on passes `terraform validate` here, its
// test files included, as TestExamplesValidate also checks for its .tf
// files. A block typed into a guide's template
// by hand, which nothing would validate, fails this test.
func TestGuidesHCLIsValidated(t *testing.T) {
	root, providerDir := examplesSetup(t)
	examplesRoot := filepath.Join(root, "examples")
	files := exampleFiles(t, examplesRoot)
	guides, err := filepath.Glob(filepath.Join(root, "docs", "guides", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) < 3 {
		t.Fatalf("found %d guides under docs/guides, want at least 3: run make docs", len(guides))
	}
	dirs := map[string]bool{}
	for _, g := range guides {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		blocks := hclBlock.FindAllStringSubmatch(string(b), -1)
		if _, reference := guidesWithoutHCL[filepath.Base(g)]; len(blocks) == 0 && !reference {
			t.Errorf("%s has no terraform block", filepath.Base(g))
		}
		for i, m := range blocks {
			dir, ok := files[strings.TrimSpace(m[1])]
			if !ok {
				t.Errorf("%s: terraform block %d is not a file under examples/, so no test validates it; put it in one and render it with tffile:\n%s",
					filepath.Base(g), i+1, m[1])
				continue
			}
			dirs[dir] = true
		}
	}
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, dir := range sorted {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			// The module with its test files, which terraform validate
			// checks too.
			w, err := tfcli.NewWorkspace(t.TempDir(), providerDir)
			if err != nil {
				t.Fatal(err)
			}
			copyModule(t, filepath.Join(examplesRoot, dir), w.Dir)
			if _, err := w.Run(context.Background(), "validate", "-no-color"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// guideFile reads a file of examples/guides/switching-providers.
func guideFile(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "examples", "guides", "switching-providers", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceAll replaces old with new in s, failing the test when old is not
// there: the guide changed, and the test must follow it.
func replaceAll(t *testing.T, s, old, replacement string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the switching guide no longer holds %q: update this test with it", old)
	}
	return strings.ReplaceAll(s, old, replacement)
}

// communityStandIns is the state the switching guide starts from, made by
// this provider's resources: the community providers cannot be installed
// offline. Each stands in, under the name community_<name>, for the
// community resource the guide's removed blocks name, with the arguments
// the guide's resources.tf gives it, as a configuration switching over
// would have had them. The scope stands in for scoped_machines, which
// vanillauys/clerk keeps inside clerk_machine.
const communityStandIns = `
resource "machineauth_machine" "community_billing" {
  name              = "billing-service"
  default_token_ttl = 3600
}

resource "machineauth_machine" "community_invoices" {
  name = "invoices-service"
}

resource "machineauth_machine_scope" "community_billing_to_invoices" {
  machine_id        = machineauth_machine.community_billing.id
  scoped_machine_id = machineauth_machine.community_invoices.id
}

resource "machineauth_api_key" "community_billing" {
  name                     = "billing-backend"
  subject                  = machineauth_machine.community_billing.id
  description              = "Used by the billing backend"
  scopes                   = ["invoices:read"]
  seconds_until_expiration = 90 * 24 * 3600
}

resource "machineauth_connected_app" "community_reports_agent" {
  client_type                 = "third_party"
  client_name                 = "Reports agent"
  redirect_urls               = ["https://agent.example.com/oauth/callback"]
  access_token_expiry_minutes = 30
}
`

// TestSwitchingGuide runs the switching guide's blocks, as
// examples/guides/switching-providers holds them and the guide renders
// them, against a state made by this provider's own resources standing in
// for the community ones. The only changes to the guide's files: each
// removed block's from names the stand-in (clerk_machine.billing becomes
// machineauth_machine.community_billing), each import id is the stand-in's
// real id, and the stand-in scope, a resource of its own here, gets a
// removed block too. It checks that the apply destroys, revokes and creates
// nothing, that every object keeps its id under its new address, that the
// secrets import can recover (the machine's key, the API key's) come back
// and still work, that the one it cannot (the connected app's) stays null
// while the old secret keeps working, that the plan is empty once switch.tf
// is deleted, and that the rotation the guide prescribes then gives
// Terraform a secret of its own.
func TestSwitchingGuide(t *testing.T) {
	r := newRun(t, emulator.Options{})
	t.Parallel()
	root, _ := examplesSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	main := guideFile(t, root, "main.tf")
	r.write("main.tf", main)
	r.write("community.tf", communityStandIns)
	r.mustTF(ctx, "apply", "-auto-approve")
	before := map[string]map[string]any{}
	for _, typ := range []string{"machineauth_machine", "machineauth_machine_scope", "machineauth_api_key", "machineauth_connected_app"} {
		for _, a := range r.instances(typ) {
			before[typ+"/"+a["id"].(string)] = a
		}
	}
	ids := func(typ, name string) string {
		for _, res := range stateResources(t, r) {
			if res.typ == typ && res.name == name {
				return res.attrs["id"].(string)
			}
		}
		t.Fatalf("no %s.%s in state", typ, name)
		return ""
	}
	billing, invoices := ids("machineauth_machine", "community_billing"), ids("machineauth_machine", "community_invoices")
	apiKey, app := ids("machineauth_api_key", "community_billing"), ids("machineauth_connected_app", "community_reports_agent")
	oldAppSecret := attr(t, r, "machineauth_connected_app", "community_reports_agent", "client_secret")
	startStats := r.srv.Stats()

	// The switch: the guide's resources and switch.tf, the community
	// resources' blocks gone, as the guide's step 3 says.
	switchTF := guideFile(t, root, "switch.tf")
	for typ, ours := range map[string]string{"clerk_machine": "machineauth_machine", "clerk_api_key": "machineauth_api_key", "stytch_connected_app": "machineauth_connected_app"} {
		switchTF = replaceAll(t, switchTF, "from = "+typ+".", "from = "+ours+".community_")
	}
	for placeholder, id := range map[string]string{
		"mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk":                         billing,
		"mch_3yiGkFJ6Y3rXSwuW24CaTk9I7El":                         invoices,
		"ak_0123456789abcdef0123456789abcdef":                     apiKey,
		"connected-app-test-d731954d-dab3-4a2b-bdee-07f3ad1be885": app,
	} {
		switchTF = replaceAll(t, switchTF, placeholder, id)
	}
	switchTF += `
removed {
  from = machineauth_machine_scope.community_billing_to_invoices
  lifecycle {
    destroy = false
  }
}
`
	resources := guideFile(t, root, "resources.tf")
	if err := os.Remove(filepath.Join(r.ws.Dir, "community.tf")); err != nil {
		t.Fatal(err)
	}
	r.write("resources.tf", resources)
	r.write("switch.tf", switchTF)
	plan := r.mustTF(ctx, "plan")
	for _, line := range strings.Split(plan.Stdout, "\n") {
		if strings.HasPrefix(line, "Plan:") {
			t.Logf("the switching plan: %s", line)
		}
	}
	for _, want := range []string{"5 to import, 0 to add", "0 to destroy", "will no longer be managed by Terraform"} {
		if !strings.Contains(plan.Stdout, want) {
			t.Errorf("the switching plan does not say %q:\n%s", want, plan.Stdout)
		}
	}
	r.mustTF(ctx, "apply", "-auto-approve")

	after := r.srv.Stats()
	for _, call := range [][2]string{
		{"DELETE", "/clerk/v1/machines/{machine_id}"},
		{"DELETE", "/clerk/v1/machines/{machine_id}/scopes/{other_machine_id}"},
		{"POST", "/clerk/v1/machines"},
		{"POST", "/clerk/v1/machines/{machine_id}/scopes"},
		{"POST", "/clerk/v1/machines/{machine_id}/secret_key/rotate"},
		{"POST", "/clerk/v1/api_keys"},
		{"POST", "/clerk/v1/api_keys/{api_key_id}/revoke"},
		{"DELETE", "/clerk/v1/api_keys/{api_key_id}"},
		{"POST", "/v1/connected_apps/clients"},
		{"DELETE", "/v1/connected_apps/clients/{client_id}"},
		{"POST", "/v1/connected_apps/clients/{client_id}/secrets/rotate/start"},
		// The arguments the services do not report are recorded without
		// a request, as the guide says.
		{"PATCH", "/clerk/v1/machines/{machine_id}"},
		{"PATCH", "/clerk/v1/api_keys/{api_key_id}"},
		{"PUT", "/v1/connected_apps/clients/{client_id}"},
	} {
		if n := after.Calls(call[0], call[1]) - startStats.Calls(call[0], call[1]); n != 0 {
			t.Errorf("the switch made %d %s %s call(s): it must create, change, rotate, revoke and delete nothing", n, call[0], call[1])
		}
	}
	// The import read what it recovers: the positive side of the counts
	// above, which also shows their route names are the emulator's.
	for _, call := range [][2]string{
		{"GET", "/clerk/v1/machines/{machine_id}/secret_key"},
		{"GET", "/clerk/v1/api_keys/{api_key_id}/secret"},
	} {
		if after.Calls(call[0], call[1]) == startStats.Calls(call[0], call[1]) {
			t.Errorf("the switch made no %s %s call: the import did not read the secret back", call[0], call[1])
		}
	}
	for _, res := range stateResources(t, r) {
		if strings.HasPrefix(res.name, "community_") {
			t.Errorf("%s.%s is still in state after the switch", res.typ, res.name)
		}
	}
	for typ, want := range map[string]int{"machineauth_machine": 2, "machineauth_machine_scope": 1, "machineauth_api_key": 1, "machineauth_connected_app": 1} {
		got := r.instances(typ)
		if len(got) != want {
			t.Errorf("%d %s in state after the switch, want %d", len(got), typ, want)
		}
		for _, a := range got {
			old, ok := before[typ+"/"+a["id"].(string)]
			if !ok {
				t.Errorf("%s %s after the switch is not an object the community state held", typ, a["id"])
				continue
			}
			// What import can recover comes back, the same value.
			for _, secret := range []string{"secret_key", "secret"} {
				if v, ok := old[secret]; ok && a[secret] != v {
					t.Errorf("%s %s: %s after the switch is not the one it had", typ, a["id"], secret)
				}
			}
		}
	}
	if m, ok := r.srv.Machine(billing); !ok || m.SecretKey != attr(t, r, "machineauth_machine", "billing", "secret_key") {
		t.Error("the billing machine's imported key is not its current key")
	}
	if k, ok := r.srv.APIKey(apiKey); !ok || k.Revoked || k.Secret != attr(t, r, "machineauth_api_key", "billing", "secret") {
		t.Error("the imported API key is revoked, or its secret is not the one Clerk holds")
	}
	// What import cannot recover: the connected app's secret, null here,
	// still working at Stytch.
	if got := r.instances("machineauth_connected_app")[0]["client_secret"]; got != nil {
		t.Errorf("the imported connected app's client_secret is %v, want null: Stytch never shows it again", got)
	}
	if !r.srv.ConnectedAppSecretWorks(app, oldAppSecret) {
		t.Error("the connected app's secret stopped working across the switch")
	}

	// Step 5: switch.tf deleted, nothing left to do.
	if err := os.Remove(filepath.Join(r.ws.Dir, "switch.tf")); err != nil {
		t.Fatal(err)
	}
	if res, _, err := r.tf(ctx, "plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after the switch is not empty: %v", err)
	} else if !strings.Contains(res.Stdout, "No changes") {
		t.Fatalf("the plan after the switch is not empty:\n%s", res.Stdout)
	}

	// Step 6: a rotation gives Terraform a secret of its own, while the
	// old one keeps working through the overlap.
	r.write("resources.tf", replaceAll(t, resources, `secret_rotation_triggers = { generation = "1" }`, `secret_rotation_triggers = { generation = "2" }`))
	r.mustTF(ctx, "apply", "-auto-approve")
	next, _ := r.instances("machineauth_connected_app")[0]["next_client_secret"].(string)
	if next == "" || !r.srv.ConnectedAppSecretWorks(app, next) || !r.srv.ConnectedAppSecretWorks(app, oldAppSecret) {
		t.Error("the rotation after the switch did not give a next secret that works beside the old one")
	}
	r.mustTF(ctx, "destroy", "-auto-approve")
}

// stateResource is one managed instance of the workspace's state.
type stateResource struct {
	typ, name string
	attrs     map[string]any
}

func stateResources(t *testing.T, r *run) []stateResource {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.ws.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var out []stateResource
	for _, res := range st.Resources {
		if res.Mode != "managed" {
			continue
		}
		for _, in := range res.Instances {
			out = append(out, stateResource{typ: res.Type, name: res.Name, attrs: in.Attributes})
		}
	}
	return out
}

// attr is one string attribute of typ.name in the workspace's state.
func attr(t *testing.T, r *run, typ, name, key string) string {
	t.Helper()
	for _, res := range stateResources(t, r) {
		if res.typ == typ && res.name == name {
			v, _ := res.attrs[key].(string)
			return v
		}
	}
	t.Fatalf("no %s.%s in state", typ, name)
	return ""
}

// copyInto writes the .tf files of an example directory into the run's
// workspace.
func (r *run) copyInto(root, dir string) {
	r.t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "examples", dir))
	if err != nil {
		r.t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".tf" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, "examples", dir, e.Name()))
		if err != nil {
			r.t.Fatal(err)
		}
		r.write(e.Name(), string(b))
	}
}

// TestRotationGuide applies the rotation guide's configuration and bumps
// its one value, as the guide tells: every secret must get a successor
// while the old one still works (the machine's previous key through its
// overlap, both secrets of each Stytch client), the token and the API key
// are replaced by new ones with the old ones revoked, and, once the
// emulator's clock is past the overlaps, the next apply completes the
// Stytch rotations, after which only the new secrets work and the plan is
// empty.
func TestRotationGuide(t *testing.T) {
	r := newRun(t, emulator.Options{})
	t.Parallel()
	root, _ := examplesSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r.copyInto(root, filepath.Join("guides", "rotating-secrets"))
	r.mustTF(ctx, "apply", "-auto-approve")

	one := func(typ, key string) string {
		got := r.instances(typ)
		if len(got) != 1 {
			t.Fatalf("%d %s in state, want 1", len(got), typ)
		}
		v, _ := got[0][key].(string)
		return v
	}
	machine, oldKey := one("machineauth_machine", "id"), one("machineauth_machine", "secret_key")
	oldToken, oldAPIKey := one("machineauth_m2m_token", "id"), one("machineauth_api_key", "id")
	client, oldClientSecret := one("machineauth_m2m_client", "client_id"), one("machineauth_m2m_client", "client_secret")
	app, oldAppSecret := one("machineauth_connected_app", "client_id"), one("machineauth_connected_app", "client_secret")

	r.mustTF(ctx, "apply", "-auto-approve", "-var", "rotation=2026-q2")
	if one("machineauth_machine", "id") != machine {
		t.Fatal("the rotation replaced the machine")
	}
	newKey := one("machineauth_machine", "secret_key")
	if m, _ := r.srv.Machine(machine); newKey == oldKey || m.SecretKey != newKey || !contains(m.PreviousKeys, oldKey) {
		t.Errorf("the machine's key: a new one, with the old one still working through its overlap, is not what Clerk holds")
	}
	newToken, newAPIKey := one("machineauth_m2m_token", "id"), one("machineauth_api_key", "id")
	if tok, _ := r.srv.M2MToken(oldToken); newToken == oldToken || !tok.Revoked {
		t.Errorf("the token was not replaced, or the old one is not revoked")
	}
	if tok, _ := r.srv.M2MToken(newToken); tok.Revoked {
		t.Error("the new token is revoked")
	}
	if old, _ := r.srv.APIKey(oldAPIKey); newAPIKey == oldAPIKey || !old.Revoked {
		t.Errorf("the API key was not replaced, or the old one is not revoked")
	}
	nextClient, nextApp := one("machineauth_m2m_client", "next_client_secret"), one("machineauth_connected_app", "next_client_secret")
	if nextClient == "" || !r.srv.M2MClientSecretWorks(client, nextClient) || !r.srv.M2MClientSecretWorks(client, oldClientSecret) {
		t.Error("the M2M client's rotation did not start with both secrets working")
	}
	if nextApp == "" || !r.srv.ConnectedAppSecretWorks(app, nextApp) || !r.srv.ConnectedAppSecretWorks(app, oldAppSecret) {
		t.Error("the connected app's rotation did not start with both secrets working")
	}

	// Past the overlaps, by the services' clock: the next apply completes
	// the Stytch rotations.
	r.srv.Advance(24*time.Hour + time.Minute)
	r.mustTF(ctx, "apply", "-auto-approve", "-var", "rotation=2026-q2")
	if one("machineauth_m2m_client", "client_secret") != nextClient || r.srv.M2MClientSecretWorks(client, oldClientSecret) || !r.srv.M2MClientSecretWorks(client, nextClient) {
		t.Error("the M2M client's rotation did not complete: the next secret is not the only one")
	}
	if one("machineauth_connected_app", "client_secret") != nextApp || r.srv.ConnectedAppSecretWorks(app, oldAppSecret) || !r.srv.ConnectedAppSecretWorks(app, nextApp) {
		t.Error("the connected app's rotation did not complete: the next secret is not the only one")
	}
	if m, _ := r.srv.Machine(machine); contains(m.PreviousKeys, oldKey) {
		t.Error("the machine's old key still works after its 8-hour overlap")
	}
	if _, _, err := r.tf(ctx, "plan", "-detailed-exitcode", "-var", "rotation=2026-q2"); err != nil {
		t.Errorf("the plan after the rotation is not empty: %v", err)
	}
	r.mustTF(ctx, "destroy", "-auto-approve", "-var", "rotation=2026-q2")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
