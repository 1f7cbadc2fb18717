package client

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestStytchProjectCallsUseBasicAuth(t *testing.T) {
	t.Parallel()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testProjectID+":"+testStytchSecret))
	checkCalls(t, `{"status_code":200,"request_id":"`+testRequestID+`"}`, []callCase{
		{"authorize start", func(ctx context.Context, c *Client) error {
			_, err := c.AuthorizeStart(ctx, AuthorizeStartRequest{ClientID: "app", RedirectURI: "https://app/cb", OrganizationID: "org", MemberID: "mem"})
			return err
		}, "POST", "/v1/b2b/idp/oauth/authorize/start",
			`{"client_id":"app","redirect_uri":"https://app/cb","response_type":"code","scopes":[],"organization_id":"org","member_id":"mem"}`},
		{"authorize", func(ctx context.Context, c *Client) error {
			_, err := c.Authorize(ctx, AuthorizeRequest{ConsentGranted: true, Scopes: []string{"openid", "offline_access"}, ClientID: "app",
				RedirectURI: "https://app/cb", OrganizationID: "org", MemberID: "mem", State: "st", Nonce: "n", CodeChallenge: "cc"})
			return err
		}, "POST", "/v1/b2b/idp/oauth/authorize",
			`{"consent_granted":true,"scopes":["openid","offline_access"],"client_id":"app","redirect_uri":"https://app/cb","response_type":"code",` +
				`"organization_id":"org","member_id":"mem","state":"st","nonce":"n","code_challenge":"cc"}`},
		{"member connected apps", func(ctx context.Context, c *Client) error {
			_, err := c.MemberConnectedApps(ctx, "organization-test-1", "member-test-1")
			return err
		}, "GET", "/v1/b2b/organizations/organization-test-1/members/member-test-1/connected_apps", ""},
		{"organization connected app", func(ctx context.Context, c *Client) error {
			_, err := c.OrganizationConnectedApp(ctx, "organization-test-1", "connected-app-test-1")
			return err
		}, "GET", "/v1/b2b/organizations/organization-test-1/connected_apps/connected-app-test-1", ""},
		{"revoke member connected app", func(ctx context.Context, c *Client) error {
			return c.RevokeMemberConnectedApp(ctx, RevokeMemberConnectedAppRequest{
				OrganizationID: "organization-test-1", MemberID: "member-test-1", ConnectedAppID: "connected-app-test-1",
			})
		}, "POST", "/v1/b2b/organizations/organization-test-1/members/member-test-1/connected_apps/connected-app-test-1/revoke", "{}"},
		{"revoke user connected app", func(ctx context.Context, c *Client) error {
			return c.RevokeUserConnectedApp(ctx, "user-test-1", "connected-app-test-1")
		}, "POST", "/v1/users/user-test-1/connected_apps/connected-app-test-1/revoke", "{}"},
		{"jwks", func(ctx context.Context, c *Client) error {
			_, err := c.StytchJWKS(ctx)
			return err
		}, "GET", "/v1/b2b/sessions/jwks/" + testProjectID, ""},
	}, func(t *testing.T, got recorded) {
		if g := got.Header.Get("Authorization"); g != basic {
			t.Errorf("Authorization = %q, want project Basic auth", g)
		}
		if g := got.Header.Get("User-Agent"); g != "terraform-provider-machineauth/1.2.3" {
			t.Errorf("User-Agent = %q", g)
		}
		if g := got.Header.Get("Clerk-Api-Version"); g != "" {
			t.Errorf("Clerk-API-Version sent to Stytch: %q", g)
		}
	})
}

func TestTokenEndpointUsesClientCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"access_token":"at","token_type":"bearer","expires_in":3600,"scope":"openid offline_access",`+
		`"refresh_token":"rt2","id_token":"it","request_id":"`+testRequestID+`"}`))
	c := newTestClient(t, srv.URL)

	tok, err := c.ExchangeAuthorizationCode(t.Context(), TokenRequest{
		ClientID: "app", ClientSecret: "app-secret", Code: "code-1", RedirectURI: "https://app/cb", CodeVerifier: "verifier",
	})
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	want := TokenResponse{AccessToken: "at", TokenType: "bearer", ExpiresIn: 3600, Scope: "openid offline_access", RefreshToken: "rt2", IDToken: "it", RequestID: testRequestID}
	if *tok != want {
		t.Errorf("token = %+v", *tok)
	}
	req := srv.last(t)
	if req.Method != "POST" || req.Path != "/v1/public/"+testProjectID+"/oauth2/token" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
	if g := req.Header.Get("Authorization"); g != "" {
		t.Errorf("Authorization = %q: the token endpoint authenticates the client, not the project", g)
	}
	if g := req.Header.Get("Content-Type"); g != "application/json" {
		t.Errorf("Content-Type = %q", g)
	}
	wantBody := map[string]any{"grant_type": "authorization_code", "client_id": "app", "client_secret": "app-secret",
		"code": "code-1", "redirect_uri": "https://app/cb", "code_verifier": "verifier"}
	if got := decodeBody(t, req.Body); !reflect.DeepEqual(got, wantBody) {
		t.Errorf("body = %v", got)
	}

	if _, err := c.RefreshAccessToken(t.Context(), TokenRequest{ClientID: "app", ClientSecret: "app-secret", RefreshToken: "rt1"}); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	wantBody = map[string]any{"grant_type": "refresh_token", "client_id": "app", "client_secret": "app-secret", "refresh_token": "rt1"}
	if got := decodeBody(t, srv.last(t).Body); !reflect.DeepEqual(got, wantBody) {
		t.Errorf("refresh body = %v", got)
	}
}

func TestIntrospectIsFormEncoded(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"active":true,"sub":"member-test-1","scope":"openid","client_id":"app","exp":2,"iat":1,`+
		`"iss":"stytch.com/`+testProjectID+`","aud":["`+testProjectID+`"],"token_type":"access_token"}`))
	c := newTestClient(t, srv.URL)

	got, err := c.Introspect(t.Context(), IntrospectRequest{Token: "at", ClientID: "app", ClientSecret: "app-secret", TokenTypeHint: "access_token"})
	if err != nil {
		t.Fatalf("introspect: %v", err)
	}
	if !got.Active || got.Subject != "member-test-1" || got.ExpiresAt != 2 || !reflect.DeepEqual(got.Audience, Audience{testProjectID}) {
		t.Errorf("response = %+v", got)
	}
	req := srv.last(t)
	if req.Path != "/v1/public/"+testProjectID+"/oauth2/introspect" || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("request = %s, Content-Type %q", req.Path, req.Header.Get("Content-Type"))
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("introspect sent project credentials")
	}
	form, _ := url.ParseQuery(req.Body)
	want := url.Values{"token": {"at"}, "client_id": {"app"}, "client_secret": {"app-secret"}, "token_type_hint": {"access_token"}}
	if form.Encode() != want.Encode() {
		t.Errorf("form = %s, want %s", form.Encode(), want.Encode())
	}
}

func TestAudienceAcceptsStringOrArray(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Audience{`"a"`: {"a"}, `["a","b"]`: {"a", "b"}} {
		var got Audience
		if err := got.UnmarshalJSON([]byte(in)); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Audience from %s = %v, %v", in, got, err)
		}
	}
	var bad Audience
	if bad.UnmarshalJSON([]byte(`3`)) == nil {
		t.Error("a number was accepted as an audience")
	}
}

func TestRevokeMemberConnectedAppSendsSessionHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"status_code":200}`))
	c := newTestClient(t, srv.URL)
	err := c.RevokeMemberConnectedApp(t.Context(), RevokeMemberConnectedAppRequest{
		OrganizationID: "org", MemberID: "mem", ConnectedAppID: "app", SessionToken: "session-token", SessionJWT: testJWT,
	})
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	req := srv.last(t)
	if req.Header.Get("X-Stytch-Member-Session") != "session-token" || req.Header.Get("X-Stytch-Member-SessionJWT") != testJWT {
		t.Errorf("session headers = %q, %q", req.Header.Get("X-Stytch-Member-Session"), req.Header.Get("X-Stytch-Member-SessionJWT"))
	}
}

func TestStytchResponsesDecode(t *testing.T) {
	t.Parallel()
	srv := newServer(t,
		reply(http.StatusOK, `{"request_id":"r1","status_code":200,"connected_apps":[{"connected_app_id":"app","name":"App","description":"d","client_type":"third_party","scopes_granted":"openid profile"}]}`),
		reply(http.StatusOK, `{"request_id":"r2","status_code":200,"connected_app_id":"app","name":"App","description":"d","client_type":"first_party","active_members":[{"member_id":"mem","granted_scopes":["openid"]}]}`),
		reply(http.StatusOK, `{"request_id":"r3","status_code":200,"redirect_uri":"https://app/cb?code=c1&state=st","authorization_code":"c1"}`),
		reply(http.StatusOK, `{"request_id":"r4","status_code":200,"member_id":"mem","consent_required":true,"scope_results":[{"scope":"openid","description":"d","is_grantable":true}],`+
			`"client":{"client_id":"app","client_name":"App","client_description":"d","client_type":"third_party"},"member":{"member_id":"mem"},"organization":{}}`),
	)
	c := newTestClient(t, srv.URL)
	ctx := t.Context()

	apps, err := c.MemberConnectedApps(ctx, "org", "mem")
	if err != nil || apps.RequestID != "r1" || len(apps.ConnectedApps) != 1 || apps.ConnectedApps[0].ScopesGranted != "openid profile" {
		t.Errorf("member apps = %+v, %v", apps, err)
	}
	app, err := c.OrganizationConnectedApp(ctx, "org", "app")
	if err != nil || app.ConnectedAppID != "app" || !reflect.DeepEqual(app.ActiveMembers, []ActiveMember{{MemberID: "mem", GrantedScopes: []string{"openid"}}}) {
		t.Errorf("org app = %+v, %v", app, err)
	}
	auth, err := c.Authorize(ctx, AuthorizeRequest{ConsentGranted: true, ClientID: "app"})
	if err != nil || auth.AuthorizationCode != "c1" || auth.RedirectURI != "https://app/cb?code=c1&state=st" {
		t.Errorf("authorize = %+v, %v", auth, err)
	}
	start, err := c.AuthorizeStart(ctx, AuthorizeStartRequest{ClientID: "app"})
	if err != nil || !start.ConsentRequired || start.Client.ClientName != "App" || !start.ScopeResults[0].IsGrantable || start.MemberID != "mem" {
		t.Errorf("authorize start = %+v, %v", start, err)
	}
}

func TestStytchMissingCredentialsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	noProject := newTestClient(t, srv.URL, func(cfg *Config) { cfg.StytchProjectID = "" })
	noSecret := newTestClient(t, srv.URL, func(cfg *Config) { cfg.StytchSecret = "" })
	tests := []struct {
		name string
		run  func(context.Context) error
		want string
	}{
		{"project call without project id", func(ctx context.Context) error {
			_, err := noProject.MemberConnectedApps(ctx, "org", "mem")
			return err
		}, "stytch.project_id"},
		{"project call without secret", func(ctx context.Context) error {
			return noSecret.RevokeMemberConnectedApp(ctx, RevokeMemberConnectedAppRequest{OrganizationID: "o", MemberID: "m", ConnectedAppID: "a"})
		}, "stytch.secret"},
		{"jwks without project id", func(ctx context.Context) error {
			_, err := noProject.StytchJWKS(ctx)
			return err
		}, "stytch.project_id"},
		{"token endpoint without project id", func(ctx context.Context) error {
			_, err := noProject.ExchangeAuthorizationCode(ctx, TokenRequest{ClientID: "app", Code: "c"})
			return err
		}, "stytch.project_id"},
		{"introspect without project id", func(ctx context.Context) error {
			_, err := noProject.Introspect(ctx, IntrospectRequest{Token: "t", ClientID: "app"})
			return err
		}, "stytch.project_id"},
	}
	for _, tt := range tests {
		var missing *MissingCredentialError
		if err := tt.run(t.Context()); !errors.As(err, &missing) || missing.Attribute != tt.want || missing.Service != "stytch" {
			t.Errorf("%s: err = %v, want a missing %s", tt.name, err, tt.want)
		}
	}
	// The token endpoint needs no project secret: the app authenticates.
	if _, err := noSecret.ExchangeAuthorizationCode(t.Context(), TokenRequest{ClientID: "app", Code: "c"}); err != nil {
		t.Errorf("exchange without project secret: %v", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("server received %d requests, want only the exchange", got)
	}
}
