package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	clerkOAuthAppIDRe   = regexp.MustCompile(`^oa_\w{27}$`)
	clerkOAuthTokenIDRe = regexp.MustCompile(`^oat_[0-9A-Fa-f]{32}$`)
	// The description's OAuthApplication object, every field required.
	clerkOAuthAppFields = []string{"authorize_url", "callback_url", "client_id", "client_image_url", "client_uri", "consent_screen_enabled",
		"created_at", "discovery_url", "dynamically_registered", "id", "instance_id", "name", "object", "pkce_required", "public",
		"redirect_uris", "scopes", "token_fetch_url", "token_introspection_url", "updated_at", "user_info_url"}
	clerkOAuthTokenFields = []string{"client_id", "created_at", "expiration", "expired", "id", "object", "revocation_reason", "revoked",
		"scopes", "subject", "updated_at"}
)

const oauthTestRedirect = "https://app.example.test/callback"

func init() {
	maps.Copy(clerkSwitchChecks, map[string]map[string]switchCheck{
		"oauth_public_change": {
			"allowed": checkOAuthPublicChange(true),
			"refused": checkOAuthPublicChange(false),
		},
		"revoked_oauth_token_revoke": {
			"204": checkOAuthRevokeAgain(http.StatusNoContent, ""),
			"404": checkOAuthRevokeAgain(http.StatusNotFound, "resource_not_found"),
			"400": checkOAuthRevokeAgain(http.StatusBadRequest, "bad_request"),
		},
		"oauth_verify_refusal": {
			"404":         checkOAuthVerifyRefusal(http.StatusNotFound, "resource_not_found"),
			"400":         checkOAuthVerifyRefusal(http.StatusBadRequest, "bad_request"),
			"flagged_200": checkOAuthVerifyRefusal(http.StatusOK, ""),
		},
	})
}

// oauthApp creates an application through the Backend API and returns its
// object, client_secret included.
func oauthAppCreate(t *testing.T, srv *Server, body map[string]any) map[string]any {
	t.Helper()
	res := clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/oauth_applications", srv.Info().ClerkSecretKey, body)
	clerkWant(t, res, http.StatusOK, "")
	return res.body
}

// oauthResult is a Frontend API or control route answer.
type oauthResult struct {
	status int
	body   map[string]any
}

func (r oauthResult) str(k string) string { s, _ := r.body[k].(string); return s }

func oauthPost(t *testing.T, target string, body any, form url.Values, basic ...string) oauthResult {
	t.Helper()
	var rd io.Reader
	ct := "application/json"
	if form != nil {
		rd, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	} else {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(http.MethodPost, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := oauthResult{status: resp.StatusCode}
	_ = json.NewDecoder(resp.Body).Decode(&out.body)
	return out
}

// oauthAuthorize has the fixture user grant app its default scopes, with
// a PKCE challenge when verifier is set, and returns the code.
func oauthAuthorize(t *testing.T, srv *Server, clientID, verifier string) string {
	t.Helper()
	body := map[string]any{"client_id": clientID, "redirect_uri": oauthTestRedirect, "state": "xyz", "consent_granted": true}
	if verifier != "" {
		sum := sha256.Sum256([]byte(verifier))
		body["code_challenge"] = base64.RawURLEncoding.EncodeToString(sum[:])
		body["code_challenge_method"] = "S256"
	}
	res := oauthPost(t, srv.URL()+"/__emulator/clerk/oauth/authorize", body, nil)
	if res.status != http.StatusOK || res.str("code") == "" || !strings.Contains(res.str("redirect_uri"), "state=xyz") {
		t.Fatalf("authorize: %d %v", res.status, res.body)
	}
	return res.str("code")
}

// oauthTokens runs the whole flow for app (an object as created) and
// returns the access and refresh tokens.
func oauthTokens(t *testing.T, srv *Server, app map[string]any) (access, refresh string) {
	t.Helper()
	clientID, _ := app["client_id"].(string)
	secret, _ := app["client_secret"].(string)
	verifier := "verifier-" + randomHex(20)
	code := oauthAuthorize(t, srv, clientID, verifier)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oauthTestRedirect}, "code_verifier": {verifier}}
	var res oauthResult
	if secret == "" {
		form.Set("client_id", clientID)
		res = oauthPost(t, srv.Info().ClerkFrontendAPIURL+"/oauth/token", nil, form)
	} else {
		res = oauthPost(t, srv.Info().ClerkFrontendAPIURL+"/oauth/token", nil, form, clientID, secret)
	}
	if res.status != http.StatusOK || res.str("token_type") != "bearer" || res.str("refresh_token") == "" {
		t.Fatalf("token exchange: %d %v", res.status, res.body)
	}
	return res.str("access_token"), res.str("refresh_token")
}

func oauthVerify(t *testing.T, srv *Server, token string) clerkResult {
	t.Helper()
	return clerkCall(t, srv.Info().ClerkAPIURL, "POST", "/oauth_applications/access_tokens/verify", srv.Info().ClerkSecretKey, map[string]any{"access_token": token})
}

func TestClerkOAuthApplicationCRUD(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	a := oauthAppCreate(t, srv, map[string]any{"name": "billing", "redirect_uris": []string{oauthTestRedirect, "myapp://cb"}, "pkce_required": true})
	clerkWantFields(t, a, clerkOAuthAppFields, "client_secret")
	id := a["id"].(string)
	if !clerkOAuthAppIDRe.MatchString(id) || a["client_secret"] == "" || a["scopes"] != "profile email" || a["consent_screen_enabled"] != true ||
		a["public"] != false || a["pkce_required"] != true || a["dynamically_registered"] != false || a["callback_url"] != oauthTestRedirect ||
		a["token_fetch_url"] != info.ClerkFrontendAPIURL+"/oauth/token" || a["client_uri"] != nil {
		t.Fatalf("created %v", a)
	}
	got := clerkCall(t, api, "GET", "/oauth_applications/"+id, sk, nil)
	clerkWant(t, got, http.StatusOK, "")
	clerkWantFields(t, got.body, clerkOAuthAppFields)

	// In place: every field the update takes.
	upd := clerkCall(t, api, "PATCH", "/oauth_applications/"+id, sk, map[string]any{
		"name": "billing-v2", "redirect_uris": []string{"http://127.0.0.1:8080/cb"}, "scopes": "profile email custom:read",
		"consent_screen_enabled": false, "pkce_required": false,
	})
	clerkWant(t, upd, http.StatusOK, "")
	if upd.body["name"] != "billing-v2" || fmt.Sprint(upd.body["redirect_uris"]) != "[http://127.0.0.1:8080/cb]" || upd.body["scopes"] != "profile email custom:read" ||
		upd.body["consent_screen_enabled"] != false || upd.body["id"] != id || upd.body["client_id"] != a["client_id"] || upd.body["client_secret"] != nil {
		t.Fatalf("updated %v", upd.body)
	}
	clerkWant(t, clerkCall(t, api, "PATCH", "/oauth_applications/"+id, sk, map[string]any{"callback_url": "x"}), http.StatusUnprocessableEntity, "form_param_value_invalid")
	clerkWant(t, clerkCall(t, api, "PATCH", "/oauth_applications/"+id, sk, map[string]any{"client_uri": "https://x"}), http.StatusUnprocessableEntity, "form_param_unknown")

	// The deprecated callback_url, as clerk-sdk-go sends it.
	cb := clerkCall(t, api, "PATCH", "/oauth_applications/"+id, sk, map[string]any{"callback_url": "https://other.example.test/cb"})
	if fmt.Sprint(cb.body["redirect_uris"]) != "[https://other.example.test/cb]" {
		t.Errorf("callback_url gave %v", cb.body["redirect_uris"])
	}
	sdk := oauthAppCreate(t, srv, map[string]any{"name": "sdk", "callback_url": "", "scopes": "", "public": false, "consent_screen_enabled": nil})
	if fmt.Sprint(sdk["redirect_uris"]) != "[]" || sdk["scopes"] != "profile email" || sdk["callback_url"] != "" || sdk["consent_screen_enabled"] != true {
		t.Errorf("an empty callback_url and scopes: %v", sdk)
	}

	del := clerkCall(t, api, "DELETE", "/oauth_applications/"+id, sk, nil)
	clerkWant(t, del, http.StatusOK, "")
	if del.body["deleted"] != true || del.body["id"] != id || del.body["object"] != "oauth_application" {
		t.Errorf("deleted %v", del.body)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/oauth_applications/"+id, sk, nil), http.StatusNotFound, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "DELETE", "/oauth_applications/"+id, sk, nil), http.StatusNotFound, "resource_not_found")
	if _, ok := srv.OAuthApplication(id); ok {
		t.Error("the Go API still finds the deleted application")
	}
}

func TestClerkOAuthApplicationRefusals(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	for name, tc := range map[string]struct {
		body   any
		status int
		code   string
	}{
		"no name":           {map[string]any{"redirect_uris": []string{oauthTestRedirect}}, 422, "form_param_missing"},
		"empty name":        {map[string]any{"name": ""}, 422, "form_param_value_invalid"},
		"blank name":        {map[string]any{"name": "   "}, 422, "form_param_value_invalid"},
		"long name":         {map[string]any{"name": strings.Repeat("n", 257)}, 422, "form_param_value_invalid"},
		"relative redirect": {map[string]any{"name": "x", "redirect_uris": []string{"/cb"}}, 422, "form_param_value_invalid"},
		"redirect fragment": {map[string]any{"name": "x", "redirect_uris": []string{"https://a.test/cb#x"}}, 422, "form_param_value_invalid"},
		"long scopes":       {map[string]any{"name": "x", "scopes": strings.Repeat("s ", 600)}, 422, "form_param_value_invalid"},
		"public not bool":   {map[string]any{"name": "x", "public": "yes"}, 422, "form_param_value_invalid"},
		"not an object":     {"[1]", 400, "request_body_invalid"},
	} {
		res := clerkCall(t, api, "POST", "/oauth_applications", sk, tc.body)
		if res.status != tc.status || res.code() != tc.code {
			t.Errorf("%s: got %d %q, want %d %q", name, res.status, res.code(), tc.status, tc.code)
		}
	}
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications", srv.Info().Fixture.ClerkMachineSecretKey, map[string]any{"name": "x"}), http.StatusUnauthorized, "clerk_key_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/oauth_applications/oa_unknown", sk, nil), http.StatusNotFound, "resource_not_found")
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications/oa_unknown/rotate_secret", sk, nil), http.StatusNotFound, "resource_not_found")
	pub := oauthAppCreate(t, srv, map[string]any{"name": "spa", "public": true, "redirect_uris": []string{oauthTestRedirect}})
	if pub["client_secret"] != "" {
		t.Errorf("a public client's secret is %v, want empty", pub["client_secret"])
	}
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications/"+pub["id"].(string)+"/rotate_secret", sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	if st := srv.Stats().OAuthApplications; st.Live != 1 {
		t.Errorf("counts %+v", st)
	}
}

func TestClerkOAuthApplicationList(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	var ids []string
	for _, name := range []string{"Beta tool", "alpha tool", "gamma"} {
		ids = append(ids, oauthAppCreate(t, srv, map[string]any{"name": name})["id"].(string))
	}
	dyn := srv.RegisterOAuthClient("mcp client", []string{oauthTestRedirect}, true)
	listIDs := func(query string) ([]string, float64) {
		t.Helper()
		res := clerkCall(t, api, "GET", "/oauth_applications"+query, sk, nil)
		clerkWant(t, res, http.StatusOK, "")
		var out []string
		for _, item := range res.body["data"].([]any) {
			clerkWantFields(t, item.(map[string]any), clerkOAuthAppFields)
			out = append(out, item.(map[string]any)["id"].(string))
		}
		return out, res.body["total_count"].(float64)
	}
	if got, n := listIDs(""); !slices.Equal(got, []string{dyn, ids[2], ids[1], ids[0]}) || n != 4 {
		t.Errorf("default order %v (%v), want newest first", got, n)
	}
	if got, n := listIDs("?limit=2&offset=1&order_by=%2Bcreated_at"); !slices.Equal(got, []string{ids[1], ids[2]}) || n != 4 {
		t.Errorf("a page oldest first %v (%v)", got, n)
	}
	if got, _ := listIDs("?name_query=TOOL"); !slices.Equal(got, []string{ids[1], ids[0]}) {
		t.Errorf("name_query TOOL %v", got)
	}
	app, _ := srv.OAuthApplication(ids[2])
	if got, _ := listIDs("?name_query=" + app.ClientID); !slices.Equal(got, []string{ids[2]}) {
		t.Errorf("name_query by client_id %v", got)
	}
	if got, _ := listIDs("?dynamically_registered=true"); !slices.Equal(got, []string{dyn}) {
		t.Errorf("dynamically registered %v", got)
	}
	if got, _ := listIDs("?order_by=name"); !slices.Equal(got, []string{ids[0], ids[1], ids[2], dyn}) {
		t.Errorf("by name %v", got)
	}
	clerkWant(t, clerkCall(t, api, "GET", "/oauth_applications?limit=501", sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	clerkWant(t, clerkCall(t, api, "GET", "/oauth_applications?order_by=id", sk, nil), http.StatusUnprocessableEntity, "form_param_value_invalid")
	if st := srv.Stats().OAuthApplications; st.Live != 4 || st.DynamicallyRegistered != 1 {
		t.Errorf("counts %+v", st)
	}
}

// The flow: consent, the code exchanged with PKCE, a refresh, the token
// verified; the secret rotated at once; revoke_token ends the grant's
// tokens; a deleted application's tokens stop verifying.
func TestClerkOAuthFlow(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk, fapi := info.ClerkAPIURL, info.ClerkSecretKey, info.ClerkFrontendAPIURL
	app := oauthAppCreate(t, srv, map[string]any{"name": "reports", "redirect_uris": []string{oauthTestRedirect}, "scopes": "profile email"})
	clientID, secret := app["client_id"].(string), app["client_secret"].(string)
	access, refresh := oauthTokens(t, srv, app)
	if !strings.HasPrefix(access, "oat_") || len(access) != 36 {
		t.Fatalf("access token %q", access)
	}
	v := oauthVerify(t, srv, access)
	clerkWant(t, v, http.StatusOK, "")
	clerkWantFields(t, v.body, clerkOAuthTokenFields)
	if v.body["object"] != "clerk_idp_oauth_access_token" || !clerkOAuthTokenIDRe.MatchString(v.body["id"].(string)) || v.body["id"] == access ||
		v.body["client_id"] != clientID || v.body["subject"] != info.Fixture.ClerkUserID || fmt.Sprint(v.body["scopes"]) != "[profile email]" {
		t.Errorf("verified %v", v.body)
	}
	if life := clerkMs(t, v.body["expiration"]) - clerkMs(t, v.body["created_at"]); life != 86_400_000 {
		t.Errorf("lifetime %d ms", life)
	}

	// Refresh, by client_secret_post this time.
	res := oauthPost(t, fapi+"/oauth/token", nil, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {clientID}, "client_secret": {secret}})
	if res.status != http.StatusOK || res.str("access_token") == access || res.str("refresh_token") != refresh {
		t.Fatalf("refresh: %d %v", res.status, res.body)
	}
	second := res.str("access_token")

	// The code is single use, and PKCE is checked.
	code := oauthAuthorize(t, srv, clientID, "right-verifier-0123456789012345678901234")
	bad := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {oauthTestRedirect}, "code_verifier": {"wrong"}}
	if r := oauthPost(t, fapi+"/oauth/token", nil, bad, clientID, secret); r.status != http.StatusBadRequest || r.str("error") != "invalid_grant" {
		t.Errorf("wrong verifier: %d %v", r.status, r.body)
	}
	bad.Set("code_verifier", "right-verifier-0123456789012345678901234")
	if r := oauthPost(t, fapi+"/oauth/token", nil, bad, clientID, secret); r.status != http.StatusBadRequest || r.str("error") != "invalid_grant" {
		t.Errorf("a spent code: %d %v", r.status, r.body)
	}

	// Rotation: the old secret is refused at once, the new one works.
	rot := clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/rotate_secret", sk, nil)
	clerkWant(t, rot, http.StatusOK, "")
	newSecret := rot.body["client_secret"].(string)
	if newSecret == "" || newSecret == secret {
		t.Fatalf("rotated secret %q", newSecret)
	}
	refreshWith := func(s string) int {
		return oauthPost(t, fapi+"/oauth/token", nil, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}, clientID, s).status
	}
	if got := refreshWith(secret); got != http.StatusUnauthorized {
		t.Errorf("the old secret after rotation: %d, want 401", got)
	}
	if got := refreshWith(newSecret); got != http.StatusOK {
		t.Errorf("the new secret: %d, want 200", got)
	}

	// revoke_token with the refresh token ends every token of the grant.
	other := oauthAppCreate(t, srv, map[string]any{"name": "other", "redirect_uris": []string{oauthTestRedirect}})
	wrongApp := clerkCall(t, api, "POST", "/oauth_applications/"+other["id"].(string)+"/revoke_token", sk, map[string]any{"token": refresh})
	clerkWant(t, wrongApp, http.StatusNotFound, "resource_not_found")
	rv := clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{"token": refresh})
	if rv.status != http.StatusNoContent || len(rv.raw) != 0 {
		t.Fatalf("revoke: %d %s", rv.status, rv.raw)
	}
	for _, tok := range []string{access, second} {
		clerkWant(t, oauthVerify(t, srv, tok), http.StatusNotFound, "resource_not_found")
	}
	if got := refreshWith(newSecret); got != http.StatusBadRequest {
		t.Errorf("refresh after revoke: %d", got)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{}), http.StatusUnprocessableEntity, "form_param_missing")
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{"token": "a.b.c"}), http.StatusBadRequest, "bad_request")

	// Revoking by the access token ends the grant's refresh token too.
	rotated := maps.Clone(app)
	rotated["client_secret"] = newSecret
	access2, refresh2 := oauthTokens(t, srv, rotated)
	if rv := clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{"token": access2}); rv.status != http.StatusNoContent {
		t.Fatalf("revoke by the access token: %d", rv.status)
	}
	clerkWant(t, oauthVerify(t, srv, access2), http.StatusNotFound, "resource_not_found")
	if r := oauthPost(t, fapi+"/oauth/token", nil, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh2}}, clientID, newSecret); r.status != http.StatusBadRequest {
		t.Errorf("refreshing a grant revoked by its access token: %d %v", r.status, r.body)
	}

	// A deleted application's tokens stop verifying.
	live, _ := oauthTokens(t, srv, other)
	clerkWant(t, oauthVerify(t, srv, live), http.StatusOK, "")
	clerkWant(t, clerkCall(t, api, "DELETE", "/oauth_applications/"+other["id"].(string), sk, nil), http.StatusOK, "")
	clerkWant(t, oauthVerify(t, srv, live), http.StatusNotFound, "resource_not_found")

	// Expiry follows the clock.
	third := oauthAppCreate(t, srv, map[string]any{"name": "third", "redirect_uris": []string{oauthTestRedirect}})
	short, _ := oauthTokens(t, srv, third)
	srv.Advance(oauthAccessTokenLife)
	clerkWant(t, oauthVerify(t, srv, short), http.StatusNotFound, "resource_not_found")
	clerkWant(t, oauthVerify(t, srv, "oat_00000000000000000000000000000000"), http.StatusNotFound, "resource_not_found")
}

func TestClerkOAuthFlowRefusals(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	fapi, control := srv.Info().ClerkFrontendAPIURL, srv.URL()+"/__emulator/clerk/oauth/authorize"
	pub := oauthAppCreate(t, srv, map[string]any{"name": "spa", "public": true, "redirect_uris": []string{oauthTestRedirect}})
	cid := pub["client_id"].(string)
	for name, tc := range map[string]struct {
		body             map[string]any
		status           int
		error            string
		redirectsToError bool
	}{
		"unknown client":       {map[string]any{"client_id": "nope", "redirect_uri": oauthTestRedirect}, 400, "invalid_client", false},
		"unregistered uri":     {map[string]any{"client_id": cid, "redirect_uri": "https://evil.test/cb"}, 400, "invalid_request", false},
		"unknown user":         {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "user_id": "user_x"}, 400, "invalid_request", false},
		"public without PKCE":  {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "consent_granted": true}, 200, "invalid_request", true},
		"scope not allowed":    {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "scope": "private_metadata", "code_challenge": "c"}, 200, "invalid_scope", true},
		"no consent decision":  {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "code_challenge": "c"}, 400, "consent_required", false},
		"consent denied":       {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "code_challenge": "c", "consent_granted": false}, 200, "access_denied", true},
		"token response type":  {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "response_type": "token"}, 200, "unsupported_response_type", true},
		"bad challenge method": {map[string]any{"client_id": cid, "redirect_uri": oauthTestRedirect, "code_challenge": "c", "code_challenge_method": "S512"}, 200, "invalid_request", true},
	} {
		res := oauthPost(t, control, tc.body, nil)
		if res.status != tc.status || res.str("error") != tc.error || (tc.redirectsToError && !strings.Contains(res.str("redirect_uri"), "error="+tc.error)) {
			t.Errorf("%s: %d %v", name, res.status, res.body)
		}
	}
	// A public client authenticates with its id alone; a wrong secret for
	// a confidential one is invalid_client.
	conf := oauthAppCreate(t, srv, map[string]any{"name": "web", "redirect_uris": []string{oauthTestRedirect}})
	if r := oauthPost(t, fapi+"/oauth/token", nil, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, conf["client_id"].(string), "wrong"); r.status != http.StatusUnauthorized || r.str("error") != "invalid_client" {
		t.Errorf("wrong secret: %d %v", r.status, r.body)
	}
	if r := oauthPost(t, fapi+"/oauth/token", nil, url.Values{"grant_type": {"password"}, "client_id": {cid}}); r.status != http.StatusBadRequest || r.str("error") != "unsupported_grant_type" {
		t.Errorf("password grant: %d %v", r.status, r.body)
	}
	access, _ := oauthTokens(t, srv, pub)
	if !strings.HasPrefix(access, "oat_") {
		t.Errorf("public client's token %q", access)
	}
	// The browser route names its stand-in.
	resp, err := http.Get(fapi + "/oauth/authorize?client_id=" + cid)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("GET /oauth/authorize: %d", resp.StatusCode)
	}
}

// With oauth_jwt_access_tokens on, access tokens are JWTs signed by the
// instance key with typ at+jwt; they are not revocable, and verify checks
// them as the description's anyOf allows.
func TestClerkOAuthJWTAccessTokens(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk := info.ClerkAPIURL, info.ClerkSecretKey
	set := clerkCall(t, api, "PATCH", "/instance/oauth_application_settings", sk, map[string]any{"oauth_jwt_access_tokens": true})
	clerkWant(t, set, http.StatusOK, "")
	if set.body["oauth_jwt_access_tokens"] != true || set.body["object"] != "oauth_application_settings" || set.body["dynamic_oauth_client_registration"] != false {
		t.Fatalf("settings %v", set.body)
	}
	app := oauthAppCreate(t, srv, map[string]any{"name": "api", "redirect_uris": []string{oauthTestRedirect}})
	access, refresh := oauthTokens(t, srv, app)
	parts := strings.Split(access, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", access)
	}
	var head map[string]any
	var claims map[string]any
	for i, dst := range []any{&head, &claims} {
		raw, _ := base64.RawURLEncoding.DecodeString(parts[i])
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	if head["typ"] != "at+jwt" || head["kid"] == nil || head["cat"] != nil || claims["client_id"] != app["client_id"] || claims["sub"] != info.Fixture.ClerkUserID ||
		claims["scope"] != "profile email" || claims["iss"] != info.ClerkFrontendAPIURL || !clerkOAuthTokenIDRe.MatchString(claims["jti"].(string)) {
		t.Fatalf("header %v claims %v", head, claims)
	}
	jwks, err := http.Get(info.ClerkFrontendAPIURL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	jwks.Body.Close()
	if jwks.StatusCode != http.StatusOK {
		t.Errorf("frontend JWKS: %d", jwks.StatusCode)
	}
	v := oauthVerify(t, srv, access)
	clerkWant(t, v, http.StatusOK, "")
	if v.body["client_id"] != app["client_id"] || v.body["id"] != claims["jti"] {
		t.Errorf("verified JWT %v", v.body)
	}
	clerkWant(t, clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{"token": access}), http.StatusBadRequest, "bad_request")
	// The refresh token is opaque and revocable; the JWT lives on.
	res := clerkCall(t, api, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", sk, map[string]any{"token": refresh})
	if res.status != http.StatusNoContent {
		t.Fatalf("revoke the refresh token: %d", res.status)
	}
	clerkWant(t, oauthVerify(t, srv, access), http.StatusOK, "")
	srv.Advance(oauthAccessTokenLife)
	if v := oauthVerify(t, srv, access); v.status != http.StatusOK || v.body["active"] != false || len(v.body) != 1 {
		t.Errorf("an expired JWT: %d %v", v.status, v.body)
	}
}

func TestClerkOAuthDynamicRegistration(t *testing.T) {
	t.Parallel()
	srv := startClerkEmulator(t, Options{})
	info := srv.Info()
	api, sk, fapi := info.ClerkAPIURL, info.ClerkSecretKey, info.ClerkFrontendAPIURL
	body := map[string]any{"client_name": "Claude", "redirect_uris": []string{oauthTestRedirect}, "token_endpoint_auth_method": "none", "client_uri": "https://claude.example.test"}
	if r := oauthPost(t, fapi+"/oauth/register", body, nil); r.status != http.StatusForbidden || r.str("error") != "access_denied" {
		t.Fatalf("registration while off: %d %v", r.status, r.body)
	}
	clerkWant(t, clerkCall(t, api, "PATCH", "/instance/oauth_application_settings", sk, map[string]any{"dynamic_oauth_client_registration": true}), http.StatusOK, "")
	r := oauthPost(t, fapi+"/oauth/register", body, nil)
	if r.status != http.StatusCreated || r.str("client_id") == "" || r.body["client_secret"] != nil {
		t.Fatalf("registration: %d %v", r.status, r.body)
	}
	list := clerkCall(t, api, "GET", "/oauth_applications?name_query="+r.str("client_id"), sk, nil)
	items := list.body["data"].([]any)
	if len(items) != 1 {
		t.Fatalf("listing by client_id: %v", list.body)
	}
	a := items[0].(map[string]any)
	if a["dynamically_registered"] != true || a["public"] != true || a["name"] != "Claude" || a["client_uri"] != "https://claude.example.test" || a["consent_screen_enabled"] != true {
		t.Errorf("registered %v", a)
	}
	res := clerkCall(t, api, "PATCH", "/oauth_applications/"+a["id"].(string), sk, map[string]any{"consent_screen_enabled": false})
	clerkWant(t, res, http.StatusUnprocessableEntity, "form_param_value_invalid")
	conf := oauthPost(t, fapi+"/oauth/register", map[string]any{"redirect_uris": []string{oauthTestRedirect}}, nil)
	if conf.status != http.StatusCreated || conf.str("client_secret") == "" {
		t.Errorf("a confidential registration: %d %v", conf.status, conf.body)
	}
	if r := oauthPost(t, fapi+"/oauth/register", map[string]any{"redirect_uris": []string{"nope"}}, nil); r.str("error") != "invalid_redirect_uri" {
		t.Errorf("bad redirect: %v", r.body)
	}
	reset := clerkCall(t, api, "PATCH", "/instance/oauth_application_settings", sk, `{"default_scopes":["email"]}`)
	if fmt.Sprint(reset.body["default_scopes"]) != "[email]" {
		t.Errorf("default scopes %v", reset.body)
	}
	reset = clerkCall(t, api, "PATCH", "/instance/oauth_application_settings", sk, `{"default_scopes":null}`)
	if reset.body["default_scopes"] != nil {
		t.Errorf("default scopes reset %v", reset.body)
	}
}

// checkOAuthPublicChange: a confidential client made public loses its
// secret, or the change is refused.
func checkOAuthPublicChange(allowed bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		app := oauthAppCreate(t, srv, map[string]any{"name": "web", "redirect_uris": []string{oauthTestRedirect}})
		id := app["id"].(string)
		res := clerkCall(t, info.ClerkAPIURL, "PATCH", "/oauth_applications/"+id, info.ClerkSecretKey, map[string]any{"public": true})
		got, _ := srv.OAuthApplication(id)
		if !allowed {
			clerkWant(t, res, http.StatusUnprocessableEntity, "form_param_value_invalid")
			if got.Public || got.ClientSecret != app["client_secret"] {
				t.Errorf("after a refused change: %+v", got)
			}
			return
		}
		clerkWant(t, res, http.StatusOK, "")
		if !got.Public || got.ClientSecret != "" {
			t.Errorf("made public: %+v", got)
		}
		res = clerkCall(t, info.ClerkAPIURL, "PATCH", "/oauth_applications/"+id, info.ClerkSecretKey, map[string]any{"public": false})
		clerkWant(t, res, http.StatusOK, "")
		if got, _ := srv.OAuthApplication(id); got.Public || got.ClientSecret != "" {
			t.Errorf("made confidential: %+v", got)
		}
		rot := clerkCall(t, info.ClerkAPIURL, "POST", "/oauth_applications/"+id+"/rotate_secret", info.ClerkSecretKey, nil)
		if s, _ := rot.body["client_secret"].(string); s == "" {
			t.Errorf("rotating gives %v", rot.body)
		}
	}
}

// checkOAuthRevokeAgain: revoking a grant twice answers as the switch says.
func checkOAuthRevokeAgain(status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		app := oauthAppCreate(t, srv, map[string]any{"name": "web", "redirect_uris": []string{oauthTestRedirect}})
		access, _ := oauthTokens(t, srv, app)
		path := "/oauth_applications/" + app["id"].(string) + "/revoke_token"
		first := clerkCall(t, info.ClerkAPIURL, "POST", path, info.ClerkSecretKey, map[string]any{"token": access})
		if first.status != http.StatusNoContent {
			t.Fatalf("first revoke: %d", first.status)
		}
		again := clerkCall(t, info.ClerkAPIURL, "POST", path, info.ClerkSecretKey, map[string]any{"token": access})
		if again.status != status || again.code() != code {
			t.Errorf("second revoke: %d %q, want %d %q", again.status, again.code(), status, code)
		}
	}
}

// checkOAuthVerifyRefusal: a revoked and an expired token are answered as
// the switch says; an unknown one is 404 whatever it says.
func checkOAuthVerifyRefusal(status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		info := srv.Info()
		app := oauthAppCreate(t, srv, map[string]any{"name": "web", "redirect_uris": []string{oauthTestRedirect}})
		revoked, _ := oauthTokens(t, srv, app)
		expiring, _ := oauthTokens(t, srv, app)
		res := clerkCall(t, info.ClerkAPIURL, "POST", "/oauth_applications/"+app["id"].(string)+"/revoke_token", info.ClerkSecretKey, map[string]any{"token": revoked})
		if res.status != http.StatusNoContent {
			t.Fatalf("revoke: %d", res.status)
		}
		srv.Advance(oauthAccessTokenLife + time.Second)
		for tok, flag := range map[string]string{revoked: "revoked", expiring: "expired"} {
			v := oauthVerify(t, srv, tok)
			if v.status != status || v.code() != code {
				t.Errorf("%s: %d %q, want %d %q", flag, v.status, v.code(), status, code)
			}
			if status == http.StatusOK && v.body[flag] != true {
				t.Errorf("%s: flags %v", flag, v.body)
			}
		}
		clerkWant(t, oauthVerify(t, srv, "oat_"+strings.Repeat("0", 32)), http.StatusNotFound, "resource_not_found")
	}
}
