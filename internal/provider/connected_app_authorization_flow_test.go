package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The PKCE pair is checked by the authorization server: a code is only
// exchanged with the verifier whose challenge went with the authorize.
func TestPKCEVerifierIsChecked(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	c := stytchClient(t, srv)
	authorize := func() (code, verifier string) {
		t.Helper()
		verifier, challenge, err := newPKCE()
		if err != nil {
			t.Fatal(err)
		}
		if len(verifier) != 43 {
			t.Errorf("verifier has %d characters, want 43 (RFC 7636: 32 random octets, base64url)", len(verifier))
		}
		resp, err := c.Authorize(t.Context(), client.AuthorizeRequest{
			ConsentGranted: true, Scopes: []string{"openid"}, ClientID: fx.StytchConnectedAppID, RedirectURI: fx.StytchRedirectURI,
			OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, State: "s", CodeChallenge: challenge,
		})
		if err != nil {
			t.Fatal(err)
		}
		code, err = codeFromRedirect(resp.RedirectURI, "s")
		if err != nil {
			t.Fatal(err)
		}
		return code, verifier
	}
	exchange := func(code, verifier string) error {
		_, err := c.ExchangeAuthorizationCode(t.Context(), client.TokenRequest{
			ClientID: fx.StytchConnectedAppID, ClientSecret: fx.StytchConnectedAppClientSecret, Code: code,
			RedirectURI: fx.StytchRedirectURI, CodeVerifier: verifier,
		})
		return err
	}

	code, _ := authorize()
	_, otherVerifier, _ := newPKCE()
	if err := exchange(code, otherVerifier); client.ErrorCode(err) != "invalid_grant" {
		t.Errorf("exchange with another verifier: %v, want invalid_grant", err)
	}
	if err := exchange(authorize()); err != nil {
		t.Errorf("exchange with the matching verifier: %v", err)
	}
	err := c.RevokeMemberConnectedApp(t.Context(), client.RevokeMemberConnectedAppRequest{
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: fx.StytchConnectedAppID,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCodeFromRedirect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, uri, code, err string
	}{
		{"code and state", "https://app.example.test/cb?code=c1&state=s1", "c1", ""},
		{"query kept beside them", "https://app.example.test/cb?tenant=a&state=s1&code=c1", "c1", ""},
		{"other state", "https://app.example.test/cb?code=c1&state=s2", "", "is not the one sent"},
		{"no state", "https://app.example.test/cb?code=c1", "", "is not the one sent"},
		{"no code", "https://app.example.test/cb?state=s1", "", "carries no authorization code"},
		{"refused", "https://app.example.test/cb?error=access_denied&error_description=no&state=s1", "", "refused the authorization: access_denied: no"},
		{"not a URL", "https://app.example.test/cb?code=c1&state=s1%zz\x7f", "", "not a URL"},
	}
	for _, tt := range tests {
		code, err := codeFromRedirect(tt.uri, "s1")
		switch {
		case tt.err == "" && (err != nil || code != tt.code):
			t.Errorf("%s: code %q, %v; want %q", tt.name, code, err, tt.code)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: code %q, %v; want an error saying %q", tt.name, code, err, tt.err)
		case err != nil && strings.Contains(err.Error(), "c1"):
			t.Errorf("%s: the error quotes the code: %v", tt.name, err)
		}
	}
}

// authorizationState is the state of the fixture member's authorization of
// the fixture app as Create would leave it.
func authorizationState(t *testing.T, srv *emulator.Server, edit func(*connectedAppAuthorizationModel)) tfsdk.State {
	t.Helper()
	ctx := t.Context()
	var sr resource.SchemaResponse
	NewConnectedAppAuthorizationResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	fx := srv.Info().Fixture
	scopes, _ := types.SetValueFrom(ctx, types.StringType, []string{"openid"})
	m := connectedAppAuthorizationModel{
		ID:             types.StringValue(fx.StytchOrganizationID + "/" + fx.StytchMemberID + "/" + fx.StytchConnectedAppID),
		OrganizationID: types.StringValue(fx.StytchOrganizationID),
		MemberID:       types.StringValue(fx.StytchMemberID),
		ConnectedAppID: types.StringValue(fx.StytchConnectedAppID),
		Scopes:         scopes,
		GrantedScopes:  scopes,
		RedirectURI:    types.StringValue(fx.StytchRedirectURI),
		ExchangeTokens: types.BoolValue(true),
	}
	if edit != nil {
		edit(&m)
	}
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if diags := st.Set(ctx, &m); diags.HasError() {
		t.Fatalf("building state: %v", diags)
	}
	return st
}

func configuredAuthorizationResource(t *testing.T, srv *emulator.Server, edit func(*client.Config)) *connectedAppAuthorizationResource {
	t.Helper()
	info := srv.Info()
	cfg := client.Config{StytchBaseURL: info.StytchBaseURL, StytchProjectID: info.StytchProjectID, StytchSecret: info.StytchSecret, MaxRetries: client.NoRetries}
	if edit != nil {
		edit(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &connectedAppAuthorizationResource{data: &providerData{client: c}}
}

// Read drops an authorization that is gone with a warning saying why, so
// the next plan authorizes again; a refused listing is an error that keeps
// the state, since it says nothing about the authorization.
func TestReadRemovesOnlyAuthorizationsThatAreGone(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	tests := []struct {
		name       string
		edit       func(*connectedAppAuthorizationModel)
		badSecret  bool
		wantRemove bool
		want       string
	}{
		{name: "never authorized, or revoked outside Terraform", wantRemove: true, want: "revoked outside Terraform"},
		{name: "member deleted", edit: func(m *connectedAppAuthorizationModel) {
			m.MemberID = types.StringValue("member-test-00000000-0000-4000-8000-000000000000")
		}, wantRemove: true, want: "member_not_found"},
		{name: "credentials refused", badSecret: true, want: "401 unauthorized_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := configuredAuthorizationResource(t, srv, func(cfg *client.Config) {
				if tt.badSecret {
					cfg.StytchSecret = "secret-test-wrong"
				}
			})
			state := authorizationState(t, srv, tt.edit)
			resp := resource.ReadResponse{State: state}
			r.Read(t.Context(), resource.ReadRequest{State: state}, &resp)

			if removed := resp.State.Raw.IsNull(); removed != tt.wantRemove {
				t.Errorf("removed from state = %v, want %v", removed, tt.wantRemove)
			}
			if resp.Diagnostics.HasError() == tt.wantRemove {
				t.Errorf("diagnostics = %v; want an error only when the state is kept", resp.Diagnostics)
			}
			var text string
			for _, d := range resp.Diagnostics {
				text += d.Summary() + ": " + d.Detail() + "\n"
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("diagnostics %q do not say %q", text, tt.want)
			}
			if tt.wantRemove && !strings.Contains(text, "the next apply authorizes again") {
				t.Errorf("warning %q does not say what happens next", text)
			}
		})
	}
}

// Stytch's revoke takes no reason, so the provider's log is its record.
func TestDeleteLogsRevocationReason(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	r := configuredAuthorizationResource(t, srv, nil)
	state := authorizationState(t, srv, func(m *connectedAppAuthorizationModel) {
		m.RevocationReason = types.StringValue("contractor offboarded")
	})
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	resp := resource.DeleteResponse{State: state}
	r.Delete(ctx, resource.DeleteRequest{State: state}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("delete: %v", resp.Diagnostics)
	}
	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e["@level"] == "info" && e["revocation_reason"] == "contractor offboarded" {
			return
		}
	}
	t.Errorf("no info log entry carries the revocation reason: %v", entries)
}

// Destroy succeeds when there is nothing left to revoke, but not when Stytch
// refused the revoke: an unknown session leaves the authorization active.
func TestDeleteOfWhatIsGoneSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		active bool // the authorization is granted first
		edit   func(*connectedAppAuthorizationModel)
		want   string // the error; "" for success
	}{
		{name: "already revoked"},
		{name: "member deleted", edit: func(m *connectedAppAuthorizationModel) {
			m.MemberID = types.StringValue("member-test-00000000-0000-4000-8000-000000000000")
		}},
		{name: "app deleted", edit: func(m *connectedAppAuthorizationModel) {
			m.ConnectedAppID = types.StringValue("connected-app-test-00000000-0000-4000-8000-000000000000")
		}},
		// A dead session never counts as a revoked authorization...
		{name: "unknown session", active: true, edit: func(m *connectedAppAuthorizationModel) {
			m.SessionToken = types.StringValue("no-such-session-token")
		}, want: "the member session in session_token is invalid or has expired"},
		// ...but one already revoked is destroyed, whatever the session.
		{name: "unknown session, already revoked", edit: func(m *connectedAppAuthorizationModel) {
			m.SessionToken = types.StringValue("no-such-session-token")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Options{})
			if tt.active {
				fx := srv.Info().Fixture
				if _, err := stytchClient(t, srv).Authorize(t.Context(), client.AuthorizeRequest{
					ConsentGranted: true, Scopes: []string{"openid"}, ClientID: fx.StytchConnectedAppID, RedirectURI: fx.StytchRedirectURI,
					OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
				}); err != nil {
					t.Fatal(err)
				}
			}
			r := configuredAuthorizationResource(t, srv, nil)
			state := authorizationState(t, srv, tt.edit)
			resp := resource.DeleteResponse{State: state}
			r.Delete(t.Context(), resource.DeleteRequest{State: state}, &resp)
			switch {
			case tt.want == "" && resp.Diagnostics.HasError():
				t.Errorf("delete: %v", resp.Diagnostics)
			case tt.want != "" && (!resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), tt.want)):
				t.Errorf("diagnostics = %v, want an error saying %q", resp.Diagnostics, tt.want)
			}
		})
	}
}

// A code exchange whose answer is lost after Stytch issued the tokens: the
// flow must end up with tokens of its own, end the ones nobody received,
// and leave alone the tokens another run holds under the same member and
// app, which a revoke of the authorization would end.
func TestLostExchangeKeepsAnotherRunsTokens(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	g := grantor{organizationID: fx.StytchOrganizationID, memberID: fx.StytchMemberID}
	req := grantRequest{
		grantor: g, connectedAppID: fx.StytchConnectedAppID, redirectURI: fx.StytchRedirectURI,
		scopes: []string{"openid", "offline_access"}, clientSecret: fx.StytchConnectedAppClientSecret, exchange: true,
	}
	other, err := req.run(t.Context(), stytchClient(t, srv), &authorizationListings{})
	if err != nil {
		t.Fatalf("the other run's authorization: %v", err)
	}

	lost := &lostExchangeAnswer{next: http.DefaultTransport}
	info := srv.Info()
	c, err := client.New(client.Config{
		StytchBaseURL: info.StytchBaseURL, StytchProjectID: info.StytchProjectID, StytchSecret: info.StytchSecret,
		HTTPClient: &http.Client{Transport: lost},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := req.run(t.Context(), c, &authorizationListings{})
	if err != nil {
		t.Fatalf("authorization with a lost exchange answer: %v", err)
	}
	if lost.token == nil {
		t.Fatal("no exchange answer was lost: the test exercised nothing")
	}
	if !introspect(t, srv, res.tokens.AccessToken) {
		t.Error("the access token the flow returned is not active")
	}
	if introspect(t, srv, lost.token.AccessToken) {
		t.Error("the access token of the lost answer is still active: nobody holds it")
	}
	if !introspect(t, srv, other.tokens.AccessToken) {
		t.Error("the other run's access token was ended by this run's recovery")
	}
	if n := srv.Stats().Calls("POST", memberRevokeRoute); n != 0 {
		t.Errorf("%d authorization revokes, want none: the authorization is shared", n)
	}
}

// lostExchangeAnswer lets the first code exchange reach the server, keeps
// the tokens it issued for the test, and loses the answer.
type lostExchangeAnswer struct {
	next  http.RoundTripper
	mu    sync.Mutex
	token *client.TokenResponse
}

func (l *lostExchangeAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/oauth2/token") {
		return resp, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.token != nil {
		return resp, nil
	}
	defer resp.Body.Close()
	var tok client.TokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return nil, err
	}
	l.token = &tok
	return nil, io.ErrUnexpectedEOF
}
