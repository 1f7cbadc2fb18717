package client

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	testOAuthAppID  = "oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
	testOAuthSecret = "ClientSecretClientSecretClient01"
	testOAuthToken  = "oat_0ef5a7a33d87ed87ee7954c845d80450"
	testOAuthApp    = `{"object":"oauth_application","id":"` + testOAuthAppID + `","instance_id":"ins_1","name":"reports","client_id":"Ut4Z3E8OqwdYJ9Lb",` +
		`"client_uri":null,"client_image_url":null,"dynamically_registered":true,"consent_screen_enabled":true,"pkce_required":false,"public":false,` +
		`"scopes":"profile email","redirect_uris":["https://app.example.test/cb"],"callback_url":"https://app.example.test/cb",` +
		`"authorize_url":"https://fapi.test/oauth/authorize","token_fetch_url":"https://fapi.test/oauth/token","user_info_url":"https://fapi.test/oauth/userinfo",` +
		`"discovery_url":"https://fapi.test/.well-known/openid-configuration","token_introspection_url":"https://fapi.test/oauth/token_info",` +
		`"created_at":1716879600000,"updated_at":1716879600001`
)

// Every OAuth application call sends the instance key, the path and the
// body Clerk expects, and decodes the answer.
func TestOAuthApplicationCalls(t *testing.T) {
	t.Parallel()
	app := testOAuthApp + `}`
	withSecret := testOAuthApp + `,"client_secret":"` + testOAuthSecret + `"}`
	ctx := t.Context()
	for _, tc := range []struct {
		name, answer        string
		status              int
		call                func(c *Client) error
		method, path, query string
		body                string
	}{
		{name: "create", answer: withSecret, method: "POST", path: "/v1/oauth_applications",
			body: `{"name":"reports","redirect_uris":["https://app.example.test/cb"],"scopes":"profile email","public":false,"pkce_required":true,"consent_screen_enabled":false}`,
			call: func(c *Client) error {
				a, err := c.CreateOAuthApplication(ctx, CreateOAuthApplicationRequest{Name: "reports", RedirectURIs: []string{"https://app.example.test/cb"},
					Scopes: ptr("profile email"), Public: ptr(false), PKCERequired: ptr(true), ConsentScreenEnabled: ptr(false)})
				if err == nil && (a.ClientSecret != testOAuthSecret || a.ID != testOAuthAppID || !a.DynamicallyRegistered || len(a.ScopeList()) != 2 ||
					a.Created().UnixMilli() != 1716879600000 || a.Updated().UnixMilli() != 1716879600001) {
					t.Errorf("created %+v", a)
				}
				return err
			}},
		{name: "create with defaults", answer: withSecret, method: "POST", path: "/v1/oauth_applications", body: `{"name":"x"}`,
			call: func(c *Client) error {
				_, err := c.CreateOAuthApplication(ctx, CreateOAuthApplicationRequest{Name: "x"})
				return err
			}},
		{name: "list", answer: `{"data":[` + app + `],"total_count":1}`, method: "GET", path: "/v1/oauth_applications",
			query: "limit=500&name_query=rep+orts&offset=500&order_by=-created_at",
			call: func(c *Client) error {
				l, err := c.ListOAuthApplications(ctx, ListOAuthApplicationsRequest{NameQuery: "rep orts", OrderBy: "-created_at", Limit: 500, Offset: 500})
				if err == nil && (l.TotalCount != 1 || len(l.Applications) != 1 || l.Applications[0].TokenFetchURL != "https://fapi.test/oauth/token") {
					t.Errorf("list %+v", l)
				}
				return err
			}},
		{name: "get", answer: app, method: "GET", path: "/v1/oauth_applications/" + testOAuthAppID,
			call: func(c *Client) error {
				a, err := c.GetOAuthApplication(ctx, testOAuthAppID)
				if err == nil && (a.RedirectURIs[0] != "https://app.example.test/cb" || a.ClientURI != nil) {
					t.Errorf("got %+v", a)
				}
				return err
			}},
		{name: "update", answer: app, method: "PATCH", path: "/v1/oauth_applications/" + testOAuthAppID,
			body: `{"consent_screen_enabled":true,"name":"n","pkce_required":false,"public":true,"redirect_uris":[],"scopes":"email"}`,
			call: func(c *Client) error {
				_, err := c.UpdateOAuthApplication(ctx, testOAuthAppID, UpdateOAuthApplicationRequest{Name: ptr("n"), RedirectURIs: []string{}, Scopes: ptr("email"),
					Public: ptr(true), PKCERequired: ptr(false), ConsentScreenEnabled: ptr(true)})
				return err
			}},
		{name: "update the name only", answer: app, method: "PATCH", path: "/v1/oauth_applications/" + testOAuthAppID, body: `{"name":"n"}`,
			call: func(c *Client) error {
				_, err := c.UpdateOAuthApplication(ctx, testOAuthAppID, UpdateOAuthApplicationRequest{Name: ptr("n")})
				return err
			}},
		{name: "delete", answer: `{"object":"oauth_application","id":"` + testOAuthAppID + `","deleted":true}`, method: "DELETE", path: "/v1/oauth_applications/" + testOAuthAppID,
			call: func(c *Client) error { return c.DeleteOAuthApplication(ctx, testOAuthAppID) }},
		{name: "rotate", answer: withSecret, method: "POST", path: "/v1/oauth_applications/" + testOAuthAppID + "/rotate_secret",
			call: func(c *Client) error {
				a, err := c.RotateOAuthApplicationSecret(ctx, testOAuthAppID)
				if err == nil && a.ClientSecret != testOAuthSecret {
					t.Errorf("rotated %+v", a)
				}
				return err
			}},
		{name: "revoke token", status: http.StatusNoContent, method: "POST", path: "/v1/oauth_applications/" + testOAuthAppID + "/revoke_token",
			body: `{"token":"` + testOAuthToken + `"}`,
			call: func(c *Client) error { return c.RevokeOAuthToken(ctx, testOAuthAppID, testOAuthToken) }},
		{name: "verify", method: "POST", path: "/v1/oauth_applications/access_tokens/verify", body: `{"access_token":"` + testOAuthToken + `"}`,
			answer: `{"object":"clerk_idp_oauth_access_token","id":"oat_1","client_id":"c","subject":"user_1","scopes":["email"],"revoked":false,` +
				`"revocation_reason":null,"expired":false,"expiration":1716883200000,"created_at":1716879600000,"updated_at":1716879600000}`,
			call: func(c *Client) error {
				tok, err := c.VerifyOAuthAccessToken(ctx, testOAuthToken)
				if err == nil && (tok.ClientID != "c" || tok.Subject != "user_1" || tok.ExpiresAt().UnixMilli() != 1716883200000 || tok.Active != nil) {
					t.Errorf("verified %+v", tok)
				}
				return err
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			srv := newServer(t, reply(status, tc.answer))
			if err := tc.call(newTestClient(t, srv.URL)); err != nil {
				t.Fatal(err)
			}
			req := srv.last(t)
			if req.Method != tc.method || req.Path != tc.path || req.Query != tc.query || req.Body != tc.body {
				t.Errorf("request = %s %s?%s %s\nwant      %s %s?%s %s", req.Method, req.Path, req.Query, req.Body, tc.method, tc.path, tc.query, tc.body)
			}
			if req.Header.Get("Authorization") != "Bearer "+testSecretKey {
				t.Error("the call did not use the instance key")
			}
		})
	}
}

// A create or a rotation whose answer is lost is not sent again here: a
// second create would make a second application, and whether to send a
// rotation again is the caller's choice. Reads, updates, deletes, revokes
// and verifications are retried.
func TestOAuthApplicationWritesThatMustNotRepeat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for name, call := range map[string]func(c *Client) error{
		"create": func(c *Client) error {
			_, err := c.CreateOAuthApplication(ctx, CreateOAuthApplicationRequest{Name: "x"})
			return err
		},
		"rotate": func(c *Client) error { _, err := c.RotateOAuthApplicationSecret(ctx, testOAuthAppID); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, dropConnection)
			if err := call(newTestClient(t, srv.URL)); !IsAmbiguous(err) {
				t.Errorf("err = %v, want an ambiguous error", err)
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
	for name, call := range map[string]func(c *Client) error{
		"get":    func(c *Client) error { _, err := c.GetOAuthApplication(ctx, testOAuthAppID); return err },
		"delete": func(c *Client) error { return c.DeleteOAuthApplication(ctx, testOAuthAppID) },
		"update": func(c *Client) error {
			_, err := c.UpdateOAuthApplication(ctx, testOAuthAppID, UpdateOAuthApplicationRequest{Name: ptr("n")})
			return err
		},
		"revoke": func(c *Client) error { return c.RevokeOAuthToken(ctx, testOAuthAppID, testOAuthToken) },
		"verify": func(c *Client) error { _, err := c.VerifyOAuthAccessToken(ctx, testOAuthToken); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, clerkError(http.StatusInternalServerError, "internal_clerk_error"), reply(http.StatusOK, `{"object":"x"}`))
			if err := call(newTestClient(t, srv.URL)); err != nil {
				t.Errorf("after a 500: %v", err)
			}
			if n := srv.hits.Load(); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

// Without the instance key nothing is sent, and the error names the
// setting; a bad id or an empty token is refused before anything is sent;
// the secrets and tokens never reach an error message.
func TestOAuthApplicationCallsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	ctx := t.Context()
	c := newTestClient(t, srv.URL, func(c *Config) { c.ClerkSecretKey = "" })
	for name, call := range map[string]func() error{
		"list":   func() error { _, err := c.ListOAuthApplications(ctx, ListOAuthApplicationsRequest{}); return err },
		"get":    func() error { _, err := c.GetOAuthApplication(ctx, testOAuthAppID); return err },
		"rotate": func() error { _, err := c.RotateOAuthApplicationSecret(ctx, testOAuthAppID); return err },
		"verify": func() error { _, err := c.VerifyOAuthAccessToken(ctx, testOAuthToken); return err },
	} {
		var missing *MissingCredentialError
		if err := call(); !errors.As(err, &missing) || missing.Attribute != "clerk.secret_key" {
			t.Errorf("%s: err = %v, want a missing clerk.secret_key", name, err)
		}
	}
	keyed := newTestClient(t, srv.URL)
	for _, id := range []string{"a/b", "..", "%2F", ""} {
		if err := keyed.DeleteOAuthApplication(ctx, id); err == nil {
			t.Errorf("delete %q: no error", id)
		}
	}
	if err := keyed.RevokeOAuthToken(ctx, testOAuthAppID, ""); err == nil {
		t.Error("revoking an empty token: no error")
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	failing := newServer(t, clerkError(http.StatusBadRequest, "bad_request"))
	err := newTestClient(t, failing.URL).RevokeOAuthToken(ctx, testOAuthAppID, testOAuthToken)
	if err == nil || strings.Contains(err.Error(), testOAuthToken) {
		t.Errorf("revoke error %v shows the token", err)
	}
}

func TestClerkTimeReadsEitherUnit(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 5, 28, 8, 0, 0, 0, time.UTC)
	if got := ClerkTime(float64(at.Unix())); !got.Equal(at) {
		t.Errorf("seconds: %v", got)
	}
	if got := ClerkTime(float64(at.UnixMilli())); !got.Equal(at) {
		t.Errorf("milliseconds: %v", got)
	}
}
