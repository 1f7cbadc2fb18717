package emulator

import (
	"fmt"
	"net/http"
	"testing"
)

// newClient creates a third-party app registered for the fixture's
// redirect URI and returns its id and secret.
func (h *stytchHarness) newClient(extra map[string]any) (string, string) {
	h.t.Helper()
	body := map[string]any{"client_type": "third_party", "client_name": "rotating", "redirect_urls": []string{h.fx.StytchRedirectURI}}
	for k, v := range extra {
		body[k] = v
	}
	created := h.call("POST", "/v1/connected_apps/clients", body, h.project())
	h.expectOK(created)
	app := created.body["connected_app"].(map[string]any)
	return app["client_id"].(string), app["client_secret"].(string)
}

// exchangeWith authorizes the fixture member for app and exchanges the
// code with secret, returning the token endpoint's answer.
func (h *stytchHarness) exchangeWith(app, secret string) apiResponse {
	h.t.Helper()
	a := authorizeReq{org: h.fx.StytchOrganizationID, member: h.fx.StytchMemberID, clientID: app, redirectURI: h.fx.StytchRedirectURI, scopes: []string{"openid"}, consent: true}
	auth := h.authorize(a)
	h.expectOK(auth)
	return h.exchange(app, secret, auth.str("authorization_code"), a.redirectURI, "")
}

func TestStytchClientUpdateReplacesEveryField(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	id, _ := h.newClient(map[string]any{
		"client_description": "kept?", "logo_url": "https://app.example.test/logo.png", "access_token_expiry_minutes": 15,
		"post_logout_redirect_urls": []string{"https://app.example.test/bye"}, "access_token_custom_audience": "reports",
		"id_token_template_content": `{"team": "payments"}`,
	})
	got := h.call("GET", "/v1/connected_apps/clients/"+id, nil, h.project())
	h.expectOK(got)
	if v := got.body["connected_app"].(map[string]any)["id_token_template_content"]; v != `{"team": "payments"}` {
		t.Errorf("id_token_template_content as created: %v", v)
	}
	upd := h.call("PUT", "/v1/connected_apps/clients/"+id, map[string]any{"client_name": "renamed"}, h.project())
	h.expectOK(upd)
	app := upd.body["connected_app"].(map[string]any)
	for field, want := range map[string]any{
		"client_name": "renamed", "client_description": "", "logo_url": "", "access_token_expiry_minutes": float64(60),
		"access_token_custom_audience": "", "client_type": "third_party", "id_token_template_content": "",
	} {
		if app[field] != want {
			t.Errorf("after a PUT of client_name alone, %s = %v, want %v", field, app[field], want)
		}
	}
	for _, field := range []string{"redirect_urls", "post_logout_redirect_urls"} {
		if l, _ := app[field].([]any); len(l) != 0 {
			t.Errorf("after a PUT of client_name alone, %s = %v, want []", field, app[field])
		}
	}
	h.expectStytchError(h.call("PUT", "/v1/connected_apps/clients/"+id, map[string]any{"client_type": "first_party"}, h.project()), http.StatusBadRequest, "bad_request")
	h.expectStytchError(h.call("PUT", "/v1/connected_apps/clients/"+id, map[string]any{"full_access_allowed": true}, h.project()), http.StatusBadRequest, "bad_request")
	h.expectStytchError(h.call("PUT", "/v1/connected_apps/clients/connected-app-test-00000000-0000-4000-8000-000000000000", map[string]any{}, h.project()), http.StatusNotFound, "connected_app_not_found")
}

func TestStytchClientSecretRotation(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	id, old := h.newClient(nil)
	path := "/v1/connected_apps/clients/" + id + "/secrets/rotate"

	h.expectStytchError(h.call("POST", path, map[string]any{}, h.project()), http.StatusBadRequest, "bad_request")
	start := h.call("POST", path+"/start", map[string]any{}, h.project())
	h.expectOK(start)
	app := start.body["connected_app"].(map[string]any)
	next, _ := app["next_client_secret"].(string)
	if len(next) < 32 || next == old || app["next_client_secret_last_four"] != next[len(next)-4:] || app["client_secret_last_four"] != old[len(old)-4:] {
		t.Fatalf("rotation start: %v", app)
	}
	h.expectStytchError(h.call("POST", path+"/start", map[string]any{}, h.project()), http.StatusBadRequest, "bad_request")
	got := h.call("GET", "/v1/connected_apps/clients/"+id, nil, h.project())
	if _, leaked := got.body["connected_app"].(map[string]any)["next_client_secret"]; leaked {
		t.Error("GET returned the next client secret")
	}
	for name, secret := range map[string]string{"current": old, "next": next} {
		h.expectOK(h.exchangeWith(id, secret))
		t.Logf("the %s secret exchanges a code during the rotation", name)
	}

	done := h.call("POST", path, map[string]any{}, h.project())
	h.expectOK(done)
	if app := done.body["connected_app"].(map[string]any); app["client_secret_last_four"] != next[len(next)-4:] || app["next_client_secret_last_four"] != nil {
		t.Fatalf("rotation complete: %v", app)
	}
	h.expectOAuthError(h.exchangeWith(id, old), http.StatusUnauthorized, "invalid_client")
	h.expectOK(h.exchangeWith(id, next))

	// Cancel drops the next secret; the current one keeps working.
	start = h.call("POST", path+"/start", map[string]any{}, h.project())
	h.expectOK(start)
	dropped := start.body["connected_app"].(map[string]any)["next_client_secret"].(string)
	h.expectOK(h.call("POST", path+"/cancel", map[string]any{}, h.project()))
	h.expectOAuthError(h.exchangeWith(id, dropped), http.StatusUnauthorized, "invalid_client")
	h.expectOK(h.exchangeWith(id, next))
	h.expectStytchError(h.call("POST", path+"/cancel", map[string]any{}, h.project()), http.StatusBadRequest, "bad_request")

	pub := h.call("POST", "/v1/connected_apps/clients", map[string]any{"client_type": "third_party_public", "client_name": "spa"}, h.project())
	h.expectOK(pub)
	pubID := pub.body["connected_app"].(map[string]any)["client_id"].(string)
	h.expectStytchError(h.call("POST", "/v1/connected_apps/clients/"+pubID+"/secrets/rotate/start", map[string]any{}, h.project()), http.StatusBadRequest, "bad_request")
}

func TestStytchClientSearch(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	made := map[string]bool{h.fx.StytchConnectedAppID: true}
	for i := range 4 {
		id, _ := h.newClient(map[string]any{"client_name": fmt.Sprint("app-", i)})
		made[id] = true
	}
	seen := map[string]bool{}
	cursor, pages, total := "", 0, len(made)
	for {
		body := map[string]any{"limit": 2}
		if cursor != "" {
			body["cursor"] = cursor
		}
		page := h.call("POST", "/v1/connected_apps/clients/search", body, h.project())
		h.expectOK(page)
		pages++
		for _, a := range page.body["connected_apps"].([]any) {
			id := a.(map[string]any)["client_id"].(string)
			if seen[id] {
				t.Errorf("%s on two pages", id)
			}
			seen[id] = true
		}
		meta := page.body["results_metadata"].(map[string]any)
		if meta["total"] != float64(total) {
			t.Errorf("total %v, want %d", meta["total"], total)
		}
		next, _ := meta["next_cursor"].(string)
		if next == "" {
			break
		}
		if pages == 1 {
			// A client deleted between pages moves nothing.
			h.expectOK(h.call("DELETE", "/v1/connected_apps/clients/"+h.fx.StytchConnectedAppID, nil, h.project()))
			total--
		}
		cursor = next
	}
	if pages != 3 || len(seen) != len(made) {
		t.Errorf("%d pages holding %d clients, want 3 pages and %d", pages, len(seen), len(made))
	}
	h.expectStytchError(h.call("POST", "/v1/connected_apps/clients/search", map[string]any{"cursor": "not-a-cursor"}, h.project()), http.StatusBadRequest, "bad_request")
	h.expectStytchError(h.call("POST", "/v1/connected_apps/clients/search", map[string]any{"limit": 1001}, h.project()), http.StatusBadRequest, "bad_request")
}
