package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const tokenBody = tokenJSON + `}`

// The caller decides which key an M2M call uses; the client sends that one.
func TestClerkCallsSendTheKeyTheyAreGiven(t *testing.T) {
	t.Parallel()
	const override = "ak_OverrideKey0123456789"
	create := func(key string) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.CreateM2MToken(ctx, key, CreateM2MTokenRequest{})
			return err
		}
	}
	list := func(key string) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.ListM2MTokens(ctx, key, ListM2MTokensRequest{Subject: testMachineID})
			return err
		}
	}
	revoke := func(key string) func(context.Context, *Client) error {
		return func(ctx context.Context, c *Client) error {
			_, err := c.RevokeM2MToken(ctx, key, testTokenID, nil)
			return err
		}
	}
	verify := func(ctx context.Context, c *Client) error {
		_, err := c.VerifyM2MToken(ctx, testSecretKey, testTokenSecret)
		return err
	}
	jwks := func(ctx context.Context, c *Client) error {
		_, err := c.ClerkJWKS(ctx)
		return err
	}
	onlyMachineKey := func(cfg *Config) { cfg.ClerkSecretKey = "" }

	tests := []struct {
		name    string
		edit    func(*Config)
		run     func(context.Context, *Client) error
		wantKey string
		method  string
		path    string
	}{
		{"create with the machine key", nil, create(testMachineKey), testMachineKey, "POST", "/v1/m2m_tokens"},
		{"create with another machine's key", nil, create(override), override, "POST", "/v1/m2m_tokens"},
		{"list with the instance key", nil, list(testSecretKey), testSecretKey, "GET", "/v1/m2m_tokens"},
		{"list with a machine key", onlyMachineKey, list(testMachineKey), testMachineKey, "GET", "/v1/m2m_tokens"},
		{"revoke with the instance key", nil, revoke(testSecretKey), testSecretKey, "POST", "/v1/m2m_tokens/" + testTokenID + "/revoke"},
		{"revoke with a machine key", onlyMachineKey, revoke(testMachineKey), testMachineKey, "POST", "/v1/m2m_tokens/" + testTokenID + "/revoke"},
		{"verify with the instance key", nil, verify, testSecretKey, "POST", "/v1/m2m_tokens/verify"},
		{"jwks uses the instance key", nil, jwks, testSecretKey, "GET", "/v1/jwks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, reply(http.StatusOK, `{}`))
			var edits []func(*Config)
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			c := newTestClient(t, srv.URL, edits...)
			if err := tt.run(t.Context(), c); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := srv.last(t)
			if got.Method != tt.method || got.Path != tt.path {
				t.Errorf("request = %s %s, want %s %s", got.Method, got.Path, tt.method, tt.path)
			}
			wantHeaders := map[string]string{
				"Authorization":     "Bearer " + tt.wantKey,
				"User-Agent":        "terraform-provider-machineauth/1.2.3",
				"Clerk-Api-Version": "2026-05-12",
				"Accept":            "application/json",
			}
			if tt.method == "POST" {
				wantHeaders["Content-Type"] = "application/json"
			}
			for k, v := range wantHeaders {
				if g := got.Header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
		})
	}
}

func TestClerkMissingCredentialsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	onlyMachineKey := newTestClient(t, srv.URL, func(cfg *Config) { cfg.ClerkSecretKey = "" })

	// The instance calls name the setting to set.
	for name, run := range map[string]func(context.Context) error{
		"machines need the instance key": func(ctx context.Context) error {
			_, err := onlyMachineKey.GetMachine(ctx, testMachineID)
			return err
		},
		"jwks needs the instance key": func(ctx context.Context) error {
			_, err := onlyMachineKey.ClerkJWKS(ctx)
			return err
		},
	} {
		var missing *MissingCredentialError
		if err := run(t.Context()); !errors.As(err, &missing) || missing.Service != "clerk" || missing.Attribute != "clerk.secret_key" || missing.EnvVar != "CLERK_SECRET_KEY" {
			t.Errorf("%s: err = %v, want a missing clerk.secret_key", name, err)
		}
	}
	// M2M calls take their key from the caller, which decides; none given
	// is refused before anything is sent.
	for name, run := range map[string]func(context.Context) error{
		"create": func(ctx context.Context) error {
			_, err := onlyMachineKey.CreateM2MToken(ctx, "", CreateM2MTokenRequest{})
			return err
		},
		"list": func(ctx context.Context) error {
			_, err := onlyMachineKey.ListM2MTokens(ctx, "", ListM2MTokensRequest{Subject: testMachineID})
			return err
		},
		"revoke": func(ctx context.Context) error {
			_, err := onlyMachineKey.RevokeM2MToken(ctx, "", testTokenID, nil)
			return err
		},
		"verify": func(ctx context.Context) error {
			_, err := onlyMachineKey.VerifyM2MToken(ctx, "", testTokenSecret)
			return err
		},
	} {
		if err := run(t.Context()); err == nil || !strings.Contains(err.Error(), "needs a key") {
			t.Errorf("%s without a key: err = %v, want it refused", name, err)
		}
	}
	if got := srv.hits.Load(); got != 0 {
		t.Errorf("server received %d requests, want none", got)
	}
}

func TestCreateM2MToken(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusCreated, tokenJSON+`,"token":"`+testTokenSecret+`"}`))
	c := newTestClient(t, srv.URL)

	tok, err := c.CreateM2MToken(t.Context(), testMachineKey, CreateM2MTokenRequest{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if body := srv.last(t).Body; body != "{}" {
		t.Errorf("empty request sent %s, want {} so Clerk applies its defaults", body)
	}
	if tok.ID != testTokenID || tok.Token != testTokenSecret || tok.Subject != testMachineID || tok.Claims != nil {
		t.Errorf("token = %+v", tok)
	}
	if exp := tok.ExpiresAt(); exp == nil || !exp.Equal(time.UnixMilli(1716883200000)) {
		t.Errorf("ExpiresAt() = %v", exp)
	}
	if got := tok.Created(); !got.Equal(time.UnixMilli(1716879600000)) || got.Location() != time.UTC {
		t.Errorf("Created() = %v", got)
	}

	_, err = c.CreateM2MToken(t.Context(), testMachineKey, CreateM2MTokenRequest{
		SecondsUntilExpiration: ptr(int64(3600)),
		Claims:                 json.RawMessage(`{"team":"a"}`),
		TokenFormat:            "jwt",
		MinRemainingTTLSeconds: ptr(int64(0)),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	want := `{"seconds_until_expiration":3600,"claims":{"team":"a"},"token_format":"jwt","min_remaining_ttl_seconds":0}`
	if body := srv.last(t).Body; body != want {
		t.Errorf("request body = %s\nwant           %s", body, want)
	}
}

func TestM2MTokenWithoutExpiration(t *testing.T) {
	t.Parallel()
	tok := M2MToken{}
	if tok.ExpiresAt() != nil {
		t.Error("a token without expiration has an ExpiresAt")
	}
}

func TestListM2MTokensEncodesItsQuery(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"m2m_tokens":[`+tokenBody+`,`+tokenBody+`],"total_count":7}`))
	c := newTestClient(t, srv.URL)

	list, err := c.ListM2MTokens(t.Context(), testSecretKey, ListM2MTokensRequest{Subject: testMachineID, Revoked: true, Expired: true, Limit: 100, Offset: 20})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list.Tokens) != 2 || list.TotalCount != 7 || list.Tokens[1].ID != testTokenID || list.Tokens[0].Claims != nil {
		t.Errorf("list = %+v", list)
	}
	q, _ := url.ParseQuery(srv.last(t).Query)
	want := url.Values{"subject": {testMachineID}, "revoked": {"true"}, "expired": {"true"}, "limit": {"100"}, "offset": {"20"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query = %s, want %s", q.Encode(), want.Encode())
	}

	if _, err := c.ListM2MTokens(t.Context(), testSecretKey, ListM2MTokensRequest{Subject: testMachineID}); err != nil {
		t.Fatalf("list: %v", err)
	}
	q, _ = url.ParseQuery(srv.last(t).Query)
	want = url.Values{"subject": {testMachineID}, "revoked": {"false"}, "expired": {"false"}}
	if q.Encode() != want.Encode() {
		t.Errorf("default query = %s, want %s", q.Encode(), want.Encode())
	}

	if _, err := c.ListM2MTokens(t.Context(), testSecretKey, ListM2MTokensRequest{}); err == nil {
		t.Error("a list without subject was accepted")
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("server received %d requests, want 2", got)
	}
}

func TestRevokeM2MTokenBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{`+tokenJSON[1:]+`}`))
	c := newTestClient(t, srv.URL)
	for _, tt := range []struct {
		reason *string
		want   string
	}{
		{ptr("rotated"), `{"revocation_reason":"rotated"}`},
		{nil, `{}`},
	} {
		if _, err := c.RevokeM2MToken(t.Context(), testSecretKey, testTokenID, tt.reason); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if got := srv.last(t).Body; got != tt.want {
			t.Errorf("body = %s, want %s", got, tt.want)
		}
	}
}

func TestVerifyM2MTokenBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, tokenBody))
	c := newTestClient(t, srv.URL)
	tok, err := c.VerifyM2MToken(t.Context(), testSecretKey, testTokenSecret)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if tok.ID != testTokenID {
		t.Errorf("token = %+v", tok)
	}
	if got, want := srv.last(t).Body, `{"token":"`+testTokenSecret+`"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
	if _, err := c.VerifyM2MToken(t.Context(), testSecretKey, ""); err == nil {
		t.Error("verifying an empty token was accepted")
	}
}

func TestMachines(t *testing.T) {
	t.Parallel()
	machine := `{"object":"machine","id":"` + testMachineID + `","name":"m","instance_id":"ins_1","created_at":1,"updated_at":2,"default_token_ttl":3600,"scoped_machines":[]`
	srv := newServer(t, reply(http.StatusOK, machine+`,"secret_key":"`+testMachineKey+`"}`))
	c := newTestClient(t, srv.URL)

	created, err := c.CreateMachine(t.Context(), CreateMachineRequest{Name: "m", ScopedMachines: []string{"mch_other"}, DefaultTokenTTL: ptr(int64(60))})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if created.ID != testMachineID || created.SecretKey != testMachineKey || created.DefaultTokenTTL != 3600 {
		t.Errorf("machine = %+v", created)
	}
	req := srv.last(t)
	if req.Method != "POST" || req.Path != "/v1/machines" || req.Body != `{"name":"m","scoped_machines":["mch_other"],"default_token_ttl":60}` {
		t.Errorf("request = %+v", req)
	}
	if req.Header.Get("Authorization") != "Bearer "+testSecretKey {
		t.Error("create machine did not use the instance key")
	}

	if _, err := c.GetMachine(t.Context(), testMachineID); err != nil {
		t.Fatalf("get: %v", err)
	}
	if req := srv.last(t); req.Method != "GET" || req.Path != "/v1/machines/"+testMachineID {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
	if err := c.DeleteMachine(t.Context(), testMachineID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if req := srv.last(t); req.Method != "DELETE" || req.Path != "/v1/machines/"+testMachineID {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
}

func TestClerkJWKS(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"keys":[{"kty":"RSA","kid":"ins_1","use":"sig","alg":"RS256","n":"abc","e":"AQAB"}]}`))
	c := newTestClient(t, srv.URL)
	jwks, err := c.ClerkJWKS(t.Context())
	if err != nil {
		t.Fatalf("jwks: %v", err)
	}
	want := JWK{Kty: "RSA", Kid: "ins_1", Use: "sig", Alg: "RS256", N: "abc", E: "AQAB"}
	if len(jwks.Keys) != 1 || !reflect.DeepEqual(jwks.Keys[0], want) {
		t.Errorf("jwks = %+v", jwks)
	}
}

func TestInvalidPathIDsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL)
	ctx := t.Context()
	for _, id := range []string{"a/b", "..", ".", "%2F", "", `a\b`, "x..y"} {
		calls := map[string]func() error{
			"revoke M2M token": func() error { _, err := c.RevokeM2MToken(ctx, testSecretKey, id, nil); return err },
			"get machine":      func() error { _, err := c.GetMachine(ctx, id); return err },
			"delete machine":   func() error { return c.DeleteMachine(ctx, id) },
			"member apps (org)": func() error {
				_, err := c.MemberConnectedApps(ctx, id, "member-test-1")
				return err
			},
			"member apps (member)": func() error {
				_, err := c.MemberConnectedApps(ctx, "organization-test-1", id)
				return err
			},
			"org app": func() error {
				_, err := c.OrganizationConnectedApp(ctx, "organization-test-1", id)
				return err
			},
			"revoke member app": func() error {
				return c.RevokeMemberConnectedApp(ctx, RevokeMemberConnectedAppRequest{OrganizationID: "o", MemberID: "m", ConnectedAppID: id})
			},
			"revoke user app": func() error { return c.RevokeUserConnectedApp(ctx, id, "connected-app-test-1") },
		}
		for name, call := range calls {
			if err := call(); err == nil {
				t.Errorf("%s with id %q: no error", name, id)
			}
		}
	}
	// Clerk token ids must also look like token ids.
	for _, id := range []string{"mch_123", "mt_", "mt_abc def", "token"} {
		if _, err := c.RevokeM2MToken(ctx, testSecretKey, id, nil); err == nil {
			t.Errorf("revoke with id %q: no error", id)
		}
	}
	if got := srv.hits.Load(); got != 0 {
		t.Errorf("server received %d requests, want none", got)
	}
}

func TestPathIDsAreEscaped(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL)
	if _, err := c.MemberConnectedApps(t.Context(), "my org?x=1", "member#1"); err != nil {
		t.Fatalf("call: %v", err)
	}
	if got, want := srv.last(t).Path, "/v1/b2b/organizations/my%20org%3Fx=1/members/member%231/connected_apps"; got != want {
		t.Errorf("path = %s, want %s", got, want)
	}
}

func TestInvalidClaimsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusCreated, `{}`))
	c := newTestClient(t, srv.URL)
	if _, err := c.CreateM2MToken(t.Context(), testMachineKey, CreateM2MTokenRequest{Claims: json.RawMessage(`{"a":`)}); err == nil {
		t.Error("invalid claims were accepted")
	}
	if got := srv.hits.Load(); got != 0 {
		t.Errorf("server received %d requests, want none", got)
	}
}
