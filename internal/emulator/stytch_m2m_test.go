package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (h *stytchHarness) newM2MClient(body map[string]any) (id, secret string) {
	h.t.Helper()
	created := h.call("POST", "/v1/m2m/clients", body, h.project())
	h.expectOK(created)
	c := created.body["m2m_client"].(map[string]any)
	return c["client_id"].(string), c["client_secret"].(string)
}

func (h *stytchHarness) clientCredentials(id, secret, scope string) apiResponse {
	h.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return h.call("POST", h.tokenPath(), form)
}

func TestStytchM2MClients(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	id, secret := h.newM2MClient(map[string]any{"scopes": []string{"read:users", "write:users"}, "client_name": "billing", "trusted_metadata": map[string]any{"team": "payments"}})
	if !strings.HasPrefix(id, "m2m-client-test-") || len(secret) < 32 {
		t.Fatalf("created %s with a secret of %d characters", id, len(secret))
	}
	got := h.call("GET", "/v1/m2m/clients/"+id, nil, h.project())
	h.expectOK(got)
	c := got.body["m2m_client"].(map[string]any)
	if c["status"] != "active" || c["client_secret_last_four"] != secret[len(secret)-4:] || c["trusted_metadata"].(map[string]any)["team"] != "payments" {
		t.Errorf("got %v", c)
	}
	if _, leaked := c["client_secret"]; leaked {
		t.Error("GET returned the secret")
	}

	// The caller may choose the id and the secret; an id is taken once.
	mine := "m2m-client-test-00000000-0000-4000-8000-00000000c0de"
	if gotID, gotSecret := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}, "client_id": mine, "client_secret": "chosen-secret-0123456789"}); gotID != mine || gotSecret != "chosen-secret-0123456789" {
		t.Errorf("chose %s, got %s", mine, gotID)
	}
	h.expectStytchError(h.call("POST", "/v1/m2m/clients", map[string]any{"scopes": []string{"x"}, "client_id": mine}, h.project()), http.StatusBadRequest, "duplicate_client_id")
	h.expectStytchError(h.call("POST", "/v1/m2m/clients", map[string]any{"client_name": "no scopes"}, h.project()), http.StatusBadRequest, "bad_request")
	h.expectStytchError(h.call("POST", "/v1/m2m/clients", map[string]any{"scopes": []string{"two words"}}, h.project()), http.StatusBadRequest, "bad_request")

	// The kill switch: an inactive client gets no token, until reactivated.
	tok := h.clientCredentials(id, secret, "read:users")
	h.expectOK(tok)
	if tok.str("scope") != "read:users" || tok.body["expires_in"] != float64(3600) {
		t.Errorf("token: %v", tok.body)
	}
	var claims map[string]any
	if !h.srv.stytch.signer.verify(tok.str("access_token"), nil, &claims) || claims["sub"] != id || claims["iss"] != "stytch.com/"+h.info.StytchProjectID {
		t.Errorf("claims %v", claims)
	}
	h.expectOAuthError(h.clientCredentials(id, secret, "admin"), http.StatusBadRequest, "invalid_scope")
	h.expectOAuthError(h.clientCredentials(id, "wrong-secret", ""), http.StatusUnauthorized, "invalid_client")
	h.expectOK(h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"status": "inactive"}, h.project()))
	h.expectOAuthError(h.clientCredentials(id, secret, ""), http.StatusUnauthorized, "invalid_client")
	h.expectStytchError(h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"status": "paused"}, h.project()), http.StatusBadRequest, "bad_request")
	upd := h.call("PUT", "/v1/m2m/clients/"+id, map[string]any{"status": "active", "scopes": []string{"read:users"}}, h.project())
	h.expectOK(upd)
	if upd.body["m2m_client"].(map[string]any)["client_name"] != "billing" {
		t.Errorf("an update without client_name changed it: %v", upd.body)
	}
	h.expectOK(h.clientCredentials(id, secret, ""))
	h.expectOAuthError(h.clientCredentials(id, secret, "write:users"), http.StatusBadRequest, "invalid_scope")

	// Rotation, as for connected apps.
	path := "/v1/m2m/clients/" + id + "/secrets/rotate"
	start := h.call("POST", path+"/start", map[string]any{}, h.project())
	h.expectOK(start)
	next := start.body["m2m_client"].(map[string]any)["next_client_secret"].(string)
	h.expectOK(h.clientCredentials(id, secret, ""))
	h.expectOK(h.clientCredentials(id, next, ""))
	h.expectOK(h.call("POST", path, map[string]any{}, h.project()))
	h.expectOAuthError(h.clientCredentials(id, secret, ""), http.StatusUnauthorized, "invalid_client")
	h.expectOK(h.clientCredentials(id, next, ""))

	search := h.call("POST", "/v1/m2m/clients/search", map[string]any{"query": map[string]any{
		"operator": "AND", "operands": []any{map[string]any{"filter_name": "scopes", "filter_value": []string{"read:users"}}, map[string]any{"filter_name": "client_name", "filter_value": "billing"}},
	}}, h.project())
	h.expectOK(search)
	if found := search.body["m2m_clients"].([]any); len(found) != 1 || found[0].(map[string]any)["client_id"] != id {
		t.Errorf("search by scope and name: %v", search.body)
	}
	h.expectStytchError(h.call("POST", "/v1/m2m/clients/search", map[string]any{"query": map[string]any{
		"operator": "AND", "operands": []any{map[string]any{"filter_name": "color", "filter_value": "red"}},
	}}, h.project()), http.StatusBadRequest, "bad_request")

	h.expectOK(h.call("DELETE", "/v1/m2m/clients/"+id, nil, h.project()))
	h.expectStytchError(h.call("GET", "/v1/m2m/clients/"+id, nil, h.project()), http.StatusNotFound, "m2m_client_not_found")
	h.expectOAuthError(h.clientCredentials(id, next, ""), http.StatusUnauthorized, "invalid_client")
}

// The stats count M2M clients by status, and forget a deleted one, so a
// demo or a test can check that a destroy left none.
func TestStytchM2MClientCounts(t *testing.T) {
	t.Parallel()
	h := newStytchHarness(t, Options{})
	if got := h.srv.Stats().M2MClients; got != (M2MClientCounts{}) {
		t.Fatalf("before any client: %+v", got)
	}
	a, _ := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}})
	b, _ := h.newM2MClient(map[string]any{"scopes": []string{"read:users"}})
	h.expectOK(h.call("PUT", "/v1/m2m/clients/"+b, map[string]any{"status": "inactive"}, h.project()))
	if got := h.srv.Stats().M2MClients; got != (M2MClientCounts{Active: 1, Inactive: 1}) {
		t.Errorf("one active, one inactive: %+v", got)
	}
	h.expectOK(h.call("DELETE", "/v1/m2m/clients/"+a, nil, h.project()))
	h.expectOK(h.call("DELETE", "/v1/m2m/clients/"+b, nil, h.project()))
	if got := h.srv.Stats().M2MClients; got != (M2MClientCounts{}) {
		t.Errorf("after deleting both: %+v", got)
	}
}
