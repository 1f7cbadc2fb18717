package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

const listOK = `{"m2m_tokens":[],"total_count":0}`

func listTokens(ctx context.Context, c *Client) error {
	_, err := c.ListM2MTokens(ctx, testSecretKey, ListM2MTokensRequest{Subject: testMachineID})
	return err
}

func createToken(ctx context.Context, c *Client) error {
	_, err := c.CreateM2MToken(ctx, testMachineKey, CreateM2MTokenRequest{})
	return err
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	t.Parallel()
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		clerkError(http.StatusTooManyRequests, "too_many_requests")(w, r)
	}
	srv := newServer(t, limited, reply(http.StatusOK, listOK))
	// The server asks for 1s; the cap of 50ms must win, and the wait must
	// be at least the cap, far above the 2ms backoff it replaces.
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetryAfter = 50 * time.Millisecond })

	start := time.Now()
	if err := listTokens(t.Context(), c); err != nil {
		t.Fatalf("list: %v", err)
	}
	elapsed := time.Since(start)
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
	if elapsed < 50*time.Millisecond || elapsed > 900*time.Millisecond {
		t.Errorf("call took %s, want the capped Retry-After of 50ms, not the 1s asked", elapsed)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"99999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffStaysWithinBounds(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, "http://127.0.0.1", func(cfg *Config) {
		cfg.MinRetryWait = 10 * time.Millisecond
		cfg.MaxRetryWait = 80 * time.Millisecond
		cfg.MaxRetryAfter = time.Second
	})
	for n := 1; n <= 100; n++ {
		upper := min(10*time.Millisecond<<min(n-1, 10), 80*time.Millisecond)
		for range 20 {
			if d := c.backoff(n, 0); d < 10*time.Millisecond || d > upper {
				t.Fatalf("backoff(%d) = %s, want within [10ms, %s]", n, d, upper)
			}
		}
	}
	if d := c.backoff(1, 5*time.Second); d != time.Second {
		t.Errorf("Retry-After 5s gave %s, want the 1s cap", d)
	}
	if d := c.backoff(1, time.Nanosecond); d != 10*time.Millisecond {
		t.Errorf("Retry-After 1ns gave %s, want the 10ms floor", d)
	}
}

func TestIdempotentCallsRetryServerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   string
		run  func(context.Context, *Client) error
	}{
		{"list M2M tokens", listOK, listTokens},
		{"revoke M2M token", `{` + tokenJSON[1:] + `}`, func(ctx context.Context, c *Client) error {
			_, err := c.RevokeM2MToken(ctx, testSecretKey, testTokenID, nil)
			return err
		}},
		{"verify M2M token", `{` + tokenJSON[1:] + `}`, func(ctx context.Context, c *Client) error {
			_, err := c.VerifyM2MToken(ctx, testSecretKey, testTokenSecret)
			return err
		}},
		{"delete machine", `{"object":"machine","id":"` + testMachineID + `","deleted":true}`, func(ctx context.Context, c *Client) error {
			return c.DeleteMachine(ctx, testMachineID)
		}},
		{"member connected apps", `{"connected_apps":[]}`, func(ctx context.Context, c *Client) error {
			_, err := c.MemberConnectedApps(ctx, "organization-test-1", "member-test-1")
			return err
		}},
		{"revoke member connected app", `{"status_code":200}`, func(ctx context.Context, c *Client) error {
			return c.RevokeMemberConnectedApp(ctx, RevokeMemberConnectedAppRequest{
				OrganizationID: "organization-test-1", MemberID: "member-test-1", ConnectedAppID: "connected-app-test-1",
			})
		}},
		{"introspect", `{"active":false}`, func(ctx context.Context, c *Client) error {
			_, err := c.Introspect(ctx, IntrospectRequest{Token: "x", ClientID: "connected-app-test-1"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, clerkError(http.StatusInternalServerError, "internal_clerk_error"),
				clerkError(http.StatusBadGateway, ""), reply(http.StatusOK, tt.ok))
			c := newTestClient(t, srv.URL)
			if err := tt.run(t.Context(), c); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			if got := srv.hits.Load(); got != 3 {
				t.Errorf("attempts = %d, want 3", got)
			}
		})
	}
}

// nonIdempotent are the calls that create something.
var nonIdempotent = []struct {
	name string
	run  func(context.Context, *Client) error
}{
	{"create M2M token", createToken},
	{"create machine", func(ctx context.Context, c *Client) error {
		_, err := c.CreateMachine(ctx, CreateMachineRequest{Name: "m"})
		return err
	}},
	{"authorize", func(ctx context.Context, c *Client) error {
		_, err := c.Authorize(ctx, AuthorizeRequest{ConsentGranted: true, ClientID: "connected-app-test-1"})
		return err
	}},
	{"exchange code", func(ctx context.Context, c *Client) error {
		_, err := c.ExchangeAuthorizationCode(ctx, TokenRequest{ClientID: "connected-app-test-1", Code: "code-1"})
		return err
	}},
	{"refresh", func(ctx context.Context, c *Client) error {
		_, err := c.RefreshAccessToken(ctx, TokenRequest{ClientID: "connected-app-test-1", RefreshToken: "rt-1"})
		return err
	}},
}

func TestCreatesAreAmbiguousOnServerError(t *testing.T) {
	t.Parallel()
	for _, tt := range nonIdempotent {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, clerkError(http.StatusInternalServerError, "internal_clerk_error"))
			c := newTestClient(t, srv.URL)
			err := tt.run(t.Context(), c)
			if !IsAmbiguous(err) || !IsServerError(err) {
				t.Fatalf("err = %v, want an AmbiguousError wrapping the 500", err)
			}
			if got := srv.hits.Load(); got != 1 {
				t.Errorf("attempts = %d, want exactly 1", got)
			}
		})
	}
}

func TestCreatesRetryRateLimits(t *testing.T) {
	t.Parallel()
	srv := newServer(t, clerkError(http.StatusTooManyRequests, "too_many_requests"),
		reply(http.StatusCreated, tokenJSON+`,"token":"`+testTokenSecret+`"}`))
	c := newTestClient(t, srv.URL)
	tok, err := c.CreateM2MToken(t.Context(), testMachineKey, CreateM2MTokenRequest{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if tok.Token != testTokenSecret {
		t.Errorf("token = %q", tok.Token)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
}

func TestCreatesAreAmbiguousWhenTheConnectionDrops(t *testing.T) {
	t.Parallel()
	for _, tt := range nonIdempotent {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, dropConnection)
			c := newTestClient(t, srv.URL)
			err := tt.run(t.Context(), c)
			if !IsAmbiguous(err) {
				t.Fatalf("err = %v, want an AmbiguousError", err)
			}
			if got := srv.hits.Load(); got != 1 {
				t.Errorf("attempts = %d, want exactly 1", got)
			}
		})
	}
}

func TestReadsRetryDroppedConnections(t *testing.T) {
	t.Parallel()
	srv := newServer(t, dropConnection, reply(http.StatusOK, listOK))
	c := newTestClient(t, srv.URL)
	if err := listTokens(t.Context(), c); err != nil {
		t.Fatalf("list: %v", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
}

func TestCreateWithUnreadableSuccessIsAmbiguous(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusCreated, `{"id": `))
	c := newTestClient(t, srv.URL)
	err := createToken(t.Context(), c)
	if !IsAmbiguous(err) {
		t.Fatalf("err = %v, want an AmbiguousError: the token was made", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
}

// countingTransport counts attempts that never reach a server.
type countingTransport struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.next.RoundTrip(r)
}

func TestRefusedConnectionsAreRetriedEvenForCreates(t *testing.T) {
	t.Parallel()
	// Every dial is refused, as by a port nobody listens on. (A port
	// freed for the purpose may be taken meanwhile by a parallel test's
	// server, which then answers.)
	const url = "http://127.0.0.1:1"
	refused := http.DefaultTransport.(*http.Transport).Clone()
	refused.DialContext = func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}

	for _, tt := range []struct {
		name string
		run  func(context.Context, *Client) error
	}{{"create", createToken}, {"list", listTokens}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := &countingTransport{next: refused}
			c := newTestClient(t, url, func(cfg *Config) {
				cfg.MaxRetries = 3
				cfg.HTTPClient = &http.Client{Transport: rt}
			})
			err := tt.run(t.Context(), c)
			if err == nil || IsAmbiguous(err) {
				t.Fatalf("err = %v, want a plain connection error: nothing was sent", err)
			}
			if !strings.Contains(err.Error(), "after 4 attempts") {
				t.Errorf("err = %v, want it to say it tried 4 times", err)
			}
			if got := rt.n.Load(); got != 4 {
				t.Errorf("attempts = %d, want 1 + MaxRetries = 4", got)
			}
		})
	}
}

func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	hang := func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

	t.Run("read is retried", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, hang, reply(http.StatusOK, listOK))
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
		if err := listTokens(t.Context(), c); err != nil {
			t.Fatalf("list: %v", err)
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("attempts = %d, want 2", got)
		}
	})
	t.Run("create is ambiguous", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, hang)
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond })
		err := createToken(t.Context(), c)
		if !IsAmbiguous(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want an AmbiguousError from the attempt timeout", err)
		}
		if got := srv.hits.Load(); got != 1 {
			t.Errorf("attempts = %d, want 1", got)
		}
	})
}

// cancelAfterFirstLog cancels a context shortly after the client first
// logs: the client logs each attempt as it ends, so by then the call is in
// its backoff before the next attempt.
type cancelAfterFirstLog struct {
	cancel context.CancelFunc
	once   sync.Once
}

func (w *cancelAfterFirstLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("machineauth API request")) {
		w.once.Do(func() { time.AfterFunc(50*time.Millisecond, w.cancel) })
	}
	return len(p), nil
}

func TestCancellationDuringBackoffReturnsPromptly(t *testing.T) {
	t.Parallel()
	unavailable := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		clerkError(http.StatusServiceUnavailable, "")(w, r)
	}
	srv := newServer(t, unavailable)
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = time.Minute
		cfg.TotalTimeout = 2 * time.Minute
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ctx = tflogtest.RootLogger(ctx, &cancelAfterFirstLog{cancel: cancel})

	start := time.Now()
	err := listTokens(ctx, c)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("call took %s after cancellation; the backoff was 30s", elapsed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !IsServerError(err) {
		t.Errorf("err = %v, want the last attempt's 503 kept", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
}

func TestTotalTimeoutBoundsACall(t *testing.T) {
	t.Parallel()
	srv := newServer(t, clerkError(http.StatusServiceUnavailable, ""))
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetries = 1000
		cfg.MinRetryWait = 10 * time.Millisecond
		cfg.MaxRetryWait = 40 * time.Millisecond
		cfg.TotalTimeout = 400 * time.Millisecond
	})
	start := time.Now()
	err := listTokens(t.Context(), c)
	elapsed := time.Since(start)
	if !IsServerError(err) {
		t.Fatalf("err = %v, want the last 503", err)
	}
	if elapsed > 400*time.Millisecond+time.Second {
		t.Errorf("call took %s, want about the 400ms total timeout", elapsed)
	}
	if !strings.Contains(err.Error(), "the 400ms call timeout") {
		t.Errorf("err = %v, want it to name the call timeout", err)
	}
}

func TestMaxRetriesBoundsAttempts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		maxRetries int
		want       int64
	}{{3, 4}, {NoRetries, 1}} {
		srv := newServer(t, clerkError(http.StatusServiceUnavailable, ""))
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = tt.maxRetries })
		if err := listTokens(t.Context(), c); !IsServerError(err) {
			t.Fatalf("MaxRetries %d: err = %v, want a 503", tt.maxRetries, err)
		}
		if got := srv.hits.Load(); got != tt.want {
			t.Errorf("MaxRetries %d: attempts = %d, want %d", tt.maxRetries, got, tt.want)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity} {
		srv := newServer(t, clerkError(code, "some_error"))
		c := newTestClient(t, srv.URL)
		if err := listTokens(t.Context(), c); status(err) != code {
			t.Errorf("status %d: list err = %v", code, err)
		}
		if err := createToken(t.Context(), c); status(err) != code || IsAmbiguous(err) {
			t.Errorf("status %d: create err = %v, want a plain APIError", code, err)
		}
		if got := srv.hits.Load(); got != 2 {
			t.Errorf("status %d: attempts = %d for one list and one create, want 2", code, got)
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	target := newServer(t, reply(http.StatusOK, `{}`))
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/steal", http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, srv.URL)
	_, err := c.ExchangeAuthorizationCode(t.Context(), TokenRequest{ClientID: "app", ClientSecret: "s3cr3t-value", Code: "c"})
	if status(err) != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want the 307 as an error", err)
	}
	if got := target.hits.Load(); got != 0 {
		t.Errorf("redirect target got %d requests carrying the client secret", got)
	}
}

func TestResponseBodyIsBounded(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.CopyN(w, zeros{}, maxResponseBody+10)
	})
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = NoRetries })
	err := listTokens(t.Context(), c)
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("err = %v, want the oversized body refused", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestWaitBeyondTheBudgetStopsAtOnce(t *testing.T) {
	t.Parallel()
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		clerkError(http.StatusTooManyRequests, "too_many_requests")(w, r)
	}
	srv := newServer(t, limited)
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = time.Minute
		cfg.TotalTimeout = 5 * time.Second
	})
	start := time.Now()
	err := listTokens(t.Context(), c)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("call took %s; a 30s wait cannot fit a 5s budget, so it should stop at once", elapsed)
	}
	if !IsRateLimited(err) || !strings.Contains(err.Error(), "would pass the 5s call timeout") {
		t.Errorf("err = %v, want the 429 and why it was not retried", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("attempts = %d, want 1", got)
	}
}

// limitedTimes answers 429 with a Retry-After of one second n times, then
// ok: a limit shared with many other clients.
func limitedTimes(n int, ok http.HandlerFunc) []http.HandlerFunc {
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		clerkError(http.StatusTooManyRequests, "too_many_requests")(w, r)
	}
	hs := make([]http.HandlerFunc, 0, n+1)
	for range n {
		hs = append(hs, limited)
	}
	return append(hs, ok)
}

// fastRetryAfter makes a client whose waits for Retry-After are short and
// exact, so that many of them fit a test.
func fastRetryAfter(cfg *Config) { cfg.MaxRetryAfter = 5 * time.Millisecond }

func unjittered(c *Client) *Client {
	for _, p := range c.pacers {
		p.jitter = 0
	}
	return c
}

// A 429 is the service saying "later": a call is told to wait as often as
// its deadline allows, whatever max_retries says; creates too, as a 429
// is a refusal before any processing.
func TestRateLimitsAreRetriedUntilTheDeadlineNotMaxRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   http.HandlerFunc
		call func(context.Context, *Client) error
	}{
		{"list", reply(http.StatusOK, listOK), listTokens},
		{"create", reply(http.StatusCreated, tokenJSON+`,"token":"`+testTokenSecret+`"}`), createToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, limitedTimes(12, tc.ok)...)
			c := unjittered(newTestClient(t, srv.URL, fastRetryAfter, func(cfg *Config) { cfg.MaxRetries = 2 }))
			if err := tc.call(t.Context(), c); err != nil {
				t.Fatalf("told to wait 12 times with max_retries 2: %v", err)
			}
			if got := srv.hits.Load(); got != 13 {
				t.Errorf("attempts = %d, want 13", got)
			}
		})
	}
}

// A 503 that says when to come back is a "later" too, for the calls that
// may be repeated; without a Retry-After it is a failure, bounded by
// max_retries.
func TestServiceUnavailableWithRetryAfterIsALater(t *testing.T) {
	t.Parallel()
	unavailable := func(retryAfter string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			clerkError(http.StatusServiceUnavailable, "")(w, r)
		}
	}
	later := make([]http.HandlerFunc, 0, 6)
	for range 5 {
		later = append(later, unavailable("1"))
	}
	srv := newServer(t, append(later, reply(http.StatusOK, listOK))...)
	c := unjittered(newTestClient(t, srv.URL, fastRetryAfter, func(cfg *Config) { cfg.MaxRetries = 1 }))
	if err := listTokens(t.Context(), c); err != nil {
		t.Fatalf("five 503s with a Retry-After, max_retries 1: %v", err)
	}

	failing := newServer(t, append(slices.Repeat([]http.HandlerFunc{unavailable("")}, 3), reply(http.StatusOK, listOK))...)
	c = unjittered(newTestClient(t, failing.URL, func(cfg *Config) { cfg.MaxRetries = 1 }))
	err := listTokens(t.Context(), c)
	if !IsServerError(err) || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Errorf("503s without a Retry-After, max_retries 1: err = %v, want the 503 after 2 attempts", err)
	}
}

// A call that runs out of time says how long it took and how many times
// it was told to wait.
func TestRateLimitedCallSaysHowLongItWaited(t *testing.T) {
	t.Parallel()
	srv := newServer(t, limitedTimes(1000, reply(http.StatusOK, listOK))...)
	c := unjittered(newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = 20 * time.Millisecond
		cfg.TotalTimeout = 300 * time.Millisecond
	}))
	err := listTokens(t.Context(), c)
	if !IsRateLimited(err) {
		t.Fatalf("err = %v, want the last 429", err)
	}
	told := srv.hits.Load()
	for _, want := range []string{fmt.Sprintf("told to wait %d times", told), "waited ", "the 300ms call timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %q", err, want)
		}
	}
}

// A caller's own deadline (a resource's timeouts) bounds a call told to
// wait, even past call_timeout.
func TestCallersDeadlineOutlastsTheCallTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t, limitedTimes(15, reply(http.StatusOK, listOK))...)
	c := unjittered(newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = 20 * time.Millisecond
		cfg.TotalTimeout = 100 * time.Millisecond
	}))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := listTokens(ctx, c); err != nil {
		t.Fatalf("15 waits of 20ms within a 30s deadline, call_timeout 100ms: %v", err)
	}
	// Without it, call_timeout ends the call.
	srv = newServer(t, limitedTimes(15, reply(http.StatusOK, listOK))...)
	c = unjittered(newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxRetryAfter = 20 * time.Millisecond
		cfg.TotalTimeout = 100 * time.Millisecond
	}))
	if err := listTokens(t.Context(), c); !IsRateLimited(err) {
		t.Errorf("err = %v, want the 429 once call_timeout passed", err)
	}
}
