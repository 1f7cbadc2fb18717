package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// Clerk OAuth access tokens among Clerk's other tokens: a JWT access token
// is told from an M2M JWT signed by the same key by its typ, either way; an
// unknown or revoked opaque token, or an expired JWT, is valid = false
// with a reason, never an error; the ephemeral verification names the
// application and the user too.
func TestAccOAuthApplication_tokenKinds(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	dir := t.TempDir()
	var clientID, secret string
	verify := func(name, token, extra string) string {
		return fmt.Sprintf("data \"machineauth_token_verification\" %q {\n  token = %s\n%s\n}\n", name, token, extra)
	}
	config := oauthAppConfig(srv, "tf-acc-kinds", "  "+oauthAppRedirects, "") +
		verify("oauth_as_m2m", tokenHCL(dir, "jwt"), `  type = "m2m_token"`) +
		verify("m2m_as_oauth", tokenHCL(dir, "m2m"), `  type = "oauth_access_token"`) +
		verify("m2m", tokenHCL(dir, "m2m"), "") +
		verify("jwt", tokenHCL(dir, "jwt"), "") +
		verify("revoked", tokenHCL(dir, "revoked"), "") +
		verify("unknown", `"oat_00000000000000000000000000000000"`, "") + `
ephemeral "machineauth_token_verification" "e" {
  token = ` + tokenHCL(dir, "jwt") + `
}
provider "echo" {
  data = {
    valid      = ephemeral.machineauth_token_verification.e.valid
    token_type = ephemeral.machineauth_token_verification.e.token_type
    client_id  = ephemeral.machineauth_token_verification.e.client_id
    subject    = ephemeral.machineauth_token_verification.e.subject
  }
}
resource "echo" "verification" {}
`
	first := oauthAppConfig(srv, "tf-acc-kinds", "  "+oauthAppRedirects, "")
	result := func(name, attr string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.machineauth_token_verification."+name, tfjsonpath.New(attr), want)
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": testAccProtoV6ProviderFactories["machineauth"],
		"echo":        echoprovider.NewProviderServer(),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkOAuthApplicationsDeleted(srv),
		Steps: []resource.TestStep{
			{Config: first, Check: resource.ComposeTestCheckFunc(captureAttr(oauthAppAddr, "client_id", &clientID), captureAttr(oauthAppAddr, "client_secret", &secret))},
			{
				PreConfig: func() {
					c := verificationClient(t, srv)
					revoked, _ := oauthGrant(t, srv, clientID, secret)
					id := stateAppID(t, srv, clientID)
					if err := c.RevokeOAuthToken(t.Context(), id, revoked); err != nil {
						t.Fatal(err)
					}
					setOAuthJWTAccessTokens(t, srv, true)
					jwt, _ := oauthGrant(t, srv, clientID, secret)
					m2m, err := c.CreateM2MToken(t.Context(), fx.ClerkMachineSecretKey, client.CreateM2MTokenRequest{TokenFormat: tokenFormatJWT})
					if err != nil {
						t.Fatal(err)
					}
					writeToken(t, dir, "jwt", jwt)
					writeToken(t, dir, "m2m", m2m.Token)
					writeToken(t, dir, "revoked", revoked)
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					result("oauth_as_m2m", "valid", knownvalue.Bool(false)),
					result("oauth_as_m2m", "reason", knownvalue.StringExact(reasonMalformed)),
					result("m2m_as_oauth", "valid", knownvalue.Bool(false)),
					result("m2m_as_oauth", "reason", knownvalue.StringExact(reasonMalformed)),
					result("m2m", "valid", knownvalue.Bool(true)),
					result("m2m", "token_type", knownvalue.StringExact(tokenTypeM2M)),
					result("m2m", "client_id", knownvalue.Null()),
					result("jwt", "valid", knownvalue.Bool(true)),
					result("jwt", "token_type", knownvalue.StringExact(tokenTypeOAuth)),
					result("revoked", "valid", knownvalue.Bool(false)),
					result("revoked", "reason", knownvalue.StringExact(reasonInvalid)),
					result("revoked", "token_type", knownvalue.StringExact(tokenTypeOAuth)),
					result("unknown", "valid", knownvalue.Bool(false)),
					result("unknown", "reason", knownvalue.StringExact(reasonInvalid)),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("valid"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("token_type"), knownvalue.StringExact(tokenTypeOAuth)),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("client_id"), knownvalue.StringFunc(func(v string) error { return equal(v, clientID) })),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("subject"), knownvalue.StringExact(fx.ClerkUserID)),
				},
			},
			{
				// A day later, by Clerk's clock, the JWT has expired.
				PreConfig: func() { srv.Advance(25 * time.Hour) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					result("jwt", "valid", knownvalue.Bool(false)),
					result("jwt", "reason", knownvalue.StringExact(reasonExpired)),
				},
			},
		},
	})
}

// stateAppID is the id of the emulator's application with clientID.
func stateAppID(t *testing.T, srv *emulator.Server, clientID string) string {
	t.Helper()
	for _, a := range srv.OAuthApplications() {
		if a.ClientID == clientID {
			return a.ID
		}
	}
	t.Fatalf("no application has client_id %s", clientID)
	return ""
}
