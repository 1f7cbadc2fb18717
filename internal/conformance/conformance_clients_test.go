package conformance

import (
	"net/http"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The connected-app client cases drive the client's calls for the
// /v1/connected_apps/clients routes, which only the consumer description
// holds; they are kept apart from cases for easier merging.
func init() { cases = append(cases, connectedAppClientCases...) }

const unknownConnectedAppID = "connected-app-test-00000000-0000-4000-8000-000000000000"

// newApp creates a third-party app of the subtest's own through the client.
func (h *harness) newApp() *client.ConnectedAppClientWithSecrets {
	h.t.Helper()
	app, err := h.client.CreateConnectedAppClient(h.ctx, client.CreateConnectedAppClientRequest{
		ClientType: "third_party",
		ConnectedAppClientFields: client.ConnectedAppClientFields{
			ClientName: "conformance-" + h.env.unique(), RedirectURLs: []string{h.fx.StytchRedirectURI},
		},
	})
	h.must(err)
	return app
}

const capp = "stytch-consumer api_connectedapps_v1_connected_apps_clients_"

var connectedAppClientCases = []opCase{
	{op: capp + "Create", name: "confidential_with_every_field", status: http.StatusOK, run: func(h *harness) {
		app, err := h.client.CreateConnectedAppClient(h.ctx, client.CreateConnectedAppClientRequest{
			ClientType: "first_party",
			ConnectedAppClientFields: client.ConnectedAppClientFields{
				ClientName: "conformance-" + h.env.unique(), ClientDescription: "every field",
				RedirectURLs: []string{"https://app.example.test/cb"}, PostLogoutRedirectURLs: []string{"https://app.example.test/bye"},
				FullAccessAllowed: true, AccessTokenExpiryMinutes: 30, AccessTokenCustomAudience: "reports",
				AccessTokenTemplateContent: `{"team": "payments"}`, LogoURL: "https://app.example.test/logo.png", BypassConsentForOfflineAccess: true,
			},
		})
		h.must(err)
		if app.ClientSecret == "" || !strings.HasSuffix(app.ClientSecret, app.ClientSecretLastFour) || app.AccessTokenExpiryMinutes != 30 {
			h.t.Errorf("created: %+v", app)
		}
	}},
	{op: capp + "Create", name: "public_has_no_secret", status: http.StatusOK, run: func(h *harness) {
		app, err := h.client.CreateConnectedAppClient(h.ctx, client.CreateConnectedAppClientRequest{
			ClientType: "third_party_public", ConnectedAppClientFields: client.ConnectedAppClientFields{ClientName: "conformance-" + h.env.unique()},
		})
		h.must(err)
		if app.ClientSecret != "" {
			h.t.Errorf("a public client got a secret")
		}
	}},
	{op: capp + "Create", name: "unknown_client_type", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.CreateConnectedAppClient(withInvalidRequest(h.ctx, "body/client_type"), client.CreateConnectedAppClientRequest{ClientType: "second_party"})
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: capp + "Get", name: "fixture_app", status: http.StatusOK, run: func(h *harness) {
		app, err := h.client.GetConnectedAppClient(h.ctx, h.fx.StytchConnectedAppID)
		h.must(err)
		if app.ClientID != h.fx.StytchConnectedAppID {
			h.t.Errorf("got %+v", app)
		}
	}},
	{op: capp + "Get", name: "unknown_client", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.GetConnectedAppClient(h.ctx, unknownConnectedAppID)
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
	{op: capp + "Update", name: "replaces_the_whole_client", status: http.StatusOK, run: func(h *harness) {
		app := h.newApp()
		got, err := h.client.UpdateConnectedAppClient(h.ctx, app.ClientID, client.ConnectedAppClientFields{ClientName: "renamed"})
		h.must(err)
		if got.ClientName != "renamed" || len(got.RedirectURLs) != 0 {
			h.t.Errorf("an update of the name alone left %+v", got)
		}
	}},
	{op: capp + "Update", name: "unknown_client", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.UpdateConnectedAppClient(h.ctx, unknownConnectedAppID, client.ConnectedAppClientFields{ClientName: "x"})
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
	{op: capp + "Delete", name: "then_get_is_not_found", status: http.StatusOK, run: func(h *harness) {
		app := h.newApp()
		h.must(h.client.DeleteConnectedAppClient(h.ctx, app.ClientID))
		_, err := h.client.GetConnectedAppClient(h.ctx, app.ClientID)
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
	{op: capp + "Delete", name: "unknown_client", status: http.StatusNotFound, run: func(h *harness) {
		h.wantErr(h.client.DeleteConnectedAppClient(h.ctx, unknownConnectedAppID), http.StatusNotFound, "connected_app_not_found")
	}},
	{op: capp + "Search", name: "pages_to_the_end", status: http.StatusOK, run: func(h *harness) {
		made := h.newApp()
		req, found := client.SearchRequest{Limit: 1}, false
		for pages := 0; ; pages++ {
			page, err := h.client.SearchConnectedAppClients(h.ctx, req)
			h.must(err)
			for _, a := range page.ConnectedApps {
				found = found || a.ClientID == made.ClientID
			}
			if page.ResultsMetadata.NextCursor == nil || pages > 1000 {
				break
			}
			req.Cursor = *page.ResultsMetadata.NextCursor
		}
		if !found {
			h.t.Errorf("paging to the end never found %s", made.ClientID)
		}
	}},
	{op: capp + "secrets_RotateStart", name: "issues_next_secret", status: http.StatusOK, run: func(h *harness) {
		app := h.newApp()
		got, err := h.client.StartConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		if got.NextClientSecret == "" || got.NextClientSecretLastFour == nil || !strings.HasSuffix(got.NextClientSecret, *got.NextClientSecretLastFour) {
			h.t.Errorf("rotation start: %+v", got)
		}
	}},
	{op: capp + "secrets_RotateStart", name: "already_started", status: http.StatusBadRequest, run: func(h *harness) {
		app := h.newApp()
		_, err := h.client.StartConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		_, err = h.client.StartConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: capp + "secrets_Rotate", name: "next_becomes_current", status: http.StatusOK, run: func(h *harness) {
		app := h.newApp()
		started, err := h.client.StartConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		done, err := h.client.CompleteConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		if done.ClientSecretLastFour != *started.NextClientSecretLastFour || done.NextClientSecretLastFour != nil {
			h.t.Errorf("after completing: %+v", done)
		}
	}},
	{op: capp + "secrets_Rotate", name: "none_started", status: http.StatusBadRequest, run: func(h *harness) {
		_, err := h.client.CompleteConnectedAppSecretRotation(h.ctx, h.newApp().ClientID)
		h.wantErr(err, http.StatusBadRequest, "bad_request")
	}},
	{op: capp + "secrets_RotateCancel", name: "drops_next_secret", status: http.StatusOK, run: func(h *harness) {
		app := h.newApp()
		_, err := h.client.StartConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		got, err := h.client.CancelConnectedAppSecretRotation(h.ctx, app.ClientID)
		h.must(err)
		if got.ClientSecretLastFour != app.ClientSecretLastFour || got.NextClientSecretLastFour != nil {
			h.t.Errorf("after cancelling: %+v", got)
		}
	}},
	{op: capp + "secrets_RotateCancel", name: "unknown_client", status: http.StatusNotFound, run: func(h *harness) {
		_, err := h.client.CancelConnectedAppSecretRotation(h.ctx, unknownConnectedAppID)
		h.wantErr(err, http.StatusNotFound, "connected_app_not_found")
	}},
}
