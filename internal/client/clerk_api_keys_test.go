package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

const (
	testAPIKeyID     = "ak_0123456789abcdef0123456789abcdef"
	testAPIKeySecret = "ak_ApiKeySecretApiKeySecret012345"
	testUserID       = "user_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
	apiKeyBody       = `{"object":"api_key","id":"` + testAPIKeyID + `","type":"api_key","subject":"` + testUserID +
		`","name":"ci","description":null,"claims":null,"scopes":["read"],"revoked":false,"revocation_reason":null,"expired":false,` +
		`"expiration":null,"created_by":null,"last_used_at":1716883200000,"created_at":1716879600000,"updated_at":1716879600000}`
)

func TestCreateAPIKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, apiKeyBody[:len(apiKeyBody)-1]+`,"secret":"`+testAPIKeySecret+`"}`))
	c := newTestClient(t, srv.URL)
	k, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{Name: "ci", Subject: testUserID})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.last(t)
	if got.Method != http.MethodPost || got.Path != "/v1/api_keys" || got.Header.Get("Authorization") != "Bearer "+testSecretKey {
		t.Errorf("sent %s %s with %q", got.Method, got.Path, got.Header.Get("Authorization"))
	}
	if want := `{"name":"ci","subject":"` + testUserID + `"}`; got.Body != want {
		t.Errorf("body %s, want %s: unset fields are left to Clerk", got.Body, want)
	}
	if k.Secret != testAPIKeySecret || k.ID != testAPIKeyID || k.Claims != nil || k.ExpiresAt() != nil || k.LastUsed() == nil {
		t.Errorf("key %+v", k)
	}

	_, err = c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{
		Name: "ci", Subject: testUserID, Description: ptr("d"), Claims: json.RawMessage(`{"a":1}`),
		Scopes: []string{"read"}, SecondsUntilExpiration: ptr(int64(60)),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"ci","subject":"` + testUserID + `","description":"d","claims":{"a":1},"scopes":["read"],"seconds_until_expiration":60}`
	if body := srv.last(t).Body; body != want {
		t.Errorf("body %s\nwant %s", body, want)
	}
}

// A create that may have reached Clerk is never repeated.
func TestCreateAPIKeyIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newServer(t, dropConnection)
	c := newTestClient(t, srv.URL)
	_, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{Name: "ci", Subject: testUserID})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || srv.hits.Load() != 1 {
		t.Errorf("err %v after %d requests, want one ambiguous attempt", err, srv.hits.Load())
	}
}

func TestUpdateAPIKeySendsWhatIsSet(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, apiKeyBody))
	c := newTestClient(t, srv.URL)
	for _, tc := range []struct {
		req  UpdateAPIKeyRequest
		want string
	}{
		{UpdateAPIKeyRequest{SecondsUntilExpiration: ptr(int64(3600))}, `{"seconds_until_expiration":3600}`},
		{UpdateAPIKeyRequest{Description: ptr("d"), Scopes: []string{}}, `{"description":"d","scopes":[]}`},
		{UpdateAPIKeyRequest{ClearDescription: true, Claims: json.RawMessage("null")}, `{"claims":null,"description":null}`},
		{UpdateAPIKeyRequest{Claims: json.RawMessage(`{"a":1}`)}, `{"claims":{"a":1}}`},
	} {
		if tc.req.Empty() {
			t.Errorf("%+v reads as empty", tc.req)
		}
		if _, err := c.UpdateAPIKey(t.Context(), testAPIKeyID, tc.req); err != nil {
			t.Fatal(err)
		}
		got := srv.last(t)
		if got.Method != http.MethodPatch || got.Path != "/v1/api_keys/"+testAPIKeyID || got.Body != tc.want {
			t.Errorf("sent %s %s %s, want %s", got.Method, got.Path, got.Body, tc.want)
		}
	}
	if !(UpdateAPIKeyRequest{}).Empty() {
		t.Error("the zero update is not empty")
	}
}

func TestAPIKeyCallsRoutes(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, apiKeyBody))
	c := newTestClient(t, srv.URL)
	ctx := t.Context()
	check := func(method, path, body string) {
		t.Helper()
		got := srv.last(t)
		if got.Method != method || got.Path+queryOf(got) != path || got.Body != body {
			t.Errorf("sent %s %s%s %q, want %s %s %q", got.Method, got.Path, queryOf(got), got.Body, method, path, body)
		}
	}
	if _, err := c.GetAPIKey(ctx, testAPIKeyID); err != nil {
		t.Fatal(err)
	}
	check("GET", "/v1/api_keys/"+testAPIKeyID, "")
	if _, err := c.RevokeAPIKey(ctx, testAPIKeyID, ptr("leaked")); err != nil {
		t.Fatal(err)
	}
	check("POST", "/v1/api_keys/"+testAPIKeyID+"/revoke", `{"revocation_reason":"leaked"}`)
	if _, err := c.RevokeAPIKey(ctx, testAPIKeyID, nil); err != nil {
		t.Fatal(err)
	}
	check("POST", "/v1/api_keys/"+testAPIKeyID+"/revoke", `{}`)
	if _, err := c.VerifyAPIKey(ctx, testAPIKeySecret); err != nil {
		t.Fatal(err)
	}
	check("POST", "/v1/api_keys/verify", `{"secret":"`+testAPIKeySecret+`"}`)
	if err := c.DeleteAPIKey(ctx, testAPIKeyID); err != nil {
		t.Fatal(err)
	}
	check("DELETE", "/v1/api_keys/"+testAPIKeyID, "")

	list := newServer(t, reply(http.StatusOK, `{"data":[`+apiKeyBody+`],"total_count":1}`))
	lc := newTestClient(t, list.URL)
	page, err := lc.ListAPIKeys(ctx, ListAPIKeysRequest{Subject: testUserID, IncludeInvalid: true, Limit: 100, Offset: 200})
	if err != nil || len(page.Keys) != 1 || page.TotalCount != 1 {
		t.Fatalf("list %+v, %v", page, err)
	}
	if got := list.last(t).Query; got != "include_invalid=true&limit=100&offset=200&subject="+testUserID {
		t.Errorf("query %s", got)
	}

	secret := newServer(t, reply(http.StatusOK, `{"secret":"`+testAPIKeySecret+`"}`))
	s, err := newTestClient(t, secret.URL).GetAPIKeySecret(ctx, testAPIKeyID)
	if err != nil || s != testAPIKeySecret || secret.last(t).Path != "/v1/api_keys/"+testAPIKeyID+"/secret" {
		t.Errorf("secret %q, %v, path %s", s, err, secret.last(t).Path)
	}
}

func queryOf(r recorded) string {
	if r.Query == "" {
		return ""
	}
	return "?" + r.Query
}

// A key's id goes into the path: anything not shaped like one, such as the
// secret pasted in its place, is never sent.
func TestInvalidAPIKeyIDsSendNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, apiKeyBody))
	c := newTestClient(t, srv.URL)
	ctx := t.Context()
	for _, id := range []string{"", "..", "ak_0123/../x", testAPIKeySecret, "mt_0123456789abcdef0123456789abcdef", "ak_0123456789abcdef0123456789abcdeg"} {
		calls := map[string]func() error{
			"get":    func() error { _, err := c.GetAPIKey(ctx, id); return err },
			"secret": func() error { _, err := c.GetAPIKeySecret(ctx, id); return err },
			"update": func() error { _, err := c.UpdateAPIKey(ctx, id, UpdateAPIKeyRequest{}); return err },
			"revoke": func() error { _, err := c.RevokeAPIKey(ctx, id, nil); return err },
			"delete": func() error { return c.DeleteAPIKey(ctx, id) },
		}
		for name, call := range calls {
			if err := call(); err == nil {
				t.Errorf("%s with id %q: no error", name, id)
			}
		}
	}
	if _, err := c.ListAPIKeys(ctx, ListAPIKeysRequest{}); err == nil {
		t.Error("a listing without a subject was sent")
	}
	if got := srv.hits.Load(); got != 0 {
		t.Errorf("server received %d requests, want none", got)
	}
}

// API keys are the instance's: without its secret key nothing is sent.
func TestAPIKeysNeedTheInstanceKey(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, apiKeyBody))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.ClerkSecretKey = "" })
	_, err := c.CreateAPIKey(t.Context(), CreateAPIKeyRequest{Name: "ci", Subject: testUserID})
	var missing *MissingCredentialError
	if !errors.As(err, &missing) || missing.Attribute != "clerk.secret_key" || srv.hits.Load() != 0 {
		t.Errorf("err %v, %d requests", err, srv.hits.Load())
	}
}
