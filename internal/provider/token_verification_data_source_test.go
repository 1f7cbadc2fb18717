package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// tokenVariables declares the sensitive variables tests pass tokens in, as a
// real configuration would receive them.
func tokenVariables(names ...string) string {
	out := ""
	for _, n := range names {
		out += fmt.Sprintf("variable %q {\n  type      = string\n  sensitive = true\n}\n", n)
	}
	return out
}

// expectVerification checks results of the verification data source name.
func expectVerification(name string, want map[string]knownvalue.Check) []statecheck.StateCheck {
	checks := make([]statecheck.StateCheck, 0, len(want))
	for attr, check := range want {
		checks = append(checks, statecheck.ExpectKnownValue("data.machineauth_token_verification."+name, tfjsonpath.New(attr), check))
	}
	return checks
}

// notValid is what every result but valid, reason and token_type is for a
// token the service refused without saying more.
func notValid(reason, tokenType string) map[string]knownvalue.Check {
	var typ knownvalue.Check = knownvalue.Null()
	if tokenType != "" {
		typ = knownvalue.StringExact(tokenType)
	}
	return map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(false),
		"reason":     knownvalue.StringExact(reason),
		"token_type": typ,
		"id":         knownvalue.Null(),
		"subject":    knownvalue.Null(),
		"scopes":     knownvalue.Null(),
		"claims":     knownvalue.Null(),
		"expires_at": knownvalue.Null(),
	}
}

func rfc3339(t *time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestAccTokenVerificationDataSource_opaque(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	c := tg.Client
	// Minted before the test waits its turn to run in parallel, which on a
	// busy machine can take minutes: an hour outlasts any wait, and the
	// emulator's clock, not the wall clock, ends it.
	ttl := int64(3600)
	revoked := tg.mint(client.CreateM2MTokenRequest{Claims: []byte(`{"team":"billing","tier":2}`)})
	expiring := tg.mint(client.CreateM2MTokenRequest{SecondsUntilExpiration: &ttl})
	vars := config.Variables{
		"revoked":  config.StringVariable(revoked.Token),
		"expiring": config.StringVariable(expiring.Token),
	}
	cfg := tg.providerConfig() + tokenVariables("revoked", "expiring") + `
data "machineauth_token_verification" "revoked" {
  token = var.revoked
}
data "machineauth_token_verification" "expiring" {
  token = var.expiring
  type  = "m2m_token"
}
data "machineauth_token_verification" "unknown" {
  token = "mt_0123456789abcdef0123456789abcdef"
}
data "machineauth_token_verification" "garbage" {
  token = "not a token"
}
`
	validRevoked := map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(true),
		"reason":     knownvalue.StringExact(""),
		"token_type": knownvalue.StringExact("m2m_token"),
		"id":         knownvalue.StringExact(revoked.ID),
		"subject":    knownvalue.StringExact(fx.ClerkMachineID),
		"scopes":     knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)}),
		"claims":     knownvalue.StringExact(`{"team":"billing","tier":2}`),
		"expires_at": knownvalue.StringExact(rfc3339(revoked.ExpiresAt())),
	}
	validExpiring := map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(true),
		"id":         knownvalue.StringExact(expiring.ID),
		"claims":     knownvalue.Null(),
		"expires_at": knownvalue.StringExact(rfc3339(expiring.ExpiresAt())),
	}
	// Clerk answers 404 alike for unknown, revoked and expired tokens.
	invalid := notValid("invalid", "m2m_token")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: append([]resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: slices.Concat(
					expectVerification("revoked", validRevoked),
					expectVerification("expiring", validExpiring),
					expectVerification("unknown", invalid),
					expectVerification("garbage", notValid("malformed", "")),
				),
			},
			{
				PreConfig: func() {
					if _, err := c.RevokeM2MToken(t.Context(), tg.Env.ClerkSecretKey, revoked.ID, nil); err != nil {
						t.Fatalf("revoking: %v", err)
					}
				},
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: slices.Concat(
					expectVerification("revoked", invalid),
					expectVerification("expiring", validExpiring),
				),
			},
		}, tg.emulatorSteps(t, "the token takes an hour to expire", resource.TestStep{
			PreConfig:         func() { tg.Wait(t, 2*time.Hour) },
			Config:            cfg,
			ConfigVariables:   vars,
			ConfigStateChecks: expectVerification("expiring", invalid),
		})...),
	})
}

// JWT-format M2M tokens are checked against the JWKS, never sent to verify;
// the JWKS is fetched once per provider run however many tokens are checked.
func TestAccTokenVerificationDataSource_jwt(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	ttl := int64(600)
	first := tg.mint(client.CreateM2MTokenRequest{TokenFormat: "jwt", SecondsUntilExpiration: &ttl, Claims: []byte(`{"env":"prod"}`)})
	second := tg.mint(client.CreateM2MTokenRequest{TokenFormat: "jwt", SecondsUntilExpiration: &ttl})
	opaque := tg.mint(client.CreateM2MTokenRequest{})
	vars := config.Variables{
		"first":  config.StringVariable(first.Token),
		"second": config.StringVariable(second.Token),
		"forged": config.StringVariable(forgeClerkJWT(t, first.Token)),
		"opaque": config.StringVariable(opaque.Token),
	}
	provider, calls := tg.countingConfig()
	jwtConfig := provider + tokenVariables("first", "second", "forged", "opaque") + `
data "machineauth_token_verification" "first" {
  token = var.first
}
data "machineauth_token_verification" "first_typed" {
  token = var.first
  type  = "m2m_token"
}
data "machineauth_token_verification" "second" {
  token = var.second
}
data "machineauth_token_verification" "forged" {
  token = var.forged
}
`
	// The opaque token's data source makes one verify request per provider
	// run that reads data sources: a count of those runs to hold the JWKS
	// fetches against.
	counterConfig := jwtConfig + `
data "machineauth_token_verification" "counter" {
  token = var.opaque
}
`
	validFirst := map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(true),
		"reason":     knownvalue.StringExact(""),
		"token_type": knownvalue.StringExact("m2m_token"),
		"id":         knownvalue.StringExact(first.ID),
		"subject":    knownvalue.StringExact(fx.ClerkMachineID),
		"scopes":     knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)}),
		"claims":     knownvalue.StringExact(`{"env":"prod"}`),
		"expires_at": knownvalue.StringExact(rfc3339(first.ExpiresAt())),
	}
	forged := notValid("bad_signature", "m2m_token")
	var verifiesBefore, fetchesBefore int
	verifies := func() int { return calls.Calls("POST", "/m2m_tokens/verify") }
	fetches := func() int { return calls.Calls("GET", "/jwks") }

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: append([]resource.TestStep{
			{
				Config:          jwtConfig,
				ConfigVariables: vars,
				ConfigStateChecks: slices.Concat(
					expectVerification("first", validFirst),
					expectVerification("first_typed", validFirst),
					expectVerification("second", map[string]knownvalue.Check{"valid": knownvalue.Bool(true), "id": knownvalue.StringExact(second.ID)}),
					expectVerification("forged", forged),
				),
				Check: func(*terraform.State) error {
					if n := verifies(); n != 0 {
						return fmt.Errorf("JWT-format tokens made %d verify requests, want none", n)
					}
					if fetches() == 0 {
						return fmt.Errorf("the JWKS was never fetched")
					}
					return nil
				},
			},
			{
				PreConfig:       func() { verifiesBefore, fetchesBefore = verifies(), fetches() },
				Config:          counterConfig,
				ConfigVariables: vars,
				Check: func(*terraform.State) error {
					runs, fetched := verifies()-verifiesBefore, fetches()-fetchesBefore
					if runs == 0 || fetched != runs {
						return fmt.Errorf("JWKS fetched %d times in %d provider runs with four JWT data sources, want once per run", fetched, runs)
					}
					return nil
				},
			},
		}, tg.emulatorSteps(t, "the tokens take ten minutes to expire (TestAccM2MToken_jwt sees one expire live)", resource.TestStep{
			// Expiry follows Clerk's clock, which the provider reads from
			// the Date of Clerk's answers: here the emulator's.
			PreConfig:       func() { tg.Wait(t, time.Duration(ttl+60)*time.Second) },
			Config:          counterConfig,
			ConfigVariables: vars,
			ConfigStateChecks: slices.Concat(
				expectVerification("first", map[string]knownvalue.Check{
					"valid":      knownvalue.Bool(false),
					"reason":     knownvalue.StringExact("expired"),
					"id":         knownvalue.StringExact(first.ID),
					"expires_at": knownvalue.StringExact(rfc3339(first.ExpiresAt())),
				}),
				expectVerification("second", map[string]knownvalue.Check{"reason": knownvalue.StringExact("expired")}),
				expectVerification("forged", forged),
				expectVerification("counter", map[string]knownvalue.Check{"valid": knownvalue.Bool(true)}),
			),
		})...),
	})
}

// With client_secret the access token is introspected and its revocation
// seen; without, it is checked locally, which cannot see revocation.
func TestAccTokenVerificationDataSource_connectedApp(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	fx := tg.Fixture
	c := tg.Client
	token := tg.mintAccessToken()
	vars := config.Variables{
		"token":         config.StringVariable(token),
		"client_secret": config.StringVariable(fx.StytchConnectedAppClientSecret),
	}
	provider, calls := tg.countingConfig()
	cfg := provider + tokenVariables("token", "client_secret") + fmt.Sprintf(`
data "machineauth_token_verification" "introspected" {
  token         = var.token
  client_id     = %q
  client_secret = var.client_secret
}
data "machineauth_token_verification" "client_from_token" {
  token         = var.token
  type          = "connected_app_access_token"
  client_secret = var.client_secret
}
data "machineauth_token_verification" "local" {
  token = var.token
}
`, fx.StytchConnectedAppID)
	valid := map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(true),
		"reason":     knownvalue.StringExact(""),
		"token_type": knownvalue.StringExact("connected_app_access_token"),
		"id":         knownvalue.NotNull(),
		"subject":    knownvalue.StringExact(fx.StytchMemberID),
		"scopes":     knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read:reports")}),
		"claims":     knownvalue.StringRegexp(regexp.MustCompile(`"client_id":"` + regexp.QuoteMeta(fx.StytchConnectedAppID) + `"`)),
		"expires_at": knownvalue.NotNull(),
	}
	inactive := notValid("inactive", "connected_app_access_token")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: slices.Concat(
					expectVerification("introspected", valid),
					expectVerification("client_from_token", valid),
					expectVerification("local", valid),
				),
			},
			{
				PreConfig: func() {
					err := c.RevokeMemberConnectedApp(t.Context(), client.RevokeMemberConnectedAppRequest{
						OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID, ConnectedAppID: fx.StytchConnectedAppID,
					})
					if err != nil {
						t.Fatalf("revoking: %v", err)
					}
				},
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: slices.Concat(
					expectVerification("introspected", inactive),
					expectVerification("client_from_token", inactive),
					// Documented: local verification cannot see revocation.
					expectVerification("local", map[string]knownvalue.Check{"valid": knownvalue.Bool(true)}),
				),
				Check: func(*terraform.State) error {
					if n := calls.Calls("POST", "/v1/public/[^/]+/oauth2/introspect"); n == 0 {
						return fmt.Errorf("no introspection request was made")
					}
					return nil
				},
			},
		},
	})
}

// A check block warns and a postcondition fails on a token that is no
// longer valid; neither is an error from the data source itself.
func TestAccTokenVerificationDataSource_checkAndPostcondition(t *testing.T) {
	tg := newTarget(t)
	c := tg.Client
	tok := tg.mint(client.CreateM2MTokenRequest{})
	vars := config.Variables{"token": config.StringVariable(tok.Token)}
	checkConfig := tg.providerConfig() + tokenVariables("token") + `
check "token_still_valid" {
  data "machineauth_token_verification" "checked" {
    token = var.token
  }

  assert {
    condition     = data.machineauth_token_verification.checked.valid
    error_message = "The token is no longer valid: ${data.machineauth_token_verification.checked.reason}."
  }
}
`
	postconditionConfig := tg.providerConfig() + tokenVariables("token") + `
data "machineauth_token_verification" "required" {
  token = var.token

  lifecycle {
    postcondition {
      condition     = self.valid
      error_message = "The token is not valid (${self.reason})."
    }
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          checkConfig,
				ConfigVariables: vars,
				// Terraform plans a check block's data source as "read during
				// apply" every time, so no plan is ever empty.
				ExpectNonEmptyPlan: true,
				ConfigStateChecks:  expectVerification("checked", map[string]knownvalue.Check{"valid": knownvalue.Bool(true)}),
			},
			{Config: postconditionConfig, ConfigVariables: vars},
			{
				PreConfig: func() {
					if _, err := c.RevokeM2MToken(t.Context(), tg.Env.ClerkSecretKey, tok.ID, nil); err != nil {
						t.Fatalf("revoking: %v", err)
					}
				},
				// A failed check is a warning: the run goes on.
				Config:             checkConfig,
				ConfigVariables:    vars,
				ExpectNonEmptyPlan: true,
				ConfigStateChecks:  expectVerification("checked", notValid("invalid", "m2m_token")),
			},
			{
				Config:          postconditionConfig,
				ConfigVariables: vars,
				ExpectError:     regexp.MustCompile(`The\s+token\s+is\s+not\s+valid\s+\(invalid\)`),
			},
		},
	})
}

// Refused provider credentials are errors, never valid = false: otherwise a
// rotated-away key would read as "every token revoked".
func TestAccTokenVerificationDataSource_credentialsRefused(t *testing.T) {
	tg := newTarget(t)
	tg.Lock(t, acctest.FixtureAuthorization)
	vars := config.Variables{
		"opaque": config.StringVariable(tg.mint(client.CreateM2MTokenRequest{}).Token),
		"jwt":    config.StringVariable(tg.mint(client.CreateM2MTokenRequest{TokenFormat: "jwt"}).Token),
		"access": config.StringVariable(tg.mintAccessToken()),
	}
	// Keys of the right shape, so they pass validation and reach the services.
	wrongProvider := providerHCL(tg.Env.ClerkAPIURL, "sk_test_WrongKey0123456789WrongKey0123456789", tg.Fixture.ClerkMachineSecretKey,
		tg.Env.StytchBaseURL, tg.Env.StytchProjectID, "secret-test-WrongSecret0123456789")
	step := func(token string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{
			Config: wrongProvider + tokenVariables("opaque", "jwt", "access") + fmt.Sprintf(`
data "machineauth_token_verification" "t" {
  token = var.%s
}
`, token),
			ConfigVariables: vars,
			ExpectError:     want,
		}
	}
	// Stytch serves its key sets to anyone (its official clients fetch
	// them without credentials), so a wrong secret does not stop the
	// local check of an access token.
	public := step("access", nil)
	public.ConfigStateChecks = expectVerification("t", map[string]knownvalue.Check{
		"valid":      knownvalue.Bool(true),
		"token_type": knownvalue.StringExact("connected_app_access_token"),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			step("opaque", regexp.MustCompile(`(?s)Unable\s+to\s+verify\s+the\s+M2M\s+token.*401\s+clerk_key_invalid`)),
			step("jwt", regexp.MustCompile(`(?s)Unable\s+to\s+fetch\s+Clerk's\s+JWKS.*401\s+clerk_key_invalid`)),
			public,
		},
	})
}

// Ephemeral results land nowhere, so the test hands them to the echo
// provider, whose one resource stores what its provider block was given.
func TestAccTokenVerificationEphemeralResource(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	tok := tg.mint(client.CreateM2MTokenRequest{})
	factories := maps.Clone(testAccProtoV6ProviderFactories)
	factories["echo"] = echoprovider.NewProviderServer()
	vars := config.Variables{"token": config.StringVariable(tok.Token)}
	cfg := tg.providerConfig() + tokenVariables("token") + `
ephemeral "machineauth_token_verification" "t" {
  token = var.token
}

ephemeral "machineauth_token_verification" "garbage" {
  token = "not a token"
}

provider "echo" {
  data = {
    valid          = ephemeral.machineauth_token_verification.t.valid
    reason         = ephemeral.machineauth_token_verification.t.reason
    token_type     = ephemeral.machineauth_token_verification.t.token_type
    id             = ephemeral.machineauth_token_verification.t.id
    subject        = ephemeral.machineauth_token_verification.t.subject
    scopes         = ephemeral.machineauth_token_verification.t.scopes
    garbage_reason = ephemeral.machineauth_token_verification.garbage.reason
  }
}

resource "echo" "t" {}
`
	echoed := func(want map[string]knownvalue.Check) []statecheck.StateCheck {
		return []statecheck.StateCheck{statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.ObjectPartial(want))}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: vars,
				ConfigStateChecks: echoed(map[string]knownvalue.Check{
					"valid":          knownvalue.Bool(true),
					"reason":         knownvalue.StringExact(""),
					"token_type":     knownvalue.StringExact("m2m_token"),
					"id":             knownvalue.StringExact(tok.ID),
					"subject":        knownvalue.StringExact(fx.ClerkMachineID),
					"scopes":         knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)}),
					"garbage_reason": knownvalue.StringExact("malformed"),
				}),
			},
		},
	})
}

// API keys are verified by Clerk: a live key is valid with what Clerk
// says of it, a revoked and an expired one are invalid, never an error;
// a machine secret key, which shares the ak_ prefix, is asked about and
// found to be no API key; a value of the wrong shape for the type given
// is malformed without a request.
func TestAccTokenVerificationDataSource_apiKeys(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	admin := tg.Client
	ctx := context.Background()
	mk := func(req client.CreateAPIKeyRequest) *client.APIKeyWithSecret {
		t.Helper()
		k, err := admin.CreateAPIKey(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	// Live, the expired key lives 3 s and the test sleeps 4 s.
	ttl := tg.Lifetime(60, 3)
	tg.ReserveWait(t, time.Duration(ttl+1)*time.Second, "for an API key to expire")
	live := mk(client.CreateAPIKeyRequest{Name: tg.Name("live key"), Subject: fx.ClerkOrganizationID, Scopes: []string{"read", "write"}, Claims: []byte(`{"team":"billing"}`)})
	revoked := mk(client.CreateAPIKeyRequest{Name: tg.Name("revoked key"), Subject: fx.ClerkUserID})
	expired := mk(client.CreateAPIKeyRequest{Name: tg.Name("expired key"), Subject: fx.ClerkMachineID, SecondsUntilExpiration: &ttl})
	if _, err := admin.RevokeAPIKey(ctx, revoked.ID, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		reason := "tf-acc cleanup"
		_, _ = admin.RevokeAPIKey(context.Background(), live.ID, &reason)
	})
	tg.Wait(t, time.Duration(ttl+1)*time.Second)
	vars := config.Variables{
		"live":        config.StringVariable(live.Secret),
		"revoked":     config.StringVariable(revoked.Secret),
		"expired":     config.StringVariable(expired.Secret),
		"machine_key": config.StringVariable(fx.ClerkMachineSecretKey),
	}
	provider, calls := tg.countingConfig()
	verifies := func() int { return calls.Calls("POST", "/api_keys/verify") }
	cfg := provider + tokenVariables("live", "revoked", "expired", "machine_key") + `
data "machineauth_token_verification" "live" {
  token = var.live
}
data "machineauth_token_verification" "revoked" {
  token = var.revoked
  type  = "api_key"
}
data "machineauth_token_verification" "expired" {
  token = var.expired
}
data "machineauth_token_verification" "machine_key" {
  token = var.machine_key
}
data "machineauth_token_verification" "m2m_token_as_api_key" {
  token = "mt_0123456789abcdef0123456789abcdef"
  type  = "api_key"
}
`
	var before int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig:       func() { before = verifies() },
			Config:          cfg,
			ConfigVariables: vars,
			ConfigStateChecks: slices.Concat(
				expectVerification("live", map[string]knownvalue.Check{
					"valid":      knownvalue.Bool(true),
					"reason":     knownvalue.StringExact(""),
					"token_type": knownvalue.StringExact("api_key"),
					"id":         knownvalue.StringExact(live.ID),
					"subject":    knownvalue.StringExact(fx.ClerkOrganizationID),
					"scopes":     knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read"), knownvalue.StringExact("write")}),
					"claims":     knownvalue.StringExact(`{"team":"billing"}`),
					"expires_at": knownvalue.Null(),
				}),
				expectVerification("revoked", notValid("invalid", "api_key")),
				expectVerification("expired", notValid("invalid", "api_key")),
				expectVerification("machine_key", notValid("invalid", "api_key")),
				expectVerification("m2m_token_as_api_key", notValid("malformed", "api_key")),
			),
			Check: func(*terraform.State) error {
				// Four asked Clerk, on each of the plan's and apply's
				// reads; the malformed one never did.
				if n := verifies() - before; n == 0 || n%4 != 0 {
					return fmt.Errorf("%d API key verifications, want a multiple of 4", n)
				}
				if k, err := admin.GetAPIKey(ctx, live.ID); err != nil || k.LastUsedAt == nil {
					return fmt.Errorf("verifying %s did not count as a use", live.ID)
				}
				return nil
			},
		}},
	})
}
