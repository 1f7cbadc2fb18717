package provider

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// What the OAuth application tests share: the application most of them
// manage, the OAuth flow that gets its tokens, and the checks that ask the
// emulator.

const (
	oauthAppAddr     = "machineauth_oauth_application.app"
	oauthAppRedirect = "https://app.example.test/callback"
)

// oauthAppRedirects is the redirect_uris argument the tests' authorizations
// go back to.
const oauthAppRedirects = `redirect_uris = ["https://app.example.test/callback", "http://localhost:8080/callback"]`

// oauthAppConfig is a provider pointing at srv and one application named
// name, with inside its block (redirect URIs, a trigger, scopes) and after
// it (data sources, actions).
func oauthAppConfig(srv *emulator.Server, name, inside, after string) string {
	return providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_oauth_application" "app" {
  name = %q
%s
}
`, name, inside) + after
}

// tokenHCL reads a token from dir/name, where writeToken puts it during a
// step: a step's configuration is fixed before the test runs, and the
// token is obtained during it.
func tokenHCL(dir, name string) string {
	return fmt.Sprintf("file(%q)", filepath.Join(dir, name))
}

func writeToken(t *testing.T, dir, name, token string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
}

// oauthGrant has the fixture user authorize the application clientID
// (through the emulator's stand-in for the browser, with PKCE) and
// exchanges the code at the Frontend API's token endpoint, as the
// application's client would: with secret, or as a public client when it
// is "". It returns the access and refresh tokens.
func oauthGrant(t *testing.T, srv *emulator.Server, clientID, secret string) (access, refresh string) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	var authz struct {
		Code string `json:"code"`
	}
	status := postJSON(t, srv.URL()+"/__emulator/clerk/oauth/authorize", map[string]any{
		"client_id": clientID, "redirect_uri": oauthAppRedirect, "consent_granted": true,
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]), "code_challenge_method": "S256",
	}, &authz)
	if status != http.StatusOK || authz.Code == "" {
		t.Fatalf("authorizing %s: %d", clientID, status)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	status = oauthTokenRequest(t, srv, clientID, secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {authz.Code}, "redirect_uri": {oauthAppRedirect}, "code_verifier": {verifier},
	}, &tok)
	if status != http.StatusOK || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("exchanging the code of %s: %d", clientID, status)
	}
	return tok.AccessToken, tok.RefreshToken
}

// oauthRefreshStatus is the token endpoint's status for a refresh with
// secret: 200 when the secret works, 401 when Clerk refuses it.
func oauthRefreshStatus(t *testing.T, srv *emulator.Server, clientID, secret, refresh string) int {
	t.Helper()
	return oauthTokenRequest(t, srv, clientID, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, nil)
}

func oauthTokenRequest(t *testing.T, srv *emulator.Server, clientID, secret string, form url.Values, out any) int {
	t.Helper()
	if secret == "" {
		// A public client names itself in the body and has nothing to prove.
		form.Set("client_id", clientID)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.Info().ClerkFrontendAPIURL+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(clientID, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// setOAuthJWTAccessTokens turns the instance's JWT access tokens on or off,
// as the dashboard would.
func setOAuthJWTAccessTokens(t *testing.T, srv *emulator.Server, on bool) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPatch, srv.Info().ClerkAPIURL+"/instance/oauth_application_settings",
		strings.NewReader(fmt.Sprintf(`{"oauth_jwt_access_tokens":%t}`, on)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Info().ClerkSecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting oauth_jwt_access_tokens: %d", resp.StatusCode)
	}
}

func postJSON(t *testing.T, target string, body, out any) int {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// oauthStateAttr is one attribute of a resource in state.
func oauthStateAttr(s *terraform.State, addr, key string) string {
	if rs, ok := s.RootModule().Resources[addr]; ok {
		return rs.Primary.Attributes[key]
	}
	return ""
}

// checkOAuthApplicationsDeleted is a CheckDestroy: no application that was
// in state exists in the emulator any more.
func checkOAuthApplicationsDeleted(srv *emulator.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_oauth_application" {
				continue
			}
			n++
			if a, ok := srv.OAuthApplication(rs.Primary.ID); ok {
				return fmt.Errorf("OAuth application %s (%s) still exists after destroy", a.ID, a.Name)
			}
		}
		if n == 0 {
			return fmt.Errorf("no OAuth application in state to check")
		}
		return nil
	}
}

// expectOAuthSecret checks the emulator's application id against the
// secret in state: the one that works now.
func expectOAuthSecret(srv *emulator.Server, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, secret := oauthStateAttr(s, addr, "id"), oauthStateAttr(s, addr, "client_secret")
		a, ok := srv.OAuthApplication(id)
		switch {
		case !ok:
			return fmt.Errorf("emulator has no OAuth application %s", id)
		case secret == "" || a.ClientSecret != secret:
			return fmt.Errorf("the client_secret in state is not the one that works now")
		}
		return nil
	}
}
