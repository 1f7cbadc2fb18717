package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so
// tests and the emulator they start share one process and one clock.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"machineauth": providerserver.NewProtocol6WithError(New("test")()),
}

// startEmulator gives an emulator-only test its own emulator, with its Go
// API, stopped when the test ends, so acceptance tests run in parallel
// without seeing each other's credentials. Only the tests recorded in
// internal/acctest/emulator_only.go may call it (see acctest.StartEmulator);
// the others use their target (newTarget).
func startEmulator(t *testing.T, opts emulator.Options) *emulator.Server {
	t.Helper()
	return acctest.StartEmulator(t, opts)
}

// providerConfig is a provider block pointing at the emulator with every
// credential set, and retries kept short so fault tests stay fast.
func providerConfig(srv *emulator.Server) string {
	info := srv.Info()
	return providerHCL(info.ClerkAPIURL, info.ClerkSecretKey, info.Fixture.ClerkMachineSecretKey, info.StytchBaseURL, info.StytchProjectID, info.StytchSecret)
}

// providerHCL is the provider block of providerConfig and of a target's
// providerConfig; an empty URL is left out, for the service's own.
func providerHCL(clerkAPIURL, clerkSecretKey, machineSecretKey, stytchBaseURL, stytchProjectID, stytchSecret string) string {
	apiURL, baseURL := "", ""
	if clerkAPIURL != "" {
		apiURL = fmt.Sprintf("\n    api_url            = %q", clerkAPIURL)
	}
	if stytchBaseURL != "" {
		baseURL = fmt.Sprintf("\n    base_url   = %q", stytchBaseURL)
	}
	return fmt.Sprintf(`
provider "machineauth" {
  max_retry_wait = "50ms"
  clerk {%s
    secret_key         = %q
    machine_secret_key = %q
  }
  stytch {%s
    project_id = %q
    secret     = %q
  }
}
`, apiURL, clerkSecretKey, machineSecretKey, baseURL, stytchProjectID, stytchSecret)
}

// warningRecorder wraps the provider server to keep every warning it
// returns: terraform-plugin-testing shows a test no warning, and "removed
// from state with a warning naming the token" is behaviour to assert.
type warningRecorder struct {
	tfprotov6.ProviderServer
	mu       sync.Mutex
	warnings []string
}

// recordingFactories is testAccProtoV6ProviderFactories with every warning
// of the machineauth provider kept in rec.
func recordingFactories(rec *warningRecorder) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": func() (tfprotov6.ProviderServer, error) {
			s, err := testAccProtoV6ProviderFactories["machineauth"]()
			rec.mu.Lock()
			rec.ProviderServer = s
			rec.mu.Unlock()
			return rec, err
		},
	}
}

func (w *warningRecorder) keep(diags []*tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			w.warnings = append(w.warnings, d.Summary+": "+d.Detail)
		}
	}
}

// has reports whether some warning contains every one of parts.
func (w *warningRecorder) has(parts ...string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, warning := range w.warnings {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(warning, p)
		}
		if all {
			return true
		}
	}
	return false
}

func (w *warningRecorder) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.warnings, "\n")
}

func (w *warningRecorder) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := w.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		w.keep(resp.Diagnostics)
	}
	return resp, err
}

func (w *warningRecorder) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := w.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		w.keep(resp.Diagnostics)
	}
	return resp, err
}

func (w *warningRecorder) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := w.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		w.keep(resp.Diagnostics)
	}
	return resp, err
}

func (w *warningRecorder) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	resp, err := w.ProviderServer.CloseEphemeralResource(ctx, req)
	if resp != nil {
		w.keep(resp.Diagnostics)
	}
	return resp, err
}

// expectWarning fails unless a warning containing every one of parts was
// returned by the provider so far.
func expectWarning(rec *warningRecorder, parts ...*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := make([]string, len(parts))
		for i, p := range parts {
			want[i] = *p
		}
		if !rec.has(want...) {
			return fmt.Errorf("no warning contains %q; warnings:\n%s", want, rec.all())
		}
		return nil
	}
}

// providerConfigWithout is providerConfig less the named attributes, e.g.
// "secret_key" for a provider that has only machine keys.
func providerConfigWithout(srv *emulator.Server, attrs ...string) string {
	return editProviderConfig(providerConfig(srv), func(attr string) (string, bool) { return "", !slices.Contains(attrs, attr) })
}

// providerConfigWith is providerConfig with one attribute set to value.
func providerConfigWith(srv *emulator.Server, attr, value string) string {
	return editProviderConfig(providerConfig(srv), func(a string) (string, bool) {
		if a == attr {
			return fmt.Sprintf("%s = %q", attr, value), true
		}
		return "", true
	})
}

// editProviderConfig rewrites providerConfig line by line: edit gets each
// attribute's name and returns a replacement line ("" keeps it) and
// whether to keep the line at all. Every attribute name in providerConfig
// is unique across its blocks, so a name says which line.
func editProviderConfig(config string, edit func(attr string) (string, bool)) string {
	var kept []string
	for _, line := range strings.Split(config, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "=" {
			repl, keep := edit(f[0])
			if !keep {
				continue
			}
			if repl != "" {
				line = repl
			}
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// tokenResource is the smallest machineauth_m2m_token: Terraform configures
// a provider only for a configuration that uses it.
const tokenResource = `
resource "machineauth_m2m_token" "t" {}
`

// expectNoCalls fails the test if any request went through the counting
// proxy.
func expectNoCalls(t *testing.T, calls *acctest.Counter) {
	t.Helper()
	if n := calls.Total(); n != 0 {
		t.Fatalf("%d requests reached the services; want none", n)
	}
}

// TestAccProvider_environmentOnly configures the provider from the
// environment alone: an empty provider block. Not parallel: it sets
// process-wide environment variables.
func TestAccProvider_environmentOnly(t *testing.T) {
	tg := newSerialTarget(t)
	for _, kv := range tg.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{{
			Config: `provider "machineauth" {}` + tokenResource,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("machineauth_m2m_token.t", tfjsonpath.New("subject"), knownvalue.StringExact(tg.Fixture.ClerkMachineID)),
			},
		}},
	})
}

// Environment values get the same checks as configured ones, at
// configure time. Not parallel: it sets an environment variable.
func TestAccProvider_badURLFromEnvironment(t *testing.T) {
	tg := newSerialTarget(t)
	provider, calls := tg.countingConfig()
	t.Setenv("CLERK_API_URL", "http://api.clerk.example/v1")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      editProviderConfig(provider, func(attr string) (string, bool) { return "", attr != "api_url" }) + tokenResource,
			ExpectError: diagMatching(`clerk.api_url (from CLERK_API_URL): "http://api.clerk.example/v1" uses http to a host that is not loopback`),
		}},
	})
	expectNoCalls(t, calls)
}

// Without any machine key a token cannot be issued: the plan says which
// attribute or variable to set, before any request. A provider without one
// is still fine for tokens that bring their own. Not parallel: it clears
// an environment variable.
func TestAccProvider_missingMachineKey(t *testing.T) {
	tg := newSerialTarget(t)
	counting, calls := tg.countingConfig()
	t.Setenv("CLERK_MACHINE_SECRET_KEY", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      editProviderConfig(counting, func(attr string) (string, bool) { return "", attr != "machine_secret_key" }) + tokenResource,
			ExpectError: diagMatching("Missing clerk.machine_secret_key", "machine_secret_key_wo (with machine_id) on this resource", "CLERK_MACHINE_SECRET_KEY"),
		}},
	})
	expectNoCalls(t, calls)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{{
			Config: tg.providerConfigWithout("machine_secret_key") + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_secret_key = %q
}
`, tg.Fixture.ClerkMachineSecretKey),
		}},
	})
}

// diagMatching matches output that holds each fragment in order, however
// terraform wrapped its lines.
func diagMatching(fragments ...string) *regexp.Regexp {
	parts := make([]string, len(fragments))
	for i, f := range fragments {
		words := strings.Fields(f)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}

// TestDescriptionsNameEveryResource holds the three places a newcomer
// reads first to every resource the provider registers: the provider's
// schema description, the package doc and the docs index (its front
// matter and opening). A new type fails here until each names it.
func TestDescriptionsNameEveryResource(t *testing.T) {
	t.Parallel()
	// Each resource in the service's own words, as the texts name it.
	words := map[string]string{
		"machineauth_machine":                     "machines",
		"machineauth_machine_scope":               "scopes",
		"machineauth_m2m_token":                   "M2M tokens",
		"machineauth_api_key":                     "API keys",
		"machineauth_oauth_application":           "OAuth applications",
		"machineauth_connected_app":               "connected apps",
		"machineauth_m2m_client":                  "M2M clients",
		"machineauth_connected_app_authorization": "connected-app authorizations",
	}
	var schemaResp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &schemaResp)
	source, err := os.ReadFile("provider.go")
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile("../../templates/index.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	packageDoc, _, _ := strings.Cut(string(source), "package provider")
	opening, _, _ := strings.Cut(string(index), "## Example Usage")
	texts := map[string]string{
		"the provider's schema description":                schemaResp.Schema.MarkdownDescription,
		"the package doc (provider.go)":                    packageDoc,
		"the docs index (templates/index.md.tmpl) opening": opening,
	}
	p := New("test")().(*machineauthProvider)
	for _, newResource := range p.Resources(context.Background()) {
		var md fwresource.MetadataResponse
		newResource().Metadata(context.Background(), fwresource.MetadataRequest{ProviderTypeName: "machineauth"}, &md)
		phrase, ok := words[md.TypeName]
		if !ok {
			t.Errorf("%s is registered but this test does not know how the descriptions name it: add it to words", md.TypeName)
			continue
		}
		for where, text := range texts {
			if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(text, "//", "")), " "), phrase) {
				t.Errorf("%s does not name %s (%q)", where, md.TypeName, phrase)
			}
		}
	}
}
