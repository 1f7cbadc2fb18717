package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// secretConfig uses every secret the provider handles: keys from the
// environment and the configuration, a machine key on a resource, client
// secrets both stored and write-only, member session credentials, the
// tokens it issues, and tokens it verifies.
const secretConfig = `
variable "stytch_secret" {
  type      = string
  sensitive = true
}
variable "machine_key" {
  type      = string
  sensitive = true
}
variable "organization_id" { type = string }
variable "member_id" { type = string }
variable "apps" {
  type      = list(object({ id = string, secret = string }))
  sensitive = true
}
variable "redirect_uri" { type = string }
variable "session_token" {
  type      = string
  sensitive = true
}
variable "session_jwt" {
  type      = string
  sensitive = true
}

resource "machineauth_m2m_token" "opaque" {
  claims = jsonencode({ suite = "e2e-secrets" })
}

resource "machineauth_m2m_token" "jwt" {
  token_format             = "jwt"
  seconds_until_expiration = 600
}

resource "machineauth_m2m_token" "own_key" {
  machine_secret_key = var.machine_key
}

resource "machineauth_connected_app_authorization" "wo" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = nonsensitive(var.apps[0].id)
  redirect_uri     = var.redirect_uri
  scopes           = ["openid", "offline_access", "read:reports"]
  client_secret_wo = var.apps[0].secret
  session_jwt      = var.session_jwt
}

resource "machineauth_connected_app_authorization" "stored" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = nonsensitive(var.apps[1].id)
  redirect_uri     = var.redirect_uri
  scopes           = ["openid", "offline_access", "read:reports"]
  client_secret    = var.apps[1].secret
  session_token    = var.session_token
}

data "machineauth_token_verification" "opaque" {
  token = machineauth_m2m_token.opaque.token
}

data "machineauth_token_verification" "jwt" {
  token = machineauth_m2m_token.jwt.token
}

data "machineauth_token_verification" "access" {
  token         = machineauth_connected_app_authorization.stored.access_token
  client_id     = nonsensitive(var.apps[1].id)
  client_secret = var.apps[1].secret
}

output "valid" {
  value = [
    data.machineauth_token_verification.opaque.valid,
    data.machineauth_token_verification.jwt.valid,
    data.machineauth_token_verification.access.valid,
  ]
}

output "tokens" {
  value     = [machineauth_m2m_token.opaque.token, machineauth_m2m_token.jwt.token, machineauth_m2m_token.own_key.token]
  sensitive = true
}
`

// TestSecretHygiene applies, plans and destroys with TF_LOG=TRACE into a
// file and checks that no secret reaches that log or terraform's output.
// The secrets come from the emulator (the credentials it issued) and from
// the state and a sensitive output (the tokens the provider issued), which
// legitimately hold them.
func TestSecretHygiene(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	fx := info.Fixture

	secrets := map[string]string{
		"clerk instance secret key": info.ClerkSecretKey,
		"clerk machine secret key":  fx.ClerkMachineSecretKey,
		"stytch project secret":     info.StytchSecret,
		"fixture app client secret": fx.StytchConnectedAppClientSecret,
	}
	_, ownKey, err := r.srv.CreateMachine("e2e-secrets-machine", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	secrets["resource machine_secret_key"] = ownKey
	type app struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	var apps []app
	for i := range 2 {
		id, secret, err := r.srv.CreateConnectedApp("third_party", fmt.Sprintf("secrets-app-%d", i), []string{fx.StytchRedirectURI}, []string{"read:reports"})
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app{id, secret})
		secrets[fmt.Sprintf("app %d client secret", i)] = secret
	}
	sessionToken, _, err := r.srv.CreateMemberSession(fx.StytchOrganizationID, fx.StytchMemberID)
	if err != nil {
		t.Fatal(err)
	}
	_, sessionJWT, err := r.srv.CreateMemberSession(fx.StytchOrganizationID, fx.StytchMemberID)
	if err != nil {
		t.Fatal(err)
	}
	secrets["member session token"], secrets["member session JWT"] = sessionToken, sessionJWT

	// The Stytch secret comes from the configuration here, not the
	// environment: both paths must keep it out of the logs.
	r.ws.Env = append(r.ws.Env, "STYTCH_SECRET=")
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`, `stytch { secret = var.stytch_secret }`)+secretConfig)
	r.writeJSON("terraform.tfvars.json", map[string]any{
		"stytch_secret":   info.StytchSecret,
		"machine_key":     ownKey,
		"organization_id": fx.StytchOrganizationID,
		"member_id":       fx.StytchMemberID,
		"apps":            apps,
		"redirect_uri":    fx.StytchRedirectURI,
		"session_token":   sessionToken,
		"session_jwt":     sessionJWT,
	})

	logs := t.TempDir()
	traced := func(name string) {
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
	}
	var outputs []string
	keep := func(res string) { outputs = append(outputs, res) }

	traced("apply")
	res := r.mustTF(ctx, "apply", "-auto-approve")
	keep(res.Stdout + res.Stderr)

	// What the provider issued, from where it legitimately is: the state
	// and a sensitive output.
	for _, a := range r.instances("machineauth_m2m_token") {
		secrets["m2m token "+a["id"].(string)] = a["token"].(string)
	}
	for _, a := range r.instances("machineauth_connected_app_authorization") {
		for _, attr := range []string{"access_token", "refresh_token", "id_token"} {
			v, _ := a[attr].(string)
			if v == "" {
				t.Fatalf("authorization %v has no %s: the test would check nothing", a["id"], attr)
			}
			secrets[fmt.Sprintf("%s of %v", attr, a["id"])] = v
		}
	}
	out, _, err := r.tf(ctx, "output", "-json", "tokens")
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	if err := json.Unmarshal([]byte(out.Stdout), &tokens); err != nil || len(tokens) != 3 {
		t.Fatalf("output tokens: %v %q", err, out.Stdout)
	}
	for i, tok := range tokens {
		if tok == "" {
			t.Fatalf("token %d is empty in the output", i)
		}
	}
	res = r.mustTF(ctx, "output", "valid")
	if strings.Count(res.Stdout, "true") != 3 {
		t.Errorf("the verifications did not all succeed:\n%s", res.Stdout)
	}

	traced("plan")
	res, _, err = r.tf(ctx, "plan", "-detailed-exitcode")
	keep(res.Stdout + res.Stderr)
	if code := exitCode(err); code != 0 {
		t.Errorf("plan after apply exited %d, want 0 (no changes):\n%s%s", code, res.Stdout, res.Stderr)
	}

	traced("destroy")
	res = r.mustTF(ctx, "destroy", "-auto-approve")
	keep(res.Stdout + res.Stderr)
	if st := r.srv.Stats(); st.M2MTokens.Live != 0 || st.Authorizations.Active != 0 {
		t.Errorf("after destroy: %+v live tokens, %+v authorizations", st.M2MTokens, st.Authorizations)
	}

	// The log must be the real thing: trace level, with the provider's
	// request bodies in it, masked.
	var all strings.Builder
	for _, name := range []string{"apply", "plan", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "machineauth API request bodies") {
			t.Errorf("the %s log has no request bodies: TF_LOG=TRACE did not reach the provider", name)
		}
		t.Logf("%s log: %d bytes, %d masked values", name, len(b), strings.Count(string(b), "***"))
		all.Write(b)
	}
	for _, masked := range []string{`"token":"***"`, `"access_token":"***"`, `"refresh_token":"***"`, `"id_token":"***"`, `client_secret=***`} {
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
	t.Logf("checked %d secrets against %d bytes of trace log and %d runs' output in %s", len(secrets), all.Len(), len(outputs), time.Since(start).Round(time.Millisecond))
}

// TestSecretsInErrorBodiesAreMasked puts a proxy between the provider and
// the emulator that answers with errors echoing the secrets each request
// carried, in Clerk's, Stytch's and OAuth's error shapes and as an HTML
// page. The diagnostics must still say what failed, and no secret may
// reach them, terraform's output or the TF_LOG file.
func TestSecretsInErrorBodiesAreMasked(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	fx := info.Fixture
	appID, appSecret, err := r.srv.CreateConnectedApp("third_party", "echo-app", []string{fx.StytchRedirectURI}, []string{"read:reports"})
	if err != nil {
		t.Fatal(err)
	}
	p := newEchoingProxy(t, r.srv.URL(), appID)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	r.ws.Env = append(r.ws.Env, "CLERK_API_URL="+p.url+"/clerk/v1", "STYTCH_BASE_URL="+p.url, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	verified := "mt_" + strings.Repeat("5eC2e7", 8)
	secrets := map[string]string{
		"clerk instance secret key":  info.ClerkSecretKey,
		"clerk machine secret key":   fx.ClerkMachineSecretKey,
		"stytch project secret":      info.StytchSecret,
		"fixture app client secret":  fx.StytchConnectedAppClientSecret,
		"echo app client secret":     appSecret,
		"token given to be verified": verified,
	}
	r.writeJSON("terraform.tfvars.json", map[string]any{
		"organization_id": fx.StytchOrganizationID,
		"member_id":       fx.StytchMemberID,
		"fixture_app":     fx.StytchConnectedAppID,
		"fixture_secret":  fx.StytchConnectedAppClientSecret,
		"echo_app":        appID,
		"echo_secret":     appSecret,
		"redirect_uri":    fx.StytchRedirectURI,
		"verified":        verified,
	})
	vars := `
variable "organization_id" { type = string }
variable "member_id" { type = string }
variable "fixture_app" { type = string }
variable "echo_app" { type = string }
variable "redirect_uri" { type = string }
variable "fixture_secret" {
  type      = string
  sensitive = true
}
variable "echo_secret" {
  type      = string
  sensitive = true
}
variable "verified" {
  type      = string
  sensitive = true
}
`
	var output strings.Builder
	// The resources first: the data source's error would stop the plan.
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+vars+`
resource "machineauth_m2m_token" "echo" {
  claims = jsonencode({ echo = true })
}

resource "machineauth_connected_app_authorization" "exchange" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.fixture_app
  redirect_uri     = var.redirect_uri
  scopes           = ["openid", "read:reports"]
  client_secret_wo = var.fixture_secret
}

resource "machineauth_connected_app_authorization" "authorize" {
  organization_id  = var.organization_id
  member_id        = var.member_id
  connected_app_id = var.echo_app
  redirect_uri     = var.redirect_uri
  scopes           = ["openid", "read:reports"]
  client_secret    = var.echo_secret
}
`)
	res, _, err := r.tf(ctx, "apply", "-auto-approve")
	if err == nil {
		t.Fatalf("apply succeeded through a proxy that refuses everything:\n%s", res.Stdout)
	}
	output.WriteString(res.Stdout + res.Stderr)
	for _, want := range []string{"Unable to create the M2M token", "Unable to authorize connected app " + fx.StytchConnectedAppID, "Unable to authorize connected app " + appID, "form_param_invalid", "invalid_grant", "invalid_request"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("the errors do not say %q:\n%s", want, res.Stderr)
		}
	}
	if st := r.srv.Stats(); st.M2MTokens.Live != 0 || st.Authorizations.Active != 0 {
		t.Errorf("refused creates left %+v tokens and %+v authorizations", st.M2MTokens, st.Authorizations)
	}

	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+vars+`
data "machineauth_token_verification" "echo" {
  token = var.verified
}
`)
	res, _, err = r.tf(ctx, "plan")
	if err == nil {
		t.Fatalf("plan succeeded through a proxy that refuses verification:\n%s", res.Stdout)
	}
	output.WriteString(res.Stdout + res.Stderr)
	if flat := strings.Join(strings.Fields(res.Stderr), " "); !strings.Contains(flat, "Unable to verify the M2M token with Clerk") || !strings.Contains(flat, "400 Bad Request") {
		t.Errorf("the verification error does not show the gateway's answer:\n%s", res.Stderr)
	}
	if !strings.Contains(output.String(), "***") {
		t.Errorf("nothing was masked in the errors: did the proxy echo anything?\n%s", output.String())
	}

	for v, what := range p.echoedValues() {
		secrets[fmt.Sprintf("%s (echoed, %.6s...)", what, v)] = v
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for what, secret := range secrets {
		if len(secret) < 8 {
			t.Fatalf("%s is %q: too short to look for", what, secret)
		}
		if strings.Contains(output.String(), secret) {
			t.Errorf("the %s appears in terraform's output", what)
		}
		if strings.Contains(string(log), secret) {
			t.Errorf("the %s appears in the TF_LOG output", what)
		}
	}
	t.Logf("checked %d secrets, %d of them echoed by the proxy, against %d bytes of output and %d bytes of trace log", len(secrets), len(p.echoedValues()), output.Len(), len(log))
}

// echoingProxy stands between the provider and the emulator and answers
// some requests with an error whose body echoes the secrets the request
// carried, as a careless API or gateway might. Every other request is
// passed on. It keeps the values it echoed, so the test knows what to
// look for.
type echoingProxy struct {
	url string
	// refuseApp is the connected app whose authorize it refuses.
	refuseApp string
	next      *httputil.ReverseProxy
	mu        sync.Mutex
	echoed    map[string]string // value -> what it is
	hits      map[string]int    // kind of echo -> count
}

func newEchoingProxy(t *testing.T, target, refuseApp string) *echoingProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &echoingProxy{refuseApp: refuseApp, next: httputil.NewSingleHostReverseProxy(u), echoed: map[string]string{}, hits: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { t.Logf("the echoing proxy answered %v", p.hits) })
	p.url = srv.URL
	return p
}

func (p *echoingProxy) keep(kind string, values map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[kind]++
	for what, v := range values {
		if v != "" {
			p.echoed[v] = what
		}
	}
}

func (p *echoingProxy) echoedValues() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.echoed)
}

func (p *echoingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	auth := r.Header.Get("Authorization")
	_, stytchSecret, _ := r.BasicAuth()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/clerk/v1/m2m_tokens" && bytes.Contains(body, []byte("echo")):
		// Clerk's error shape, the key and the body in its messages.
		p.keep("clerk create", map[string]string{"bearer key": strings.TrimPrefix(auth, "Bearer ")})
		writeJSONStatus(w, http.StatusUnprocessableEntity, map[string]any{
			"errors": []any{map[string]any{
				"code": "form_param_invalid", "message": "rejected request with key " + auth,
				"long_message": "the request " + string(body) + " authenticated as " + auth + " is not allowed",
			}},
			"clerk_trace_id": "trace_echo",
		})
	case r.Method == http.MethodPost && r.URL.Path == "/clerk/v1/m2m_tokens/verify":
		// Not JSON at all: a gateway's page, quoting the token and key.
		p.keep("verify page", map[string]string{"bearer key": strings.TrimPrefix(auth, "Bearer ")})
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		//nolint:gosec // G705: echoing the request unescaped is what this test proxy is for.
		_, _ = fmt.Fprintf(w, "<html><body><h1>400 Bad Request</h1><p>%s with %s</p></body></html>", body, auth)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/b2b/idp/oauth/authorize" && bytes.Contains(body, []byte(p.refuseApp)):
		// Stytch's error shape, the project secret in its message.
		p.keep("stytch authorize", map[string]string{"stytch secret": stytchSecret})
		writeJSONStatus(w, http.StatusBadRequest, map[string]any{
			"status_code": 400, "request_id": "request-id-echo", "error_type": "invalid_request",
			"error_message": "project authenticated with secret " + stytchSecret + " may not do this: " + string(body),
		})
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth2/token"):
		// The OAuth shape, echoing the client secret, code and verifier.
		fields := map[string]string{}
		if json.Unmarshal(body, &fields) != nil {
			form, _ := url.ParseQuery(string(body))
			for k := range form {
				fields[k] = form.Get(k)
			}
		}
		p.keep("token exchange", map[string]string{
			"client secret": fields["client_secret"], "authorization code": fields["code"], "code verifier": fields["code_verifier"],
		})
		writeJSONStatus(w, http.StatusBadRequest, map[string]any{
			"error": "invalid_grant", "error_description": "grant " + string(body) + " refused", "status_code": 400,
		})
	default:
		p.next.ServeHTTP(w, r)
	}
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
