package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const (
	appAddr     = "machineauth_connected_app.app"
	appRedirect = "https://app.example.test/callback"
)

var connectedAppIDRe = regexp.MustCompile(`^connected-app-test-[0-9a-f-]{36}$`)

// connectedApp is a machineauth_connected_app "app" with body in its block.
func connectedApp(body string) string {
	return "resource \"machineauth_connected_app\" \"app\" {\n" + body + "\n}\n"
}

// thirdPartyApp is a confidential app registered for appRedirect, with
// more lines.
func thirdPartyApp(lines ...string) string {
	return connectedApp(`  client_type   = "third_party"
  client_name   = "reports"
  redirect_urls = [` + fmt.Sprintf("%q", appRedirect) + `]
  ` + strings.Join(lines, "\n  "))
}

// exchangeCode has the fixture member authorize app and trades the code
// with secret: nil when Stytch accepts the secret.
func exchangeCode(t *testing.T, srv *emulator.Server, app, secret string) error {
	t.Helper()
	fx := srv.Info().Fixture
	c := stytchClient(t, srv)
	auth, err := c.Authorize(t.Context(), client.AuthorizeRequest{
		ConsentGranted: true, Scopes: []string{"openid"}, ClientID: app, RedirectURI: appRedirect,
		OrganizationID: fx.StytchOrganizationID, MemberID: fx.StytchMemberID,
	})
	if err != nil {
		t.Fatalf("authorizing %s: %v", app, err)
	}
	_, err = c.ExchangeAuthorizationCode(t.Context(), client.TokenRequest{ClientID: app, ClientSecret: secret, Code: auth.AuthorizationCode, RedirectURI: appRedirect})
	return err
}

// secretsWork checks that each secret, read through its pointer when the
// check runs, exchanges a code for app (*appID), and each of refused gets
// invalid_client.
func secretsWork(t *testing.T, srv *emulator.Server, appID *string, work []*string, refused []*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, s := range work {
			if err := exchangeCode(t, srv, *appID, *s); err != nil {
				return fmt.Errorf("secret %d should work: %w", i, err)
			}
		}
		for i, s := range refused {
			if err := exchangeCode(t, srv, *appID, *s); client.ErrorCode(err) != "invalid_client" {
				return fmt.Errorf("secret %d should get invalid_client, got %v", i, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
			}
		}
		return nil
	}
}

// checkAppsGone is a CheckDestroy: only the fixture's app is left, and
// those made outside Terraform, named by keep.
func checkAppsGone(srv *emulator.Server, keep ...*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		fixture := srv.Info().Fixture.StytchConnectedAppID
	apps:
		for _, a := range srv.ConnectedApps() {
			for _, k := range keep {
				if a.ClientID == *k {
					continue apps
				}
			}
			if a.ClientID != fixture {
				return fmt.Errorf("connected app %s (%s) is still there after destroy", a.ClientID, a.Name)
			}
		}
		return nil
	}
}

// A third-party app made by Terraform and an authorization of it for the
// fixture member that uses its secret: the authorization exchanges a code;
// destroy revokes the authorization and deletes the app.
func TestAccConnectedApp_withAuthorization(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	var appID string
	config := tg.providerConfig() + tg.thirdPartyApp() + fmt.Sprintf(`
resource "machineauth_connected_app_authorization" "test" {
  organization_id  = %q
  member_id        = %q
  connected_app_id = machineauth_connected_app.app.client_id
  redirect_uri     = %q
  scopes           = ["openid", "offline_access"]
  client_secret_wo = machineauth_connected_app.app.client_secret
}
`, fx.StytchOrganizationID, fx.StytchMemberID, appRedirect)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(tg.checkAppsGone(), tg.checkFixtureAuthorizationRevoked(&appID)),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_id"), knownvalue.StringRegexp(connectedAppIDRe)),
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("next_client_secret"), knownvalue.Null()),
				statecheck.ExpectKnownValue(authAddr, tfjsonpath.New("granted_scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("offline_access"), knownvalue.StringExact("openid"),
				})),
			},
			Check: resource.ComposeTestCheckFunc(
				captureAttr(appAddr, "client_id", &appID),
				resource.TestCheckResourceAttrSet(authAddr, "access_token"),
				resource.TestCheckResourceAttrSet(authAddr, "refresh_token"),
				resource.TestCheckResourceAttrWith(appAddr, "client_secret", func(v string) error {
					if len(v) < 32 {
						return fmt.Errorf("client_secret %d characters long", len(v))
					}
					if a, err := tg.Client.GetConnectedAppClient(t.Context(), appID); err != nil || a.ClientType != "third_party" || a.ClientDescription != "" {
						return fmt.Errorf("Stytch holds %+v (%v); want the configured app, its create marker replaced", a, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					return nil
				}),
			),
		}},
	})
}

// redirect_urls change in place: the same client, and the fields the
// configuration leaves as they were are still there after the update,
// which sends every field.
func TestAccConnectedApp_inPlaceUpdate(t *testing.T) {
	tg := newTarget(t)
	var appID string
	fields := []string{`client_description = "Quarterly reports"`, `logo_url = "https://app.example.test/logo.png"`, `access_token_expiry_minutes = 30`}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + tg.thirdPartyApp(fields...),
				Check:  captureAttr(appAddr, "client_id", &appID),
			},
			{
				Config: tg.providerConfig() + connectedApp(`  client_type   = "third_party"
  client_name   = "`+tg.Name("reports")+`"
  redirect_urls = ["`+appRedirect+`", "http://127.0.0.1:8400/callback"]
  `+strings.Join(fields, "\n  ")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(appAddr, "client_id", func(v string) error { return equal(v, appID) }),
					func(*terraform.State) error {
						a, err := tg.Client.GetConnectedAppClient(t.Context(), appID)
						if err != nil || len(a.RedirectURLs) != 2 || a.ClientDescription != "Quarterly reports" || a.LogoURL != "https://app.example.test/logo.png" ||
							a.AccessTokenExpiryMinutes != 30 || a.ClientName != tg.Name("reports") {
							return fmt.Errorf("after the update Stytch holds %+v (%v)", a, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
				),
			},
		},
	})
}

// A client deleted outside Terraform leaves the state with a warning that
// names it, and the next apply makes a new one.
func TestAccConnectedApp_deletedOutsideTerraform(t *testing.T) {
	tg := newTarget(t)
	rec := &warningRecorder{}
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + tg.thirdPartyApp(),
				Check:  captureAttr(appAddr, "client_id", &first),
			},
			{
				PreConfig: func() {
					if err := tg.Client.DeleteConnectedAppClient(t.Context(), first); err != nil {
						t.Fatal(err)
					}
				},
				Config: tg.providerConfig() + tg.thirdPartyApp(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(appAddr, "client_id", &second),
					func(s *terraform.State) error {
						if second == first {
							return fmt.Errorf("the client was not created anew")
						}
						return expectWarning(rec, str("Connected app "), &first, str("deleted outside Terraform"))(s)
					},
				),
			},
		},
	})
}

// Import by client_id reaches the state the create did, secrets aside.
func TestAccConnectedApp_import(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + tg.thirdPartyApp(`client_description = "imported"`, `secret_rotation_triggers = { v = "1" }`)},
			{
				ResourceName:            appAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"client_secret", "secret_rotation_triggers"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["client_secret"] != "" || states[0].Attributes["client_secret_last_four"] == "" {
						return fmt.Errorf("imported %v; want no secret but its last four", states)
					}
					return nil
				},
			},
		},
	})
}

// A public client has no secret, and nothing to rotate.
func TestAccConnectedApp_publicClient(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + connectedApp(`  client_type   = "first_party_public"
  client_name   = "`+tg.Name("spa")+`"
  redirect_urls = ["http://localhost:3000/callback"]
  bypass_consent_for_offline_access = true`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("client_secret_last_four"), knownvalue.Null()),
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("next_client_secret"), knownvalue.Null()),
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("bypass_consent_for_offline_access"), knownvalue.Bool(true)),
			},
		}},
	})
}

// A create whose answer is lost made a client nobody holds the secret of:
// the provider creates again and deletes exactly the client its lost
// request made, found by its create marker. A client another run is
// creating at the same moment, marked with that run's value, is left alone.
func TestAccConnectedApp_lostCreateAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := newFaultProxy(t, srv)
	p.set(&faultRule{method: "POST", pathSuffix: "/v1/connected_apps/clients", times: 1})
	other, err := stytchClient(t, srv).CreateConnectedAppClient(t.Context(), client.CreateConnectedAppClientRequest{
		ClientType: "third_party", ConnectedAppClientFields: client.ConnectedAppClientFields{ClientName: "reports", ClientDescription: connectedAppMarkerPrefix + "another-run"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &warningRecorder{}
	var appID, secret string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: func(*terraform.State) error {
			if _, ok := srv.ConnectedApp(other.ClientID); !ok {
				return fmt.Errorf("another run's client %s was deleted", other.ClientID)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: proxiedProvider(srv, p) + thirdPartyApp(),
			Check: resource.ComposeTestCheckFunc(
				captureAttr(appAddr, "client_id", &appID),
				captureAttr(appAddr, "client_secret", &secret),
				func(s *terraform.State) error {
					if len(p.lostAnswers()) != 1 {
						return fmt.Errorf("%d answers lost, want 1", len(p.lostAnswers()))
					}
					var ours []string
					for _, a := range srv.ConnectedApps() {
						if a.ClientID != srv.Info().Fixture.StytchConnectedAppID && a.ClientID != other.ClientID {
							ours = append(ours, a.ClientID)
						}
					}
					if len(ours) != 1 || ours[0] != appID {
						return fmt.Errorf("clients besides the fixture's and the other run's: %v; want only %s", ours, appID)
					}
					if err := exchangeCode(t, srv, appID, secret); err != nil {
						return fmt.Errorf("the kept client's secret does not work: %w", err)
					}
					return expectWarning(rec, str("Deleted a connected app left behind by a lost answer"))(s)
				},
			),
		}},
	})
}

// The data source reads a client by id, and says when a rotation is pending.
func TestAccConnectedAppDataSource(t *testing.T) {
	tg := newTarget(t)
	config := func(v string) string {
		return tg.providerConfig() + tg.thirdPartyApp(`logo_url = "https://app.example.test/logo.png"`, `secret_rotation_triggers = { v = "`+v+`" }`) + `
data "machineauth_connected_app" "app" {
  client_id  = machineauth_connected_app.app.client_id
  depends_on = [machineauth_connected_app.app]
}
`
	}
	const ds = "data.machineauth_connected_app.app"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("client_type"), knownvalue.StringExact("third_party")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("redirect_urls"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(appRedirect)})),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("logo_url"), knownvalue.StringExact("https://app.example.test/logo.png")),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("client_description"), knownvalue.Null()),
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("secret_rotation_pending"), knownvalue.Bool(false)),
					statecheck.CompareValuePairs(ds, tfjsonpath.New("client_secret_last_four"), appAddr, tfjsonpath.New("client_secret_last_four"), compare.ValuesSame()),
				},
			},
			{
				Config: config("2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds, tfjsonpath.New("secret_rotation_pending"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// The ephemeral reader hands a consumer the current secret, then the next
// one from the start of a rotation, and refuses a secret Stytch does not
// hold.
func TestAccConnectedAppSecretEphemeral(t *testing.T) {
	tg := newTarget(t)
	var current, next string
	config := func(v string) string {
		return tg.providerConfig() + tg.thirdPartyApp(`secret_rotation_triggers = { v = "`+v+`" }`) + `
ephemeral "machineauth_connected_app_secret" "app" {
  client_id          = machineauth_connected_app.app.client_id
  client_secret      = machineauth_connected_app.app.client_secret
  next_client_secret = machineauth_connected_app.app.next_client_secret
}

provider "echo" {
  data = ephemeral.machineauth_connected_app_secret.app.secret
}

# A consumer that takes its secret when it is made, as echo does, is
# remade when the secret to use changes.
resource "echo" "consumer" {
  lifecycle {
    replace_triggered_by = [machineauth_connected_app.app.next_client_secret]
  }
}
`
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": testAccProtoV6ProviderFactories["machineauth"],
		"echo":        echoprovider.NewProviderServer(),
	}
	echoed := func(want *string) resource.TestCheckFunc {
		return resource.TestCheckResourceAttrWith("echo.consumer", "data", func(v string) error { return equal(v, *want) })
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: append([]resource.TestStep{
			{
				Config: config("1"),
				Check:  resource.ComposeTestCheckFunc(captureAttr(appAddr, "client_secret", &current), echoed(&current)),
			},
			{
				Config: config("2"),
				// The consumer follows the rotation in the same apply.
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("echo.consumer", plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeTestCheckFunc(captureAttr(appAddr, "next_client_secret", &next), echoed(&next)),
			},
		}, tg.emulatorSteps(t, "completing the rotation waits out its hour of overlap", resource.TestStep{
			// The plan that completes the rotation hands the reader the
			// next secret as client_secret while Stytch still holds it
			// pending: still the one to use.
			PreConfig: func() { tg.Wait(t, time.Hour+time.Minute) },
			Config:    config("2"),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrWith(appAddr, "client_secret", func(v string) error { return equal(v, next) }),
				echoed(&next),
			),
		})...),
	})

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + fmt.Sprintf(`
ephemeral "machineauth_connected_app_secret" "fixture" {
  client_id     = %q
  client_secret = "not-the-fixture-apps-secret"
}
provider "echo" {
  data = ephemeral.machineauth_connected_app_secret.fixture.secret
}
resource "echo" "consumer" {}
`, tg.Fixture.StytchConnectedAppID),
			ExpectError: diagMatching("No usable secret for connected app", "neither secret given does"),
		}},
	})
}

// A client carries its identity, and an import block naming only that
// identity adopts it without a change.
func TestAccConnectedApp_identity(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + tg.thirdPartyApp(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(appAddr, map[string]knownvalue.Check{"client_id": knownvalue.StringRegexp(connectedAppIDRe)}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(appAddr, tfjsonpath.New("client_id"), tfjsonpath.New("client_id")),
				},
			},
			{
				ResourceName:    appAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// The project's clients are listed whoever made them, with a filter by
// type; a listed client comes as the state an import would reach.
func TestAccConnectedAppList_query(t *testing.T) {
	tg := newTarget(t)
	var outside string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAppsGone(),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + tg.thirdPartyApp()},
			{
				PreConfig: func() { outside = tg.createConnectedApp("first_party_public", "made in the dashboard").ClientID },
				Query:     true,
				Config: `
list "machineauth_connected_app" "all" {
  provider         = machineauth
  include_resource = true
}
list "machineauth_connected_app" "public" {
  provider = machineauth
  config {
    client_type = "first_party_public"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					// The fixture's app, Terraform's and the one made outside.
					tg.expectListLength("machineauth_connected_app.all", 3),
					tg.expectListLength("machineauth_connected_app.public", 1),
					querycheck.ExpectResourceKnownValues("machineauth_connected_app.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"client_id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("client_name"), KnownValue: knownvalue.StringExact(tg.Name("made in the dashboard"))},
							{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}
