package provider

import (
	"fmt"
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The data source reads a client by id, and says when a rotation is pending.
func TestAccConnectedAppDataSource(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	config := func(v string) string {
		return providerConfig(srv) + thirdPartyApp(`logo_url = "https://app.example.test/logo.png"`, `secret_rotation_triggers = { v = "`+v+`" }`) + `
data "machineauth_connected_app" "app" {
  client_id  = machineauth_connected_app.app.client_id
  depends_on = [machineauth_connected_app.app]
}
`
	}
	const ds = "data.machineauth_connected_app.app"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAppsGone(srv),
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
	srv := startEmulator(t, emulator.Options{})
	var current, next string
	config := func(v string) string {
		return providerConfig(srv) + thirdPartyApp(`secret_rotation_triggers = { v = "`+v+`" }`) + `
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
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkAppsGone(srv),
		Steps: []resource.TestStep{
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
			{
				// The plan that completes the rotation hands the reader the
				// next secret as client_secret while Stytch still holds it
				// pending: still the one to use.
				PreConfig: func() { srv.Advance(time.Hour + time.Minute) },
				Config:    config("2"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrWith(appAddr, "client_secret", func(v string) error { return equal(v, next) }),
					echoed(&next),
				),
			},
		},
	})

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: providerConfig(srv) + fmt.Sprintf(`
ephemeral "machineauth_connected_app_secret" "fixture" {
  client_id     = %q
  client_secret = "not-the-fixture-apps-secret"
}
provider "echo" {
  data = ephemeral.machineauth_connected_app_secret.fixture.secret
}
resource "echo" "consumer" {}
`, srv.Info().Fixture.StytchConnectedAppID),
			ExpectError: diagMatching("No usable secret for connected app", "neither secret given does"),
		}},
	})
}

// A client carries its identity, and an import block naming only that
// identity adopts it without a change.
func TestAccConnectedApp_identity(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAppsGone(srv),
		Steps: []resource.TestStep{
			{
				Config: providerConfig(srv) + thirdPartyApp(),
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
	srv := startEmulator(t, emulator.Options{})
	var outside string
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAppsGone(srv, &outside),
		Steps: []resource.TestStep{
			{Config: providerConfig(srv) + thirdPartyApp()},
			{
				PreConfig: func() {
					app, err := stytchClient(t, srv).CreateConnectedAppClient(t.Context(), client.CreateConnectedAppClientRequest{
						ClientType: "first_party_public", ConnectedAppClientFields: client.ConnectedAppClientFields{ClientName: "made in the dashboard"},
					})
					if err != nil {
						t.Fatal(err)
					}
					outside = app.ClientID
				},
				Query: true,
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
					querycheck.ExpectLength("machineauth_connected_app.all", 3),
					querycheck.ExpectLength("machineauth_connected_app.public", 1),
					querycheck.ExpectResourceKnownValues("machineauth_connected_app.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"client_id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("client_name"), KnownValue: knownvalue.StringExact("made in the dashboard")},
							{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}
