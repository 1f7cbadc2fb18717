package client

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

const testJWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIn0.eyJzdWIiOiJtY2hfMSIsImV4cCI6MX0.c2lnbmF0dXJlLWJ5dGVz_-"

func TestRedactMasksEverySecretShape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"token " + testTokenSecret + " is bad", "token mt_*** is bad"},
		{"id mt_0123456789abcdef0123456789abcdef", "id mt_***"},
		{"key=" + testMachineKey, "key=ak_***"},
		{"Bearer " + testSecretKey, "Bearer sk_test_***"},
		{`"sk_live_AbC-123_xyz"`, `"sk_live_***"`},
		{"secret " + testStytchSecret + ".", "secret secret-test-***."},
		{"secret-live-abcDEF_123", "secret-live-***"},
		{"jwt: " + testJWT + " end", "jwt: eyJ*** end"},
		{"two: mt_a ak_b", "two: mt_*** ak_***"},
		{"access oat_0ef5a7a33d87ed87ee7954c845d80450 here", "access oat_*** here"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactKeepsOrdinaryText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"https://api.clerk.com/v1/m2m_tokens",
		"terraform-provider-machineauth/1.2.3",
		"break_glass and speak_up",
		testMachineID,
		testRequestID,
		testTraceID,
		"oa_2xhFjEI5X2qWRvtV13BzSj8H6Dk goat_cheese",
		"organization-test-1 member-test-1 connected-app-test-1",
		"ak_ keys and sk_test_ keys",
		"a secret-test- value",
	} {
		if got := Redact(s); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestRedactorMasksKnownValuesOfAnyShape(t *testing.T) {
	t.Parallel()
	r := newRedactor("", "short", "opaque-1", "opaque-1-and-longer")
	if got := r.redact("x opaque-1-and-longer y opaque-1 z short " + testMachineKey); got != "x *** y *** z short ak_***" {
		t.Errorf("redact = %q", got)
	}
}

func TestBodySecrets(t *testing.T) {
	t.Parallel()
	got := bodySecrets(jsonContentType, []byte(`{"token":"t1","client_secret":"cs","scope":"read","nested":{"token":"kept"},"errors":[{"code":"x"}],"expires_in":3}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"cs", "t1"}) {
		t.Errorf("JSON secrets = %q", got)
	}
	got = bodySecrets(formContentType, []byte("token=t2&client_id=app&client_secret=cs2"))
	slices.Sort(got)
	if !slices.Equal(got, []string{"cs2", "t2"}) {
		t.Errorf("form secrets = %q", got)
	}
	// A client's secrets come inside its envelope, one level down only.
	got = bodySecrets(jsonContentType, []byte(`{"connected_app":{"client_id":"connected-app-test-1","client_secret":"cs3","next_client_secret":"ns3","trusted_metadata":{"client_secret":"kept"}},"m2m_client":{"client_secret":"cs4"}}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"cs3", "cs4", "ns3"}) {
		t.Errorf("envelope secrets = %q", got)
	}
	if got := bodySecrets(jsonContentType, []byte("not json")); got != nil {
		t.Errorf("secrets of a non-JSON body = %q", got)
	}
}

// An error body that echoes secrets must not carry them into err.Error():
// that text ends up in Terraform's output and CI logs.
func TestSecretsInErrorBodiesNeverReachTheError(t *testing.T) {
	t.Parallel()
	const perCallKey = "ak_PerCallMachineKey0123456789"
	const clientSecret = "opaque-client-secret-value"
	echo := strings.Join([]string{testSecretKey, testMachineKey, perCallKey, testStytchSecret, testTokenSecret, testJWT, clientSecret}, " ")

	handlers := map[string]http.HandlerFunc{
		"clerk shape":  reply(http.StatusBadRequest, `{"errors":[{"message":"`+echo+`","long_message":"`+echo+`","code":"bad_request"}],"clerk_trace_id":"`+testTraceID+`"}`),
		"stytch shape": reply(http.StatusBadRequest, `{"status_code":400,"request_id":"`+testRequestID+`","error_type":"bad","error_message":"`+echo+`"}`),
		"oauth shape":  reply(http.StatusBadRequest, `{"error":"invalid_client","error_description":"`+echo+`"}`),
		"plain text":   reply(http.StatusBadGateway, "upstream said: "+echo),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, h)
			c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = NoRetries })
			_, err := c.VerifyM2MToken(t.Context(), perCallKey, testTokenSecret)
			assertRedacted(t, err, testSecretKey, testMachineKey, perCallKey, testStytchSecret, testTokenSecret, testJWT)
			_, err = c.ExchangeAuthorizationCode(t.Context(), TokenRequest{ClientID: "app", ClientSecret: clientSecret, Code: "c"})
			assertRedacted(t, err, testSecretKey, testMachineKey, testStytchSecret, testTokenSecret, testJWT, clientSecret)
		})
	}
}

func assertRedacted(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded, want an error")
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains secret %q", err.Error(), s)
		}
	}
}
