package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testSecretKey    = "sk_test_InstanceSecretKey0123456789abcdef"
	testMachineKey   = "ak_MachineSecretKey0123456789abcdef0123"
	testProjectID    = "project-test-11111111-2222-3333-4444-555555555555"
	testStytchSecret = "secret-test-StytchSecret0123456789abcdef="
	testTokenID      = "mt_0123456789abcdef0123456789abcdef"
	testTokenSecret  = "mt_SecretSecretSecretSecretSecret01"
	testMachineID    = "mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk"
	testTraceID      = "trace_0123456789abcdef"
	testRequestID    = "request-id-test-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
)

// tokenJSON is a token object as Clerk serves it; extra fields (such as
// "token") are appended by the caller.
const tokenJSON = `{"object":"machine_to_machine_token","id":"` + testTokenID + `","subject":"` + testMachineID +
	`","claims":null,"scopes":[],"revoked":false,"revocation_reason":null,"expired":false,` +
	`"expiration":1716883200000,"last_used_at":null,"created_at":1716879600000,"updated_at":1716879600000`

// recorded is what a test server saw of one request.
type recorded struct {
	Method string
	Path   string // escaped, as sent
	Query  string
	Header http.Header
	Body   string
}

// server is an httptest server that records requests and answers each
// with the next handler in turn, repeating the last one.
type server struct {
	*httptest.Server
	hits     atomic.Int64
	mu       sync.Mutex
	requests []recorded
}

func newServer(t *testing.T, handlers ...http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, recorded{
			Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body),
		})
		s.mu.Unlock()
		h := handlers[min(int(n), len(handlers))-1]
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) last(t *testing.T) recorded {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		t.Fatal("server received no request")
	}
	return s.requests[len(s.requests)-1]
}

// callCase is one client call and the request it must send.
type callCase struct {
	name         string
	run          func(context.Context, *Client) error
	method, path string
	wantBody     string
}

// checkCalls makes each call against a server that answers every request
// with 200 and answer, and checks the request it sent; more, if not nil,
// checks that request further.
func checkCalls(t *testing.T, answer string, cases []callCase, more func(*testing.T, recorded)) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, reply(http.StatusOK, answer))
			if err := tt.run(t.Context(), newTestClient(t, srv.URL)); err != nil {
				t.Fatalf("call: %v", err)
			}
			got := srv.last(t)
			if got.Method != tt.method || got.Path != tt.path || got.Body != tt.wantBody {
				t.Errorf("request = %s %s %s\nwant      %s %s %s", got.Method, got.Path, got.Body, tt.method, tt.path, tt.wantBody)
			}
			if more != nil {
				more(t, got)
			}
		})
	}
}

func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func clerkError(status int, code string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Clerk-Trace-Id", testTraceID)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"errors":[{"message":"failed","long_message":"it failed","code":"`+code+`"}]}`)
	}
}

func stytchError(status int, errorType string) http.HandlerFunc {
	return reply(status, `{"status_code":`+strconv.Itoa(status)+`,"request_id":"`+testRequestID+
		`","error_type":"`+errorType+`","error_message":"failed","error_url":"https://stytch.com/docs/api/errors/`+strconv.Itoa(status)+`"}`)
}

// dropConnection closes the connection once the request has been read:
// the server got it, the client gets no answer.
func dropConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// testConfig points both services at url with tiny waits so retry tests
// stay fast.
func testConfig(url string) Config {
	return Config{
		ClerkAPIURL:     url + "/v1",
		ClerkSecretKey:  testSecretKey,
		Secrets:         []string{testMachineKey},
		StytchBaseURL:   url,
		StytchProjectID: testProjectID,
		StytchSecret:    testStytchSecret,
		Version:         "1.2.3",
		MinRetryWait:    time.Millisecond,
		MaxRetryWait:    2 * time.Millisecond,
		MaxRetryAfter:   50 * time.Millisecond,
		RequestTimeout:  5 * time.Second,
		TotalTimeout:    10 * time.Second,
	}
}

func newTestClient(t *testing.T, url string, edits ...func(*Config)) *Client {
	t.Helper()
	cfg := testConfig(url)
	for _, edit := range edits {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func decodeBody(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("request body %q is not a JSON object: %v", body, err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }
