package emulator

import (
	"net/http"
	"slices"
	"testing"
)

// stytchSwitchChecks say, for each choice of each Stytch switch, what the
// wire answers under it (see TestSwitchChoices).
var stytchSwitchChecks = map[string]map[string]switchCheck{
	"stytch_not_found_shape": {
		"404":         checkStytchNotFound(http.StatusNotFound, false),
		"400":         checkStytchNotFound(http.StatusBadRequest, false),
		"generic_404": checkStytchNotFound(http.StatusNotFound, true),
	},
	"session_header_refusal": {
		"404": checkSessionHeaderRefusal(http.StatusNotFound, "session_not_found"),
		"401": checkSessionHeaderRefusal(http.StatusUnauthorized, "unauthorized_credentials"),
	},
	"connected_app_delete_authorizations": {
		"revoked": checkAppDeleteAuthorizations(true),
		"kept":    checkAppDeleteAuthorizations(false),
	},
	"ungranted_authorization_revoke": {
		"200": checkUngrantedRevoke(http.StatusOK),
		"404": checkUngrantedRevoke(http.StatusNotFound),
		"400": checkUngrantedRevoke(http.StatusBadRequest),
	},
	"code_replay": {
		"ends_issued":        checkCodeReplay("ends_issued"),
		"refused_only":       checkCodeReplay("refused_only"),
		"ends_authorization": checkCodeReplay("ends_authorization"),
	},
	"introspect_other_client": {
		"inactive": checkIntrospectOtherClient(false),
		"active":   checkIntrospectOtherClient(true),
	},
	"rotation_out_of_turn": {
		"400":     checkRotationOutOfTurn("400"),
		"409":     checkRotationOutOfTurn("409"),
		"lenient": checkRotationOutOfTurn("lenient"),
	},
	"m2m_client_update_omitted": {
		"kept":  checkM2MUpdateOmitted(false),
		"reset": checkM2MUpdateOmitted(true),
	},
	"inactive_m2m_client_token": {
		"401": checkInactiveClientToken(http.StatusUnauthorized, "invalid_client"),
		"400": checkInactiveClientToken(http.StatusBadRequest, "unauthorized_client"),
	},
}

// harness drives srv the way a Stytch client would.
func harness(t *testing.T, srv *Server) *stytchHarness {
	return &stytchHarness{t: t, srv: srv, info: srv.Info(), fx: srv.Info().Fixture}
}

// checkStytchNotFound: an unknown organization, member or M2M client is
// answered with status, and with a generic type or the object's own; an
// unknown connected app keeps its documented 404.
func checkStytchNotFound(status int, generic bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		want := func(own string) string {
			if generic {
				return "not_found"
			}
			return own
		}
		const unknown = "-test-00000000-0000-4000-8000-000000000000"
		h.expectStytchError(h.call("GET", "/v1/m2m/clients/m2m-client"+unknown, nil, h.project()), status, want("m2m_client_not_found"))
		h.expectStytchError(h.call("GET", "/v1/b2b/organizations/"+fx.StytchOrganizationID+"/members/member"+unknown+"/connected_apps", nil, h.project()),
			status, want("member_not_found"))
		h.expectStytchError(h.call("POST", h.revokePath("organization"+unknown, fx.StytchMemberID, fx.StytchConnectedAppID), map[string]any{}, h.project()),
			status, want("organization_not_found"))
		h.expectStytchError(h.call("GET", "/v1/connected_apps/clients/connected-app"+unknown, nil, h.project()), http.StatusNotFound, "connected_app_not_found")
	}
}

// checkSessionHeaderRefusal: a revoke with a session header that leads to
// no session is refused as the choice says, and revokes nothing.
func checkSessionHeaderRefusal(status int, errorType string) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		tok := h.fixtureTokens("openid")
		for _, header := range []string{"X-Stytch-Member-Session", "X-Stytch-Member-SessionJWT"} {
			r := h.call("POST", h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID), map[string]any{}, h.project(), withHeader(header, "bogus"))
			h.expectStytchError(r, status, errorType)
		}
		if !h.active(tok.str("access_token")) {
			t.Error("a refused revoke ended the token")
		}
	}
}

// checkAppDeleteAuthorizations: deleting an app revokes the authorizations
// granted it, or leaves them active; no listing shows the app either way.
func checkAppDeleteAuthorizations(revoked bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		app, secret := h.newClient(nil)
		h.expectOK(h.exchangeWith(app, secret))
		h.expectOK(h.call("DELETE", "/v1/connected_apps/clients/"+app, nil, h.project()))
		got, found := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, app)
		if !found || got.Active == revoked {
			t.Errorf("authorization %+v (found %v), want active %v", got, found, !revoked)
		}
		if n := srv.Stats().Authorizations.Active; n != map[bool]int{true: 0, false: 1}[revoked] {
			t.Errorf("%d active authorizations", n)
		}
		if apps := h.memberApps(fx.StytchOrganizationID, fx.StytchMemberID); len(apps) != 0 {
			t.Errorf("the member's apps list the deleted one: %v", apps)
		}
	}
}

// checkUngrantedRevoke: revoking an app the member has not authorized, or
// no longer, answers status; an authorized app revokes with 200, and an
// unknown app is 404 connected_app_not_found whatever the choice.
func checkUngrantedRevoke(status int) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		path := h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID)
		expect := func(r apiResponse) {
			t.Helper()
			if status == http.StatusOK {
				h.expectOK(r)
				return
			}
			h.expectStytchError(r, status, "connected_app_authorization_not_found")
		}
		expect(h.call("POST", path, map[string]any{}, h.project()))
		tok := h.fixtureTokens("openid")
		h.expectOK(h.call("POST", path, map[string]any{}, h.project()))
		if h.active(tok.str("access_token")) {
			t.Fatal("the revoke left the token active")
		}
		expect(h.call("POST", path, map[string]any{}, h.project()))
		h.expectStytchError(h.call("POST", h.revokePath(fx.StytchOrganizationID, fx.StytchMemberID, "connected-app-test-00000000-0000-4000-8000-000000000000"),
			map[string]any{}, h.project()), http.StatusNotFound, "connected_app_not_found")
	}
}

// checkCodeReplay: a spent code presented again is refused whatever the
// choice; what it issued, and what another exchange under the same
// authorization issued, then end as the choice says.
func checkCodeReplay(choice string) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		scopes := []string{"openid", "offline_access"}
		verifier, challenge := pkcePair()
		a := h.authorize(h.fixtureAuthorize(scopes, challenge, ""))
		h.expectOK(a)
		code := a.str("authorization_code")
		first := h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, code, fx.StytchRedirectURI, verifier)
		h.expectOK(first)
		// Another run's tokens under the same authorization.
		other := h.fixtureTokens(scopes...)

		replay := h.exchange(fx.StytchConnectedAppID, fx.StytchConnectedAppClientSecret, code, fx.StytchRedirectURI, verifier)
		h.expectOAuthError(replay, http.StatusBadRequest, "invalid_grant")

		// Whether the replayed code's tokens, and the other exchange's,
		// are still active.
		live := map[string]struct{ first, other bool }{
			"ends_issued":        {false, true},
			"refused_only":       {true, true},
			"ends_authorization": {false, false},
		}[choice]
		wantFirst, wantOther := live.first, live.other
		for _, tc := range []struct {
			name  string
			token string
			want  bool
		}{
			{"the replayed code's access token", first.str("access_token"), wantFirst},
			{"the replayed code's refresh token", first.str("refresh_token"), wantFirst},
			{"another exchange's access token", other.str("access_token"), wantOther},
			{"another exchange's refresh token", other.str("refresh_token"), wantOther},
		} {
			if got := h.active(tc.token); got != tc.want {
				t.Errorf("%s: active %v, want %v", tc.name, got, tc.want)
			}
		}
		if got, _ := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); got.Active != wantOther {
			t.Errorf("authorization active %v, want %v", got.Active, wantOther)
		}
	}
}

// checkIntrospectOtherClient: another app of the project introspecting a
// token sees it inactive, or sees it.
func checkIntrospectOtherClient(active bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		fx := h.fx
		tok := h.fixtureTokens("openid", "offline_access")
		other, otherSecret := h.newClient(nil)
		for _, token := range []string{tok.str("access_token"), tok.str("refresh_token")} {
			r := h.introspect(other, otherSecret, token)
			h.expectOK(r)
			if r.body["active"] != active {
				t.Errorf("introspected by another app: %v, want active %v", r.body, active)
			}
			if active && r.body["client_id"] != fx.StytchConnectedAppID {
				t.Errorf("client_id %v, want the issuing app %s", r.body["client_id"], fx.StytchConnectedAppID)
			}
			if !h.active(token) {
				t.Error("the issuing app sees its token inactive")
			}
		}
	}
}

// checkRotationOutOfTurn: completing or cancelling with no rotation
// pending, or starting while one is, is refused with 400 or 409, or with
// "lenient" answered 200, a start then replacing the pending next secret.
func checkRotationOutOfTurn(choice string) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		id, current := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}})
		base := "/v1/m2m/clients/" + id + "/secrets/rotate"
		refused := func(r apiResponse) bool {
			t.Helper()
			switch choice {
			case "400":
				h.expectStytchError(r, http.StatusBadRequest, "bad_request")
			case "409":
				h.expectStytchError(r, http.StatusConflict, "conflict")
			default:
				h.expectOK(r)
				return false
			}
			return true
		}
		for _, step := range []string{base, base + "/cancel"} {
			r := h.call("POST", step, nil, h.project())
			refused(r)
			if !srv.M2MClientSecretWorks(id, current) {
				t.Fatalf("%s out of turn changed the secret", step)
			}
		}
		started := h.call("POST", base+"/start", nil, h.project())
		h.expectOK(started)
		first := started.body["m2m_client"].(map[string]any)["next_client_secret"].(string)
		again := h.call("POST", base+"/start", nil, h.project())
		if refused(again) {
			if !srv.M2MClientSecretWorks(id, first) {
				t.Error("a refused start ended the pending next secret")
			}
		} else {
			second, _ := again.body["m2m_client"].(map[string]any)["next_client_secret"].(string)
			if second == "" || second == first || srv.M2MClientSecretWorks(id, first) || !srv.M2MClientSecretWorks(id, second) {
				t.Errorf("a start over a pending rotation: want a new next secret in place of the pending one")
			}
		}
		if !srv.M2MClientSecretWorks(id, current) {
			t.Error("the current secret stopped working")
		}
	}
}

// checkM2MUpdateOmitted: an update that sends only a name keeps, or
// resets, every other field, status included.
func checkM2MUpdateOmitted(reset bool) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		id, _ := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}, "client_name": "billing",
			"client_description": "pays", "trusted_metadata": map[string]any{"team": "payments"}})
		h.expectOK(h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"status": "inactive"}, h.project()))
		h.expectOK(h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"client_name": "renamed"}, h.project()))
		got, _ := srv.M2MClient(id)
		want := M2MClient{ClientID: id, Name: "renamed", Description: "pays", Status: "inactive", Scopes: []string{"read:users"}, TrustedMetadata: map[string]any{"team": "payments"}}
		if reset {
			want = M2MClient{ClientID: id, Name: "renamed", Status: "active"}
		}
		if got.Name != want.Name || got.Description != want.Description || got.Status != want.Status ||
			!slices.Equal(got.Scopes, want.Scopes) || len(got.TrustedMetadata) != len(want.TrustedMetadata) {
			t.Errorf("after a PUT of client_name alone: %+v, want %+v", got, want)
		}
	}
}

// checkInactiveClientToken: an inactive client is refused a token as the
// choice says; an active one gets it.
func checkInactiveClientToken(status int, code string) switchCheck {
	return func(t *testing.T, srv *Server) {
		h := harness(t, srv)
		id, secret := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}})
		h.expectOK(h.clientCredentials(id, secret, ""))
		h.expectOK(h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"status": "inactive"}, h.project()))
		h.expectOAuthError(h.clientCredentials(id, secret, ""), status, code)
		h.expectOAuthError(h.clientCredentials(id, "wrong-secret", ""), http.StatusUnauthorized, "invalid_client")
	}
}
