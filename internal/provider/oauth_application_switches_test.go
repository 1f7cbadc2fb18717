package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The provider behaviour that depends on the emulator's three OAuth
// switches (internal/emulator/assumptions.go), under each of their
// answers: what the provider does when Clerk answers the other way.

// oauthProviderData is the provider's shared objects against srv, with the
// instance key.
func oauthProviderData(t *testing.T, srv *emulator.Server) *providerData {
	t.Helper()
	info := srv.Info()
	return newProviderData(oauthTestClient(t, srv, nil), clerkKeys{instance: info.ClerkSecretKey})
}

// revokedGrant makes an application, a grant of it for the fixture user,
// and revokes the grant; it returns the application's id and the grant's
// access token.
func revokedGrant(t *testing.T, srv *emulator.Server) (appID, access string) {
	t.Helper()
	c := oauthTestClient(t, srv, nil)
	a, err := c.CreateOAuthApplication(t.Context(), client.CreateOAuthApplicationRequest{Name: "tf-acc-switch", RedirectURIs: []string{oauthAppRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	access, _ = oauthGrant(t, srv, a.ClientID, a.ClientSecret)
	if err := c.RevokeOAuthToken(t.Context(), a.ID, access); err != nil {
		t.Fatal(err)
	}
	return a.ID, access
}

// revoked_oauth_token_revoke: the action revoking a grant already revoked
// reports it revoked (204), warns that nothing was left to revoke (404), or
// fails with Clerk's refusal (400).
func TestRevokeOAuthTokenAction_revokedAgain(t *testing.T) {
	t.Parallel()
	for choice, want := range map[string]struct {
		severity diag.Severity // 0: no diagnostic
		text     string
	}{
		"204": {},
		"404": {diag.SeverityWarning, "No grant to revoke"},
		"400": {diag.SeverityError, "400 bad_request"},
	} {
		t.Run(choice, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Options{Assume: map[string]string{"revoked_oauth_token_revoke": choice}})
			appID, access := revokedGrant(t, srv)
			resp := &action.InvokeResponse{}
			revokeOAuthToken(t.Context(), oauthProviderData(t, srv), revokeOAuthTokenModel{
				OAuthApplicationID: types.StringValue(appID), Token: types.StringValue(access),
			}, invocation{resp: resp})
			switch {
			case want.severity == 0 && len(resp.Diagnostics) != 0:
				t.Errorf("diagnostics %v, want none", resp.Diagnostics)
			case want.severity != 0 && (len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity() != want.severity ||
				!strings.Contains(resp.Diagnostics[0].Summary()+resp.Diagnostics[0].Detail(), want.text)):
				t.Errorf("diagnostics %v, want one of severity %v holding %q", resp.Diagnostics, want.severity, want.text)
			}
		})
	}
}

// oauth_verify_refusal: a revoked opaque token is valid = false, reason
// invalid (404) or revoked (200 with its flag); a 400 is Clerk refusing the
// request, which the provider reports as an error.
func TestVerifyOAuthToken_revokedUnderEachAnswer(t *testing.T) {
	t.Parallel()
	for choice, want := range map[string]struct {
		reason string
		fails  bool
	}{
		"404":         {reason: reasonInvalid},
		"flagged_200": {reason: reasonRevoked},
		"400":         {fails: true},
	} {
		t.Run(choice, func(t *testing.T) {
			t.Parallel()
			srv := startEmulator(t, emulator.Options{Assume: map[string]string{"oauth_verify_refusal": choice}})
			_, access := revokedGrant(t, srv)
			var diags diag.Diagnostics
			m := tokenVerificationModel{Token: types.StringValue(access), ClientID: types.StringNull(), RequiredScopes: types.SetNull(types.StringType)}
			oauthProviderData(t, srv).verifier.verifyInto(t.Context(), &m, &diags)
			switch {
			case want.fails && !diags.HasError():
				t.Errorf("no error; result valid=%v reason=%q", m.Valid, m.Reason.ValueString())
			case !want.fails && (diags.HasError() || m.Valid.ValueBool() || m.Reason.ValueString() != want.reason || m.TokenType.ValueString() != tokenTypeOAuth):
				t.Errorf("valid=%v reason=%q type=%q diags %v, want invalid for %q", m.Valid, m.Reason.ValueString(), m.TokenType.ValueString(), diags, want.reason)
			}
		})
	}
}

// oauth_public_change=refused: making a public client confidential fails
// the apply with Clerk's refusal, and the application stays as it was.
func TestAccOAuthApplication_publicChangeRefused(t *testing.T) {
	srv := startEmulator(t, emulator.Options{Assume: map[string]string{"oauth_public_change": "refused"}})
	var id string
	config := func(public bool) string {
		return oauthAppConfig(srv, "tf-acc-spa", fmt.Sprintf("  %s\n  public = %t", oauthAppRedirects, public), "")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkOAuthApplicationsDeleted(srv),
		Steps: []resource.TestStep{
			{Config: config(true), Check: captureID(oauthAppAddr, &id)},
			{Config: config(false), ExpectError: diagMatching("Unable to update OAuth application", "public cannot be changed")},
			{
				Config: config(true),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "id", &id),
					resource.TestCheckNoResourceAttr(oauthAppAddr, "client_secret"),
				),
			},
		},
	})
}
