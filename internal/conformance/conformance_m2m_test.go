package conformance

import (
	"net/http"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The M2M client cases drive the client's calls for /v1/m2m/clients, kept
// apart from cases for easier merging. The token endpoint's
// client_credentials grant is undescribed, so it is checked here only as
// the client sees it.
func init() {
	cases = append(cases, m2mClientCases...)
	for _, op := range []string{"Create", "Get", "Update", "secrets_Rotate", "secrets_RotateCancel"} {
		knownDeviations = append(knownDeviations, struct {
			deviation
			why string
		}{deviation{m2m + op, phaseResponse, 200, "body/m2m_client/next_client_secret_last_four"},
			"Stytch's SDK types: next_client_secret_last_four is null if no next_client_secret exists, i.e. outside a rotation"})
	}
	knownDeviations = append(knownDeviations, []struct {
		deviation
		why string
	}{
		{deviation{m2m + "Search", phaseResponse, 200, "body/m2m_clients/*/next_client_secret_last_four"},
			"Stytch sends null outside a secret rotation"},
		{deviation{m2m + "Search", phaseResponse, 200, "body/results_metadata/next_cursor"},
			"Stytch's search documentation: page until next_cursor is null"},
		// The description lists no 404; Stytch's errors reference gives a
		// not-found error for an unknown client_id, as for connected apps
		// (its exact error type is unconfirmed).
		{deviation{m2m + "Get", phaseResponse, 404, "status"},
			"Stytch: an unknown M2M client is a 404"},
	}...)
}

const (
	m2m                = "stytch-consumer api_m2m_v1_m2m_clients_"
	unknownM2MClientID = "m2m-client-test-00000000-0000-4000-8000-000000000000"
)

func (h *harness) newM2MClient() *client.M2MClientWithSecrets {
	h.t.Helper()
	c, err := h.client.CreateM2MClient(h.ctx, client.CreateM2MClientRequest{ClientName: "conformance-" + h.env.unique(), Scopes: []string{"read:reports"}})
	h.must(err)
	return c
}

var m2mClientCases = []opCase{
	{op: m2m + "Create", name: "stytch_makes_id_and_secret", status: http.StatusOK, run: func(h *harness) {
		c, err := h.client.CreateM2MClient(h.ctx, client.CreateM2MClientRequest{
			ClientName: "conformance-" + h.env.unique(), ClientDescription: "made by conformance",
			Scopes: []string{"read:reports", "write:reports"}, TrustedMetadata: []byte(`{"team":"payments"}`),
		})
		h.must(err)
		if !strings.HasPrefix(c.ClientID, "m2m-client-test-") || !strings.HasSuffix(c.ClientSecret, c.ClientSecretLastFour) {
			h.t.Errorf("created %+v", c)
		}
	}},
	{op: m2m + "Create", name: "caller_chooses_id_and_secret", status: http.StatusOK, run: func(h *harness) {
		id := "m2m-client-test-conformance-" + h.env.unique()
		c, err := h.client.CreateM2MClient(h.ctx, client.CreateM2MClientRequest{ClientID: id, ClientSecret: "conformance-secret-" + h.env.unique(), Scopes: []string{"read:reports"}})
		h.must(err)
		if c.ClientID != id {
			h.t.Errorf("chose %s, got %s", id, c.ClientID)
		}
	}},
	{op: m2m + "Create", name: "id_taken", status: http.StatusBadRequest, run: func(h *harness) {
		c := h.newM2MClient()
		_, err := h.client.CreateM2MClient(h.ctx, client.CreateM2MClientRequest{ClientID: c.ClientID, Scopes: []string{"read:reports"}})
		h.wantErr(err, http.StatusBadRequest, "duplicate_client_id")
	}},
	{op: m2m + "Get", name: "made_one", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		got, err := h.client.GetM2MClient(h.ctx, c.ClientID)
		h.must(err)
		if got.Status != "active" || got.ClientSecretLastFour != c.ClientSecretLastFour {
			h.t.Errorf("got %+v", got)
		}
	}},
	{op: m2m + "Get", name: "unknown_client", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetM2MClient(h.ctx, unknownM2MClientID)
		h.wantErr(err, http.StatusNotFound, "m2m_client_not_found")
	}},
	{op: m2m + "Update", name: "deactivate", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		got, err := h.client.UpdateM2MClient(h.ctx, c.ClientID, client.UpdateM2MClientRequest{ClientName: c.ClientName, Status: "inactive", Scopes: c.Scopes})
		h.must(err)
		if got.Status != "inactive" {
			h.t.Errorf("got %+v", got)
		}
		_, err = h.client.ClientCredentialsToken(h.ctx, client.CredentialsRequest{ClientID: c.ClientID, ClientSecret: c.ClientSecret})
		h.wantErr(err, http.StatusUnauthorized, "invalid_client")
	}},
	{op: m2m + "Update", name: "unknown_status", status: http.StatusBadRequest, run: func(h *harness) {
		c := h.newM2MClient()
		_, err := h.client.UpdateM2MClient(withInvalidRequest(h.ctx, "body/status"), c.ClientID, client.UpdateM2MClientRequest{Status: "paused", Scopes: c.Scopes})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: m2m + "Delete", name: "then_get_is_not_found", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		h.must(h.client.DeleteM2MClient(h.ctx, c.ClientID))
		_, err := h.client.GetM2MClient(h.ctx, c.ClientID)
		h.wantErr(err, http.StatusNotFound, "m2m_client_not_found")
	}},
	{op: m2m + "Search", name: "by_client_id", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		page, err := h.client.SearchM2MClients(h.ctx, client.M2MSearchRequest{Limit: 10, Query: &client.M2MSearchQuery{
			Operator: "AND", Operands: []client.M2MSearchOperand{{FilterName: "client_id", FilterValue: []string{c.ClientID}}},
		}})
		h.must(err)
		if len(page.M2MClients) != 1 || page.M2MClients[0].ClientID != c.ClientID {
			h.t.Errorf("search: %+v", page)
		}
	}},
	{op: m2m + "secrets_RotateStart", name: "then_both_secrets_get_tokens", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		started, err := h.client.RotateM2MClientSecret(h.ctx, c.ClientID, client.RotationStart)
		h.must(err)
		for _, secret := range []string{c.ClientSecret, started.NextClientSecret} {
			tok, err := h.client.ClientCredentialsToken(h.ctx, client.CredentialsRequest{ClientID: c.ClientID, ClientSecret: secret, Scopes: []string{"read:reports"}})
			h.must(err)
			if tok.Scope != "read:reports" || strings.Count(tok.AccessToken, ".") != 2 {
				h.t.Errorf("token: %+v", tok)
			}
		}
	}},
	{op: m2m + "secrets_Rotate", name: "old_secret_refused", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		_, err := h.client.RotateM2MClientSecret(h.ctx, c.ClientID, client.RotationStart)
		h.must(err)
		_, err = h.client.RotateM2MClientSecret(h.ctx, c.ClientID, client.RotationComplete)
		h.must(err)
		_, err = h.client.ClientCredentialsToken(h.ctx, client.CredentialsRequest{ClientID: c.ClientID, ClientSecret: c.ClientSecret})
		h.wantErr(err, http.StatusUnauthorized, "invalid_client")
	}},
	{op: m2m + "secrets_RotateCancel", name: "drops_next_secret", status: http.StatusOK, run: func(h *harness) {
		c := h.newM2MClient()
		_, err := h.client.RotateM2MClientSecret(h.ctx, c.ClientID, client.RotationStart)
		h.must(err)
		got, err := h.client.RotateM2MClientSecret(h.ctx, c.ClientID, client.RotationCancel)
		h.must(err)
		if got.NextClientSecretLastFour != nil {
			h.t.Errorf("after cancelling: %+v", got)
		}
	}},
	{op: m2m + "secrets_RotateCancel", name: "none_started", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.RotateM2MClientSecret(h.ctx, h.newM2MClient().ClientID, client.RotationCancel)
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
}
