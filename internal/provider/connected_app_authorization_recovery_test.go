package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// scriptedProxy stands between the provider and the emulator and does, to
// each request a rule matches, what the rule says: lose the answer after
// the emulator acted, answer in the emulator's stead, or rewrite the
// answer. Unmatched requests pass through.
type scriptedProxy struct {
	*httptest.Server
	mu    sync.Mutex
	rules []*scriptRule
	lost  []string // bodies of the answers lost
}

type scriptRule struct {
	method, pathSuffix string
	times              int // how many more matching requests to act on; -1 for all
	act                func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder)
}

func newScriptedProxy(t *testing.T, srv *emulator.Server, rules ...*scriptRule) *scriptedProxy {
	t.Helper()
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &scriptedProxy{rules: rules}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule := p.match(r)
		if rule == nil {
			rp.ServeHTTP(w, r)
			return
		}
		rule.act(w, func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			return rec
		})
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *scriptedProxy) match(r *http.Request) *scriptRule {
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

// loseAnswer lets the emulator act, then drops the connection.
func (p *scriptedProxy) loseAnswer(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
	rec := answer()
	p.mu.Lock()
	p.lost = append(p.lost, rec.Body.String())
	p.mu.Unlock()
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		_ = conn.Close()
	}
}

func (p *scriptedProxy) lostAnswers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lost)
}

// stytchAnswer answers in the emulator's stead, in Stytch's error shape.
func stytchAnswer(status int, errorType string) func(http.ResponseWriter, func() *httptest.ResponseRecorder) {
	return func(w http.ResponseWriter, _ func() *httptest.ResponseRecorder) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"status_code":%d,"request_id":"request-id-test-scripted","error_type":%q,"error_message":"scripted"}`, status, errorType)
	}
}

// rewriteAnswer passes the emulator's answer on with edit applied to its body.
func rewriteAnswer(edit func([]byte) []byte) func(http.ResponseWriter, func() *httptest.ResponseRecorder) {
	return func(w http.ResponseWriter, answer func() *httptest.ResponseRecorder) {
		rec := answer()
		body := edit(rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}
}

// proxiedAuthorization is the configuration of auth with the provider's
// Stytch calls going through p.
func proxiedAuthorization(srv *emulator.Server, p *scriptedProxy, auth authorization) string {
	return editProviderConfig(providerConfig(srv), func(attr string) (string, bool) {
		if attr == "base_url" {
			return fmt.Sprintf("base_url = %q", p.URL), true
		}
		return "", true
	}) + auth.hcl()
}

// expectLostTokensEnded fails unless p lost at least want token answers
// and no token in them still introspects active.
func expectLostTokensEnded(t *testing.T, srv *emulator.Server, p *scriptedProxy, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		lost := p.lostAnswers()
		if len(lost) < want {
			return fmt.Errorf("%d answers lost, want %d", len(lost), want)
		}
		for _, body := range lost {
			var tok client.TokenResponse
			if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.AccessToken == "" {
				return fmt.Errorf("a lost answer held no token: %q", body)
			}
			if introspect(t, srv, tok.AccessToken) || introspect(t, srv, tok.RefreshToken) {
				return fmt.Errorf("tokens from a lost exchange answer are still active")
			}
		}
		return nil
	}
}

// Whatever makes a create fail after consent was recorded, that consent is
// revoked before the error is returned: no authorization is left active
// that Terraform does not track. CheckDestroy asks the emulator.
func TestAccConnectedAppAuthorization_failedCreateLeavesNothingActive(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules func(p *scriptedProxy) []*scriptRule
		edit  func(authorization) authorization
		want  []string
		check func(t *testing.T, srv *emulator.Server, p *scriptedProxy) resource.TestCheckFunc
	}{
		{
			// The lost answer recorded consent; the authorize sent after it
			// is refused outright.
			name: "authorize answer lost, then refused",
			rules: func(p *scriptedProxy) []*scriptRule {
				return []*scriptRule{
					{method: "POST", pathSuffix: "/idp/oauth/authorize", times: 1, act: p.loseAnswer},
					{method: "POST", pathSuffix: "/idp/oauth/authorize", times: 1, act: stytchAnswer(http.StatusBadRequest, "bad_request")},
				}
			},
			want: []string{"400 bad_request", "consent this apply recorded has been revoked"},
		},
		{
			name: "every exchange answer lost",
			rules: func(p *scriptedProxy) []*scriptRule {
				return []*scriptRule{{method: "POST", pathSuffix: "/oauth2/token", times: -1, act: p.loseAnswer}}
			},
			want: []string{"outcome unknown", "consent this apply recorded has been revoked"},
			check: func(t *testing.T, srv *emulator.Server, p *scriptedProxy) resource.TestCheckFunc {
				return expectLostTokensEnded(t, srv, p, grantRounds)
			},
		},
		{
			// An answer carrying another request's state: its code is not
			// used, and the consent is revoked.
			name: "authorize answered with another state",
			rules: func(*scriptedProxy) []*scriptRule {
				return []*scriptRule{{method: "POST", pathSuffix: "/idp/oauth/authorize", times: 1, act: rewriteAnswer(func(b []byte) []byte {
					return bytes.Replace(b, []byte("state="), []byte("state=other"), 1)
				})}}
			},
			want: []string{"state on the redirect_uri Stytch answered with is not the one sent", "consent this apply recorded has been revoked"},
		},
		{
			// Consent only: the granted scopes come from a listing, which
			// fails past its retries (the one before the create, which
			// says whether the app was authorized already, passes).
			name: "consent only, listing fails",
			rules: func(*scriptedProxy) []*scriptRule {
				return []*scriptRule{
					{method: "GET", pathSuffix: "/connected_apps", times: 1, act: rewriteAnswer(func(b []byte) []byte { return b })},
					{method: "GET", pathSuffix: "/connected_apps", times: -1, act: stytchAnswer(http.StatusInternalServerError, "internal_server_error")},
				}
			},
			edit: func(a authorization) authorization { return a.with("exchange_tokens = false") },
			want: []string{"500 internal_server_error", "consent this apply recorded has been revoked"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			p := newScriptedProxy(t, srv)
			p.rules = tc.rules(p)
			auth := fixtureAuthorization(srv)
			if tc.edit != nil {
				auth = tc.edit(auth)
			}
			checks := []resource.TestCheckFunc{checkNothingActive(srv)}
			if tc.check != nil {
				checks = append(checks, tc.check(t, srv, p))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             resource.ComposeTestCheckFunc(checks...),
				Steps: []resource.TestStep{{
					Config:      proxiedAuthorization(srv, p, auth),
					ExpectError: wrappedText(tc.want...),
				}},
			})
		})
	}
}
