package provider

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// oauthTestClient is an instance-key client against srv through rt (nil:
// directly), retry waits kept tiny.
func oauthTestClient(t *testing.T, srv *emulator.Server, rt http.RoundTripper) *client.Client {
	t.Helper()
	cfg := client.Config{
		ClerkAPIURL:    srv.Info().ClerkAPIURL,
		ClerkSecretKey: srv.Info().ClerkSecretKey,
		MinRetryWait:   time.Millisecond,
		MaxRetryWait:   5 * time.Millisecond,
	}
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lossyOAuthClerk passes requests on to the emulator and, for the first n
// requests of each "METHOD /path-suffix" in lose, loses the answer: Clerk
// acted, the caller never learns it. The first n listings of each in
// empty are answered as empty without being sent, as a search index that
// lags behind a create would.
type lossyOAuthClerk struct {
	mu          sync.Mutex
	lose, empty map[string]int
	lost        []string // the answers lost, in order
}

func (l *lossyOAuthClerk) take(counts map[string]int, req *http.Request) bool {
	for k, n := range counts {
		method, suffix, _ := strings.Cut(k, " ")
		if n > 0 && req.Method == method && strings.HasSuffix(req.URL.Path, suffix) {
			counts[k]--
			return true
		}
	}
	return false
}

func (l *lossyOAuthClerk) RoundTrip(req *http.Request) (*http.Response, error) {
	l.mu.Lock()
	empty, lose := l.take(l.empty, req), l.take(l.lose, req)
	l.mu.Unlock()
	if empty {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"data":[],"total_count":0}`)), Request: req}, nil
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	l.mu.Lock()
	l.lost = append(l.lost, string(body))
	l.mu.Unlock()
	return nil, errors.New("connection reset by peer (the test lost the answer)")
}

// The first create's answer is lost after Clerk made the application: the
// provider finds it by its marker before sending another, adopts it with a
// new secret (the lost one reached nobody), renames it, and warns. Exactly
// one application exists, and the secret returned is the one that works.
func TestOAuthApplicationCreate_lostAnswerAdopted(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	// Another create's application, with another marker: never touched.
	lookalike := srv.RegisterOAuthClient("tf-acc-billing"+nameCreateMarkerPrefix+strings.Repeat("0", 32), []string{oauthAppRedirect}, false)
	p := &lossyOAuthClerk{lose: map[string]int{"POST /oauth_applications": 1}, empty: map[string]int{}}
	var diags diag.Diagnostics
	made, renamed := createOAuthApplication(t.Context(), oauthTestClient(t, srv, p), client.CreateOAuthApplicationRequest{Name: "tf-acc-billing"}, &diags)
	if made == nil || !renamed || diags.HasError() {
		t.Fatalf("made %+v, renamed %v, diags %v", made, renamed, diags)
	}
	apps := srv.OAuthApplications()
	if len(apps) != 2 || apps[0].ID != lookalike || apps[1].ID != made.ID || apps[1].Name != "tf-acc-billing" {
		t.Fatalf("emulator holds %+v", apps)
	}
	if made.ClientSecret == "" || made.ClientSecret != apps[1].ClientSecret {
		t.Error("the secret returned is not the adopted application's current one")
	}
	if lost := p.lost; len(lost) != 1 || !strings.Contains(lost[0], `"client_secret"`) || strings.Contains(lost[0], made.ClientSecret) {
		t.Errorf("lost answers %d: want the one create, holding another secret than the one kept", len(lost))
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Summary(), "Adopted an OAuth application") || !strings.Contains(diags[0].Detail(), made.ID) {
		t.Errorf("diagnostics %v", diags)
	}
}

// Every create answer lost while Clerk's search lags behind: three
// requests are sent and three applications made; the oldest is adopted
// (with a new secret), the others deleted, each named in a warning. Then a
// public client, which has no secret to rotate, is adopted as it is.
func TestOAuthApplicationCreate_lostAnswers(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	p := &lossyOAuthClerk{lose: map[string]int{"POST /oauth_applications": 3}, empty: map[string]int{"GET /oauth_applications": 2}}
	c := oauthTestClient(t, srv, p)
	var diags diag.Diagnostics
	made, _ := createOAuthApplication(t.Context(), c, client.CreateOAuthApplicationRequest{Name: "tf-acc-lost"}, &diags)
	if made == nil || diags.HasError() {
		t.Fatalf("made %+v, diags %v", made, diags)
	}
	if len(p.lost) != 3 {
		t.Fatalf("%d create answers lost, want 3", len(p.lost))
	}
	if apps := srv.OAuthApplications(); len(apps) != 1 || apps[0].ID != made.ID || apps[0].Name != "tf-acc-lost" || apps[0].ClientSecret != made.ClientSecret {
		t.Fatalf("emulator holds %+v, made %s", apps, made.ID)
	}
	text := diagsText(diags)
	if !strings.Contains(text, "Adopted an OAuth application") || !strings.Contains(text, "Deleted an OAuth application left behind") {
		t.Errorf("the warnings do not name what was adopted and deleted: %s", text)
	}

	p.lose["POST /oauth_applications"] = 1
	diags = nil
	pub, _ := createOAuthApplication(t.Context(), c, client.CreateOAuthApplicationRequest{Name: "tf-acc-spa", Public: new(true)}, &diags)
	if pub == nil || pub.ClientSecret != "" || diags.HasError() {
		t.Fatalf("public: %+v, %v", pub, diags)
	}
	if n := srv.Stats().Count("POST", "/clerk/v1/oauth_applications/{oauth_application_id}/rotate_secret", http.StatusOK); n != 1 {
		t.Errorf("%d rotations: want only the confidential adoption's", n)
	}
}

// A rotation whose answer is lost is sent again: Clerk ended the old
// secret with the first request, and the secret in the lost answer
// reached nobody. The secret returned is the one that works; when every
// answer is lost the error says the secret is unknown.
func TestOAuthApplicationRotate_lostAnswerSentAgain(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	p := &lossyOAuthClerk{lose: map[string]int{}, empty: map[string]int{}}
	c := oauthTestClient(t, srv, p)
	a, err := c.CreateOAuthApplication(t.Context(), client.CreateOAuthApplicationRequest{Name: "tf-acc-rotate"})
	if err != nil {
		t.Fatal(err)
	}
	p.lose["POST /rotate_secret"] = 1
	got, err := rotateOAuthApplicationSecret(t.Context(), c, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := srv.OAuthApplication(a.ID)
	if got.ClientSecret == a.ClientSecret || got.ClientSecret != now.ClientSecret {
		t.Error("the secret returned is not the one that works now")
	}
	if n := len(p.lost); n != 1 {
		t.Errorf("%d answers lost, want 1", n)
	}

	p.lose["POST /rotate_secret"] = 3
	if _, err := rotateOAuthApplicationSecret(t.Context(), c, a.ID); err == nil || !strings.Contains(err.Error(), "3 rotation request(s) got no answer") {
		t.Errorf("every answer lost: %v", err)
	}
}

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
