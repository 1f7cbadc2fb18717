package conformance

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// Stytch's official Node client (stytch-node, pinned in tools/stytch-node)
// calls every Stytch route the provider uses that the client has a method
// for, through a proxy that hands each exchange to the subtest's validator
// (stytch_node_test.go). Each answer must have the shape the client's own
// TypeScript declarations give for the method, and the case checks what it
// means. The client's local checks (m2m.authenticateToken,
// idp.introspectTokenLocal) fetch the key set themselves, with no
// credentials, as they do against the real service. The client has no
// method for the authorization-code exchange, which the provider's client
// covers in conformance_test.go.

func init() {
	cases = append(cases, officialStytchCases...)
	knownDeviations = append(knownDeviations, []struct {
		deviation
		why string
	}{
		// stytch-node sends DELETE with the JSON body {} (its request
		// helper is given data: {}), where the consumer description has no
		// request body. The emulator reads no body there.
		{deviation{capp + "Delete", phaseRequest, 0, "body"},
			"stytch-node 14.2.0 sends the body {} with DELETE /v1/connected_apps/clients/{client_id}"},
		{deviation{m2m + "Delete", phaseRequest, 0, "body"},
			"stytch-node 14.2.0 sends the body {} with DELETE /v1/m2m/clients/{client_id}"},
		{deviation{m2m + "Delete", phaseResponse, 404, "status"},
			"Stytch: an unknown M2M client is a 404, as for connected apps"},
	}...)
}

const (
	jwksB2B      = "stytch-b2b api_b2b_session_v1_GetJWKS"
	jwksConsumer = "stytch-consumer api_session_v1_GetJWKS"
	tokenOp      = "undescribed POST /v1/public/{project_id}/oauth2/token"
	introspectOp = "undescribed POST /v1/public/{project_id}/oauth2/introspect"
)

// The answers the cases read, named and shaped after the client's
// declarations (M2MClientWithClientSecret, ConnectedAppWithClientSecret,
// ...); the declarations themselves are checked by nodeOK.
type (
	nodeM2MClient struct {
		ClientID                 string         `json:"client_id"`
		ClientSecret             string         `json:"client_secret"`
		NextClientSecret         string         `json:"next_client_secret"`
		ClientName               string         `json:"client_name"`
		Status                   string         `json:"status"`
		Scopes                   []string       `json:"scopes"`
		ClientSecretLastFour     string         `json:"client_secret_last_four"`
		NextClientSecretLastFour *string        `json:"next_client_secret_last_four"`
		TrustedMetadata          map[string]any `json:"trusted_metadata"`
	}
	nodeM2MClientResponse struct {
		RequestID  string        `json:"request_id"`
		StatusCode int           `json:"status_code"`
		M2MClient  nodeM2MClient `json:"m2m_client"`
	}
	nodeConnectedApp struct {
		ClientID                 string   `json:"client_id"`
		ClientSecret             string   `json:"client_secret"`
		NextClientSecret         string   `json:"next_client_secret"`
		ClientName               string   `json:"client_name"`
		ClientType               string   `json:"client_type"`
		RedirectURLs             []string `json:"redirect_urls"`
		AccessTokenExpiryMinutes int      `json:"access_token_expiry_minutes"`
		ClientSecretLastFour     string   `json:"client_secret_last_four"`
		NextClientSecretLastFour *string  `json:"next_client_secret_last_four"`
	}
	nodeConnectedAppResponse struct {
		RequestID    string           `json:"request_id"`
		StatusCode   int              `json:"status_code"`
		ConnectedApp nodeConnectedApp `json:"connected_app"`
	}
	nodeResultsMetadata struct {
		Total      int     `json:"total"`
		NextCursor *string `json:"next_cursor"`
	}
	nodeTokenResponse struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	nodeAuthenticatedToken struct {
		ClientID     string         `json:"client_id"`
		Scopes       []string       `json:"scopes"`
		CustomClaims map[string]any `json:"custom_claims"`
	}
	nodeIntrospection struct {
		Subject      string `json:"subject"`
		Scope        string `json:"scope"`
		Audience     any    `json:"audience"`
		TokenType    string `json:"token_type"`
		Organization struct {
			OrganizationID string `json:"organization_id"`
			Slug           string `json:"slug"`
		} `json:"organization"`
		CustomClaims map[string]any `json:"custom_claims"`
	}
	nodeMemberApps struct {
		ConnectedApps []struct {
			ConnectedAppID string `json:"connected_app_id"`
			ScopesGranted  string `json:"scopes_granted"`
		} `json:"connected_apps"`
	}
)

// nodeM2MClient creates an M2M client with the official client.
func (h *harness) nodeNewM2MClient(scopes ...string) nodeM2MClient {
	h.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"read:reports", "write:reports"}
	}
	var out nodeM2MClientResponse
	h.nodeOK(&out, "b2b", "m2m.clients.create", map[string]any{"client_name": "official-" + h.env.unique(), "scopes": scopes})
	return out.M2MClient
}

// nodeNewApp creates a confidential third-party app with the official
// client.
func (h *harness) nodeNewApp() nodeConnectedApp {
	h.t.Helper()
	var out nodeConnectedAppResponse
	h.nodeOK(&out, "b2b", "connectedApp.clients.create", map[string]any{
		"client_type": "third_party", "client_name": "official-" + h.env.unique(), "redirect_urls": []string{h.fx.StytchRedirectURI},
	})
	return out.ConnectedApp
}

// nodeToken gets a client_credentials token with the official client.
func (h *harness) nodeToken(clientID, secret string, scopes ...string) nodeTokenResponse {
	h.t.Helper()
	req := map[string]any{"client_id": clientID, "client_secret": secret}
	if len(scopes) > 0 {
		req["scopes"] = scopes
	}
	var out nodeTokenResponse
	h.nodeOK(&out, "b2b", "m2m.token", req)
	return out
}

// nodeAuthorize has member grant the fixture app fixtureScopes through the
// official client's IdP authorize, with PKCE, and returns the code and its
// verifier.
func (h *harness) nodeAuthorize(member string) (code, verifier string) {
	h.t.Helper()
	verifier = base64.RawURLEncoding.EncodeToString(randomBytes(32))
	sum := sha256.Sum256([]byte(verifier))
	var out struct {
		RedirectURI       string `json:"redirect_uri"`
		AuthorizationCode string `json:"authorization_code"`
	}
	h.nodeOK(&out, "b2b", "idp.oauth.authorize", map[string]any{
		"consent_granted": true, "scopes": fixtureScopes, "client_id": h.fx.StytchConnectedAppID, "redirect_uri": h.fx.StytchRedirectURI,
		"response_type": "code", "organization_id": h.fx.StytchOrganizationID, "member_id": member,
		"code_challenge": base64.RawURLEncoding.EncodeToString(sum[:]), "state": "official",
	})
	if out.AuthorizationCode == "" || !strings.Contains(out.RedirectURI, "code="+out.AuthorizationCode) {
		h.t.Fatalf("authorize: %+v", out)
	}
	return out.AuthorizationCode, verifier
}

func (h *harness) nodeMemberApps(member string) nodeMemberApps {
	h.t.Helper()
	var out nodeMemberApps
	h.nodeOK(&out, "b2b", "organizations.members.getConnectedApps", map[string]any{"organization_id": h.fx.StytchOrganizationID, "member_id": member})
	return out
}

var officialStytchCases = []opCase{
	// Connected-app clients.
	{op: capp + "Create", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		var out nodeConnectedAppResponse
		h.nodeOK(&out, "b2b", "connectedApp.clients.create", map[string]any{
			"client_type": "first_party", "client_name": "official-" + h.env.unique(), "redirect_urls": []string{"https://app.example.test/cb"},
			"access_token_expiry_minutes": 30, "full_access_allowed": true,
		})
		app := out.ConnectedApp
		if !strings.HasPrefix(app.ClientID, "connected-app-test-") || app.ClientSecret == "" || !strings.HasSuffix(app.ClientSecret, app.ClientSecretLastFour) ||
			app.ClientType != "first_party" || app.AccessTokenExpiryMinutes != 30 || !stytchRequestIDRe.MatchString(out.RequestID) || out.StatusCode != 200 {
			h.t.Errorf("created: %+v", out)
		}
	}},
	{op: capp + "Get", name: "official_node_client_fixture", status: http.StatusOK, run: func(h *harness) {
		var out nodeConnectedAppResponse
		h.nodeOK(&out, "b2b", "connectedApp.clients.get", map[string]any{"client_id": h.fx.StytchConnectedAppID})
		if out.ConnectedApp.ClientID != h.fx.StytchConnectedAppID || out.ConnectedApp.ClientName != "fixture-app" || out.ConnectedApp.ClientSecret != "" ||
			!slices.Equal(out.ConnectedApp.RedirectURLs, []string{h.fx.StytchRedirectURI}) {
			h.t.Errorf("fixture app: %+v", out)
		}
	}},
	{op: capp + "Get", name: "official_node_client_unknown", status: http.StatusNotFound, run: func(h *harness) {
		e := h.nodeErr("StytchError", "connected_app_not_found", "b2b", "connectedApp.clients.get", map[string]any{"client_id": unknownConnectedAppID})
		if e.StatusCode != http.StatusNotFound || !stytchRequestIDRe.MatchString(e.RequestID) {
			h.t.Errorf("error: %+v", e)
		}
	}},
	{op: capp + "Update", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		app := h.nodeNewApp()
		var out nodeConnectedAppResponse
		h.nodeOK(&out, "b2b", "connectedApp.clients.update", map[string]any{
			"client_id": app.ClientID, "client_name": "renamed", "redirect_urls": app.RedirectURLs, "access_token_expiry_minutes": 15,
		})
		if out.ConnectedApp.ClientName != "renamed" || out.ConnectedApp.AccessTokenExpiryMinutes != 15 || !slices.Equal(out.ConnectedApp.RedirectURLs, app.RedirectURLs) {
			h.t.Errorf("updated: %+v", out)
		}
	}},
	{op: capp + "Search", name: "official_node_client_pages_to_the_end", status: http.StatusOK, run: func(h *harness) {
		made := h.nodeNewApp()
		req, found := map[string]any{"limit": 2}, false
		for pages := 0; pages < 1000; pages++ {
			var page struct {
				ConnectedApps   []nodeConnectedApp  `json:"connected_apps"`
				ResultsMetadata nodeResultsMetadata `json:"results_metadata"`
			}
			h.nodeOK(&page, "b2b", "connectedApp.clients.search", req)
			found = found || slices.ContainsFunc(page.ConnectedApps, func(a nodeConnectedApp) bool { return a.ClientID == made.ClientID })
			if page.ResultsMetadata.NextCursor == nil {
				break
			}
			req["cursor"] = *page.ResultsMetadata.NextCursor
		}
		if !found {
			h.t.Errorf("paging to the end never found %s", made.ClientID)
		}
	}},
	{op: capp + "secrets_RotateStart", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		app := h.nodeNewApp()
		var out nodeConnectedAppResponse
		h.nodeOK(&out, "b2b", "connectedApp.clients.secrets.rotateStart", map[string]any{"client_id": app.ClientID})
		got := out.ConnectedApp
		if got.NextClientSecret == "" || got.NextClientSecretLastFour == nil || !strings.HasSuffix(got.NextClientSecret, *got.NextClientSecretLastFour) ||
			got.ClientSecretLastFour != app.ClientSecretLastFour {
			h.t.Errorf("rotation started: %+v", got)
		}
	}},
	{op: capp + "secrets_Rotate", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		app := h.nodeNewApp()
		var started, done nodeConnectedAppResponse
		h.nodeOK(&started, "b2b", "connectedApp.clients.secrets.rotateStart", map[string]any{"client_id": app.ClientID})
		h.nodeOK(&done, "b2b", "connectedApp.clients.secrets.rotate", map[string]any{"client_id": app.ClientID})
		if done.ConnectedApp.ClientSecretLastFour != *started.ConnectedApp.NextClientSecretLastFour || done.ConnectedApp.NextClientSecretLastFour != nil {
			h.t.Errorf("rotation completed: %+v", done)
		}
	}},
	{op: capp + "secrets_RotateCancel", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		app := h.nodeNewApp()
		var out nodeConnectedAppResponse
		h.nodeOK(nil, "b2b", "connectedApp.clients.secrets.rotateStart", map[string]any{"client_id": app.ClientID})
		h.nodeOK(&out, "b2b", "connectedApp.clients.secrets.rotateCancel", map[string]any{"client_id": app.ClientID})
		if out.ConnectedApp.ClientSecretLastFour != app.ClientSecretLastFour || out.ConnectedApp.NextClientSecretLastFour != nil {
			h.t.Errorf("rotation cancelled: %+v", out)
		}
	}},
	{op: capp + "Delete", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		app := h.nodeNewApp()
		var out struct {
			ClientID string `json:"client_id"`
		}
		h.nodeOK(&out, "b2b", "connectedApp.clients.delete", map[string]any{"client_id": app.ClientID})
		if out.ClientID != app.ClientID {
			h.t.Errorf("deleted %q, want %q", out.ClientID, app.ClientID)
		}
		h.nodeErr("StytchError", "connected_app_not_found", "b2b", "connectedApp.clients.get", map[string]any{"client_id": app.ClientID})
	}},

	// Members' connected apps, the organization's, and the revoke.
	{op: "stytch-b2b api_b2b_idp_v1_b2b_idp_oauth_AuthorizeStart", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		var out struct {
			MemberID        string `json:"member_id"`
			ConsentRequired bool   `json:"consent_required"`
			ScopeResults    []struct {
				Scope       string `json:"scope"`
				IsGrantable bool   `json:"is_grantable"`
			} `json:"scope_results"`
			Client struct {
				ClientID string `json:"client_id"`
			} `json:"client"`
		}
		h.nodeOK(&out, "b2b", "idp.oauth.authorizeStart", map[string]any{
			"client_id": h.fx.StytchConnectedAppID, "redirect_uri": h.fx.StytchRedirectURI, "response_type": "code",
			"scopes": fixtureScopes, "organization_id": h.fx.StytchOrganizationID, "member_id": member,
		})
		if out.MemberID != member || !out.ConsentRequired || len(out.ScopeResults) != len(fixtureScopes) || out.Client.ClientID != h.fx.StytchConnectedAppID {
			h.t.Errorf("authorize start: %+v", out)
		}
	}},
	{op: "stytch-b2b api_b2b_idp_v1_b2b_idp_oauth_Authorize", name: "official_node_client_then_introspect", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		tok := h.tokens(h.nodeAuthorize(member))
		var out nodeIntrospection
		h.nodeOK(&out, "b2b", "idp.introspectTokenNetwork", map[string]any{
			"token": tok.AccessToken, "client_id": h.fx.StytchConnectedAppID, "client_secret": h.fx.StytchConnectedAppClientSecret,
		})
		if out.Subject != member || out.Organization.OrganizationID != h.fx.StytchOrganizationID || !strings.Contains(out.Scope, "read:reports") {
			h.t.Errorf("introspection: %+v", out)
		}
		if !h.v.saw(introspectOp, http.StatusOK) {
			h.t.Error("the official client's introspection never reached the emulator")
		}
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_GetConnectedApps", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		h.nodeAuthorize(member)
		apps := h.nodeMemberApps(member)
		if len(apps.ConnectedApps) != 1 || apps.ConnectedApps[0].ConnectedAppID != h.fx.StytchConnectedAppID ||
			!strings.Contains(apps.ConnectedApps[0].ScopesGranted, "read:reports") {
			h.t.Errorf("member's apps: %+v", apps)
		}
	}},
	{op: "stytch-b2b api_organization_v1_GetConnectedApp", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		h.nodeAuthorize(member)
		var out struct {
			ConnectedAppID string `json:"connected_app_id"`
			ActiveMembers  []struct {
				MemberID string `json:"member_id"`
			} `json:"active_members"`
		}
		h.nodeOK(&out, "b2b", "organizations.getConnectedApp", map[string]any{"organization_id": h.fx.StytchOrganizationID, "connected_app_id": h.fx.StytchConnectedAppID})
		if out.ConnectedAppID != h.fx.StytchConnectedAppID || !slices.ContainsFunc(out.ActiveMembers, func(m struct {
			MemberID string `json:"member_id"`
		}) bool {
			return m.MemberID == member
		}) {
			h.t.Errorf("organization's app: %+v", out)
		}
	}},
	{op: "stytch-b2b api_organization_v1_ConnectedApps", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		h.nodeAuthorize(h.newMember(false))
		var out struct {
			ConnectedApps []struct {
				ConnectedAppID string `json:"connected_app_id"`
			} `json:"connected_apps"`
		}
		h.nodeOK(&out, "b2b", "organizations.connectedApps", map[string]any{"organization_id": h.fx.StytchOrganizationID})
		if len(out.ConnectedApps) == 0 || out.ConnectedApps[0].ConnectedAppID != h.fx.StytchConnectedAppID {
			h.t.Errorf("organization's apps: %+v", out)
		}
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "official_node_client_ends_tokens", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		tok := h.tokens(h.nodeAuthorize(member))
		h.nodeOK(nil, "b2b", "organizations.members.connectedApps.revoke", map[string]any{
			"organization_id": h.fx.StytchOrganizationID, "member_id": member, "connected_app_id": h.fx.StytchConnectedAppID,
		})
		if apps := h.nodeMemberApps(member); len(apps.ConnectedApps) != 0 {
			h.t.Errorf("revoked app still listed: %+v", apps)
		}
		e := h.nodeErr("ClientError", "", "b2b", "idp.introspectTokenNetwork", map[string]any{
			"token": tok.AccessToken, "client_id": h.fx.StytchConnectedAppID, "client_secret": h.fx.StytchConnectedAppClientSecret,
		})
		if e.Code != "token_invalid" {
			h.t.Errorf("introspecting a revoked grant's token: %+v", e)
		}
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "official_node_client_session_without_permission", status: http.StatusForbidden, run: func(h *harness) {
		member := h.newMember(false)
		session, _, err := h.env.srv.CreateMemberSession(h.fx.StytchOrganizationID, member)
		h.must(err)
		h.nodeErr("StytchError", "session_authorization_error", "b2b", "organizations.members.connectedApps.revoke",
			map[string]any{"organization_id": h.fx.StytchOrganizationID, "member_id": h.fx.StytchMemberID, "connected_app_id": h.fx.StytchConnectedAppID},
			map[string]any{"authorization": map[string]any{"session_token": session}})
	}},

	// The consumer side the provider uses: a user's apps and their revoke.
	{op: "stytch-consumer api_user_v1_Revoke", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		status, body := h.stytch(http.MethodPost, "/v1/users", map[string]any{"email": "official-" + h.env.unique() + "@conformance.example.test"})
		h.wantStatus(status, http.StatusOK, body)
		user, _ := body["user_id"].(string)
		h.nodeOK(nil, "consumer", "idp.oauth.authorize", map[string]any{
			"consent_granted": true, "scopes": []string{"openid"}, "client_id": h.fx.StytchConnectedAppID,
			"redirect_uri": h.fx.StytchRedirectURI, "response_type": "code", "user_id": user,
		})
		var apps struct {
			ConnectedApps []struct {
				ConnectedAppID string `json:"connected_app_id"`
			} `json:"connected_apps"`
		}
		h.nodeOK(&apps, "consumer", "users.connectedApps", map[string]any{"user_id": user})
		if len(apps.ConnectedApps) != 1 || apps.ConnectedApps[0].ConnectedAppID != h.fx.StytchConnectedAppID {
			h.t.Fatalf("user's apps: %+v", apps)
		}
		h.nodeOK(nil, "consumer", "users.revoke", map[string]any{"user_id": user, "connected_app_id": h.fx.StytchConnectedAppID})
		h.nodeOK(&apps, "consumer", "users.connectedApps", map[string]any{"user_id": user})
		if len(apps.ConnectedApps) != 0 {
			h.t.Errorf("revoked app still listed: %+v", apps)
		}
	}},

	// M2M clients and their tokens.
	{op: m2m + "Create", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		var out nodeM2MClientResponse
		h.nodeOK(&out, "b2b", "m2m.clients.create", map[string]any{
			"client_name": "official-" + h.env.unique(), "scopes": []string{"read:reports"}, "trusted_metadata": map[string]any{"team": "payments"},
		})
		c := out.M2MClient
		if !strings.HasPrefix(c.ClientID, "m2m-client-test-") || !strings.HasSuffix(c.ClientSecret, c.ClientSecretLastFour) || c.Status != "active" ||
			!slices.Equal(c.Scopes, []string{"read:reports"}) || out.StatusCode != 200 {
			h.t.Errorf("created: %+v", out)
		}
	}},
	{op: m2m + "Get", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var out nodeM2MClientResponse
		h.nodeOK(&out, "b2b", "m2m.clients.get", map[string]any{"client_id": c.ClientID})
		if out.M2MClient.ClientID != c.ClientID || out.M2MClient.ClientSecret != "" || out.M2MClient.ClientSecretLastFour != c.ClientSecretLastFour {
			h.t.Errorf("read: %+v", out)
		}
	}},
	{op: m2m + "Update", name: "official_node_client_deactivated_gets_no_token", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var out nodeM2MClientResponse
		h.nodeOK(&out, "b2b", "m2m.clients.update", map[string]any{"client_id": c.ClientID, "status": "inactive", "scopes": c.Scopes, "client_name": "renamed"})
		if out.M2MClient.Status != "inactive" || out.M2MClient.ClientName != "renamed" {
			h.t.Errorf("updated: %+v", out)
		}
		h.nodeErr("StytchError", "invalid_client", "b2b", "m2m.token", map[string]any{"client_id": c.ClientID, "client_secret": c.ClientSecret})
	}},
	{op: m2m + "Search", name: "official_node_client_by_client_id", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var out struct {
			M2MClients      []nodeM2MClient     `json:"m2m_clients"`
			ResultsMetadata nodeResultsMetadata `json:"results_metadata"`
		}
		h.nodeOK(&out, "b2b", "m2m.clients.search", map[string]any{"limit": 10, "query": map[string]any{
			"operator": "AND", "operands": []any{map[string]any{"filter_name": "client_id", "filter_value": []string{c.ClientID}}},
		}})
		if len(out.M2MClients) != 1 || out.M2MClients[0].ClientID != c.ClientID || out.ResultsMetadata.Total != 1 {
			h.t.Errorf("search: %+v", out)
		}
	}},
	{op: m2m + "secrets_RotateStart", name: "official_node_client_both_secrets_get_tokens", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var out nodeM2MClientResponse
		h.nodeOK(&out, "b2b", "m2m.clients.secrets.rotateStart", map[string]any{"client_id": c.ClientID})
		if out.M2MClient.NextClientSecret == "" {
			h.t.Fatalf("rotation started: %+v", out)
		}
		for _, secret := range []string{c.ClientSecret, out.M2MClient.NextClientSecret} {
			if tok := h.nodeToken(c.ClientID, secret); tok.AccessToken == "" {
				h.t.Errorf("no token with a secret in the overlap: %+v", tok)
			}
		}
	}},
	{op: m2m + "secrets_Rotate", name: "official_node_client_old_secret_refused", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		h.nodeOK(nil, "b2b", "m2m.clients.secrets.rotateStart", map[string]any{"client_id": c.ClientID})
		var out nodeM2MClientResponse
		h.nodeOK(&out, "b2b", "m2m.clients.secrets.rotate", map[string]any{"client_id": c.ClientID})
		if out.M2MClient.NextClientSecretLastFour != nil || out.M2MClient.ClientSecretLastFour == c.ClientSecretLastFour {
			h.t.Errorf("rotation completed: %+v", out)
		}
		h.nodeErr("StytchError", "invalid_client", "b2b", "m2m.token", map[string]any{"client_id": c.ClientID, "client_secret": c.ClientSecret})
	}},
	{op: m2m + "secrets_RotateCancel", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var started, out nodeM2MClientResponse
		h.nodeOK(&started, "b2b", "m2m.clients.secrets.rotateStart", map[string]any{"client_id": c.ClientID})
		h.nodeOK(&out, "b2b", "m2m.clients.secrets.rotateCancel", map[string]any{"client_id": c.ClientID})
		if out.M2MClient.NextClientSecretLastFour != nil || out.M2MClient.ClientSecretLastFour != c.ClientSecretLastFour {
			h.t.Errorf("rotation cancelled: %+v", out)
		}
		h.nodeErr("StytchError", "invalid_client", "b2b", "m2m.token", map[string]any{"client_id": c.ClientID, "client_secret": started.M2MClient.NextClientSecret})
	}},
	{op: m2m + "Delete", name: "official_node_client", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		var out struct {
			ClientID string `json:"client_id"`
		}
		h.nodeOK(&out, "b2b", "m2m.clients.delete", map[string]any{"client_id": c.ClientID})
		if out.ClientID != c.ClientID {
			h.t.Errorf("deleted %q, want %q", out.ClientID, c.ClientID)
		}
		h.nodeErr("StytchError", "m2m_client_not_found", "b2b", "m2m.clients.get", map[string]any{"client_id": c.ClientID})
		h.nodeErr("StytchError", "m2m_client_not_found", "b2b", "m2m.clients.delete", map[string]any{"client_id": c.ClientID})
	}},
	{op: tokenOp, name: "official_node_client_client_credentials", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		tok := h.nodeToken(c.ClientID, c.ClientSecret, "read:reports")
		if strings.Count(tok.AccessToken, ".") != 2 || !strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 || tok.Scope != "read:reports" {
			h.t.Errorf("token: %+v", tok)
		}
	}},

	// The official client's own local checks, through its own key-set
	// fetch with no credentials.
	{op: jwksB2B, name: "official_node_client_verifies_an_m2m_token_locally", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient()
		tok := h.nodeToken(c.ClientID, c.ClientSecret)
		var out nodeAuthenticatedToken
		h.nodeOK(&out, "b2b", "m2m.authenticateToken", map[string]any{"access_token": tok.AccessToken, "required_scopes": []string{"read:reports"}})
		if out.ClientID != c.ClientID || !slices.Equal(out.Scopes, []string{"read:reports", "write:reports"}) {
			h.t.Errorf("authenticated: %+v", out)
		}
		e := h.nodeErr("ClientError", "", "b2b", "m2m.authenticateToken", map[string]any{"access_token": tok.AccessToken, "required_scopes": []string{"delete:reports"}})
		if e.Code != "missing_scopes" {
			h.t.Errorf("a scope the token lacks: %+v", e)
		}
		if e := h.nodeErr("ClientError", "", "b2b", "m2m.authenticateToken", map[string]any{"access_token": tamper(tok.AccessToken)}); e.Code != "jwt_invalid" {
			h.t.Errorf("a tampered token: %+v", e)
		}
	}},
	{op: jwksConsumer, name: "official_consumer_client_verifies_an_m2m_token_locally", status: http.StatusOK, run: func(h *harness) {
		c := h.nodeNewM2MClient("read:reports")
		tok := h.nodeToken(c.ClientID, c.ClientSecret)
		var out nodeAuthenticatedToken
		h.nodeOK(&out, "consumer", "m2m.authenticateToken", map[string]any{"access_token": tok.AccessToken})
		if out.ClientID != c.ClientID || !slices.Equal(out.Scopes, []string{"read:reports"}) {
			h.t.Errorf("authenticated: %+v", out)
		}
	}},
	{op: jwksB2B, name: "official_node_client_verifies_a_connected_app_token_locally", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		tok := h.tokens(h.nodeAuthorize(member))
		var out nodeIntrospection
		h.nodeOK(&out, "b2b", "idp.introspectTokenLocal", tok.AccessToken)
		if out.Subject != member || out.Organization.OrganizationID != h.fx.StytchOrganizationID || out.TokenType != "access_token" ||
			!strings.Contains(out.Scope, "read:reports") || out.CustomClaims["client_id"] != h.fx.StytchConnectedAppID {
			h.t.Errorf("local introspection: %+v", out)
		}
	}},
	{op: jwksB2B, name: "official_node_client_fetches_with_credentials_too", status: http.StatusOK, run: func(h *harness) {
		var out struct {
			Keys []struct {
				Kid string `json:"kid"`
				Alg string `json:"alg"`
			} `json:"keys"`
		}
		h.nodeOK(&out, "b2b", "sessions.getJWKS", map[string]any{"project_id": h.env.info.StytchProjectID})
		if len(out.Keys) != 1 || out.Keys[0].Alg != "RS256" || !strings.HasPrefix(out.Keys[0].Kid, "jwk-test-") {
			h.t.Errorf("key set: %+v", out)
		}
	}},
}

// tamper changes a JWT's payload so its signature no longer holds.
func tamper(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return jwt + "x"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return jwt + "x"
	}
	payload = []byte(strings.Replace(string(payload), `"sub":"`, `"sub":"x`, 1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}
