package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestAPIErrorDecoding(t *testing.T) {
	t.Parallel()
	withHeader := func(key, value string, h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(key, value)
			h(w, r)
		}
	}
	clerkNotFound := `{"errors":[{"message":"not found","long_message":"Resource not found","code":"resource_not_found","meta":{}}]`
	longHTML := "<html><body>" + strings.Repeat("Bad gateway. ", 100) + "</body></html>"

	tests := []struct {
		name    string
		handler http.HandlerFunc
		stytch  bool // call a Stytch project endpoint rather than Clerk
		token   bool // call the Stytch token endpoint
		want    APIError
		wantMsg string // exact Error(), if set
	}{
		{
			name:    "clerk trace id in body",
			handler: reply(http.StatusNotFound, clerkNotFound+`,"clerk_trace_id":"`+testTraceID+`"}`),
			want:    APIError{Service: "clerk", StatusCode: 404, Code: "resource_not_found", Message: "not found", LongMessage: "Resource not found", RequestID: testTraceID, Method: "GET", Path: "/machines/" + testMachineID},
			wantMsg: "clerk: GET /machines/" + testMachineID + ": 404 resource_not_found: Resource not found (clerk_trace_id: " + testTraceID + ")",
		},
		{
			name:    "clerk trace id in header",
			handler: withHeader("Clerk-Trace-Id", testTraceID, reply(http.StatusNotFound, clerkNotFound+`}`)),
			want:    APIError{Service: "clerk", StatusCode: 404, Code: "resource_not_found", Message: "not found", LongMessage: "Resource not found", RequestID: testTraceID, Method: "GET", Path: "/machines/" + testMachineID},
		},
		{
			name: "clerk multiple errors",
			handler: reply(http.StatusUnprocessableEntity, `{"errors":[{"message":"is missing","long_message":"name is missing","code":"form_param_missing"},`+
				`{"message":"is invalid","long_message":"ttl is invalid","code":"form_param_value_invalid"}]}`),
			want:    APIError{Service: "clerk", StatusCode: 422, Code: "form_param_missing", Message: "is missing", LongMessage: "name is missing; ttl is invalid", Method: "GET", Path: "/machines/" + testMachineID},
			wantMsg: "clerk: GET /machines/" + testMachineID + ": 422 form_param_missing: name is missing; ttl is invalid (clerk_trace_id: none returned)",
		},
		{
			name:    "stytch request id",
			handler: stytchError(http.StatusNotFound, "connected_app_not_found"),
			stytch:  true,
			want:    APIError{Service: "stytch", StatusCode: 404, Code: "connected_app_not_found", Message: "failed", RequestID: testRequestID, Method: "GET", Path: "/v1/b2b/organizations/org-1/connected_apps/app-1"},
			wantMsg: "stytch: GET /v1/b2b/organizations/org-1/connected_apps/app-1: 404 connected_app_not_found: failed (request_id: " + testRequestID + ")",
		},
		{
			name:    "oauth shape with request id header",
			handler: withHeader("X-Request-Id", testRequestID, reply(http.StatusBadRequest, `{"error":"invalid_grant","error_description":"The code has expired."}`)),
			token:   true,
			want:    APIError{Service: "stytch", StatusCode: 400, Code: "invalid_grant", Message: "The code has expired.", RequestID: testRequestID, Method: "POST", Path: "/v1/public/" + testProjectID + "/oauth2/token"},
		},
		{
			name:    "oauth shape with request id in body",
			handler: withHeader("X-Request-Id", "from-header", reply(http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Bad client.","request_id":"`+testRequestID+`"}`)),
			token:   true,
			want:    APIError{Service: "stytch", StatusCode: 401, Code: "invalid_client", Message: "Bad client.", RequestID: testRequestID, Method: "POST", Path: "/v1/public/" + testProjectID + "/oauth2/token"},
		},
		{
			name:    "non-JSON body",
			handler: withHeader("X-Request-Id", testRequestID, reply(http.StatusForbidden, longHTML)),
			stytch:  true,
			want:    APIError{Service: "stytch", StatusCode: 403, Message: longHTML[:maxErrorBody] + "... (first 512 bytes)", RequestID: testRequestID, Method: "GET", Path: "/v1/b2b/organizations/org-1/connected_apps/app-1"},
		},
		{
			name:    "empty body",
			handler: reply(http.StatusForbidden, ""),
			want:    APIError{Service: "clerk", StatusCode: 403, Method: "GET", Path: "/machines/" + testMachineID},
			wantMsg: "clerk: GET /machines/" + testMachineID + ": 403 (clerk_trace_id: none returned)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, tt.handler)
			c := newTestClient(t, srv.URL)
			var err error
			switch {
			case tt.stytch:
				_, err = c.OrganizationConnectedApp(t.Context(), "org-1", "app-1")
			case tt.token:
				_, err = c.ExchangeAuthorizationCode(t.Context(), TokenRequest{ClientID: "app", Code: "c"})
			default:
				_, err = c.GetMachine(t.Context(), testMachineID)
			}
			var got *APIError
			if !errors.As(err, &got) {
				t.Fatalf("err = %v (%T), want an *APIError", err, err)
			}
			if *got != tt.want {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
			if tt.wantMsg != "" && got.Error() != tt.wantMsg {
				t.Errorf("Error() = %q\nwant      %q", got.Error(), tt.wantMsg)
			}
			if got.RequestID != "" && !strings.Contains(err.Error(), got.RequestID) {
				t.Errorf("Error() = %q lacks the request id", err.Error())
			}
		})
	}
}

func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	apiErr := func(status int) error {
		return &APIError{Service: "clerk", StatusCode: status, Code: fmt.Sprint("code_", status)}
	}
	tests := []struct {
		err                                                error
		notFound, unauthorized, forbidden, limited, fivexx bool
		code                                               string
	}{
		{err: apiErr(404), notFound: true, code: "code_404"},
		{err: apiErr(401), unauthorized: true, code: "code_401"},
		{err: apiErr(403), forbidden: true, code: "code_403"},
		{err: apiErr(429), limited: true, code: "code_429"},
		{err: apiErr(500), fivexx: true, code: "code_500"},
		{err: apiErr(503), fivexx: true, code: "code_503"},
		{err: &AmbiguousError{Op: "create", Err: apiErr(502)}, fivexx: true, code: "code_502"},
		{err: fmt.Errorf("wrapped: %w", apiErr(404)), notFound: true, code: "code_404"},
		{err: apiErr(400), code: "code_400"},
		{err: errors.New("plain")},
		{err: nil},
	}
	for _, tt := range tests {
		if IsNotFound(tt.err) != tt.notFound || IsUnauthorized(tt.err) != tt.unauthorized || IsForbidden(tt.err) != tt.forbidden ||
			IsRateLimited(tt.err) != tt.limited || IsServerError(tt.err) != tt.fivexx || ErrorCode(tt.err) != tt.code {
			t.Errorf("helpers disagree on %v", tt.err)
		}
	}
	if !IsAmbiguous(fmt.Errorf("x: %w", &AmbiguousError{Op: "create", Err: errors.New("eof")})) || IsAmbiguous(apiErr(500)) {
		t.Error("IsAmbiguous is wrong")
	}
}

func TestAmbiguousErrorNamesTheOperation(t *testing.T) {
	t.Parallel()
	cause := errors.New("EOF")
	err := &AmbiguousError{Op: "create M2M token", Err: cause}
	if !errors.Is(err, cause) {
		t.Error("AmbiguousError does not unwrap to its cause")
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "create M2M token: outcome unknown") || !strings.HasSuffix(msg, ": EOF") {
		t.Errorf("Error() = %q", msg)
	}
}

func TestMissingCredentialErrorMessage(t *testing.T) {
	t.Parallel()
	err := &MissingCredentialError{Service: "clerk", Attribute: "clerk.secret_key", EnvVar: "CLERK_SECRET_KEY"}
	want := "clerk: missing credential: set clerk.secret_key in the provider configuration or the CLERK_SECRET_KEY environment variable"
	if err.Error() != want {
		t.Errorf("Error() = %q", err.Error())
	}
}
