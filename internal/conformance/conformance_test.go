package conformance

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-cleanhttp"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// TestConformance drives every call of the real client, and the emulator
// endpoints the client does not call, through a validator that checks each
// request and response against the vendors' descriptions. Each subtest is
// named after the operation it exercises and must see that operation answer
// with the status it names; error answers are validated like successes.
func TestConformance(t *testing.T) {
	dir := referenceDir(t)
	start := time.Now()
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	info := srv.Info()
	descs, err := loadDescriptions(t.Context(), dir, []string{info.ClerkAPIURL, info.URL + "/clerk"}, info.StytchBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	base := cleanhttp.DefaultPooledTransport()
	t.Cleanup(base.CloseIdleConnections)
	e := &env{
		srv: srv, info: info, fx: *info.Fixture, descs: descs, allow: newAllowList(), base: base,
		coverage: map[string]map[int]int{}, routes: map[string]string{},
	}
	t.Cleanup(e.closeNode)

	var ran atomic.Int64
	t.Run("op", func(t *testing.T) {
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.op, " ", "/")+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ran.Add(1)
				h := e.newHarness(t, c.config...)
				c.run(h)
				if !t.Failed() && !h.v.saw(c.op, c.status) {
					t.Errorf("%s never answered %d in this subtest", c.op, c.status)
				}
			})
		}
	})
	// A stale allow-list entry would keep excusing a deviation that is gone;
	// only a full run can tell which entries are needed.
	applied, unused := e.allow.report()
	if int(ran.Load()) == len(cases) {
		for _, d := range unused {
			t.Errorf("allow-list entry no longer needed, remove it: %s", d)
		}
	}
	t.Logf("%s\naccepted deviations (allow-list):\n  %s\n%s\nconformance run took %s",
		e.coverageReport(), strings.Join(applied, "\n  "), e.nodeReport(), time.Since(start).Round(time.Millisecond))
}

// opCase is one subtest: run must make op answer with status.
type opCase struct {
	op     string // "<description> <operationId>"
	name   string // what the case does
	status int
	// config adjusts the client, e.g. to a wrong credential.
	config []func(*client.Config)
	run    func(h *harness)
}

func ptr[T any](v T) *T { return &v }

// unknownTokenID has the shape of an M2M token id and names none.
const unknownTokenID = "mt_00000000000000000000000000000000"

// unknownMachineID has the shape of a machine id and names none.
const unknownMachineID = "mch_000000000000000000000000000"

var cases = []opCase{
	// Clerk M2M tokens, through the client.
	{op: "clerk createM2MToken", name: "opaque_with_claims_and_expiry", status: http.StatusCreated, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{
			SecondsUntilExpiration: ptr[int64](600),
			Claims:                 json.RawMessage(`{"team":"payments","tier":2}`),
			TokenFormat:            "opaque",
		})
		h.must(err)
		if !strings.HasPrefix(tok.Token, "mt_") || !slices.Contains(tok.Scopes, h.fx.ClerkScopedMachineID) {
			h.t.Errorf("unexpected token: %+v", tok)
		}
	}},
	{op: "clerk createM2MToken", name: "jwt_with_claims_and_expiry", status: http.StatusCreated, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{
			SecondsUntilExpiration: ptr[int64](300),
			Claims:                 json.RawMessage(`{"team":"payments"}`),
			TokenFormat:            "jwt",
		})
		h.must(err)
		if strings.Count(tok.Token, ".") != 2 {
			h.t.Errorf("a jwt token_format answered %q", tok.Token)
		}
	}},
	{op: "clerk createM2MToken", name: "default_expiry_reused_with_min_remaining_ttl", status: http.StatusCreated, run: func(h *harness) {
		m := h.newMachine()
		req := client.CreateM2MTokenRequest{MinRemainingTTLSeconds: ptr[int64](60)}
		first, err := h.client.CreateM2MToken(h.ctx, m.SecretKey, req)
		h.must(err)
		again, err := h.client.CreateM2MToken(h.ctx, m.SecretKey, req)
		h.must(err)
		if again.ID != first.ID {
			h.t.Errorf("min_remaining_ttl_seconds minted %s instead of reusing %s", again.ID, first.ID)
		}
	}},
	{op: "clerk createM2MToken", name: "reserved_claim", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{Claims: json.RawMessage(`{"sub":"someone-else"}`)})
		h.wantErr(err, http.StatusBadRequest, "machine_token_reserved_claim")
	}},
	{op: "clerk createM2MToken", name: "min_remaining_ttl_not_below_lifetime", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{
			SecondsUntilExpiration: ptr[int64](60),
			MinRemainingTTLSeconds: ptr[int64](60),
		})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: "clerk createM2MToken", name: "instance_key_refused", status: http.StatusUnauthorized, run: func(h *harness) {
		_, err := h.client.CreateM2MToken(h.ctx, h.env.info.ClerkSecretKey, client.CreateM2MTokenRequest{})
		h.wantErr(err, http.StatusUnauthorized, "machine_secret_key_invalid")
	}},

	{op: "clerk getM2MTokens", name: "filters_and_pagination", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		var ids []string
		for range 3 {
			tok, err := h.client.CreateM2MToken(h.ctx, m.SecretKey, client.CreateM2MTokenRequest{})
			h.must(err)
			ids = append(ids, tok.ID)
		}
		_, err := h.client.RevokeM2MToken(h.ctx, h.env.info.ClerkSecretKey, ids[1], nil)
		h.must(err)
		live, err := h.client.ListM2MTokens(h.ctx, h.env.info.ClerkSecretKey, client.ListM2MTokensRequest{Subject: m.ID, Limit: 1, Offset: 1})
		h.must(err)
		if live.TotalCount != 2 || len(live.Tokens) != 1 || live.Tokens[0].ID != ids[0] {
			h.t.Errorf("live tokens, second page of one: got %+v", live)
		}
		all, err := h.client.ListM2MTokens(h.ctx, m.SecretKey, client.ListM2MTokensRequest{Subject: m.ID, Revoked: true, Expired: true, Limit: 2})
		h.must(err)
		if all.TotalCount != 3 || len(all.Tokens) != 2 || all.Tokens[0].ID != ids[2] || all.Tokens[1].ID != ids[1] {
			h.t.Errorf("all tokens, newest first, first page of two: got %+v", all)
		}
	}},
	{op: "clerk getM2MTokens", name: "js_sdk_path_without_v1", status: http.StatusOK, run: func(h *harness) {
		status, body := h.send(h.ctx, http.MethodGet, h.env.info.URL+"/clerk/m2m_tokens?subject="+h.fx.ClerkMachineID, nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+h.env.info.ClerkSecretKey)
		})
		h.wantStatus(status, http.StatusOK, body)
	}},
	{op: "clerk getM2MTokens", name: "subject_pattern_refused", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.ListM2MTokens(withInvalidRequest(h.ctx, "query subject"), h.env.info.ClerkSecretKey, client.ListM2MTokensRequest{Subject: "mch_short"})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: "clerk getM2MTokens", name: "another_machines_tokens", status: http.StatusForbidden, run: func(h *harness) {
		_, err := h.client.ListM2MTokens(h.ctx, h.fx.ClerkMachineSecretKey, client.ListM2MTokensRequest{Subject: h.fx.ClerkScopedMachineID})
		h.wantErr(err, http.StatusForbidden, "authorization_invalid")
	}},
	{op: "clerk getM2MTokens", name: "wrong_secret_key", status: http.StatusUnauthorized, run: func(h *harness) {
		_, err := h.client.ListM2MTokens(h.ctx, "sk_test_NotTheInstanceKey000000000000000000", client.ListM2MTokensRequest{Subject: h.fx.ClerkMachineID})
		h.wantErr(err, http.StatusUnauthorized, "clerk_key_invalid")
	}},

	{op: "clerk revokeM2MToken", name: "by_owning_machine_with_reason", status: http.StatusOK, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{})
		h.must(err)
		got, err := h.client.RevokeM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, tok.ID, ptr("rotated"))
		h.must(err)
		if !got.Revoked || got.RevocationReason == nil || *got.RevocationReason != "rotated" {
			h.t.Errorf("revoked token: %+v", got)
		}
	}},
	{op: "clerk revokeM2MToken", name: "unknown_token", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.RevokeM2MToken(h.ctx, h.env.info.ClerkSecretKey, unknownTokenID, nil)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	{op: "clerk verifyM2MToken", name: "opaque", status: http.StatusOK, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{Claims: json.RawMessage(`{"k":"v"}`)})
		h.must(err)
		got, err := h.client.VerifyM2MToken(h.ctx, h.env.info.ClerkSecretKey, tok.Token)
		h.must(err)
		if got.ID != tok.ID {
			h.t.Errorf("verified %s, created %s", got.ID, tok.ID)
		}
	}},
	{op: "clerk verifyM2MToken", name: "jwt", status: http.StatusOK, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{TokenFormat: "jwt", Claims: json.RawMessage(`{"k":"v"}`)})
		h.must(err)
		_, err = h.client.VerifyM2MToken(h.ctx, h.env.info.ClerkSecretKey, tok.Token)
		h.must(err)
	}},
	{op: "clerk verifyM2MToken", name: "revoked_token", status: http.StatusNotFound, run: func(h *harness) {
		tok, err := h.client.CreateM2MToken(h.ctx, h.fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{})
		h.must(err)
		_, err = h.client.RevokeM2MToken(h.ctx, h.env.info.ClerkSecretKey, tok.ID, nil)
		h.must(err)
		_, err = h.client.VerifyM2MToken(h.ctx, h.env.info.ClerkSecretKey, tok.Token)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},

	// Clerk machines and JWKS, through the client.
	{op: "clerk CreateMachine", name: "with_scope_and_ttl", status: http.StatusOK, run: func(h *harness) {
		m, err := h.client.CreateMachine(h.ctx, client.CreateMachineRequest{
			Name:            "conformance-" + h.env.unique(),
			ScopedMachines:  []string{h.fx.ClerkScopedMachineID},
			DefaultTokenTTL: ptr[int64](900),
		})
		h.must(err)
		if !strings.HasPrefix(m.SecretKey, "ak_") || len(m.ScopedMachines) != 1 || m.DefaultTokenTTL != 900 {
			h.t.Errorf("created machine: %+v", m)
		}
	}},
	{op: "clerk CreateMachine", name: "unknown_scoped_machine", status: http.StatusUnprocessableEntity, run: func(h *harness) {
		_, err := h.client.CreateMachine(h.ctx, client.CreateMachineRequest{Name: "conformance-" + h.env.unique(), ScopedMachines: []string{unknownMachineID}})
		h.wantErr(err, http.StatusUnprocessableEntity, "form_param_value_invalid")
	}},
	{op: "clerk GetMachine", name: "fixture", status: http.StatusOK, run: func(h *harness) {
		m, err := h.client.GetMachine(h.ctx, h.fx.ClerkMachineID)
		h.must(err)
		if len(m.ScopedMachines) != 1 || m.ScopedMachines[0].ID != h.fx.ClerkScopedMachineID {
			h.t.Errorf("fixture machine: %+v", m)
		}
	}},
	{op: "clerk GetMachine", name: "wrong_secret_key", status: http.StatusUnauthorized,
		config: []func(*client.Config){func(c *client.Config) { c.ClerkSecretKey = "sk_test_NotTheInstanceKey000000000000000000" }},
		run: func(h *harness) {
			_, err := h.client.GetMachine(h.ctx, h.fx.ClerkMachineID)
			h.wantErr(err, http.StatusUnauthorized, "clerk_key_invalid")
		}},
	{op: "clerk DeleteMachine", name: "then_get_is_not_found", status: http.StatusOK, run: func(h *harness) {
		m := h.newMachine()
		h.must(h.client.DeleteMachine(h.ctx, m.ID))
		_, err := h.client.GetMachine(h.ctx, m.ID)
		h.wantErr(err, http.StatusNotFound, "resource_not_found")
	}},
	{op: "clerk GetJWKS", name: "instance_keys", status: http.StatusOK, run: func(h *harness) {
		jwks, err := h.client.ClerkJWKS(h.ctx)
		h.must(err)
		if len(jwks.Keys) == 0 || jwks.Keys[0].Kty != "RSA" {
			h.t.Errorf("JWKS: %+v", jwks)
		}
	}},

	// Stytch B2B Connected Apps, through the client.
	{op: "stytch-b2b api_b2b_idp_v1_b2b_idp_oauth_AuthorizeStart", name: "member_by_id", status: http.StatusOK, run: func(h *harness) {
		resp, err := h.client.AuthorizeStart(h.ctx, client.AuthorizeStartRequest{
			ClientID:       h.fx.StytchConnectedAppID,
			RedirectURI:    h.fx.StytchRedirectURI,
			Scopes:         fixtureScopes,
			OrganizationID: h.fx.StytchOrganizationID,
			MemberID:       h.newMember(false),
		})
		h.must(err)
		if !resp.ConsentRequired || len(resp.ScopeResults) != len(fixtureScopes) {
			h.t.Errorf("authorize start: %+v", resp)
		}
	}},
	{op: "stytch-b2b api_b2b_idp_v1_b2b_idp_oauth_Authorize", name: "pkce_code_then_token_refresh_and_introspect", status: http.StatusOK, run: func(h *harness) {
		tok := h.tokens(h.authorize(h.newMember(false)))
		if tok.RefreshToken == "" || tok.IDToken == "" {
			h.t.Fatalf("offline_access and openid were granted: %+v", tok)
		}
		refreshed, err := h.client.RefreshAccessToken(h.ctx, client.TokenRequest{
			ClientID:     h.fx.StytchConnectedAppID,
			ClientSecret: h.fx.StytchConnectedAppClientSecret,
			RefreshToken: tok.RefreshToken,
		})
		h.must(err)
		if got := h.introspect(refreshed.AccessToken); !got.Active {
			h.t.Errorf("refreshed access token is not active: %+v", got)
		}
	}},
	{op: "stytch-b2b api_b2b_idp_v1_b2b_idp_oauth_Authorize", name: "unregistered_redirect_uri", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.Authorize(h.ctx, client.AuthorizeRequest{
			ConsentGranted: true,
			Scopes:         []string{"openid"},
			ClientID:       h.fx.StytchConnectedAppID,
			RedirectURI:    "https://elsewhere.example.test/callback",
			OrganizationID: h.fx.StytchOrganizationID,
			MemberID:       h.fx.StytchMemberID,
		})
		h.wantErr(err, http.StatusBadRequest, "invalid_redirect_uri")
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_GetConnectedApps", name: "authorized_app", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		h.authorize(member)
		apps, err := h.client.MemberConnectedApps(h.ctx, h.fx.StytchOrganizationID, member)
		h.must(err)
		if len(apps.ConnectedApps) != 1 || apps.ConnectedApps[0].ConnectedAppID != h.fx.StytchConnectedAppID {
			h.t.Errorf("member's apps: %+v", apps)
		}
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_GetConnectedApps", name: "unknown_member", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.MemberConnectedApps(h.ctx, h.fx.StytchOrganizationID, "member-test-00000000-0000-4000-8000-000000000000")
		h.wantErr(err, http.StatusNotFound, "member_not_found")
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_GetConnectedApps", name: "wrong_secret", status: http.StatusUnauthorized,
		config: []func(*client.Config){func(c *client.Config) { c.StytchSecret = "secret-test-NotTheProjectSecret000000000000" }},
		run: func(h *harness) {
			_, err := h.client.MemberConnectedApps(h.ctx, h.fx.StytchOrganizationID, h.fx.StytchMemberID)
			h.wantErr(err, http.StatusUnauthorized, "unauthorized_credentials")
		}},
	{op: "stytch-b2b api_organization_v1_GetConnectedApp", name: "with_active_member", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		h.authorize(member)
		app, err := h.client.OrganizationConnectedApp(h.ctx, h.fx.StytchOrganizationID, h.fx.StytchConnectedAppID)
		h.must(err)
		if !slices.ContainsFunc(app.ActiveMembers, func(m client.ActiveMember) bool { return m.MemberID == member }) {
			h.t.Errorf("%s is not among the active members: %+v", member, app.ActiveMembers)
		}
	}},
	{op: "stytch-b2b api_organization_v1_GetConnectedApp", name: "unknown_app", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.OrganizationConnectedApp(h.ctx, h.fx.StytchOrganizationID, "connected-app-test-00000000-0000-4000-8000-000000000000")
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "deactivates_tokens", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		tok := h.tokens(h.authorize(member))
		h.must(h.client.RevokeMemberConnectedApp(h.ctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: h.fx.StytchOrganizationID, MemberID: member, ConnectedAppID: h.fx.StytchConnectedAppID,
		}))
		if got := h.introspect(tok.AccessToken); got.Active {
			h.t.Errorf("access token still active after revoke: %+v", got)
		}
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "with_admin_member_session", status: http.StatusOK, run: func(h *harness) {
		member := h.newMember(false)
		h.authorize(member)
		session, _, err := h.env.srv.CreateMemberSession(h.fx.StytchOrganizationID, h.newMember(true))
		h.must(err)
		h.must(h.client.RevokeMemberConnectedApp(h.ctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: h.fx.StytchOrganizationID, MemberID: member, ConnectedAppID: h.fx.StytchConnectedAppID, SessionToken: session,
		}))
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "session_without_permission", status: http.StatusForbidden, run: func(h *harness) {
		member := h.newMember(false)
		_, jwt, err := h.env.srv.CreateMemberSession(h.fx.StytchOrganizationID, member)
		h.must(err)
		err = h.client.RevokeMemberConnectedApp(h.ctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: h.fx.StytchOrganizationID, MemberID: h.fx.StytchMemberID, ConnectedAppID: h.fx.StytchConnectedAppID, SessionJWT: jwt,
		})
		h.wantErr(err, http.StatusForbidden, "session_authorization_error")
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_connected_apps_Revoke", name: "unknown_app", status: http.StatusNotFound, run: func(h *harness) {
		err := h.client.RevokeMemberConnectedApp(h.ctx, client.RevokeMemberConnectedAppRequest{
			OrganizationID: h.fx.StytchOrganizationID, MemberID: h.fx.StytchMemberID, ConnectedAppID: "connected-app-test-00000000-0000-4000-8000-000000000000",
		})
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
	{op: "stytch-b2b api_b2b_session_v1_GetJWKS", name: "project_keys", status: http.StatusOK, run: func(h *harness) {
		jwks, err := h.client.StytchJWKS(h.ctx)
		h.must(err)
		if len(jwks.Keys) == 0 {
			h.t.Error("Stytch JWKS has no keys")
		}
	}},

	// Stytch B2B endpoints the client does not call, raw.
	{op: "stytch-b2b api_organization_v1_Create", name: "name_and_slug", status: http.StatusOK, run: func(h *harness) {
		slug := "conformance-" + h.env.unique()
		status, body := h.stytch(http.MethodPost, "/v1/b2b/organizations", map[string]any{"organization_name": slug, "organization_slug": slug})
		h.wantStatus(status, http.StatusOK, body)
	}},
	{op: "stytch-b2b api_organization_v1_organizations_members_Create", name: "email_and_name", status: http.StatusOK, run: func(h *harness) {
		status, body := h.stytch(http.MethodPost, "/v1/b2b/organizations/"+h.fx.StytchOrganizationID+"/members",
			map[string]any{"email_address": "member-" + h.env.unique() + "@conformance.example.test", "name": "Conformance"})
		h.wantStatus(status, http.StatusOK, body)
	}},
	{op: "stytch-b2b api_organization_v1_ConnectedApps", name: "authorized_apps", status: http.StatusOK, run: func(h *harness) {
		h.authorize(h.newMember(false))
		status, body := h.stytch(http.MethodGet, "/v1/b2b/organizations/"+h.fx.StytchOrganizationID+"/connected_apps", nil)
		h.wantStatus(status, http.StatusOK, body)
	}},

	// Stytch endpoints only the consumer description contains, raw except
	// for the client's consumer revoke (the connected-app client cases are
	// in conformance_clients_test.go).
	{op: "stytch-consumer api_user_v1_Revoke", name: "after_consumer_authorize", status: http.StatusOK, run: func(h *harness) {
		status, body := h.stytch(http.MethodPost, "/v1/users", map[string]any{"email": "user-" + h.env.unique() + "@conformance.example.test"})
		h.wantStatus(status, http.StatusOK, body)
		user, _ := body["user_id"].(string)
		status, body = h.stytch(http.MethodPost, "/v1/idp/oauth/authorize", map[string]any{
			"consent_granted": true, "scopes": []string{"openid"}, "client_id": h.fx.StytchConnectedAppID,
			"redirect_uri": h.fx.StytchRedirectURI, "response_type": "code", "user_id": user,
		})
		h.wantStatus(status, http.StatusOK, body)
		status, body = h.stytch(http.MethodGet, "/v1/users/"+user+"/connected_apps", nil)
		h.wantStatus(status, http.StatusOK, body)
		h.must(h.client.RevokeUserConnectedApp(h.ctx, user, h.fx.StytchConnectedAppID))
	}},
	{op: "stytch-consumer api_session_v1_GetJWKS", name: "project_keys", status: http.StatusOK, run: func(h *harness) {
		status, body := h.stytch(http.MethodGet, "/v1/sessions/jwks/"+h.env.info.StytchProjectID, nil)
		h.wantStatus(status, http.StatusOK, body)
	}},
}
