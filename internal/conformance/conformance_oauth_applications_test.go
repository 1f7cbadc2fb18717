package conformance

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/oauthapplication"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Clerk OAuth applications, through the client, raw where the client
// calls nothing (the instance's OAuth settings), and through the official
// Go client, which calls the application routes but neither revoke_token
// nor the access token verification, and sends the deprecated callback_url.

const oauthRedirect = "https://app.example.test/callback"

// unknownOAuthAppID has the emulator's shape of an application id and
// names none.
const unknownOAuthAppID = "oa_000000000000000000000000000"

func init() {
	// Clerk documents its Frontend API's OAuth endpoints outside the
	// Backend API's reference: the token endpoint is called unvalidated.
	undescribedRoutes = append(undescribedRoutes, struct {
		method string
		path   *regexp.Regexp
		name   string
	}{http.MethodPost, regexp.MustCompile(`^/clerk/frontend/oauth/token$`), "POST /oauth/token (Clerk Frontend API)"})
	cases = append(cases, oauthApplicationCases...)
	cases = append(cases, officialOAuthApplicationCases...)
	knownDeviations = append(knownDeviations, []struct {
		deviation
		why string
	}{
		{deviation{"clerk ListOAuthApplications", phaseRequest, 0, "query dynamically_registered"},
			"clerk-sdk-go v2.7.0 oauthapplication.ListParams sends dynamically_registered, which the description does not declare"},
		{deviation{"clerk DeleteOAuthApplication", phaseRequest, 0, "body"},
			"clerk-sdk-go v2.7.0 sends the body null with DELETE /oauth_applications/{oauth_application_id}"},
		{deviation{"clerk RotateOAuthApplicationSecret", phaseRequest, 0, "body"},
			"clerk-sdk-go v2.7.0 sends the body null with POST /oauth_applications/{oauth_application_id}/rotate_secret, which has no request body"},
		{deviation{"clerk GetOAuthApplication", phaseResponse, 401, "status"},
			"Clerk: a wrong secret key is 401 clerk_key_invalid on every Clerk call"},
	}...)
}

// newOAuthApp creates an application of the subtest's own through the
// client.
func (h *harness) newOAuthApp(req client.CreateOAuthApplicationRequest) *client.OAuthApplicationWithSecret {
	h.t.Helper()
	if req.Name == "" {
		req.Name = "conformance-" + h.env.unique()
	}
	if req.RedirectURIs == nil {
		req.RedirectURIs = []string{oauthRedirect}
	}
	a, err := h.client.CreateOAuthApplication(h.ctx, req)
	h.must(err)
	return a
}

// oauthTokens has the fixture user authorize app through the emulator's
// stand-in for the browser, then exchanges the code with PKCE at the
// application's token_fetch_url, as its client would. It returns the
// access and refresh tokens.
func (h *harness) oauthTokens(app *client.OAuthApplicationWithSecret) (access, refresh string) {
	h.t.Helper()
	verifier := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	sum := sha256.Sum256([]byte(verifier))
	body, err := json.Marshal(map[string]any{
		"client_id": app.ClientID, "redirect_uri": oauthRedirect, "consent_granted": true,
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]), "code_challenge_method": "S256",
	})
	h.must(err)
	// The emulator's own control route, no Clerk API: sent around the
	// validator.
	resp, err := http.Post(h.env.info.URL+"/__emulator/clerk/oauth/authorize", "application/json", strings.NewReader(string(body)))
	h.must(err)
	var authz struct {
		Code string `json:"code"`
	}
	h.must(json.NewDecoder(resp.Body).Decode(&authz))
	resp.Body.Close()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {authz.Code}, "redirect_uri": {oauthRedirect}, "code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, app.TokenFetchURL, strings.NewReader(form.Encode()))
	h.must(err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	resp, err = h.raw.Do(req)
	h.must(err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	h.must(json.NewDecoder(resp.Body).Decode(&tok))
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" || tok.RefreshToken == "" {
		h.t.Fatalf("token exchange: %d", resp.StatusCode)
	}
	return tok.AccessToken, tok.RefreshToken
}

var oauthApplicationCases = []opCase{
	{op: "clerk CreateOAuthApplication", name: "with_everything", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{
			RedirectURIs: []string{oauthRedirect, "http://127.0.0.1:8080/cb"}, Scopes: ptr("profile email public_metadata"),
			PKCERequired: ptr(true), ConsentScreenEnabled: ptr(false),
		})
		if a.ClientSecret == "" || a.ClientID == "" || !a.PKCERequired || a.ConsentScreenEnabled || len(a.RedirectURIs) != 2 || len(a.ScopeList()) != 3 {
			h.t.Errorf("created %+v", a.OAuthApplication)
		}
	}},
	{op: "clerk CreateOAuthApplication", name: "public_has_no_secret", status: http.StatusOK, run: func(h *harness) {
		if a := h.newOAuthApp(client.CreateOAuthApplicationRequest{Public: ptr(true)}); a.ClientSecret != "" || !a.Public {
			h.t.Errorf("a public client: %+v", a)
		}
	}},
	{op: "clerk CreateOAuthApplication", name: "name_missing", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		status, body := h.clerk(withInvalidRequest(h.ctx, "body/name"), http.MethodPost, "/oauth_applications", h.env.info.ClerkSecretKey, map[string]any{})
		h.wantStatus(status, http.StatusUnprocessableEntity, body)
	}},
	{op: "clerk CreateOAuthApplication", name: "redirect_uri_not_a_url", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		_, err := h.client.CreateOAuthApplication(h.ctx, client.CreateOAuthApplicationRequest{Name: "x", RedirectURIs: []string{"not a url"}})
		h.wantErr(err, http.StatusUnprocessableEntity, "form_param_value_invalid")
	}},

	{op: "clerk ListOAuthApplications", name: "pagination_and_name_query", status: http.StatusOK, run: func(h *harness) {
		prefix := "conformance-list-" + h.env.unique() + "-"
		var ids []string
		for i := range 3 {
			ids = append(ids, h.newOAuthApp(client.CreateOAuthApplicationRequest{Name: prefix + string(rune('a'+i))}).ID)
		}
		page, err := h.client.ListOAuthApplications(h.ctx, client.ListOAuthApplicationsRequest{NameQuery: strings.ToUpper(prefix), Limit: 2, Offset: 1})
		h.must(err)
		if page.TotalCount != 3 || len(page.Applications) != 2 || page.Applications[0].ID != ids[1] || page.Applications[1].ID != ids[0] {
			h.t.Errorf("second page of two, newest first: %+v", page)
		}
		byName, err := h.client.ListOAuthApplications(h.ctx, client.ListOAuthApplicationsRequest{NameQuery: prefix, OrderBy: "+name", Limit: 500})
		h.must(err)
		if len(byName.Applications) != 3 || byName.Applications[0].ID != ids[0] {
			h.t.Errorf("by name: %+v", byName)
		}
	}},
	{op: "clerk ListOAuthApplications", name: "limit_refused", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		_, err := h.client.ListOAuthApplications(withInvalidRequest(h.ctx, "query limit"), client.ListOAuthApplicationsRequest{Limit: 501})
		h.wantErr(err, http.StatusUnprocessableEntity, "form_param_value_invalid")
	}},

	{op: "clerk GetOAuthApplication", name: "read_without_secret", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		got, err := h.client.GetOAuthApplication(h.ctx, a.ID)
		h.must(err)
		if got.ClientID != a.ClientID || got.DynamicallyRegistered || got.TokenIntrospectionURL == "" {
			h.t.Errorf("read %+v", got)
		}
	}},
	{op: "clerk GetOAuthApplication", name: "unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetOAuthApplication(h.ctx, unknownOAuthAppID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk GetOAuthApplication", name: "wrong_secret_key", status: http.StatusUnauthorized,
		config: []func(*client.Config){func(c *client.Config) { c.ClerkSecretKey = "sk_test_NotTheInstanceKey000000000000000000" }},
		run: func(h *harness) {
			_, err := h.client.GetOAuthApplication(h.ctx, unknownOAuthAppID)
			h.wantErr(err, http.StatusUnauthorized, "clerk_key_invalid")
		}},

	{op: "clerk UpdateOAuthApplication", name: "every_field_in_place", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		got, err := h.client.UpdateOAuthApplication(h.ctx, a.ID, client.UpdateOAuthApplicationRequest{
			Name: ptr("renamed"), RedirectURIs: []string{}, Scopes: ptr("email"), PKCERequired: ptr(true), ConsentScreenEnabled: ptr(false), Public: ptr(true),
		})
		h.must(err)
		if got.ID != a.ID || got.ClientID != a.ClientID || got.Name != "renamed" || len(got.RedirectURIs) != 0 || got.Scopes != "email" || !got.Public || got.ConsentScreenEnabled {
			h.t.Errorf("updated %+v", got)
		}
	}},
	{op: "clerk UpdateOAuthApplication", name: "consent_required_for_dynamic_clients", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		id := h.env.srv.RegisterOAuthClient("mcp-"+h.env.unique(), []string{oauthRedirect}, true)
		_, err := h.client.UpdateOAuthApplication(h.ctx, id, client.UpdateOAuthApplicationRequest{ConsentScreenEnabled: ptr(false)})
		h.wantErr(err, http.StatusUnprocessableEntity, "form_param_value_invalid")
	}},
	{op: "clerk UpdateOAuthApplication", name: "unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.UpdateOAuthApplication(h.ctx, unknownOAuthAppID, client.UpdateOAuthApplicationRequest{Name: ptr("x")})
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk DeleteOAuthApplication", name: "then_gone", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		h.must(h.client.DeleteOAuthApplication(h.ctx, a.ID))
		_, err := h.client.GetOAuthApplication(h.ctx, a.ID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk DeleteOAuthApplication", name: "already_gone", status: http.StatusNotFound, run: func(h *harness) {
		h.wantErr(h.client.DeleteOAuthApplication(h.ctx, unknownOAuthAppID), http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk RotateOAuthApplicationSecret", name: "new_secret", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		got, err := h.client.RotateOAuthApplicationSecret(h.ctx, a.ID)
		h.must(err)
		if got.ClientSecret == "" || got.ClientSecret == a.ClientSecret || got.ClientID != a.ClientID {
			h.t.Errorf("rotated %+v", got.OAuthApplication)
		}
	}},
	{op: "clerk RotateOAuthApplicationSecret", name: "unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.RotateOAuthApplicationSecret(h.ctx, unknownOAuthAppID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk RevokeOAuthApplicationToken", name: "ends_the_grant", status: http.StatusNoContent, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		access, refresh := h.oauthTokens(a)
		h.must(h.client.RevokeOAuthToken(h.ctx, a.ID, refresh))
		_, err := h.client.VerifyOAuthAccessToken(h.ctx, access)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk RevokeOAuthApplicationToken", name: "another_applications_token", status: http.StatusNotFound, run: func(h *harness) {
		a, other := h.newOAuthApp(client.CreateOAuthApplicationRequest{}), h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		access, _ := h.oauthTokens(a)
		h.wantErr(h.client.RevokeOAuthToken(h.ctx, other.ID, access), http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk RevokeOAuthApplicationToken", name: "jwt_refused", status: http.StatusBadRequest, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		h.wantErr(h.client.RevokeOAuthToken(h.ctx, a.ID, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), http.StatusBadRequest, "bad_request")
	}},
	{op: "clerk RevokeOAuthApplicationToken", name: "token_missing", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		status, body := h.clerk(withInvalidRequest(h.ctx, "body/token"), http.MethodPost, "/oauth_applications/"+a.ID+"/revoke_token", h.env.info.ClerkSecretKey, map[string]any{})
		h.wantStatus(status, http.StatusUnprocessableEntity, body)
	}},

	{op: "clerk verifyOAuthAccessToken", name: "opaque", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		access, _ := h.oauthTokens(a)
		tok, err := h.client.VerifyOAuthAccessToken(h.ctx, access)
		h.must(err)
		if tok.ClientID != a.ClientID || tok.Subject != h.fx.ClerkUserID || tok.Revoked || tok.ExpiresAt() == nil || !slices.Equal(tok.Scopes, a.ScopeList()) {
			h.t.Errorf("verified %+v", tok)
		}
	}},
	{op: "clerk verifyOAuthAccessToken", name: "unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.VerifyOAuthAccessToken(h.ctx, "oat_00000000000000000000000000000000")
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk verifyOAuthAccessToken", name: "deleted_applications_token", status: http.StatusNotFound, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		access, _ := h.oauthTokens(a)
		h.must(h.client.DeleteOAuthApplication(h.ctx, a.ID))
		_, err := h.client.VerifyOAuthAccessToken(h.ctx, access)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	// The instance's OAuth settings, which the provider does not call:
	// raw. They are read and set back, as other subtests share the
	// instance.
	{op: "clerk GetInstanceOAuthApplicationSettings", name: "defaults", status: http.StatusOK, run: func(h *harness) {
		status, body := h.clerk(h.ctx, http.MethodGet, "/instance/oauth_application_settings", h.env.info.ClerkSecretKey, nil)
		h.wantStatus(status, http.StatusOK, body)
		if body["object"] != "oauth_application_settings" {
			h.t.Errorf("settings %v", body)
		}
	}},
	{op: "clerk UpdateInstanceOAuthApplicationSettings", name: "set_back_as_it_was", status: http.StatusOK, run: func(h *harness) {
		_, before := h.clerk(h.ctx, http.MethodGet, "/instance/oauth_application_settings", h.env.info.ClerkSecretKey, nil)
		status, body := h.clerk(h.ctx, http.MethodPatch, "/instance/oauth_application_settings", h.env.info.ClerkSecretKey,
			map[string]any{"dynamic_oauth_client_registration": before["dynamic_oauth_client_registration"], "default_scopes": []string{"email"}})
		h.wantStatus(status, http.StatusOK, body)
		status, body = h.clerk(h.ctx, http.MethodPatch, "/instance/oauth_application_settings", h.env.info.ClerkSecretKey, map[string]any{"default_scopes": nil})
		h.wantStatus(status, http.StatusOK, body)
		if body["default_scopes"] != nil {
			h.t.Errorf("default scopes after a reset: %v", body["default_scopes"])
		}
	}},
}

// The official Go client: its create sends the deprecated callback_url
// (and "" for unset scopes), which the emulator takes as redirect_uris;
// its types have no redirect_uris, pkce_required or
// token_introspection_url, so the client checks those.
var officialOAuthApplicationCases = []opCase{
	{op: "clerk CreateOAuthApplication", name: "official_go_client_callback_url", status: http.StatusOK, run: func(h *harness) {
		a, err := oauthapplication.NewClient(h.sk()).Create(h.ctx, &oauthapplication.CreateParams{Name: "official-" + h.env.unique(), CallbackURL: oauthRedirect})
		h.must(err)
		if a.Object != "oauth_application" || a.ClientSecret == nil || *a.ClientSecret == "" || a.Scopes != "profile email" || a.CallbackURL != oauthRedirect || a.Public {
			h.t.Errorf("created %+v", a)
		}
		got, err := h.client.GetOAuthApplication(h.ctx, a.ID)
		h.must(err)
		if !slices.Equal(got.RedirectURIs, []string{oauthRedirect}) {
			h.t.Errorf("callback_url became redirect_uris %v", got.RedirectURIs)
		}
	}},
	{op: "clerk ListOAuthApplications", name: "official_go_client_dynamically_registered", status: http.StatusOK, run: func(h *harness) {
		name := "official-mcp-" + h.env.unique()
		id := h.env.srv.RegisterOAuthClient(name, []string{oauthRedirect}, true)
		h.newOAuthApp(client.CreateOAuthApplicationRequest{Name: name + "-by-hand"})
		list, err := oauthapplication.NewClient(h.sk()).List(h.ctx, &oauthapplication.ListParams{NameQuery: clerk.String(name), DynamicallyRegistered: clerk.Bool(true)})
		h.must(err)
		if list.TotalCount != 1 || len(list.OAuthApplications) != 1 || list.OAuthApplications[0].ID != id || !list.OAuthApplications[0].DynamicallyRegistered {
			h.t.Errorf("dynamically registered %+v", list)
		}
	}},
	{op: "clerk GetOAuthApplication", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{ConsentScreenEnabled: ptr(false)})
		got, err := oauthapplication.NewClient(h.sk()).Get(h.ctx, a.ID)
		h.must(err)
		if got.ClientID != a.ClientID || got.ClientSecret != nil || got.ConsentScreenEnabled || got.TokenFetchURL != a.TokenFetchURL {
			h.t.Errorf("read %+v", got)
		}
	}},
	{op: "clerk GetOAuthApplication", name: "official_go_client_unknown", status: http.StatusNotFound, run: func(h *harness) {
		_, err := oauthapplication.NewClient(h.sk()).Get(h.ctx, unknownOAuthAppID)
		h.clerkErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk UpdateOAuthApplication", name: "official_go_client_callback_url", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		got, err := oauthapplication.NewClient(h.sk()).Update(h.ctx, a.ID, &oauthapplication.UpdateParams{
			Name: clerk.String("renamed"), CallbackURL: clerk.String("https://other.example.test/cb"), Scopes: clerk.String("email"),
		})
		h.must(err)
		if got.Name != "renamed" || got.CallbackURL != "https://other.example.test/cb" || got.Scopes != "email" {
			h.t.Errorf("updated %+v", got)
		}
	}},
	{op: "clerk DeleteOAuthApplication", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		gone, err := oauthapplication.NewClient(h.sk()).DeleteOAuthApplication(h.ctx, a.ID)
		h.must(err)
		if !gone.Deleted || gone.ID != a.ID || gone.Object != "oauth_application" {
			h.t.Errorf("deleted %+v", gone)
		}
	}},
	{op: "clerk RotateOAuthApplicationSecret", name: "official_go_client", status: http.StatusOK, run: func(h *harness) {
		a := h.newOAuthApp(client.CreateOAuthApplicationRequest{})
		got, err := oauthapplication.NewClient(h.sk()).RotateClientSecret(h.ctx, a.ID)
		h.must(err)
		if got.ClientSecret == nil || *got.ClientSecret == "" || *got.ClientSecret == a.ClientSecret {
			h.t.Errorf("rotated %+v", got)
		}
	}},
}
