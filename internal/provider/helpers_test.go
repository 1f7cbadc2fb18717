package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Test helpers that the tests of several credential types use: what
// captures, checks and fakes serves them all, in one place, and a type's
// own test files hold only what is its own.

// tokenName is the M2M token most tests manage.
const tokenName = "machineauth_m2m_token.t"

// tokenRoute is Stytch's OAuth token endpoint, which both connected-app
// authorizations and M2M clients' tokens use.
const tokenRoute = "/v1/public/{project_id}/oauth2/token"

// rfc3339Pattern is a time as the provider shows every one.
var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// captureID copies the id of resource name into *dst after a step.
func captureID(name string, dst *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		*dst = rs.Primary.ID
		return nil
	}
}

// expectToken checks the emulator's record of a token: live, or revoked
// with exactly reason.
func expectToken(srv *emulator.Server, id *string, revokedWith *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tok, ok := srv.M2MToken(*id)
		switch {
		case !ok:
			return fmt.Errorf("emulator has no token %s", *id)
		case revokedWith == nil && tok.Revoked:
			return fmt.Errorf("token %s is revoked, want live", *id)
		case revokedWith == nil:
			return nil
		case !tok.Revoked:
			return fmt.Errorf("token %s is live, want revoked with %q", *id, *revokedWith)
		case tok.RevocationReason == nil || *tok.RevocationReason != *revokedWith:
			return fmt.Errorf("token %s revoked with %v, want %q", *id, deref(tok.RevocationReason), *revokedWith)
		}
		return nil
	}
}

func str(s string) *string { return &s }

// checkRevokedWithReason is a CheckDestroy: every opaque token that was in
// state is revoked in the emulator with exactly reason.
func checkRevokedWithReason(srv *emulator.Server, reason string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_m2m_token" || rs.Primary.Attributes["token_format"] == tokenFormatJWT {
				continue
			}
			n++
			id := rs.Primary.ID
			if err := expectToken(srv, &id, &reason)(s); err != nil {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("no opaque token in state to check")
		}
		return nil
	}
}

// callCount is a plan check that calls() is exactly want.
type callCount struct {
	what  string
	calls func() int
	want  int
}

func (c callCount) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := c.calls(); got != c.want {
		resp.Error = fmt.Errorf("%s: %d calls, want exactly %d", c.what, got, c.want)
	}
}

// deref shows an optional revocation reason in a failure message.
func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return fmt.Sprintf("%q", *s)
}

// expectNotInState fails if any attribute of any resource in state holds
// secret: a token that keeps no key must keep no copy of it anywhere.
func expectNotInState(what string, secret *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for name, rs := range s.RootModule().Resources {
			for attr, v := range rs.Primary.Attributes {
				if *secret != "" && strings.Contains(v, *secret) {
					return fmt.Errorf("the %s is in the state, at %s.%s", what, name, attr)
				}
			}
		}
		return nil
	}
}

// authAddr is the authorization most tests manage.
const authAddr = "machineauth_connected_app_authorization.test"

// stytchClient talks to the emulator as the project and its fixture app do,
// to check from outside what the provider did.
func stytchClient(t *testing.T, srv *emulator.Server) *client.Client {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{StytchBaseURL: info.StytchBaseURL, StytchProjectID: info.StytchProjectID, StytchSecret: info.StytchSecret})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// checkNothingActive is every test's CheckDestroy: whatever a test did,
// no authorization may outlive it.
func checkNothingActive(srv *emulator.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := srv.Stats().Authorizations.Active; n != 0 {
			return fmt.Errorf("%d authorizations are still active in the emulator", n)
		}
		return nil
	}
}

// captureAttr stores an attribute's value for a later step or CheckDestroy.
func captureAttr(addr, attr string, into *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(addr, attr, func(v string) error {
		*into = v
		return nil
	})
}

// faultProxy stands between the provider and the emulator and loses the
// answers to chosen requests after the emulator has acted on them, or fails
// them outright, so each recovery path runs deterministically.
type faultProxy struct {
	*httptest.Server
	mu    sync.Mutex
	rules []*faultRule
	lost  []string // bodies of the answers dropped
}

type faultRule struct {
	method, pathSuffix string
	times              int  // how many more matching requests to hit; -1 for all
	fail               bool // answer 500 without forwarding, instead of dropping the answer
}

func newFaultProxy(t *testing.T, srv *emulator.Server) *faultProxy {
	t.Helper()
	target, _ := url.Parse(srv.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &faultProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule := p.match(r)
		switch {
		case rule == nil:
			rp.ServeHTTP(w, r)
		case rule.fail:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"status_code":500,"request_id":"request-id-test-proxy","error_type":"internal_server_error","error_message":"injected"}`))
		default:
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			p.mu.Lock()
			p.lost = append(p.lost, rec.Body.String())
			p.mu.Unlock()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *faultProxy) set(rules ...*faultRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

func (p *faultProxy) match(r *http.Request) *faultRule {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rule := range p.rules {
		if rule.times != 0 && r.Method == rule.method && strings.HasSuffix(r.URL.Path, rule.pathSuffix) {
			if rule.times > 0 {
				rule.times--
			}
			return rule
		}
	}
	return nil
}

func (p *faultProxy) lostAnswers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lost)
}

// proxiedProvider points the provider's Stytch calls at the fault proxy.
func proxiedProvider(srv *emulator.Server, p *faultProxy) string {
	info := srv.Info()
	return fmt.Sprintf(`
provider "machineauth" {
  max_retry_wait = "20ms"
  stytch {
    base_url   = %q
    project_id = %q
    secret     = %q
  }
}
`, p.URL, info.StytchProjectID, info.StytchSecret)
}

// adminClient is an API client with the Clerk instance key alone, for
// tests to make and revoke API keys directly.
func adminClient(t *testing.T, srv *emulator.Server) *client.Client {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{ClerkAPIURL: info.ClerkAPIURL, ClerkSecretKey: info.ClerkSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// verificationClient is an API client with every emulator credential, for
// tests to mint and revoke tokens directly.
func verificationClient(t *testing.T, srv *emulator.Server, edit ...func(*client.Config)) *client.Client {
	t.Helper()
	info := srv.Info()
	cfg := client.Config{
		ClerkAPIURL:     info.ClerkAPIURL,
		ClerkSecretKey:  info.ClerkSecretKey,
		StytchBaseURL:   info.StytchBaseURL,
		StytchProjectID: info.StytchProjectID,
		StytchSecret:    info.StytchSecret,
		MaxRetryWait:    50 * time.Millisecond,
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// issueOutside issues an opaque token with a machine key, as a service
// holding that key would, outside Terraform.
func issueOutside(t *testing.T, srv *emulator.Server, machineKey string) string {
	t.Helper()
	c, err := client.New(client.Config{ClerkAPIURL: srv.Info().ClerkAPIURL})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateM2MToken(context.Background(), machineKey, client.CreateM2MTokenRequest{TokenFormat: tokenFormatOpaque})
	if err != nil {
		t.Fatalf("issuing a token outside Terraform: %v", err)
	}
	return tok.ID
}
