package client

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testAppJSON = `{"client_id":"connected-app-test-1","client_type":"third_party","status":"active","client_name":"n",` +
	`"client_description":"","redirect_urls":["https://app/cb"],"post_logout_redirect_urls":[],"full_access_allowed":false,` +
	`"access_token_expiry_minutes":60,"access_token_custom_audience":"","access_token_template_content":"","logo_url":"",` +
	`"bypass_consent_for_offline_access":false,"client_secret_last_four":"abcd","next_client_secret_last_four":null}`

func TestConnectedAppClientCalls(t *testing.T) {
	t.Parallel()
	checkCalls(t, `{"status_code":200,"request_id":"`+testRequestID+`","connected_app":`+testAppJSON+`}`, []callCase{
		{"create", func(ctx context.Context, c *Client) error {
			_, err := c.CreateConnectedAppClient(ctx, CreateConnectedAppClientRequest{ClientType: "third_party",
				ConnectedAppClientFields: ConnectedAppClientFields{ClientName: "n", RedirectURLs: []string{"https://app/cb"}}})
			return err
		}, "POST", "/v1/connected_apps/clients",
			`{"client_type":"third_party","client_name":"n","client_description":"","redirect_urls":["https://app/cb"],"post_logout_redirect_urls":[],` +
				`"full_access_allowed":false,"access_token_custom_audience":"","access_token_template_content":"","logo_url":"","bypass_consent_for_offline_access":false}`},
		{"get", func(ctx context.Context, c *Client) error {
			_, err := c.GetConnectedAppClient(ctx, "connected-app-test-1")
			return err
		}, "GET", "/v1/connected_apps/clients/connected-app-test-1", ""},
		// Every field goes with an update, emptied ones too: Stytch resets
		// what a PUT leaves out.
		{"update", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateConnectedAppClient(ctx, "connected-app-test-1", ConnectedAppClientFields{ClientName: "n", AccessTokenExpiryMinutes: 5})
			return err
		}, "PUT", "/v1/connected_apps/clients/connected-app-test-1",
			`{"client_name":"n","client_description":"","redirect_urls":[],"post_logout_redirect_urls":[],"full_access_allowed":false,` +
				`"access_token_expiry_minutes":5,"access_token_custom_audience":"","access_token_template_content":"","logo_url":"","bypass_consent_for_offline_access":false}`},
		{"delete", func(ctx context.Context, c *Client) error {
			return c.DeleteConnectedAppClient(ctx, "connected-app-test-1")
		}, "DELETE", "/v1/connected_apps/clients/connected-app-test-1", ""},
		{"search", func(ctx context.Context, c *Client) error {
			_, err := c.SearchConnectedAppClients(ctx, SearchRequest{Cursor: "c1", Limit: 50})
			return err
		}, "POST", "/v1/connected_apps/clients/search", `{"cursor":"c1","limit":50}`},
		{"rotation start", func(ctx context.Context, c *Client) error {
			_, err := c.StartConnectedAppSecretRotation(ctx, "connected-app-test-1")
			return err
		}, "POST", "/v1/connected_apps/clients/connected-app-test-1/secrets/rotate/start", "{}"},
		{"rotation complete", func(ctx context.Context, c *Client) error {
			_, err := c.CompleteConnectedAppSecretRotation(ctx, "connected-app-test-1")
			return err
		}, "POST", "/v1/connected_apps/clients/connected-app-test-1/secrets/rotate", "{}"},
		{"rotation cancel", func(ctx context.Context, c *Client) error {
			_, err := c.CancelConnectedAppSecretRotation(ctx, "connected-app-test-1")
			return err
		}, "POST", "/v1/connected_apps/clients/connected-app-test-1/secrets/rotate/cancel", "{}"},
	}, nil)
}

// A create or a rotation step that got a 500 may have happened: it is not
// repeated. Reads, updates and deletes are.
func TestConnectedAppClientRetries(t *testing.T) {
	t.Parallel()
	ok := reply(http.StatusOK, `{"request_id":"`+testRequestID+`","connected_app":`+testAppJSON+`}`)
	for name, tc := range map[string]struct {
		run       func(context.Context, *Client) error
		ambiguous bool
	}{
		"create": {func(ctx context.Context, c *Client) error {
			_, err := c.CreateConnectedAppClient(ctx, CreateConnectedAppClientRequest{ClientType: "third_party"})
			return err
		}, true},
		"rotation start": {func(ctx context.Context, c *Client) error {
			_, err := c.StartConnectedAppSecretRotation(ctx, "connected-app-test-1")
			return err
		}, true},
		"rotation complete": {func(ctx context.Context, c *Client) error {
			_, err := c.CompleteConnectedAppSecretRotation(ctx, "connected-app-test-1")
			return err
		}, true},
		"update": {func(ctx context.Context, c *Client) error {
			_, err := c.UpdateConnectedAppClient(ctx, "connected-app-test-1", ConnectedAppClientFields{})
			return err
		}, false},
		"delete": {func(ctx context.Context, c *Client) error {
			return c.DeleteConnectedAppClient(ctx, "connected-app-test-1")
		}, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, stytchError(http.StatusInternalServerError, "internal_server_error"), ok)
			err := tc.run(t.Context(), newTestClient(t, srv.URL))
			if tc.ambiguous {
				if !IsAmbiguous(err) || srv.hits.Load() != 1 {
					t.Fatalf("err = %v after %d requests; want one request and an AmbiguousError", err, srv.hits.Load())
				}
				return
			}
			if err != nil || srv.hits.Load() != 2 {
				t.Fatalf("err = %v after %d requests; want the retry to succeed", err, srv.hits.Load())
			}
		})
	}
}

func TestConnectedAppClientSecretsDecode(t *testing.T) {
	t.Parallel()
	ahead := time.Now().Add(3 * time.Hour)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", ahead.UTC().Format(http.TimeFormat))
		reply(http.StatusOK, `{"request_id":"`+testRequestID+`","connected_app":`+
			strings.Replace(testAppJSON, `"next_client_secret_last_four":null`, `"next_client_secret_last_four":"wxyz","next_client_secret":"NextSecretNextSecretwxyz"`, 1)+`}`)(w, r)
	})
	c := newTestClient(t, srv.URL)
	got, err := c.StartConnectedAppSecretRotation(t.Context(), "connected-app-test-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.NextClientSecret != "NextSecretNextSecretwxyz" || got.NextClientSecretLastFour == nil || *got.NextClientSecretLastFour != "wxyz" ||
		got.ClientSecretLastFour != "abcd" || got.RedirectURLs[0] != "https://app/cb" {
		t.Errorf("decoded %+v", got)
	}
	now, known := c.StytchNow()
	if d := now.Sub(ahead); !known || d < -2*time.Second || d > 2*time.Second {
		t.Errorf("StytchNow = %s, %v; want about %s from the Date header", now, known, ahead)
	}
}
