package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// env is what every subtest shares: one emulator, the descriptions routed
// to it, the allow-list and the coverage tally.
type env struct {
	srv   *emulator.Server
	info  emulator.Info
	fx    emulator.Fixture
	descs []*description
	allow *allowList
	// base is one pooled transport under every validator, so subtests
	// reuse connections.
	base http.RoundTripper
	seq  atomic.Int64

	mu       sync.Mutex
	coverage map[string]map[int]int // operation -> status -> answers
	routes   map[string]string      // operation -> "METHOD /path"

	// The official Stytch Node client's driver, started by the first case
	// that calls it (stytch_node_test.go).
	nodeOnce sync.Once
	nodeDrv  *nodeDriver
	nodeErr  error
}

func (e *env) record(x exchange) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.coverage[x.op] == nil {
		e.coverage[x.op] = map[int]int{}
	}
	e.coverage[x.op][x.status]++
	e.routes[x.op] = x.route
}

// unique returns a fresh suffix for names and emails, so parallel subtests
// never collide in the shared emulator.
func (e *env) unique() string { return fmt.Sprint(e.seq.Add(1)) }

// harness is one subtest's view: a real client and a raw HTTP client, both
// over a validator that reports on this subtest.
type harness struct {
	t      *testing.T
	env    *env
	ctx    context.Context
	v      *validator
	client *client.Client
	raw    *http.Client
	fx     emulator.Fixture

	// nodeURL is this subtest's proxy for the Node client, started on
	// first use.
	nodeProxyOnce sync.Once
	nodeURL       string
}

// newHarness builds a subtest's clients. adjust, if given, changes the
// client configuration, e.g. to a wrong credential.
func (e *env) newHarness(t *testing.T, adjust ...func(*client.Config)) *harness {
	t.Helper()
	v := &validator{next: e.base, descs: e.descs, allow: e.allow, record: e.record, t: t}
	hc := &http.Client{Transport: v}
	cfg := client.Config{
		ClerkAPIURL:     e.info.ClerkAPIURL,
		ClerkSecretKey:  e.info.ClerkSecretKey,
		Secrets:         []string{e.fx.ClerkMachineSecretKey},
		StytchBaseURL:   e.info.StytchBaseURL,
		StytchProjectID: e.info.StytchProjectID,
		StytchSecret:    e.info.StytchSecret,
		// A retry would only repeat an exchange already judged.
		MaxRetries: client.NoRetries,
		HTTPClient: hc,
	}
	for _, f := range adjust {
		f(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return &harness{t: t, env: e, ctx: t.Context(), v: v, client: c, raw: hc, fx: e.fx}
}

// must fails the subtest on an unexpected error.
func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

// wantErr checks that err is an API error with status and code.
func (h *harness) wantErr(err error, status int, code string) {
	h.t.Helper()
	var apiErr *client.APIError
	switch {
	case err == nil:
		h.t.Fatalf("want a %d %s error, got success", status, code)
	case !errors.As(err, &apiErr):
		h.t.Fatalf("want a %d %s API error, got %v", status, code, err)
	case apiErr.StatusCode != status || apiErr.Code != code:
		h.t.Fatalf("want %d %s, got %d %s: %v", status, code, apiErr.StatusCode, apiErr.Code, err)
	case apiErr.RequestID == "":
		h.t.Errorf("error carries no request id: %v", err)
	}
}

// clerk sends a raw request to Clerk's /v1 API with key as the bearer and
// decodes the JSON answer.
func (h *harness) clerk(ctx context.Context, method, path, key string, body any) (int, map[string]any) {
	h.t.Helper()
	return h.send(ctx, method, h.env.info.ClerkAPIURL+path, body, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+key)
	})
}

// stytch sends a raw project-authenticated request to Stytch.
func (h *harness) stytch(method, path string, body any) (int, map[string]any) {
	h.t.Helper()
	return h.send(h.ctx, method, h.env.info.StytchBaseURL+path, body, func(r *http.Request) {
		r.SetBasicAuth(h.env.info.StytchProjectID, h.env.info.StytchSecret)
	})
}

func (h *harness) send(ctx context.Context, method, url string, body any, auth func(*http.Request)) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		h.must(err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	h.must(err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	auth(req)
	resp, err := h.raw.Do(req)
	h.must(err)
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		h.t.Fatalf("%s %s: decoding %d answer: %v", method, url, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// wantStatus fails the subtest when a raw request got another status.
func (h *harness) wantStatus(got, want int, body map[string]any) {
	h.t.Helper()
	if got != want {
		h.t.Fatalf("want status %d, got %d: %v", want, got, body)
	}
}

// newMachine creates a machine of the subtest's own through the client, so
// that counting its tokens is not disturbed by parallel subtests.
func (h *harness) newMachine(scoped ...string) *client.MachineWithSecret {
	h.t.Helper()
	m, err := h.client.CreateMachine(h.ctx, client.CreateMachineRequest{
		Name:           "conformance-" + h.env.unique(),
		ScopedMachines: scoped,
	})
	h.must(err)
	return m
}

// newMember adds a member to the fixture organization; admin members may
// revoke connected apps.
func (h *harness) newMember(admin bool) string {
	h.t.Helper()
	id, err := h.env.srv.CreateMember(h.fx.StytchOrganizationID, "member-"+h.env.unique()+"@conformance.example.test", admin)
	h.must(err)
	return id
}

// fixtureScopes are scopes the fixture app may be granted: openid and
// offline_access bring an ID token and a refresh token.
var fixtureScopes = []string{"openid", "offline_access", "read:reports"}

// authorize has memberID grant the fixture app fixtureScopes with PKCE and
// returns the authorization code and its verifier.
func (h *harness) authorize(memberID string) (code, verifier string) {
	h.t.Helper()
	verifier = base64.RawURLEncoding.EncodeToString(randomBytes(32))
	sum := sha256.Sum256([]byte(verifier))
	resp, err := h.client.Authorize(h.ctx, client.AuthorizeRequest{
		ConsentGranted: true,
		Scopes:         fixtureScopes,
		ClientID:       h.fx.StytchConnectedAppID,
		RedirectURI:    h.fx.StytchRedirectURI,
		OrganizationID: h.fx.StytchOrganizationID,
		MemberID:       memberID,
		State:          "state-" + h.env.unique(),
		Nonce:          "nonce-" + h.env.unique(),
		CodeChallenge:  base64.RawURLEncoding.EncodeToString(sum[:]),
	})
	h.must(err)
	if resp.AuthorizationCode == "" || !strings.Contains(resp.RedirectURI, "code=") {
		h.t.Fatalf("authorize returned no code: %+v", resp)
	}
	return resp.AuthorizationCode, verifier
}

// tokens exchanges a code from authorize for the fixture app's tokens.
func (h *harness) tokens(code, verifier string) *client.TokenResponse {
	h.t.Helper()
	tok, err := h.client.ExchangeAuthorizationCode(h.ctx, client.TokenRequest{
		ClientID:     h.fx.StytchConnectedAppID,
		ClientSecret: h.fx.StytchConnectedAppClientSecret,
		Code:         code,
		RedirectURI:  h.fx.StytchRedirectURI,
		CodeVerifier: verifier,
	})
	h.must(err)
	return tok
}

// introspect asks whether token is active, as the fixture app.
func (h *harness) introspect(token string) *client.IntrospectResponse {
	h.t.Helper()
	out, err := h.client.Introspect(h.ctx, client.IntrospectRequest{
		Token:        token,
		ClientID:     h.fx.StytchConnectedAppID,
		ClientSecret: h.fx.StytchConnectedAppClientSecret,
	})
	h.must(err)
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

// coverageReport lists, per description, the operations exercised and how
// many answers of each status they gave, for the test log.
func (e *env) coverageReport() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	b.WriteString("operations exercised (answers by status):")
	group := func(prefix, title string) {
		var ops []string
		for op := range e.coverage {
			if strings.HasPrefix(op, prefix+" ") {
				ops = append(ops, op)
			}
		}
		slices.Sort(ops)
		fmt.Fprintf(&b, "\n  %s: %d operations%s", prefix, len(ops), title)
		for _, op := range ops {
			var answers []string
			for _, status := range slices.Sorted(maps.Keys(e.coverage[op])) {
				answers = append(answers, fmt.Sprintf("%d×%d", status, e.coverage[op][status]))
			}
			fmt.Fprintf(&b, "\n    %-64s %-60s %s", strings.TrimPrefix(op, prefix+" "), e.routes[op], strings.Join(answers, " "))
		}
	}
	for _, d := range e.descs {
		group(d.name, fmt.Sprintf(" of the %d in the description", countOperations(d)))
	}
	group("undescribed", ", in no description: not validated")
	return b.String()
}

func countOperations(d *description) int {
	n := 0
	for _, item := range d.doc.Paths.Map() {
		n += len(item.Operations())
	}
	return n
}
