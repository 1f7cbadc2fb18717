package client

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestLogsNeverContainSecrets(t *testing.T) {
	t.Parallel()
	const (
		perCallKey   = "ak_PerCallMachineKey0123456789"
		clientSecret = "opaque-client-secret-value"
		code         = "opaque-authorization-code"
		refreshToken = "opaque-refresh-token-value"
		sessionToken = "opaque-session-token-value"
	)
	srv := newServer(t,
		// create: the answer carries the new token's secret
		reply(http.StatusCreated, tokenJSON+`,"token":"`+testTokenSecret+`"}`),
		// verify: the request carries it; the error echoes the key
		reply(http.StatusNotFound, `{"errors":[{"message":"not found","long_message":"no token for `+perCallKey+`","code":"resource_not_found"}]}`),
		// authorize: the code is in the answer twice, once inside redirect_uri
		reply(http.StatusOK, `{"request_id":"`+testRequestID+`","redirect_uri":"https://app/cb?code=`+code+`","authorization_code":"`+code+`"}`),
		// exchange: every kind of token comes back
		reply(http.StatusOK, `{"access_token":"`+testJWT+`","refresh_token":"`+refreshToken+`","id_token":"`+testJWT+`","token_type":"bearer"}`),
		// revoke with a session header
		reply(http.StatusOK, `{"status_code":200}`),
	)
	c := newTestClient(t, srv.URL)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(t.Context(), &buf)

	if _, err := c.CreateM2MToken(ctx, testMachineKey, CreateM2MTokenRequest{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := c.VerifyM2MToken(ctx, perCallKey, testTokenSecret); !IsNotFound(err) {
		t.Fatalf("verify: %v", err)
	}
	if _, err := c.Authorize(ctx, AuthorizeRequest{ConsentGranted: true, ClientID: "app", SessionToken: sessionToken}); err != nil {
		t.Fatalf("authorize: %v", err)
	}
	if _, err := c.ExchangeAuthorizationCode(ctx, TokenRequest{ClientID: "app", ClientSecret: clientSecret, Code: code, RefreshToken: refreshToken}); err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if err := c.RevokeMemberConnectedApp(ctx, RevokeMemberConnectedAppRequest{OrganizationID: "o", MemberID: "m", ConnectedAppID: "a", SessionToken: sessionToken}); err != nil {
		t.Fatalf("revoke: %v", err)
	}

	logs := buf.String()
	for _, want := range []string{`"@message":"machineauth API request"`, `"path":"/m2m_tokens"`, `"status":201`, `"attempt":1`,
		`"request_id":"` + testRequestID + `"`, `"request_body"`, `"response_body"`, "mt_***"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte(testProjectID + ":" + testStytchSecret))
	for _, secret := range []string{testSecretKey, testMachineKey, perCallKey, testStytchSecret, basic, testTokenSecret,
		testJWT, clientSecret, code, refreshToken, sessionToken, "Authorization", "Bearer", "Basic"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if t.Failed() {
		t.Log(logs)
	}
}
