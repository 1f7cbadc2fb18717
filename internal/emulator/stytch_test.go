package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// stytchHarness drives one emulator over HTTP the way a Stytch client would.
type stytchHarness struct {
	t    *testing.T
	srv  *Server
	info Info
	fx   *Fixture
}

func newStytchHarness(t *testing.T, opts Options) *stytchHarness {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &stytchHarness{t: t, srv: srv, info: srv.Info(), fx: srv.Info().Fixture}
}

type apiResponse struct {
	status int
	header http.Header
	body   map[string]any
}

type reqOpt func(*http.Request)

func withBasic(user, pass string) reqOpt {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func withHeader(k, v string) reqOpt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

func (h *stytchHarness) project() reqOpt {
	return withBasic(h.info.StytchProjectID, h.info.StytchSecret)
}

// call sends body as JSON (any value), as a form (url.Values) or verbatim
// (a string, as JSON).
func (h *stytchHarness) call(method, path string, body any, opts ...reqOpt) apiResponse {
	h.t.Helper()
	var payload, contentType string
	switch b := body.(type) {
	case nil:
	case url.Values:
		payload, contentType = b.Encode(), "application/x-www-form-urlencoded"
	case string:
		payload, contentType = b, "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		payload, contentType = string(raw), "application/json"
	}
	req, err := http.NewRequest(method, h.info.StytchBaseURL+path, strings.NewReader(payload))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := apiResponse{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&out.body); err != nil {
		h.t.Fatalf("%s %s: status %d, body is not JSON: %v", method, path, resp.StatusCode, err)
	}
	if out.body["request_id"] != resp.Header.Get("X-Request-Id") || !strings.HasPrefix(resp.Header.Get("X-Request-Id"), "request-id-test-") {
		h.t.Errorf("%s %s: request_id %v, header %q", method, path, out.body["request_id"], resp.Header.Get("X-Request-Id"))
	}
	if status, _ := out.body["status_code"].(float64); int(status) != resp.StatusCode {
		h.t.Errorf("%s %s: status_code %v, HTTP status %d", method, path, out.body["status_code"], resp.StatusCode)
	}
	return out
}

func (r apiResponse) str(key string) string { s, _ := r.body[key].(string); return s }

// expectOK fails unless the answer is a 200.
func (h *stytchHarness) expectOK(r apiResponse) {
	h.t.Helper()
	if r.status != http.StatusOK {
		h.t.Fatalf("status %d, want 200: %v", r.status, r.body)
	}
}

// expectStytchError checks a Stytch-shaped error.
func (h *stytchHarness) expectStytchError(r apiResponse, status int, errorType string) {
	h.t.Helper()
	if r.status != status || r.str("error_type") != errorType || r.str("error_message") == "" || r.str("error_url") == "" {
		h.t.Fatalf("got %d %v, want %d %s", r.status, r.body, status, errorType)
	}
}

// expectOAuthError checks an OAuth-shaped error.
func (h *stytchHarness) expectOAuthError(r apiResponse, status int, code string) {
	h.t.Helper()
	if r.status != status || r.str("error") != code || r.str("error_description") == "" {
		h.t.Fatalf("got %d %v, want %d %s", r.status, r.body, status, code)
	}
}

func pkcePair() (verifier, challenge string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

type authorizeReq struct {
	org, member, clientID, redirectURI, challenge, state string
	scopes                                               []string
	consent                                              bool
}

func (h *stytchHarness) fixtureAuthorize(scopes []string, challenge, state string) authorizeReq {
	return authorizeReq{org: h.fx.StytchOrganizationID, member: h.fx.StytchMemberID, clientID: h.fx.StytchConnectedAppID,
		redirectURI: h.fx.StytchRedirectURI, challenge: challenge, state: state, scopes: scopes, consent: true}
}

func (h *stytchHarness) authorize(a authorizeReq) apiResponse {
	h.t.Helper()
	body := map[string]any{
		"consent_granted": a.consent, "scopes": a.scopes, "client_id": a.clientID,
		"redirect_uri": a.redirectURI, "response_type": "code",
		"organization_id": a.org, "member_id": a.member,
	}
	if a.challenge != "" {
		body["code_challenge"], body["code_challenge_method"] = a.challenge, "S256"
	}
	if a.state != "" {
		body["state"] = a.state
	}
	return h.call("POST", "/v1/b2b/idp/oauth/authorize", body, h.project())
}

func (h *stytchHarness) tokenPath() string {
	return "/v1/public/" + h.info.StytchProjectID + "/oauth2/token"
}

func (h *stytchHarness) exchange(clientID, secret, code, redirectURI, verifier string) apiResponse {
	h.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code}, "redirect_uri": {redirectURI}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return h.call("POST", h.tokenPath(), form)
}

func (h *stytchHarness) refresh(clientID, secret, token string) apiResponse {
	h.t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {token}}
	if secret != "" {
		form.Set("client_secret", secret)
	}
	return h.call("POST", h.tokenPath(), form)
}

func (h *stytchHarness) introspect(clientID, secret, token string) apiResponse {
	h.t.Helper()
	form := url.Values{"token": {token}, "client_id": {clientID}, "client_secret": {secret}, "token_type_hint": {"access_token"}}
	return h.call("POST", "/v1/public/"+h.info.StytchProjectID+"/oauth2/introspect", form)
}

// fixtureTokens runs the whole flow for the fixture member and app.
func (h *stytchHarness) fixtureTokens(scopes ...string) apiResponse {
	h.t.Helper()
	verifier, challenge := pkcePair()
	a := h.authorize(h.fixtureAuthorize(scopes, challenge, ""))
	h.expectOK(a)
	tok := h.exchange(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, a.str("authorization_code"), h.fx.StytchRedirectURI, verifier)
	h.expectOK(tok)
	return tok
}

func (h *stytchHarness) active(token string) bool {
	h.t.Helper()
	r := h.introspect(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, token)
	h.expectOK(r)
	return r.body["active"] == true
}

func (h *stytchHarness) revokePath(org, member, app string) string {
	return "/v1/b2b/organizations/" + org + "/members/" + member + "/connected_apps/" + app + "/revoke"
}

func (h *stytchHarness) memberApps(org, member string) []any {
	h.t.Helper()
	r := h.call("GET", "/v1/b2b/organizations/"+org+"/members/"+member+"/connected_apps", nil, h.project())
	h.expectOK(r)
	apps, ok := r.body["connected_apps"].([]any)
	if !ok {
		h.t.Fatalf("connected_apps missing: %v", r.body)
	}
	return apps
}

func TestStytchProjectAuth(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	path := "/v1/b2b/organizations/" + h.fx.StytchOrganizationID + "/members/" + h.fx.StytchMemberID + "/connected_apps"
	for name, opts := range map[string][]reqOpt{
		"no credentials": nil,
		"wrong secret":   {withBasic(h.info.StytchProjectID, "secret-test-wrong")},
		"wrong project":  {withBasic("project-test-00000000-0000-4000-8000-000000000000", h.info.StytchSecret)},
		"bearer":         {withHeader("Authorization", "Bearer "+h.info.StytchSecret)},
	} {
		r := h.call("GET", path, nil, opts...)
		h.expectStytchError(r, http.StatusUnauthorized, "unauthorized_credentials")
		if r.str("error_message") != "Unauthorized credentials." {
			t.Errorf("%s: error_message %q", name, r.str("error_message"))
		}
	}
	h.expectOK(h.call("GET", path, nil, h.project()))
}

func TestStytchAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	fx := h.fx
	scopes := []string{"openid", "offline_access", "read:reports"}

	start := h.call("POST", "/v1/b2b/idp/oauth/authorize/start", map[string]any{
		"client_id": fx.StytchConnectedAppID, "redirect_uri": fx.StytchRedirectURI, "response_type": "code",
		"scopes": append(slices.Clone(scopes), "admin:everything"), "organization_id": fx.StytchOrganizationID, "member_id": fx.StytchMemberID,
	}, h.project())
	h.expectOK(start)
	if start.body["consent_required"] != true || start.str("member_id") != fx.StytchMemberID {
		t.Errorf("start: %v", start.body)
	}
	grantable := map[string]bool{}
	for _, sr := range start.body["scope_results"].([]any) {
		sr := sr.(map[string]any)
		grantable[sr["scope"].(string)] = sr["is_grantable"].(bool)
	}
	if !grantable["openid"] || !grantable["offline_access"] || !grantable["read:reports"] || grantable["admin:everything"] {
		t.Errorf("scope_results: %v", grantable)
	}
	if client := start.body["client"].(map[string]any); client["client_id"] != fx.StytchConnectedAppID || client["client_type"] != "third_party" {
		t.Errorf("client: %v", client)
	}

	verifier, challenge := pkcePair()
	a := h.authorize(h.fixtureAuthorize(scopes, challenge, "xyz-state"))
	h.expectOK(a)
	redirect, err := url.Parse(a.str("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	code := a.str("authorization_code")
	if code == "" || redirect.Query().Get("code") != code || redirect.Query().Get("state") != "xyz-state" ||
		!strings.HasPrefix(a.str("redirect_uri"), fx.StytchRedirectURI+"?") {
		t.Fatalf("authorize: %v", a.body)
	}

	tok := h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, code, fx.StytchRedirectURI, verifier)
	h.expectOK(tok)
	if tok.str("token_type") != "bearer" || tok.body["expires_in"] != float64(3600) || tok.str("scope") != "openid offline_access read:reports" ||
		tok.str("access_token") == "" || tok.str("refresh_token") == "" || tok.str("id_token") == "" {
		t.Fatalf("token: %v", tok.body)
	}
	if tok.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", tok.header.Get("Cache-Control"))
	}

	in := h.introspect(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, tok.str("access_token"))
	h.expectOK(in)
	if in.body["active"] != true || in.str("sub") != fx.StytchMemberID || in.str("client_id") != fx.StytchConnectedAppID ||
		in.str("scope") != "openid offline_access read:reports" || in.str("iss") != "stytch.com/"+h.info.StytchProjectID ||
		in.str("token_type") != "access_token" || in.body["exp"] == nil || in.body["iat"] == nil {
		t.Errorf("introspect: %v", in.body)
	}
	if aud, _ := in.body["aud"].([]any); len(aud) != 1 || aud[0] != h.info.StytchProjectID {
		t.Errorf("aud %v", in.body["aud"])
	}
	rin := h.introspect(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, tok.str("refresh_token"))
	if rin.body["active"] != true || rin.str("token_type") != "refresh_token" {
		t.Errorf("introspect refresh token: %v", rin.body)
	}
	for _, garbage := range []string{"garbage", "a.b.c", tok.str("id_token")} {
		if h.active(garbage) {
			t.Errorf("%q introspects active", garbage)
		}
	}

	// A confidential client keeps its refresh token: no rotation, no new one.
	for range 2 {
		ref := h.refresh(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, tok.str("refresh_token"))
		h.expectOK(ref)
		if ref.str("access_token") == "" || ref.str("access_token") == tok.str("access_token") || ref.body["refresh_token"] != nil || ref.str("id_token") == "" {
			t.Fatalf("refresh: %v", ref.body)
		}
		if !h.active(ref.str("access_token")) {
			t.Error("refreshed access token is not active")
		}
	}

	apps := h.memberApps(fx.StytchOrganizationID, fx.StytchMemberID)
	if len(apps) != 1 {
		t.Fatalf("member apps: %v", apps)
	}
	if app := apps[0].(map[string]any); app["connected_app_id"] != fx.StytchConnectedAppID || app["scopes_granted"] != "openid offline_access read:reports" ||
		app["name"] != "fixture-app" || app["client_type"] != "third_party" {
		t.Errorf("member app: %v", app)
	}
	orgApps := h.call("GET", "/v1/b2b/organizations/"+fx.StytchOrganizationID+"/connected_apps", nil, h.project())
	h.expectOK(orgApps)
	if list := orgApps.body["connected_apps"].([]any); len(list) != 1 || list[0].(map[string]any)["connected_app_id"] != fx.StytchConnectedAppID {
		t.Errorf("org apps: %v", orgApps.body)
	}
	orgApp := h.call("GET", "/v1/b2b/organizations/fixture-org/connected_apps/"+fx.StytchConnectedAppID, nil, h.project())
	h.expectOK(orgApp)
	members := orgApp.body["active_members"].([]any)
	if len(members) != 1 || members[0].(map[string]any)["member_id"] != fx.StytchMemberID ||
		len(members[0].(map[string]any)["granted_scopes"].([]any)) != 3 {
		t.Errorf("active_members: %v", orgApp.body)
	}
	if auth, ok := h.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !ok || !auth.Active || !slices.Equal(auth.Scopes, scopes) {
		t.Errorf("Authorization: %+v %v", auth, ok)
	}

	// Once the member has consented, start no longer asks.
	again := h.call("POST", "/v1/b2b/idp/oauth/authorize/start", map[string]any{
		"client_id": fx.StytchConnectedAppID, "redirect_uri": fx.StytchRedirectURI, "response_type": "code",
		"scopes": []string{"openid"}, "organization_id": fx.StytchOrganizationID, "member_id": fx.StytchMemberID,
	}, h.project())
	if again.body["consent_required"] != false {
		t.Errorf("consent_required after consent: %v", again.body["consent_required"])
	}
}

func TestStytchTokensFollowScopes(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	onlyReports := h.fixtureTokens("read:reports")
	if onlyReports.body["id_token"] != nil || onlyReports.body["refresh_token"] != nil || onlyReports.str("scope") != "read:reports" {
		t.Errorf("read:reports only: %v", onlyReports.body)
	}
	openid := h.fixtureTokens("openid")
	if openid.str("id_token") == "" || openid.body["refresh_token"] != nil {
		t.Errorf("openid: %v", openid.body)
	}
	offline := h.fixtureTokens("offline_access")
	if offline.body["id_token"] != nil || offline.str("refresh_token") == "" {
		t.Errorf("offline_access: %v", offline.body)
	}
}

func TestStytchTokenExchangeFailures(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	fx := h.fx
	code := func(challenge string) string {
		a := h.authorize(h.fixtureAuthorize([]string{"openid"}, challenge, ""))
		h.expectOK(a)
		return a.str("authorization_code")
	}
	verifier, challenge := pkcePair()

	t.Run("wrong verifier spends the code", func(t *testing.T) {
		c := code(challenge)
		wrong, _ := pkcePair()
		h.expectOAuthError(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, c, fx.StytchRedirectURI, wrong), http.StatusBadRequest, "invalid_grant")
		h.expectOAuthError(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, c, fx.StytchRedirectURI, verifier), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		h.expectOAuthError(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, code(challenge), fx.StytchRedirectURI, ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("reuse ends what the code issued, and only that", func(t *testing.T) {
		other := h.fixtureTokens("openid", "offline_access")
		a := h.authorize(h.fixtureAuthorize([]string{"openid", "offline_access"}, challenge, ""))
		h.expectOK(a)
		c := a.str("authorization_code")
		first := h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, c, fx.StytchRedirectURI, verifier)
		h.expectOK(first)
		h.expectOAuthError(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, c, fx.StytchRedirectURI, verifier), http.StatusBadRequest, "invalid_grant")
		if h.active(first.str("access_token")) {
			t.Error("the access token of a replayed code is still active")
		}
		h.expectOAuthError(h.refresh(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, first.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		if !h.active(other.str("access_token")) {
			t.Error("a replayed code ended tokens another code of the same authorization issued")
		}
	})
	t.Run("other redirect_uri", func(t *testing.T) {
		h.expectOAuthError(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, code(challenge), "https://app.example.test/other", verifier), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("expired", func(t *testing.T) {
		// A server of its own: advancing the shared clock would expire the
		// other subtests' codes.
		h := newStytchHarness(t, Options{})
		a := h.authorize(h.fixtureAuthorize([]string{"openid"}, "", ""))
		h.expectOK(a)
		h.srv.Advance(authorizationCodeTTL + time.Second)
		h.expectOAuthError(h.exchange(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, a.str("authorization_code"), h.fx.StytchRedirectURI, ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("wrong client secret", func(t *testing.T) {
		c := code(challenge)
		r := h.exchange(fx.StytchConnectedAppID, "not-the-secret", c, fx.StytchRedirectURI, verifier)
		h.expectOAuthError(r, http.StatusUnauthorized, "invalid_client")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {fx.StytchRedirectURI}, "code_verifier": {verifier}}
		basic := h.call("POST", h.tokenPath(), form, withBasic(fx.StytchConnectedAppID, "not-the-secret"))
		h.expectOAuthError(basic, http.StatusUnauthorized, "invalid_client")
		if basic.header.Get("WWW-Authenticate") == "" {
			t.Error("no WWW-Authenticate after a Basic attempt")
		}
		// Client authentication fails before the code is looked at, so the
		// code still works for the real client.
		h.expectOK(h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, c, fx.StytchRedirectURI, verifier))
		h.expectOAuthError(h.introspect(fx.StytchConnectedAppID, "not-the-secret", "whatever"), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("JSON body and Basic client auth", func(t *testing.T) {
		body := map[string]any{"grant_type": "authorization_code", "code": code(challenge), "redirect_uri": fx.StytchRedirectURI, "code_verifier": verifier}
		h.expectOK(h.call("POST", h.tokenPath(), body, withBasic(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret)))
	})
	t.Run("unsupported grant type", func(t *testing.T) {
		form := url.Values{"grant_type": {"password"}, "client_id": {fx.StytchConnectedAppID}, "client_secret": {fx.StytchConnectedAppClientSecret}}
		h.expectOAuthError(h.call("POST", h.tokenPath(), form), http.StatusBadRequest, "unsupported_grant_type")
	})
	t.Run("unknown project", func(t *testing.T) {
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {fx.StytchConnectedAppID}, "client_secret": {fx.StytchConnectedAppClientSecret}}
		r := h.call("POST", "/v1/public/project-test-00000000-0000-4000-8000-000000000000/oauth2/token", form)
		if r.status != http.StatusNotFound {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestStytchAuthorizeErrors(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	base := h.fixtureAuthorize([]string{"openid", "read:reports"}, "", "")
	for _, tc := range []struct {
		name      string
		change    func(*authorizeReq)
		status    int
		errorType string
	}{
		{"unregistered redirect_uri", func(a *authorizeReq) { a.redirectURI = "https://evil.example.test/callback" }, http.StatusBadRequest, "invalid_redirect_uri"},
		{"scope not grantable", func(a *authorizeReq) { a.scopes = []string{"openid", "admin:everything"} }, http.StatusBadRequest, "invalid_scope"},
		{"unknown app", func(a *authorizeReq) { a.clientID = "connected-app-test-00000000-0000-4000-8000-000000000000" }, http.StatusNotFound, "connected_app_not_found"},
		{"unknown organization", func(a *authorizeReq) { a.org = "organization-test-00000000-0000-4000-8000-000000000000" }, http.StatusNotFound, "organization_not_found"},
		{"unknown member", func(a *authorizeReq) { a.member = "member-test-00000000-0000-4000-8000-000000000000" }, http.StatusNotFound, "member_not_found"},
		{"no member", func(a *authorizeReq) { a.org, a.member = "", "" }, http.StatusBadRequest, "bad_request"},
	} {
		a := base
		tc.change(&a)
		h.expectStytchError(h.authorize(a), tc.status, tc.errorType)
	}
	h.expectStytchError(h.call("POST", "/v1/b2b/idp/oauth/authorize", map[string]any{
		"scopes": []string{"openid"}, "client_id": h.fx.StytchConnectedAppID, "redirect_uri": h.fx.StytchRedirectURI,
		"response_type": "code", "organization_id": h.fx.StytchOrganizationID, "member_id": h.fx.StytchMemberID,
	}, h.project()), http.StatusBadRequest, "bad_request")
	if c := h.srv.Stats().Authorizations; c.Active+c.Revoked != 0 {
		t.Errorf("failed authorizations recorded something: %+v", c)
	}

	denied := base
	denied.consent, denied.state = false, "s1"
	r := h.authorize(denied)
	h.expectOK(r)
	redirect, _ := url.Parse(r.str("redirect_uri"))
	if redirect.Query().Get("error") != "access_denied" || redirect.Query().Get("state") != "s1" || redirect.Query().Get("code") != "" || r.body["authorization_code"] != nil {
		t.Errorf("denied: %v", r.body)
	}
	if _, ok := h.srv.Authorization(h.fx.StytchOrganizationID, h.fx.StytchMemberID, h.fx.StytchConnectedAppID); ok {
		t.Error("a denied consent recorded an authorization")
	}
}

func TestStytchRevoke(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	fx := h.fx
	tok := h.fixtureTokens("openid", "offline_access", "read:reports")
	access, refresh := tok.str("access_token"), tok.str("refresh_token")
	if !h.active(access) {
		t.Fatal("access token not active before revoke")
	}
	path := h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID)

	h.expectStytchError(h.call("POST", path, `["not", "an", "object"]`, h.project()), http.StatusBadRequest, "bad_request")
	h.expectStytchError(h.call("POST", path, map[string]any{}), http.StatusUnauthorized, "unauthorized_credentials")
	if !h.active(access) {
		t.Fatal("a refused revoke changed something")
	}

	r := h.call("POST", path, map[string]any{}, h.project())
	h.expectOK(r)
	if len(r.body) != 2 {
		t.Errorf("revoke answer: %v", r.body)
	}
	if h.active(access) {
		t.Error("access token still active after revoke")
	}
	if h.active(refresh) {
		t.Error("refresh token still introspects active after revoke")
	}
	h.expectOAuthError(h.refresh(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, refresh), http.StatusBadRequest, "invalid_grant")
	if apps := h.memberApps(fx.StytchOrganizationID, fx.StytchMemberID); len(apps) != 0 {
		t.Errorf("revoked app still listed: %v", apps)
	}
	orgApp := h.call("GET", "/v1/b2b/organizations/"+fx.StytchOrganizationID+"/connected_apps/"+fx.StytchConnectedAppID, nil, h.project())
	if members := orgApp.body["active_members"].([]any); len(members) != 0 {
		t.Errorf("active_members after revoke: %v", members)
	}
	if auth, ok := h.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !ok || auth.Active {
		t.Errorf("Authorization after revoke: %+v %v", auth, ok)
	}

	// Revoking again, by slug and with no body, is a quiet success; an
	// unknown app, member or organization is not.
	h.expectOK(h.call("POST", h.revokePath("fixture-org", fx.StytchMemberID, fx.StytchConnectedAppID), nil, h.project()))
	h.expectStytchError(h.call("POST", h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, "connected-app-test-00000000-0000-4000-8000-000000000000"), map[string]any{}, h.project()), http.StatusNotFound, "connected_app_not_found")
	h.expectStytchError(h.call("POST", h.revokePath(fx.StytchOrganizationID, "member-test-00000000-0000-4000-8000-000000000000", fx.StytchConnectedAppID), map[string]any{}, h.project()), http.StatusNotFound, "member_not_found")
	h.expectStytchError(h.call("POST", h.revokePath("no-such-org", fx.StytchMemberID, fx.StytchConnectedAppID), map[string]any{}, h.project()), http.StatusNotFound, "organization_not_found")

	// A new authorization is needed for new tokens, and old ones stay dead.
	again := h.fixtureTokens("openid")
	if !h.active(again.str("access_token")) || h.active(access) {
		t.Error("re-authorization did not behave")
	}
}

func TestStytchRevokeByExternalIDs(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	org := h.call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Acme", "organization_slug": "acme", "organization_external_id": "acme-ext"}, h.project())
	h.expectOK(org)
	orgObj := org.body["organization"].(map[string]any)
	orgID := orgObj["organization_id"].(string)
	if !strings.HasPrefix(orgID, "organization-test-") || orgObj["organization_slug"] != "acme" {
		t.Fatalf("organization: %v", orgObj)
	}
	h.expectStytchError(h.call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Acme 2", "organization_slug": "acme"}, h.project()), http.StatusBadRequest, "organization_slug_already_used")

	m := h.call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "ada@acme.example.test", "name": "Ada", "external_id": "ada-ext"}, h.project())
	h.expectOK(m)
	memberID := m.str("member_id")
	if !strings.HasPrefix(memberID, "member-test-") || m.body["member"].(map[string]any)["email_address"] != "ada@acme.example.test" ||
		m.body["organization"].(map[string]any)["organization_id"] != orgID {
		t.Fatalf("member: %v", m.body)
	}
	h.expectStytchError(h.call("POST", "/v1/b2b/organizations/acme/members", map[string]any{"email_address": "ADA@acme.example.test"}, h.project()), http.StatusBadRequest, "duplicate_member_email")

	a := h.fixtureAuthorize([]string{"read:reports"}, "", "")
	a.org, a.member = "acme-ext", "ada-ext"
	h.expectOK(h.authorize(a))
	if auth, ok := h.srv.Authorization(orgID, memberID, h.fx.StytchConnectedAppID); !ok || !auth.Active || auth.OrganizationID != orgID {
		t.Fatalf("Authorization: %+v %v", auth, ok)
	}
	h.expectOK(h.call("POST", h.revokePath("acme-ext", "ada-ext", h.fx.StytchConnectedAppID), map[string]any{}, h.project()))
	if auth, _ := h.srv.Authorization("acme", "ada-ext", h.fx.StytchConnectedAppID); auth.Active {
		t.Error("revoke by external ids did not revoke")
	}
	// A member of another organization is not found through this one.
	h.expectStytchError(h.call("POST", h.revokePath("acme", h.fx.StytchMemberID, h.fx.StytchConnectedAppID), map[string]any{}, h.project()), http.StatusNotFound, "member_not_found")
}

func TestStytchRevokeMemberSession(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	fx := h.fx
	h.fixtureTokens("read:reports")
	path := h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID)

	plain, err := h.srv.CreateMember(fx.StytchOrganizationID, "plain@fixture-org.example.test", false)
	if err != nil {
		t.Fatal(err)
	}
	plainToken, plainJWT, err := h.srv.CreateMemberSession(fx.StytchOrganizationID, plain)
	if err != nil {
		t.Fatal(err)
	}
	otherOrg := h.call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": "Other", "organization_slug": "other"}, h.project())
	otherOrgID := otherOrg.body["organization"].(map[string]any)["organization_id"].(string)
	otherAdmin, err := h.srv.CreateMember(otherOrgID, "boss@other.example.test", true)
	if err != nil {
		t.Fatal(err)
	}
	otherToken, _, err := h.srv.CreateMemberSession(otherOrgID, otherAdmin)
	if err != nil {
		t.Fatal(err)
	}

	for name, hdr := range map[string][2]string{
		"member without permission, token": {"X-Stytch-Member-Session", plainToken},
		"member without permission, JWT":   {"X-Stytch-Member-SessionJWT", plainJWT},
		"admin of another organization":    {"X-Stytch-Member-Session", otherToken},
	} {
		r := h.call("POST", path, map[string]any{}, h.project(), withHeader(hdr[0], hdr[1]))
		h.expectStytchError(r, http.StatusForbidden, "session_authorization_error")
		if auth, _ := h.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !auth.Active {
			t.Fatalf("%s: a refused revoke revoked", name)
		}
	}
	h.expectStytchError(h.call("POST", path, map[string]any{}, h.project(), withHeader("X-Stytch-Member-Session", "no-such-session")), http.StatusNotFound, "session_not_found")
	h.expectStytchError(h.call("POST", path, map[string]any{}, h.project(), withHeader("X-Stytch-Member-SessionJWT", "not.a.jwt")), http.StatusNotFound, "session_not_found")

	adminToken, adminJWT, err := h.srv.CreateMemberSession(fx.StytchOrganizationID, fx.StytchMemberID)
	if err != nil {
		t.Fatal(err)
	}
	h.expectOK(h.call("POST", path, map[string]any{}, h.project(), withHeader("X-Stytch-Member-Session", adminToken)))
	// A session JWT outlives its own five minutes while the session lives,
	// and not after.
	h.srv.Advance(sessionJWTTTL + time.Minute)
	h.expectOK(h.call("POST", path, map[string]any{}, h.project(), withHeader("X-Stytch-Member-SessionJWT", adminJWT)))
	h.srv.Advance(sessionTTL)
	h.expectStytchError(h.call("POST", path, map[string]any{}, h.project(), withHeader("X-Stytch-Member-Session", adminToken)), http.StatusNotFound, "session_not_found")
}

func TestStytchAccessTokenExpiry(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	tok := h.fixtureTokens("openid", "offline_access")
	h.srv.Advance(59 * time.Minute)
	if !h.active(tok.str("access_token")) {
		t.Fatal("expired early")
	}
	h.srv.Advance(time.Minute)
	if h.active(tok.str("access_token")) {
		t.Error("access token active at its expiry")
	}
	ref := h.refresh(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, tok.str("refresh_token"))
	h.expectOK(ref)
	if !h.active(ref.str("access_token")) {
		t.Error("refresh after expiry gave an inactive token")
	}

	// access_token_expiry_minutes set on the client governs expires_in. An
	// update replaces the whole client, so it sends the redirect URL too.
	upd := h.call("PUT", "/v1/connected_apps/clients/"+h.fx.StytchConnectedAppID, map[string]any{
		"client_name": "fixture-app", "redirect_urls": []string{h.fx.StytchRedirectURI}, "access_token_expiry_minutes": 5,
	}, h.project())
	h.expectOK(upd)
	short := h.fixtureTokens("read:reports")
	if short.body["expires_in"] != float64(300) {
		t.Errorf("expires_in %v", short.body["expires_in"])
	}
	h.srv.Advance(5 * time.Minute)
	if h.active(short.str("access_token")) {
		t.Error("5-minute token active after 5 minutes")
	}
}

func TestStytchJWKSVerifiesAccessToken(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	tok := h.fixtureTokens("openid")
	jwks := h.call("GET", "/v1/b2b/sessions/jwks/"+h.info.StytchProjectID, nil, h.project())
	h.expectOK(jwks)
	keys := jwks.body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys: %v", keys)
	}
	jwk := keys[0].(map[string]any)
	if jwk["kty"] != "RSA" || jwk["alg"] != "RS256" || jwk["use"] != "sig" || !strings.HasPrefix(jwk["kid"].(string), "jwk-test-") {
		t.Errorf("jwk: %v", jwk)
	}
	n, err := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
	if err != nil {
		t.Fatal(err)
	}
	e, err := base64.RawURLEncoding.DecodeString(jwk["e"].(string))
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}

	for _, name := range []string{"access_token", "id_token"} {
		parts := strings.Split(tok.str(name), ".")
		if len(parts) != 3 {
			t.Fatalf("%s is not a JWT", name)
		}
		var header struct{ Alg, Kid, Typ string }
		raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
		if err := json.Unmarshal(raw, &header); err != nil || header.Alg != "RS256" || header.Kid != jwk["kid"] {
			t.Errorf("%s header: %s", name, raw)
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Errorf("%s signature: %v", name, err)
		}
		var claims map[string]any
		raw, _ = base64.RawURLEncoding.DecodeString(parts[1])
		if err := json.Unmarshal(raw, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["sub"] != h.fx.StytchMemberID || claims["iss"] != "stytch.com/"+h.info.StytchProjectID {
			t.Errorf("%s claims: %v", name, claims)
		}
		if org, _ := claims["https://stytch.com/organization"].(map[string]any); org["organization_id"] != h.fx.StytchOrganizationID {
			t.Errorf("%s organization claim: %v", name, claims)
		}
		if name == "access_token" && (claims["client_id"] != h.fx.StytchConnectedAppID || claims["jti"] == nil || claims["nbf"] == nil) {
			t.Errorf("access token claims: %v", claims)
		}
	}
	if r := h.call("GET", "/v1/b2b/sessions/jwks/project-test-00000000-0000-4000-8000-000000000000", nil, h.project()); r.status != http.StatusNotFound {
		t.Errorf("JWKS of another project: %d", r.status)
	}
}

// TestStytchJWKSIsPublic: both key sets answer with no credentials, as the
// official clients fetch them, with the same keys as with the project's
// credentials; wrong credentials are not looked at, and another project's
// key set is still not found.
func TestStytchJWKSIsPublic(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	for _, path := range []string{"/v1/b2b/sessions/jwks/", "/v1/sessions/jwks/"} {
		withCreds := h.call("GET", path+h.info.StytchProjectID, nil, h.project())
		h.expectOK(withCreds)
		for name, opts := range map[string][]reqOpt{
			"none":  nil,
			"wrong": {withBasic(h.info.StytchProjectID, "secret-test-wrong")},
		} {
			r := h.call("GET", path+h.info.StytchProjectID, nil, opts...)
			h.expectOK(r)
			if !reflect.DeepEqual(r.body["keys"], withCreds.body["keys"]) || len(r.body["keys"].([]any)) != 1 {
				t.Errorf("%s with %s credentials: keys %v, with the project's %v", path, name, r.body["keys"], withCreds.body["keys"])
			}
		}
		h.expectStytchError(h.call("GET", path+"project-test-00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound, "not_found")
	}
	st := h.srv.Stats()
	if n := st.Count("GET", "/v1/b2b/sessions/jwks/{project_id}", http.StatusOK); n != 3 {
		t.Errorf("key set fetches counted: %d, want 3", n)
	}
}

func TestStytchStatsAuthorizationCounts(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	fx := h.fx
	count := func() AuthorizationCount { return h.srv.Stats().Authorizations }
	if c := count(); c != (AuthorizationCount{}) {
		t.Fatalf("fresh emulator: %+v", c)
	}
	second, err := h.srv.CreateMember(fx.StytchOrganizationID, "second@fixture-org.example.test", false)
	if err != nil {
		t.Fatal(err)
	}
	h.fixtureTokens("openid")
	a := h.fixtureAuthorize([]string{"openid"}, "", "")
	a.member = second
	h.expectOK(h.authorize(a))
	if c := count(); c != (AuthorizationCount{Active: 2}) {
		t.Errorf("two grants: %+v", c)
	}
	h.expectOK(h.call("POST", h.revokePath(fx.StytchOrganizationID, second, fx.StytchConnectedAppID), map[string]any{}, h.project()))
	if c := count(); c != (AuthorizationCount{Active: 1, Revoked: 1}) {
		t.Errorf("after revoke: %+v", c)
	}
	h.expectOK(h.authorize(a))
	if c := count(); c != (AuthorizationCount{Active: 2}) {
		t.Errorf("after re-grant: %+v", c)
	}
	st := h.srv.Stats()
	if n := st.Count("POST", "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke", http.StatusOK); n != 1 {
		t.Errorf("revoke calls counted: %d", n)
	}
}

func TestStytchFaultAnsweredBeforeStateChange(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{Faults: "500=1"})
	fx := h.fx
	h.srv.mu.Lock()
	h.srv.stytch.recordAuthorization(grantKey{fx.StytchMemberID, fx.StytchConnectedAppID}, fx.StytchOrganizationID, []string{"openid"}, h.srv.Now())
	h.srv.mu.Unlock()

	r := h.call("POST", h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID), map[string]any{}, h.project())
	h.expectStytchError(r, http.StatusInternalServerError, "internal_server_error")
	if auth, _ := h.srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !auth.Active {
		t.Error("a faulted revoke revoked")
	}
	h.expectStytchError(h.call("POST", "/v1/b2b/organizations", map[string]any{"organization_name": "X", "organization_slug": "xx"}, h.project()), http.StatusInternalServerError, "internal_server_error")
	h.srv.mu.Lock()
	orgs := len(h.srv.stytch.orgs)
	h.srv.mu.Unlock()
	if orgs != 1 {
		t.Errorf("a faulted create made an organization: %d", orgs)
	}
	if st := h.srv.Stats(); st.Faults["500"] != 2 {
		t.Errorf("faults: %v", st.Faults)
	}
}

func TestStytchPublicClientRotatesRefreshTokens(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	clientID, secret, err := h.srv.CreateConnectedApp("third_party_public", "cli", []string{"http://127.0.0.1:8765/cb"}, nil)
	if err != nil || secret != "" {
		t.Fatalf("CreateConnectedApp: %q %v", secret, err)
	}
	a := authorizeReq{org: h.fx.StytchOrganizationID, member: h.fx.StytchMemberID, clientID: clientID, redirectURI: "http://127.0.0.1:8765/cb", scopes: []string{"offline_access"}, consent: true}
	h.expectStytchError(h.authorize(a), http.StatusBadRequest, "bad_request")
	verifier, challenge := pkcePair()
	a.challenge = challenge
	auth := h.authorize(a)
	h.expectOK(auth)
	tok := h.exchange(clientID, "", auth.str("authorization_code"), a.redirectURI, verifier)
	h.expectOK(tok)
	first := tok.str("refresh_token")
	ref := h.refresh(clientID, "", first)
	h.expectOK(ref)
	second := ref.str("refresh_token")
	if second == "" || second == first {
		t.Fatalf("refresh token not rotated: %v", ref.body)
	}
	h.expectOAuthError(h.refresh(clientID, "", first), http.StatusBadRequest, "invalid_grant")
	h.expectOK(h.refresh(clientID, "", second))
	// Another client cannot use this client's refresh token.
	h.expectOAuthError(h.refresh(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, second), http.StatusBadRequest, "invalid_grant")
}

func TestStytchConnectedAppClients(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	created := h.call("POST", "/v1/connected_apps/clients", map[string]any{
		"client_type": "first_party", "client_name": "Internal", "redirect_urls": []string{"https://internal.example.test/cb"},
	}, h.project())
	h.expectOK(created)
	app := created.body["connected_app"].(map[string]any)
	clientID, _ := app["client_id"].(string)
	secret, _ := app["client_secret"].(string)
	if !strings.HasPrefix(clientID, "connected-app-test-") || len(secret) < 32 || app["client_secret_last_four"] != secret[len(secret)-4:] ||
		app["access_token_expiry_minutes"] != float64(60) {
		t.Fatalf("created: %v", app)
	}
	got := h.call("GET", "/v1/connected_apps/clients/"+clientID, nil, h.project())
	h.expectOK(got)
	if _, leaked := got.body["connected_app"].(map[string]any)["client_secret"]; leaked {
		t.Error("GET returned the client secret")
	}
	upd := h.call("PUT", "/v1/connected_apps/clients/"+clientID, map[string]any{
		"client_name": "Renamed", "redirect_urls": []string{"https://internal.example.test/cb"},
	}, h.project())
	h.expectOK(upd)
	if upd.body["connected_app"].(map[string]any)["client_name"] != "Renamed" {
		t.Errorf("update: %v", upd.body)
	}
	h.expectStytchError(h.call("PUT", "/v1/connected_apps/clients/"+clientID, map[string]any{"access_token_expiry_minutes": 0}, h.project()), http.StatusBadRequest, "bad_request")

	// A first-party app needs no consent except for offline_access.
	start := func(scopes ...string) any {
		r := h.call("POST", "/v1/b2b/idp/oauth/authorize/start", map[string]any{
			"client_id": clientID, "redirect_uri": "https://internal.example.test/cb", "response_type": "code",
			"scopes": scopes, "organization_id": h.fx.StytchOrganizationID, "member_id": h.fx.StytchMemberID,
		}, h.project())
		h.expectOK(r)
		return r.body["consent_required"]
	}
	if start("openid") != false || start("openid", "offline_access") != true {
		t.Error("first-party consent rules")
	}

	a := authorizeReq{org: h.fx.StytchOrganizationID, member: h.fx.StytchMemberID, clientID: clientID, redirectURI: "https://internal.example.test/cb", scopes: []string{"openid"}, consent: true}
	auth := h.authorize(a)
	h.expectOK(auth)
	tok := h.exchange(clientID, secret, auth.str("authorization_code"), a.redirectURI, "")
	h.expectOK(tok)

	del := h.call("DELETE", "/v1/connected_apps/clients/"+clientID, nil, h.project())
	h.expectOK(del)
	if del.str("client_id") != clientID {
		t.Errorf("delete: %v", del.body)
	}
	h.expectStytchError(h.call("GET", "/v1/connected_apps/clients/"+clientID, nil, h.project()), http.StatusNotFound, "connected_app_not_found")
	h.expectOAuthError(h.introspect(clientID, secret, tok.str("access_token")), http.StatusUnauthorized, "invalid_client")
	if a, ok := h.srv.Authorization(h.fx.StytchOrganizationID, h.fx.StytchMemberID, clientID); !ok || a.Active {
		t.Errorf("authorization of a deleted app = %+v, %v; want it revoked", a, ok)
	}

	pub := h.call("POST", "/v1/connected_apps/clients", map[string]any{"client_type": "first_party_public", "client_name": "SPA"}, h.project())
	h.expectOK(pub)
	if _, has := pub.body["connected_app"].(map[string]any)["client_secret"]; has {
		t.Error("public client got a secret")
	}
	h.expectStytchError(h.call("POST", "/v1/connected_apps/clients", map[string]any{"client_type": "second_party"}, h.project()), http.StatusBadRequest, "bad_request")
}

func TestStytchConsumerRevoke(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	u := h.call("POST", "/v1/users", map[string]any{"email": "grace@example.test"}, h.project())
	h.expectOK(u)
	userID := u.str("user_id")
	if !strings.HasPrefix(userID, "user-test-") {
		t.Fatalf("user: %v", u.body)
	}
	verifier, challenge := pkcePair()
	auth := h.call("POST", "/v1/idp/oauth/authorize", map[string]any{
		"consent_granted": true, "scopes": []string{"openid", "email"}, "client_id": h.fx.StytchConnectedAppID,
		"redirect_uri": h.fx.StytchRedirectURI, "response_type": "code", "user_id": userID, "code_challenge": challenge,
	}, h.project())
	h.expectOK(auth)
	tok := h.exchange(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, auth.str("authorization_code"), h.fx.StytchRedirectURI, verifier)
	h.expectOK(tok)
	in := h.introspect(h.fx.StytchConnectedAppID, h.fx.StytchConnectedAppClientSecret, tok.str("access_token"))
	if in.body["active"] != true || in.str("sub") != userID || in.body["https://stytch.com/organization"] != nil {
		t.Fatalf("introspect: %v", in.body)
	}
	list := h.call("GET", "/v1/users/"+userID+"/connected_apps", nil, h.project())
	if apps := list.body["connected_apps"].([]any); len(apps) != 1 {
		t.Fatalf("user apps: %v", list.body)
	}
	if c := h.srv.Stats().Authorizations; c.Active != 1 {
		t.Errorf("counts: %+v", c)
	}

	h.expectOK(h.call("POST", "/v1/users/"+userID+"/connected_apps/"+h.fx.StytchConnectedAppID+"/revoke", map[string]any{}, h.project()))
	if h.active(tok.str("access_token")) {
		t.Error("user's access token active after revoke")
	}
	list = h.call("GET", "/v1/users/"+userID+"/connected_apps", nil, h.project())
	if apps := list.body["connected_apps"].([]any); len(apps) != 0 {
		t.Errorf("user apps after revoke: %v", list.body)
	}
	h.expectStytchError(h.call("POST", "/v1/users/user-test-00000000-0000-4000-8000-000000000000/connected_apps/"+h.fx.StytchConnectedAppID+"/revoke", map[string]any{}, h.project()), http.StatusNotFound, "user_not_found")
}

// Stytch's limit is per endpoint, in fixed windows: one endpoint's
// requests do not spend another's, and Clerk's limit spends neither.
func TestStytchRateLimitPerEndpoint(t *testing.T) {
	t.Parallel()
	// Windows of a day, so that the test does not straddle one.
	h := newStytchHarness(t, Options{StytchRateLimit: "2/24h", RateLimit: "1/24h"})
	orgPath := "/v1/b2b/organizations/" + h.fx.StytchOrganizationID + "/connected_apps"
	for range 2 {
		h.expectOK(h.call("GET", orgPath, nil, h.project()))
	}
	res := h.call("GET", orgPath, nil, h.project())
	h.expectStytchError(res, http.StatusTooManyRequests, "too_many_requests")
	if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 || secs > 24*3600 {
		t.Errorf("Retry-After %q, want the seconds left of the day's window", res.header.Get("Retry-After"))
	}
	// Another endpoint has a window of its own.
	h.expectOK(h.call("GET", "/v1/b2b/organizations/"+h.fx.StytchOrganizationID+"/members/"+h.fx.StytchMemberID+"/connected_apps", nil, h.project()))
	// Clerk's limit is its own: its one request does not refuse Stytch's.
	clerkWant(t, clerkCall(t, h.info.ClerkAPIURL, "GET", "/jwks", h.info.ClerkSecretKey, nil), 200, "")
	clerkWant(t, clerkCall(t, h.info.ClerkAPIURL, "GET", "/jwks", h.info.ClerkSecretKey, nil), 429, "too_many_requests")
	if st := h.srv.Stats(); st.Faults["rate_limited"] != 2 {
		t.Errorf("rate_limited %d, want 2 (one Stytch, one Clerk)", st.Faults["rate_limited"])
	}
	if _, err := Start(Options{StytchRateLimit: "x/1s"}); err == nil {
		t.Error("a bad Stytch rate limit was accepted")
	}
}
