package client

import (
	"encoding/base64"
	"net/http"
	"reflect"
	"testing"
)

func TestAuthorizeUserSendsUserID(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{"request_id":"`+testRequestID+`","status_code":200,"redirect_uri":"https://app/cb?code=c1&state=st","authorization_code":"c1"}`))
	c := newTestClient(t, srv.URL)

	got, err := c.AuthorizeUser(t.Context(), "user-test-1", AuthorizeRequest{
		ConsentGranted: true, Scopes: []string{"openid"}, ClientID: "app", RedirectURI: "https://app/cb", State: "st", CodeChallenge: "cc",
	})
	if err != nil {
		t.Fatalf("authorize user: %v", err)
	}
	if got.AuthorizationCode != "c1" || got.RedirectURI != "https://app/cb?code=c1&state=st" {
		t.Errorf("response = %+v", got)
	}
	req := srv.last(t)
	if req.Method != "POST" || req.Path != "/v1/idp/oauth/authorize" {
		t.Errorf("request = %s %s, want the consumer authorize", req.Method, req.Path)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testProjectID+":"+testStytchSecret))
	if req.Header.Get("Authorization") != basic {
		t.Errorf("Authorization = %q, want project Basic auth", req.Header.Get("Authorization"))
	}
	want := map[string]any{"user_id": "user-test-1", "consent_granted": true, "scopes": []any{"openid"}, "client_id": "app",
		"redirect_uri": "https://app/cb", "response_type": "code", "state": "st", "code_challenge": "cc"}
	if body := decodeBody(t, req.Body); !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v\nwant   %v", body, want)
	}
}

func TestAuthorizeUserRefusesMemberFieldsWithoutSending(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL)
	if _, err := c.AuthorizeUser(t.Context(), "", AuthorizeRequest{ClientID: "app"}); err == nil {
		t.Error("empty user id accepted")
	}
	if _, err := c.AuthorizeUser(t.Context(), "user-test-1", AuthorizeRequest{ClientID: "app", OrganizationID: "org", MemberID: "mem"}); err == nil {
		t.Error("member fields accepted by the consumer authorize")
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server received %d requests, want none", n)
	}
}

func TestAuthorizeUserIsNotRetriedOnceSent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, dropConnection, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL)
	_, err := c.AuthorizeUser(t.Context(), "user-test-1", AuthorizeRequest{ConsentGranted: true, ClientID: "app"})
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want an AmbiguousError: the grant may exist", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("server received %d requests, want 1", n)
	}
}

func TestUserConnectedAppsIsAnIdempotentRead(t *testing.T) {
	t.Parallel()
	srv := newServer(t, stytchError(http.StatusInternalServerError, "internal_server_error"),
		reply(http.StatusOK, `{"request_id":"r1","status_code":200,"connected_apps":[{"connected_app_id":"app","name":"App","description":"","client_type":"third_party","scopes_granted":"openid email"}]}`))
	c := newTestClient(t, srv.URL)

	got, err := c.UserConnectedApps(t.Context(), "user-test-1")
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(got.ConnectedApps) != 1 || got.ConnectedApps[0].ConnectedAppID != "app" || got.ConnectedApps[0].ScopesGranted != "openid email" {
		t.Errorf("apps = %+v", got.ConnectedApps)
	}
	if req := srv.last(t); req.Method != "GET" || req.Path != "/v1/users/user-test-1/connected_apps" {
		t.Errorf("request = %s %s", req.Method, req.Path)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("server received %d requests, want the 500 retried once", n)
	}
}

func TestUserConnectedAppsRefusesPathEscapes(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, `{}`))
	c := newTestClient(t, srv.URL)
	for _, id := range []string{"", "user-test-1/../x", "..", "user%2Ftest"} {
		if _, err := c.UserConnectedApps(t.Context(), id); err == nil {
			t.Errorf("user id %q accepted", id)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server received %d requests, want none", n)
	}
}
