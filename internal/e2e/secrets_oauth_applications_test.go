package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// oauthSecretConfig handles every secret of an OAuth application: the
// client secret made by the create, the one a rotation gives it, and an
// access token, opaque and JWT, that the application's user got, verified
// by the data source and the ephemeral resource.
const oauthSecretConfig = `
variable "rotation" { type = string }
variable "tokens" {
  type      = list(string)
  sensitive = true
  default   = []
}

resource "machineauth_oauth_application" "app" {
  name                     = "tf-acc-e2e-secrets"
  redirect_uris            = ["https://app.example.test/callback"]
  secret_rotation_triggers = { rotation = var.rotation }
}

data "machineauth_token_verification" "t" {
  count = length(var.tokens)
  token = var.tokens[count.index]
}

ephemeral "machineauth_token_verification" "t" {
  count = length(var.tokens)
  token = var.tokens[count.index]
}

output "client_secret" {
  value     = machineauth_oauth_application.app.client_secret
  sensitive = true
}

output "valid" {
  value = [for v in data.machineauth_token_verification.t : v.valid]
}
`

// TestSecretHygieneOAuthApplications creates an application, has its user
// authorize it for an opaque and a JWT access token, verifies both, rotates
// the client secret, plans and destroys with TF_LOG=TRACE into files, and
// checks that neither client secret nor any token or refresh token reaches
// those logs or terraform's output, while the bodies that carry them were
// logged, masked.
func TestSecretHygieneOAuthApplications(t *testing.T) {
	t.Parallel()
	r := newRun(t, emulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info := r.srv.Info()
	secrets := map[string]string{"clerk instance secret key": info.ClerkSecretKey}
	r.write("main.tf", providerBlock(`max_retry_wait = "50ms"`)+oauthSecretConfig)

	logs := t.TempDir()
	var outputs []string
	step := func(name string, args ...string) {
		r.ws.Env = append(r.ws.Env, "TF_LOG=TRACE", "TF_LOG_PATH="+filepath.Join(logs, name+".log"))
		res := r.mustTF(ctx, args...)
		outputs = append(outputs, res.Stdout+res.Stderr)
	}
	app := func(what string) (clientID, secret string) {
		apps := r.instances("machineauth_oauth_application")
		if len(apps) != 1 {
			t.Fatalf("%d applications in state", len(apps))
		}
		clientID, _ = apps[0]["client_id"].(string)
		secret, _ = apps[0]["client_secret"].(string)
		if secret == "" {
			t.Fatalf("no %s in state", what)
		}
		secrets[what] = secret
		return clientID, secret
	}

	step("create", "apply", "-auto-approve", "-var", "rotation=first")
	clientID, first := app("first client secret")
	access, refresh := r.oauthGrant(clientID, first)
	r.setOAuthSetting(`{"oauth_jwt_access_tokens":true}`)
	jwt, jwtRefresh := r.oauthGrant(clientID, first)
	secrets["opaque access token"], secrets["refresh token"] = access, refresh
	secrets["JWT access token"], secrets["refresh token of the JWT grant"] = jwt, jwtRefresh
	r.writeJSON("terraform.tfvars.json", map[string]any{"tokens": []string{access, jwt}})

	step("rotate", "apply", "-auto-approve", "-var", "rotation=second")
	if _, second := app("rotated client secret"); second == first {
		t.Fatal("the apply did not rotate the secret")
	}
	res, _, err := r.tf(ctx, "output", "-json", "valid")
	if err != nil || strings.TrimSpace(res.Stdout) != "[true,true]" {
		t.Fatalf("the tokens do not verify: %v %s", err, res.Stdout)
	}
	step("plan", "plan", "-var", "rotation=second")
	step("destroy", "destroy", "-auto-approve", "-var", "rotation=second")
	if st := r.srv.Stats(); st.OAuthApplications.Live != 0 {
		t.Errorf("after destroy: %+v", st.OAuthApplications)
	}

	var all strings.Builder
	for _, name := range []string{"create", "rotate", "plan", "destroy"} {
		b, err := os.ReadFile(filepath.Join(logs, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	// The create's and the rotation's answers, and each verification's
	// request, were logged, masked; a one-line body is logged quoted.
	for _, masked := range []string{`"client_secret":"***"`, `\"access_token\":\"***\"`} {
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

// oauthGrant has the fixture user authorize the application (through the
// emulator's stand-in for the browser, with PKCE) and exchanges the code
// at the Frontend API's token endpoint, as its client would.
func (r *run) oauthGrant(clientID, secret string) (access, refresh string) {
	r.t.Helper()
	info := r.srv.Info()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		r.t.Fatal(err)
	}
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	body, _ := json.Marshal(map[string]any{
		"client_id": clientID, "redirect_uri": "https://app.example.test/callback", "consent_granted": true,
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]), "code_challenge_method": "S256",
	})
	resp, err := http.Post(info.URL+"/__emulator/clerk/oauth/authorize", "application/json", bytes.NewReader(body)) //nolint:noctx // a test's one-off request
	if err != nil {
		r.t.Fatal(err)
	}
	var authz struct {
		Code string `json:"code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&authz)
	resp.Body.Close()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {authz.Code}, "redirect_uri": {"https://app.example.test/callback"}, "code_verifier": {verifier}}
	req, err := http.NewRequest(http.MethodPost, info.ClerkFrontendAPIURL+"/oauth/token", strings.NewReader(form.Encode())) //nolint:noctx // as above
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		r.t.Fatalf("the token exchange: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken, tok.RefreshToken
}

// setOAuthSetting changes the instance's OAuth application settings, as
// the dashboard would.
func (r *run) setOAuthSetting(body string) {
	r.t.Helper()
	info := r.srv.Info()
	req, err := http.NewRequest(http.MethodPatch, info.ClerkAPIURL+"/instance/oauth_application_settings", strings.NewReader(body)) //nolint:noctx // as above
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+info.ClerkSecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("setting %s: %d", body, resp.StatusCode)
	}
}
