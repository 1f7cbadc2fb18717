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
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// A refused listing (401: a wrong key; 403: a key that may not see the
// machine or member) says nothing about whether a credential exists, so a
// refresh must fail with an error naming the credential and carrying the
// refusing answer's id, never remove it from state: removing it would make
// the next apply issue a new one and leave the old one live.

// refusalProxy stands between the provider and the emulator. It passes
// every request through and keeps the id (Clerk's trace id, Stytch's
// request_id) of each 401 and 403 answer, so a test can check that an
// error carries the very answer that refused it. With refuseListings set
// it answers Stytch's connected-app listings itself with a 403, which the
// emulator never sends for them.
type refusalProxy struct {
	*httptest.Server
	refuseListings atomic.Bool
	seq            atomic.Int64

	mu      sync.Mutex
	refused []string
}

func newRefusalProxy(t *testing.T, srv *emulator.Server) *refusalProxy {
	t.Helper()
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &refusalProxy{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			p.keep(resp.Header.Get("Clerk-Trace-Id") + resp.Header.Get("X-Request-Id"))
		}
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.refuseListings.Load() && r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/connected_apps") {
			id := fmt.Sprintf("request-id-test-refused-%d", p.seq.Add(1))
			p.keep(id)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Request-Id", id)
			w.WriteHeader(http.StatusForbidden)
			_, _ = fmt.Fprintf(w, `{"status_code":403,"request_id":%q,"error_type":"forbidden","error_message":"Refused by a network policy.","error_url":"https://stytch.com/docs/api/errors/403"}`, id)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *refusalProxy) keep(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused = append(p.refused, id)
}

func (p *refusalProxy) refusedIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refused)
}

// provider is providerConfig(srv) with both APIs reached through p, each
// attribute in set given that value, and each in drop left out.
func (p *refusalProxy) provider(srv *emulator.Server, set map[string]string, drop ...string) string {
	urls := map[string]string{"api_url": p.URL + "/clerk/v1", "base_url": p.URL}
	return editProviderConfig(providerConfig(srv), func(attr string) (string, bool) {
		if slices.Contains(drop, attr) {
			return "", false
		}
		v, ok := set[attr]
		if !ok {
			v, ok = urls[attr]
		}
		if ok {
			return fmt.Sprintf("%s = %q", attr, v), true
		}
		return "", true
	})
}

// wrongKey is key with its last character changed: still well formed, so
// only the API can refuse it.
func wrongKey(key string) string {
	last := key[len(key)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return key[:len(key)-1] + string(repl)
}

// errorRecorder wraps the provider server to keep the error diagnostics of
// refreshes and listings: ExpectError is one regular expression fixed
// before the run, and which token an error names, with which answer's id,
// is only known during it.
type errorRecorder struct {
	tfprotov6.ProviderServer
	mu     sync.Mutex
	errors []string
}

func errorRecordingFactories(rec *errorRecorder) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": func() (tfprotov6.ProviderServer, error) {
			s, err := testAccProtoV6ProviderFactories["machineauth"]()
			rec.mu.Lock()
			rec.ProviderServer = s
			rec.mu.Unlock()
			return rec, err
		},
	}
}

func (e *errorRecorder) keep(diags []*tfprotov6.Diagnostic) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			e.errors = append(e.errors, d.Summary+": "+d.Detail)
		}
	}
}

func (e *errorRecorder) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := e.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		e.keep(resp.Diagnostics)
	}
	return resp, err
}

// The list resource calls are not yet part of tfprotov6.ProviderServer:
// passed on by hand, or the wrapped server would seem to have none.
var _ tfprotov6.ListResourceServer = (*errorRecorder)(nil)

func (e *errorRecorder) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return e.ProviderServer.(tfprotov6.ListResourceServer).ValidateListResourceConfig(ctx, req)
}

func (e *errorRecorder) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	stream, err := e.ProviderServer.(tfprotov6.ListResourceServer).ListResource(ctx, req)
	if stream != nil && stream.Results != nil {
		results := stream.Results
		stream.Results = func(yield func(tfprotov6.ListResourceResult) bool) {
			for r := range results {
				e.keep(r.Diagnostics)
				if !yield(r) {
					return
				}
			}
		}
	}
	return stream, err
}

// expectRefusal fails t unless, for every one of names, an error starts
// with summary+name, holds each of parts, and carries the id of one of
// the answers p saw refused.
func (e *errorRecorder) expectRefusal(t *testing.T, p *refusalProxy, summary string, names []string, parts ...string) {
	t.Helper()
	ids := p.refusedIDs()
	if len(ids) == 0 {
		t.Error("no request was refused")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, name := range names {
		found := slices.ContainsFunc(e.errors, func(msg string) bool {
			if !strings.HasPrefix(msg, summary+name+":") {
				return false
			}
			for _, part := range parts {
				if !strings.Contains(msg, part) {
					return false
				}
			}
			return slices.ContainsFunc(ids, func(id string) bool { return strings.Contains(msg, id) })
		})
		if !found {
			t.Errorf("no error %q naming %s, holding %q and one of the refused answers' ids %q; errors:\n%s",
				summary, name, parts, ids, strings.Join(e.errors, "\n"))
		}
	}
}

// verifyOutside asks the emulator whether a token's secret still verifies.
func verifyOutside(srv *emulator.Server, secret string) error {
	info := srv.Info()
	c, err := client.New(client.Config{ClerkAPIURL: info.ClerkAPIURL, ClerkSecretKey: info.ClerkSecretKey})
	if err != nil {
		return err
	}
	_, err = c.VerifyM2MToken(context.Background(), info.ClerkSecretKey, secret)
	return err
}

// captureAttrs copies attr of each of addrs into dst after a step.
func captureAttrs(attr string, dst []string, addrs ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for i, addr := range addrs {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s not in state", addr)
			}
			dst[i] = rs.Primary.Attributes[attr]
		}
		return nil
	}
}

// clerkTraceIDInError is how a Clerk refusal reaches the user.
const clerkTraceIDInError = `clerk_trace_id:\s+trace_[0-9a-f]{32}`

// refusal is one way for Clerk to refuse a listing: the provider block
// that issued the tokens, then the one that is refused, and what the error
// must say.
type refusal struct {
	name          string
	good, refused func(srv *emulator.Server, p *refusalProxy, otherMachineKey string) string
	status        string
}

var clerkRefusals = []refusal{
	{
		name: "401 wrong instance key",
		good: func(srv *emulator.Server, p *refusalProxy, _ string) string { return p.provider(srv, nil) },
		refused: func(srv *emulator.Server, p *refusalProxy, _ string) string {
			return p.provider(srv, map[string]string{"secret_key": wrongKey(srv.Info().ClerkSecretKey)})
		},
		status: "401 clerk_key_invalid",
	},
	{
		name: "401 wrong machine key",
		good: func(srv *emulator.Server, p *refusalProxy, _ string) string {
			return p.provider(srv, nil, "secret_key")
		},
		refused: func(srv *emulator.Server, p *refusalProxy, _ string) string {
			return p.provider(srv, map[string]string{"machine_secret_key": wrongKey(srv.Info().Fixture.ClerkMachineSecretKey)}, "secret_key")
		},
		status: "401 machine_secret_key_invalid",
	},
	{
		name: "403 another machine's key",
		good: func(srv *emulator.Server, p *refusalProxy, _ string) string {
			return p.provider(srv, nil, "secret_key")
		},
		refused: func(srv *emulator.Server, p *refusalProxy, other string) string {
			return p.provider(srv, map[string]string{"machine_secret_key": other}, "secret_key")
		},
		status: "403 authorization_invalid",
	},
}

// TestAccM2MToken_refusedRefresh issues two tokens of one machine, then
// refreshes them with a key Clerk refuses: the refresh fails naming each
// token, with the refusing answer's trace id; back on the good key the plan
// is empty, the ids are the same, and the emulator still holds both tokens
// live. For opaque tokens (read from the listing) and JWT-format ones
// (whose machine's listing is read to see that the machine still exists).
func TestAccM2MToken_refusedRefresh(t *testing.T) {
	for _, rf := range clerkRefusals {
		for _, format := range []string{tokenFormatOpaque, tokenFormatJWT} {
			t.Run(rf.name+"/"+format, func(t *testing.T) {
				srv := startEmulator(t, emulator.Options{})
				_, otherKey, err := srv.CreateMachine("other-service", nil, 0)
				if err != nil {
					t.Fatal(err)
				}
				p := newRefusalProxy(t, srv)
				rec := &errorRecorder{}
				tokens := fmt.Sprintf(`
resource "machineauth_m2m_token" "a" {
  token_format             = %[1]q
  seconds_until_expiration = 3600
}

resource "machineauth_m2m_token" "b" {
  token_format             = %[1]q
  seconds_until_expiration = 3600
}
`, format)
				addrs := []string{"machineauth_m2m_token.a", "machineauth_m2m_token.b"}
				ids, secrets := make([]string, 2), make([]string, 2)
				good := rf.good(srv, p, otherKey) + tokens

				checkDestroy := checkRevokedWithReason(srv, defaultRevocationReason)
				if format == tokenFormatJWT {
					checkDestroy = nil
				}
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: errorRecordingFactories(rec),
					CheckDestroy:             checkDestroy,
					Steps: []resource.TestStep{
						{
							Config: good,
							Check: resource.ComposeTestCheckFunc(
								captureAttrs("id", ids, addrs...),
								captureAttrs("token", secrets, addrs...),
							),
						},
						{
							Config:      rf.refused(srv, p, otherKey) + tokens,
							ExpectError: regexp.MustCompile(`Unable to read M2M token mt_[0-9a-f]{32}[\s\S]*` + diagMatching(rf.status).String() + `[\s\S]*` + clerkTraceIDInError),
						},
						{
							PreConfig: func() {
								rec.expectRefusal(t, p, "Unable to read M2M token ", ids, rf.status, "clerk_trace_id: ")
							},
							Config: good,
							ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
								plancheck.ExpectEmptyPlan(),
							}},
							Check: func(s *terraform.State) error {
								now := make([]string, 2)
								if err := captureAttrs("id", now, addrs...)(s); err != nil {
									return err
								}
								if !slices.Equal(now, ids) {
									return fmt.Errorf("token ids %v after the refused refresh, want %v", now, ids)
								}
								for i := range ids {
									if format == tokenFormatOpaque {
										if err := expectToken(srv, &ids[i], nil)(s); err != nil {
											return err
										}
									} else if err := verifyOutside(srv, secrets[i]); err != nil {
										return fmt.Errorf("JWT %s no longer verifies: %w", ids[i], err)
									}
								}
								return nil
							},
						},
					},
				})
			})
		}
	}
}

// TestAccConnectedAppAuthorization_refusedRefresh refreshes an
// authorization with a project secret Stytch refuses (401), and with its
// listing refused outright (403): the refresh fails naming the
// authorization, with the refusing answer's request_id; back on the good
// secret the plan is empty, and the emulator still holds the authorization
// active, its access token with it.
func TestAccConnectedAppAuthorization_refusedRefresh(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status string
		// refused is the provider block of the refused refresh; set
		// sets the proxy's refusal for it.
		refused func(srv *emulator.Server, p *refusalProxy) string
		set     bool
	}{
		{
			name:   "401 wrong project secret",
			status: "401 unauthorized_credentials",
			refused: func(srv *emulator.Server, p *refusalProxy) string {
				return p.provider(srv, map[string]string{"secret": wrongKey(srv.Info().StytchSecret)})
			},
		},
		{
			name:    "403 refused listing",
			status:  "403 forbidden",
			refused: func(srv *emulator.Server, p *refusalProxy) string { return p.provider(srv, nil) },
			set:     true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			fx := srv.Info().Fixture
			p := newRefusalProxy(t, srv)
			rec := &errorRecorder{}
			auth := fixtureAuthorization(srv).hcl()
			good := p.provider(srv, nil) + auth
			id := fx.StytchOrganizationID + "/" + fx.StytchMemberID + "/" + fx.StytchConnectedAppID
			var accessToken string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: errorRecordingFactories(rec),
				CheckDestroy:             checkNothingActive(srv),
				Steps: []resource.TestStep{
					{Config: good, Check: captureAttr(authAddr, "access_token", &accessToken)},
					{
						PreConfig:   func() { p.refuseListings.Store(tc.set) },
						Config:      tc.refused(srv, p) + auth,
						ExpectError: regexp.MustCompile(diagMatching("Unable to read connected app authorization "+id, tc.status).String() + `[\s\S]*request_id:\s+request-id-test-`),
					},
					{
						PreConfig: func() {
							p.refuseListings.Store(false)
							rec.expectRefusal(t, p, "Unable to read connected app authorization ", []string{id}, tc.status, "request_id: ")
						},
						Config: good,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttr(authAddr, "id", id),
							resource.TestCheckResourceAttrPtr(authAddr, "access_token", &accessToken),
							func(*terraform.State) error {
								if a, ok := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !ok || !a.Active {
									return fmt.Errorf("authorization after the refused refresh = %+v, %v; want it active", a, ok)
								}
								if !introspect(t, srv, accessToken) {
									return fmt.Errorf("the access token no longer introspects active")
								}
								return nil
							},
						),
					},
				},
			})
		})
	}
}

// aliased is a provider block under the alias "refused", for a list block
// in a query file: the query runs against the configuration of the step
// before it, whose provider block stays the good one.
func aliased(provider string) string {
	return strings.Replace(provider, `provider "machineauth" {`, "provider \"machineauth\" {\n  alias = \"refused\"", 1)
}

// TestAccM2MTokenList_refusedListing lists a machine's tokens with a key
// Clerk refuses: the query fails naming the machine, with the refusing
// answer's trace id, never "machine not found"; with the good key the
// same query lists both tokens, which the next plan leaves alone.
func TestAccM2MTokenList_refusedListing(t *testing.T) {
	for _, rf := range clerkRefusals {
		t.Run(rf.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			fx := srv.Info().Fixture
			_, otherKey, err := srv.CreateMachine("other-service", nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			p := newRefusalProxy(t, srv)
			rec := &errorRecorder{}
			tokens := `
resource "machineauth_m2m_token" "t" {
  count = 2
}
`
			addrs := []string{"machineauth_m2m_token.t.0", "machineauth_m2m_token.t.1"}
			ids := make([]string, 2)
			good := rf.good(srv, p, otherKey) + tokens
			list := func(provider string) string {
				return fmt.Sprintf(`
list "machineauth_m2m_token" "service" {
  provider = %s
  config {
    machine_id = %q
  }
}
`, provider, fx.ClerkMachineID)
			}
			identity := func(id *string) map[string]knownvalue.Check {
				return map[string]knownvalue.Check{
					"machine_id": knownvalue.StringExact(fx.ClerkMachineID),
					"token_id":   knownvalue.StringFunc(func(v string) error { return equal(v, *id) }),
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   listVersions,
				ProtoV6ProviderFactories: errorRecordingFactories(rec),
				CheckDestroy:             checkRevokedWithReason(srv, defaultRevocationReason),
				Steps: []resource.TestStep{
					{Config: good, Check: captureAttrs("id", ids, addrs...)},
					{
						Query:  true,
						Config: aliased(rf.refused(srv, p, otherKey)) + list("machineauth.refused"),
						ExpectError: regexp.MustCompile(diagMatching("Unable to list the tokens of machine "+fx.ClerkMachineID, rf.status).String() +
							`[\s\S]*` + clerkTraceIDInError),
					},
					{
						PreConfig: func() {
							rec.expectRefusal(t, p, "Unable to list the tokens of machine ", []string{fx.ClerkMachineID}, rf.status, "clerk_trace_id: ")
						},
						Query:  true,
						Config: list("machineauth"),
						QueryResultChecks: []querycheck.QueryResultCheck{
							querycheck.ExpectLength("machineauth_m2m_token.service", 2),
							querycheck.ExpectIdentity("machineauth_m2m_token.service", identity(&ids[0])),
							querycheck.ExpectIdentity("machineauth_m2m_token.service", identity(&ids[1])),
						},
					},
					{
						Config: good,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						Check: resource.ComposeTestCheckFunc(
							expectToken(srv, &ids[0], nil),
							expectToken(srv, &ids[1], nil),
						),
					},
				},
			})
		})
	}
}

// TestAccConnectedAppAuthorizationList_refusedListing is the same for a
// member's authorizations: a wrong project secret (401) and a refused
// listing (403) fail the query naming the member, with the request_id.
func TestAccConnectedAppAuthorizationList_refusedListing(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		secret       func(*emulator.Server) string
		refuse       bool
	}{
		{name: "401 wrong project secret", status: "401 unauthorized_credentials", secret: func(srv *emulator.Server) string { return wrongKey(srv.Info().StytchSecret) }},
		{name: "403 refused listing", status: "403 forbidden", secret: func(srv *emulator.Server) string { return srv.Info().StytchSecret }, refuse: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			fx := srv.Info().Fixture
			p := newRefusalProxy(t, srv)
			rec := &errorRecorder{}
			good := p.provider(srv, nil) + fixtureAuthorization(srv).hcl()
			member := fx.StytchOrganizationID + "/" + fx.StytchMemberID
			list := func(provider string) string {
				return fmt.Sprintf(`
list "machineauth_connected_app_authorization" "member" {
  provider = %s
  config {
    organization_id = %q
    member_id       = %q
  }
}
`, provider, fx.StytchOrganizationID, fx.StytchMemberID)
			}
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   listVersions,
				ProtoV6ProviderFactories: errorRecordingFactories(rec),
				CheckDestroy:             checkNothingActive(srv),
				Steps: []resource.TestStep{
					{Config: good},
					{
						PreConfig:   func() { p.refuseListings.Store(tc.refuse) },
						Query:       true,
						Config:      aliased(p.provider(srv, map[string]string{"secret": tc.secret(srv)})) + list("machineauth.refused"),
						ExpectError: regexp.MustCompile(diagMatching("Unable to list the connected apps of "+member, tc.status).String() + `[\s\S]*request_id:\s+request-id-test-`),
					},
					{
						PreConfig: func() {
							p.refuseListings.Store(false)
							rec.expectRefusal(t, p, "Unable to list the connected apps of ", []string{member}, tc.status, "request_id: ")
						},
						Query:  true,
						Config: list("machineauth"),
						QueryResultChecks: []querycheck.QueryResultCheck{
							querycheck.ExpectLength("machineauth_connected_app_authorization.member", 1),
						},
					},
					{
						Config: good,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectEmptyPlan(),
						}},
						Check: func(*terraform.State) error {
							if a, ok := srv.Authorization(fx.StytchOrganizationID, fx.StytchMemberID, fx.StytchConnectedAppID); !ok || !a.Active {
								return fmt.Errorf("authorization after the refused listing = %+v, %v; want it active", a, ok)
							}
							return nil
						},
					},
				},
			})
		})
	}
}
