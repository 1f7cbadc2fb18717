package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

var (
	oauthAppIDPattern   = regexp.MustCompile(`^oa_\w{27}$`)
	oauthTokenIDPattern = regexp.MustCompile(`^oat_[0-9a-f]{32}$`)
)

// verifiedOAuthToken checks a machineauth_token_verification of a live
// token the fixture user granted clientID.
func verifiedOAuthToken(name string, clientID *string, userID string, scopes ...string) []statecheck.StateCheck {
	addr := "data.machineauth_token_verification." + name
	var want []knownvalue.Check
	for _, s := range scopes {
		want = append(want, knownvalue.StringExact(s))
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("valid"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("reason"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_type"), knownvalue.StringExact(tokenTypeOAuth)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("subject"), knownvalue.StringExact(userID)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("client_id"), knownvalue.StringFunc(func(v string) error { return equal(v, *clientID) })),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(oauthTokenIDPattern)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("scopes"), knownvalue.SetExact(want)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(rfc3339Pattern)),
	}
}

// An application is created (under its marked name, then renamed); the
// fixture user authorizes it and its tokens verify, opaque and JWT, naming
// the application and the user; every argument changes in place; a
// trigger change rotates the secret with a plan warning naming the
// application, the old secret refused by the token endpoint at once and
// the new one taken; it imports by id, without its secret; destroy deletes
// it, and its opaque tokens stop verifying.
func TestAccOAuthApplication_lifecycle(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	fx := srv.Info().Fixture
	rec := &warningRecorder{}
	dir := t.TempDir()
	var id, clientID, firstSecret, secondSecret, opaque, refresh string
	verifications := fmt.Sprintf(`
data "machineauth_token_verification" "opaque" {
  token           = %[1]s
  required_scopes = ["email"]
}
data "machineauth_token_verification" "jwt" {
  token = %[2]s
}
data "machineauth_token_verification" "other_client" {
  token     = %[1]s
  client_id = "another-client"
}
data "machineauth_token_verification" "scope_missing" {
  token           = %[2]s
  type            = "oauth_access_token"
  required_scopes = ["private_metadata"]
}
`, tokenHCL(dir, "opaque"), tokenHCL(dir, "jwt"))
	updated := `  redirect_uris          = ["https://app.example.test/callback"]
  scopes                 = ["profile", "email", "public_metadata", "custom:read"]
  pkce_required          = false
  consent_screen_enabled = false`
	appName := "tf-acc-reports-v2"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: resource.ComposeTestCheckFunc(checkOAuthApplicationsDeleted(srv), func(*terraform.State) error {
			if _, err := adminClient(t, srv).VerifyOAuthAccessToken(t.Context(), opaque); !client.IsNotFound(err) {
				return fmt.Errorf("a token of the deleted application still verifies: %w", err)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: oauthAppConfig(srv, "tf-acc-reports", "  "+oauthAppRedirects+`
  pkce_required            = true
  secret_rotation_triggers = { rotation = "one" }`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectSensitiveValue(oauthAppAddr, tfjsonpath.New("client_secret")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(oauthAppIDPattern)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("name"), knownvalue.StringExact("tf-acc-reports")),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("profile"), knownvalue.StringExact("email"),
					})),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("redirect_uris"), knownvalue.SetSizeExact(2)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("public"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("pkce_required"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("consent_screen_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("dynamically_registered"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("client_uri"), knownvalue.Null()),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("token_fetch_url"), knownvalue.StringExact(srv.Info().ClerkFrontendAPIURL+"/oauth/token")),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(oauthAppAddr, &id), captureAttr(oauthAppAddr, "client_id", &clientID), captureAttr(oauthAppAddr, "client_secret", &firstSecret),
					expectOAuthSecret(srv, oauthAppAddr),
					func(*terraform.State) error {
						// The marked name never stays, and nothing else was made.
						if apps := srv.OAuthApplications(); len(apps) != 1 || apps[0].Name != "tf-acc-reports" || !apps[0].PKCERequired {
							return fmt.Errorf("emulator holds %+v", apps)
						}
						return nil
					},
				),
			},
			{
				// The fixture user authorizes it twice: for an opaque token,
				// and for a JWT once the instance issues JWT access tokens.
				PreConfig: func() {
					var jwt string
					opaque, refresh = oauthGrant(t, srv, clientID, firstSecret)
					setOAuthJWTAccessTokens(t, srv, true)
					jwt, _ = oauthGrant(t, srv, clientID, firstSecret)
					setOAuthJWTAccessTokens(t, srv, false)
					writeToken(t, dir, "opaque", opaque)
					writeToken(t, dir, "jwt", jwt)
				},
				Config: oauthAppConfig(srv, appName, updated+`
  secret_rotation_triggers = { rotation = "one" }`, verifications),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("client_secret"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: append(append(verifiedOAuthToken("opaque", &clientID, fx.ClerkUserID, "profile", "email"),
					verifiedOAuthToken("jwt", &clientID, fx.ClerkUserID, "profile", "email")...),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.jwt", tfjsonpath.New("claims"), knownvalue.StringRegexp(regexp.MustCompile(`"client_id"`))),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.opaque", tfjsonpath.New("claims"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.other_client", tfjsonpath.New("valid"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.other_client", tfjsonpath.New("reason"), knownvalue.StringExact(reasonInvalid)),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.other_client", tfjsonpath.New("client_id"), knownvalue.StringExact("another-client")),
					statecheck.ExpectKnownValue("data.machineauth_token_verification.scope_missing", tfjsonpath.New("reason"), knownvalue.StringExact(reasonInsufficientScope)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("scopes"), knownvalue.SetSizeExact(4)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("redirect_uris"), knownvalue.SetSizeExact(1)),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("consent_screen_enabled"), knownvalue.Bool(false)),
				),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "id", &id),
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "client_id", &clientID),
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "client_secret", &firstSecret),
					func(*terraform.State) error {
						a, _ := srv.OAuthApplication(id)
						if a.Name != appName || a.PKCERequired || a.ConsentScreen || len(a.Scopes) != 4 || len(a.RedirectURIs) != 1 || a.ClientSecret != firstSecret {
							return fmt.Errorf("emulator holds %+v after the update", a)
						}
						return nil
					},
				),
			},
			{
				// The rotation: warned of at plan, the old secret refused at
				// once, the new one taken.
				Config: oauthAppConfig(srv, appName, updated+`
  secret_rotation_triggers = { rotation = "two" }`, verifications),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(oauthAppAddr, tfjsonpath.New("client_secret")),
				}},
				ConfigStateChecks: verifiedOAuthToken("opaque", &clientID, fx.ClerkUserID, "profile", "email"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "id", &id),
					resource.TestCheckResourceAttrPtr(oauthAppAddr, "client_id", &clientID),
					captureAttr(oauthAppAddr, "client_secret", &secondSecret),
					expectOAuthSecret(srv, oauthAppAddr),
					expectWarning(rec, str(`The client secret of OAuth application "`+appName+`"`), &id, str("stops working at once"),
						str("reference the resource's client_secret from what consumes it")),
					func(*terraform.State) error {
						if secondSecret == firstSecret {
							return fmt.Errorf("the secret did not change")
						}
						if got := oauthRefreshStatus(t, srv, clientID, firstSecret, refresh); got != http.StatusUnauthorized {
							return fmt.Errorf("the old secret after the rotation: the token endpoint answered %d, want 401", got)
						}
						if got := oauthRefreshStatus(t, srv, clientID, secondSecret, refresh); got != http.StatusOK {
							return fmt.Errorf("the new secret: the token endpoint answered %d, want 200", got)
						}
						return nil
					},
				),
			},
			{
				// The same configuration plans nothing more, and warns of
				// no rotation.
				Config: oauthAppConfig(srv, appName, updated+`
  secret_rotation_triggers = { rotation = "two" }`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				ResourceName:      oauthAppAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Clerk shows no secret again; the triggers are configuration only.
				ImportStateVerifyIgnore: []string{"client_secret", "secret_rotation_triggers"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["client_secret"] != "" {
						return fmt.Errorf("imported %v: want one application without its secret", states)
					}
					return nil
				},
			},
		},
	})
}

// A public client has no secret, and a user authorizes it with PKCE; made
// confidential in place it gets a secret by a rotation in the same apply;
// made public again it loses it.
func TestAccOAuthApplication_public(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	var id, clientID string
	config := func(public bool) string {
		return oauthAppConfig(srv, "tf-acc-spa", fmt.Sprintf("  %s\n  public = %t", oauthAppRedirects, public), "")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkOAuthApplicationsDeleted(srv),
		Steps: []resource.TestStep{
			{
				Config: config(true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("public"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeTestCheckFunc(captureID(oauthAppAddr, &id), captureAttr(oauthAppAddr, "client_id", &clientID),
					func(*terraform.State) error {
						if a, _ := srv.OAuthApplication(id); !a.Public || a.ClientSecret != "" {
							return fmt.Errorf("emulator holds %+v", a)
						}
						if access, _ := oauthGrant(t, srv, clientID, ""); access == "" {
							return fmt.Errorf("no token for the public client")
						}
						return nil
					}),
			},
			{
				Config: config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(oauthAppAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(oauthAppAddr, tfjsonpath.New("client_secret")),
				}},
				Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttrPtr(oauthAppAddr, "id", &id), expectOAuthSecret(srv, oauthAppAddr)),
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(oauthAppAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					if a, _ := srv.OAuthApplication(id); !a.Public || a.ClientSecret != "" {
						return fmt.Errorf("emulator holds %+v", a)
					}
					return nil
				},
			},
		},
	})
}

// The data source finds an application by id and by exact name, with no
// secret; a name two applications share, or none has, is an error.
func TestAccOAuthApplicationDataSource(t *testing.T) {
	tg := newTarget(t)
	made := tg.createOAuthApp("lookup", oauthAppRedirect)
	for range 2 {
		tg.createOAuthApp("twin")
	}
	// A name that holds the other as a part: matched exactly, not in part.
	tg.createOAuthApp("lookup-2")
	lookup := func(arg string) string {
		return tg.providerConfig() + "data \"machineauth_oauth_application\" \"a\" {\n  " + arg + "\n}\n"
	}
	const addr = "data.machineauth_oauth_application.a"
	found := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(made.ID)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(tg.Name("lookup"))),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("client_id"), knownvalue.StringExact(made.ClientID)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("redirect_uris"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(oauthAppRedirect)})),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("token_fetch_url"), knownvalue.StringExact(made.TokenFetchURL)),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: lookup(fmt.Sprintf("id = %q", made.ID)), ConfigStateChecks: found},
			{Config: lookup(fmt.Sprintf("name = %q", tg.Name("lookup"))), ConfigStateChecks: found},
			{Config: lookup(fmt.Sprintf("name = %q", tg.Name("twin"))), ExpectError: diagMatching(`2 Clerk OAuth applications are named "`+tg.Name("twin")+`"`, "Look the application up by id instead")},
			{Config: lookup(fmt.Sprintf("name = %q", tg.Name("none"))), ExpectError: diagMatching(`No Clerk OAuth application is named "` + tg.Name("none") + `"`)},
			{Config: lookup(`id = "oa_000000000000000000000000000"`), ExpectError: diagMatching("Clerk has no OAuth application oa_000000000000000000000000000")},
		},
	})
}
