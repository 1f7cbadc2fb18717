package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

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

const m2mClientAddr = "machineauth_m2m_client.c"

var m2mClientIDRe = regexp.MustCompile(`^m2m-client-test-[0-9a-f-]{36}$`)

// m2mClientConfig is a machineauth_m2m_client "c" with the scopes
// read:reports and write:reports, and more lines.
func m2mClientConfig(lines ...string) string {
	return `resource "machineauth_m2m_client" "c" {
  client_name = "billing"
  scopes      = ["read:reports", "write:reports"]
  ` + strings.Join(lines, "\n  ") + "\n}\n"
}

// clientToken asks for a token as the client: nil when Stytch gives one.
func clientToken(t *testing.T, srv *emulator.Server, id, secret string) error {
	t.Helper()
	_, err := stytchClient(t, srv).ClientCredentialsToken(t.Context(), client.CredentialsRequest{ClientID: id, ClientSecret: secret})
	return err
}

// clientSecretsWork checks that each secret gets a token for *id, and each
// of refused gets invalid_client.
func clientSecretsWork(t *testing.T, srv *emulator.Server, id *string, work, refused []*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, s := range work {
			if err := clientToken(t, srv, *id, *s); err != nil {
				return fmt.Errorf("secret %d should get a token: %w", i, err)
			}
		}
		for i, s := range refused {
			if err := clientToken(t, srv, *id, *s); client.ErrorCode(err) != "invalid_client" {
				return fmt.Errorf("secret %d should get invalid_client, got %v", i, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
			}
		}
		return nil
	}
}

// checkM2MClientsGone is a CheckDestroy: no M2M client is left.
func checkM2MClientsGone(srv *emulator.Server) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if ids := srv.M2MClientIDs(); len(ids) != 0 {
			return fmt.Errorf("M2M clients left after destroy: %v", ids)
		}
		return nil
	}
}

var echoFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"machineauth": testAccProtoV6ProviderFactories["machineauth"],
	"echo":        echoprovider.NewProviderServer(),
}

// A client, a token taken through the ephemeral resource and verified in
// a check block (and, so the test can see them, the verification's results
// echoed into state); the kill switch then stops new tokens, and turning
// it back on brings them back.
func TestAccM2MClient_tokenAndKillSwitch(t *testing.T) {
	tg := newTarget(t)
	var id, secret string
	withToken := func(status string) string {
		return tg.providerConfig() + tg.m2mClientConfig(`status = "`+status+`"`, `trusted_metadata = jsonencode({ team = "payments" })`) + `
ephemeral "machineauth_m2m_client_token" "t" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
  scopes        = ["read:reports"]
}

ephemeral "machineauth_token_verification" "t" {
  token           = ephemeral.machineauth_m2m_client_token.t.access_token
  required_scopes = ["read:reports"]
}

check "token" {
  assert {
    condition     = ephemeral.machineauth_token_verification.t.valid && contains(ephemeral.machineauth_token_verification.t.scopes, "read:reports")
    error_message = "the client's token does not verify"
  }
}

provider "echo" {
  data = {
    valid      = ephemeral.machineauth_token_verification.t.valid
    token_type = ephemeral.machineauth_token_verification.t.token_type
    scopes     = ephemeral.machineauth_token_verification.t.scopes
    subject    = ephemeral.machineauth_token_verification.t.subject
    expires_at = ephemeral.machineauth_m2m_client_token.t.expires_at
  }
}

resource "echo" "verification" {}
`
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: echoFactories,
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{
			{
				Config: withToken("active"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(m2mClientAddr, tfjsonpath.New("client_id"), knownvalue.StringRegexp(m2mClientIDRe)),
					statecheck.ExpectKnownValue(m2mClientAddr, tfjsonpath.New("status"), knownvalue.StringExact("active")),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("valid"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("token_type"), knownvalue.StringExact(tokenTypeM2MClient)),
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("scopes"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("read:reports")})),
					statecheck.CompareValuePairs("echo.verification", tfjsonpath.New("data").AtMapKey("subject"), m2mClientAddr, tfjsonpath.New("client_id"), compare.ValuesSame()),
				},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(m2mClientAddr, "client_id", &id),
					captureAttr(m2mClientAddr, "client_secret", &secret),
					resource.TestCheckResourceAttrWith(m2mClientAddr, "client_secret_last_four", func(v string) error { return equal(v, secret[len(secret)-4:]) }),
				),
			},
			{
				// The kill switch, in place.
				Config: tg.providerConfig() + tg.m2mClientConfig(`status = "inactive"`, `trusted_metadata = jsonencode({ team = "payments" })`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(m2mClientAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if err := tg.clientToken(id, secret); client.ErrorCode(err) != "invalid_client" {
						return fmt.Errorf("an inactive client's token request: %v, want invalid_client", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					if c, err := tg.Client.GetM2MClient(t.Context(), id); err != nil || c.ClientName != tg.Name("billing") || metadataOf(c)["team"] != "payments" {
						return fmt.Errorf("deactivating changed other fields: %+v (%v)", c, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					return nil
				},
			},
			{
				Config:      withToken("inactive"),
				ExpectError: diagMatching("Unable to get an access token for M2M client", "inactive"),
			},
			{
				// Back on, without the token: the config above asks for
				// one while the client stays inactive, which no plan can
				// get. (Turning it on with the token in the same apply is
				// TestAccM2MClient_reactivateWithToken.)
				Config: tg.providerConfig() + tg.m2mClientConfig(`status = "active"`, `trusted_metadata = jsonencode({ team = "payments" })`),
				Check:  func(*terraform.State) error { return tg.clientToken(id, secret) },
			},
			{
				Config: withToken("active"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("valid"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// The kill switch and the client's token in one configuration, the token
// opened only while the client is active: turning the client off is one
// apply, and so is turning it back on, because a reactivation plans
// client_secret as unknown and Terraform then opens the token during the
// apply, after the client is active, not during the plan, when Stytch
// would refuse it. The secret itself does not change.
func TestAccM2MClient_reactivateWithToken(t *testing.T) {
	tg := newTarget(t)
	var id, secret string
	config := func(active bool) string {
		return tg.providerConfig() + fmt.Sprintf(`
locals {
  active = %t
}
`, active) + tg.m2mClientConfig(`status = local.active ? "active" : "inactive"`) + `
ephemeral "machineauth_m2m_client_token" "t" {
  count         = local.active ? 1 : 0
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
  scopes        = ["read:reports"]
}

ephemeral "machineauth_token_verification" "t" {
  count           = local.active ? 1 : 0
  token           = ephemeral.machineauth_m2m_client_token.t[count.index].access_token
  required_scopes = ["read:reports"]
}

provider "echo" {
  data = {
    valid = [for v in ephemeral.machineauth_token_verification.t : v.valid]
  }
}

resource "echo" "verification" {}
`
	}
	sameSecret := resource.TestCheckResourceAttrWith(m2mClientAddr, "client_secret", func(v string) error {
		if v != secret {
			return fmt.Errorf("client_secret changed across the kill switch")
		}
		return nil
	})
	valid := func(want ...bool) statecheck.StateCheck {
		checks := []knownvalue.Check{}
		for _, w := range want {
			checks = append(checks, knownvalue.Bool(w))
		}
		return statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("valid"), knownvalue.TupleExact(checks))
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: echoFactories,
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{
			{
				Config:            config(true),
				ConfigStateChecks: []statecheck.StateCheck{valid(true)},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(m2mClientAddr, "client_id", &id),
					captureAttr(m2mClientAddr, "client_secret", &secret),
				),
			},
			{
				// Off: no token is asked for, in plan or apply.
				Config: config(false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownValue(m2mClientAddr, tfjsonpath.New("client_secret"), knownvalue.NotNull())},
				},
				// A token asked for while the client is off would fail the
				// step: Stytch refuses it.
				Check: resource.ComposeTestCheckFunc(sameSecret, func(*terraform.State) error {
					if c, err := tg.Client.GetM2MClient(t.Context(), id); err != nil || c.Status != "inactive" {
						return fmt.Errorf("client %+v (%v), want inactive", c, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					return nil
				}),
			},
			{
				// Back on, with the token, in one apply.
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(m2mClientAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(m2mClientAddr, tfjsonpath.New("client_secret")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{valid(true)},
				Check:             sameSecret,
			},
			{
				// A token asked of an inactive client says how to avoid it.
				Config: tg.providerConfig() + tg.m2mClientConfig(`status = "inactive"`) + `
ephemeral "machineauth_m2m_client_token" "t" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
}
`,
				ExpectError: diagMatching("Stytch refused the client", "count = 0", "Kill switch and token in one configuration"),
			},
		},
	})
}

// required_scopes: a token without the scope is insufficient_scope, not an
// error.
func TestAccM2MClient_requiredScopes(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: echoFactories,
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + tg.m2mClientConfig() + `
ephemeral "machineauth_m2m_client_token" "t" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
  scopes        = ["read:reports"]
}

ephemeral "machineauth_token_verification" "t" {
  token           = ephemeral.machineauth_m2m_client_token.t.access_token
  required_scopes = ["read:reports", "write:reports"]
}

# Without scopes, a token carries all of the client's.
ephemeral "machineauth_m2m_client_token" "all" {
  client_id     = machineauth_m2m_client.c.client_id
  client_secret = machineauth_m2m_client.c.client_secret
}

ephemeral "machineauth_token_verification" "all" {
  token           = ephemeral.machineauth_m2m_client_token.all.access_token
  required_scopes = ["read:reports", "write:reports"]
}

provider "echo" {
  data = {
    valid      = ephemeral.machineauth_token_verification.t.valid
    reason     = ephemeral.machineauth_token_verification.t.reason
    all_valid  = ephemeral.machineauth_token_verification.all.valid
    all_scopes = ephemeral.machineauth_m2m_client_token.all.scopes
  }
}

resource "echo" "verification" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("valid"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("reason"), knownvalue.StringExact(reasonInsufficientScope)),
				statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("all_valid"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("echo.verification", tfjsonpath.New("data").AtMapKey("all_scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("read:reports"), knownvalue.StringExact("write:reports"),
				})),
			},
		}},
	})
}

// A client deleted outside Terraform leaves the state with a warning, and
// the next apply makes a new one; import by client_id reaches the state the
// create did, the secret aside.
func TestAccM2MClient_driftAndImport(t *testing.T) {
	tg := newTarget(t)
	rec := &warningRecorder{}
	var first, second string
	config := tg.providerConfig() + tg.m2mClientConfig(`client_description = "drifts"`, `trusted_metadata = jsonencode({ team = "payments", tier = 2 })`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{
			{Config: config, Check: captureAttr(m2mClientAddr, "client_id", &first)},
			{
				PreConfig: func() {
					if err := tg.Client.DeleteM2MClient(t.Context(), first); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(m2mClientAddr, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					captureAttr(m2mClientAddr, "client_id", &second),
					func(s *terraform.State) error {
						if second == first {
							return fmt.Errorf("the client was not created anew")
						}
						return expectWarning(rec, str("M2M client "), &first, str("deleted outside Terraform"))(s)
					},
				),
			},
			{
				ResourceName:            m2mClientAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"client_secret"},
			},
		},
	})
}

// A create whose answer is lost is found by the client_id the provider
// made: one client, whose secret works, and no second create.
func TestAccM2MClient_lostCreateAnswer(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := newFaultProxy(t, srv)
	p.set(&faultRule{method: "POST", pathSuffix: "/v1/m2m/clients", times: 1})
	var id, secret string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkM2MClientsGone(srv),
		Steps: []resource.TestStep{{
			Config: proxiedProvider(srv, p) + m2mClientConfig(),
			Check: resource.ComposeTestCheckFunc(
				captureAttr(m2mClientAddr, "client_id", &id),
				captureAttr(m2mClientAddr, "client_secret", &secret),
				func(*terraform.State) error {
					if len(p.lostAnswers()) != 1 || srv.Stats().Calls("POST", "/v1/m2m/clients") != 1 {
						return fmt.Errorf("%d answers lost and %d creates; want one of each", len(p.lostAnswers()), srv.Stats().Calls("POST", "/v1/m2m/clients"))
					}
					if ids := srv.M2MClientIDs(); len(ids) != 1 || ids[0] != id {
						return fmt.Errorf("clients %v; want only %s", ids, id)
					}
					return clientToken(t, srv, id, secret)
				},
			),
		}},
	})
}

// The data source reads a client by id.
func TestAccM2MClientDataSource(t *testing.T) {
	tg := newTarget(t)
	const ds = "data.machineauth_m2m_client.c"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + tg.m2mClientConfig(`trusted_metadata = jsonencode({ team = "payments" })`) + `
data "machineauth_m2m_client" "c" {
  client_id  = machineauth_m2m_client.c.client_id
  depends_on = [machineauth_m2m_client.c]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("status"), knownvalue.StringExact("active")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("client_name"), knownvalue.StringExact(tg.Name("billing"))),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("trusted_metadata"), knownvalue.StringExact(`{"team":"payments"}`)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("read:reports"), knownvalue.StringExact("write:reports"),
				})),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("secret_rotation_pending"), knownvalue.Bool(false)),
			},
		}},
	})
}

// A client carries its identity, and an import block naming only that
// identity adopts it without a change.
func TestAccM2MClient_identity(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkM2MClientsGone(),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + tg.m2mClientConfig(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(m2mClientAddr, map[string]knownvalue.Check{"client_id": knownvalue.StringRegexp(m2mClientIDRe)}),
				},
			},
			{ResourceName: m2mClientAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// The project's clients are listed whoever made them, filtered by scope.
func TestAccM2MClientList_query(t *testing.T) {
	tg := newTarget(t)
	var outside string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + tg.m2mClientConfig()},
			{
				PreConfig: func() { outside = tg.createM2MClient("made outside", []string{"admin"}, "").ClientID },
				Query:     true,
				Config: `
list "machineauth_m2m_client" "all" {
  provider         = machineauth
  include_resource = true
}
list "machineauth_m2m_client" "admins" {
  provider = machineauth
  config {
    scope = "admin"
  }
}
`,
				QueryResultChecks: []querycheck.QueryResultCheck{
					tg.expectListLength("machineauth_m2m_client.all", 2),
					tg.expectListLength("machineauth_m2m_client.admins", 1),
					querycheck.ExpectResourceKnownValues("machineauth_m2m_client.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"client_id": knownvalue.StringFunc(func(v string) error { return equal(v, outside) })}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("client_name"), KnownValue: knownvalue.StringExact(tg.Name("made outside"))},
							{Path: tfjsonpath.New("client_secret"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}

// Break-glass: the action turns a client off with no configuration edited,
// leaves an inactive one alone, and refuses an unknown one.
func TestAccDeactivateM2MClientAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	tg := newTarget(t)
	c := tg.createM2MClient("leaky", []string{"read"}, `{"team":"payments"}`)
	w := cliWorkspace(t, bin, tg.providerConfig()+fmt.Sprintf(`
action "machineauth_deactivate_m2m_client" "leaky" {
  config {
    client_id = %q
  }
}
action "machineauth_deactivate_m2m_client" "unknown" {
  config {
    client_id = "m2m-client-test-00000000-0000-4000-8000-000000000000"
  }
}
`, c.ClientID))
	ctx := context.Background()
	invoke := func(name string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_deactivate_m2m_client."+name)
		return res.Stdout + res.Stderr, err
	}
	out, err := invoke("leaky")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Deactivating M2M client "+c.ClientID, "Deactivated M2M client "+c.ClientID)
	if got, err := tg.Client.GetM2MClient(t.Context(), c.ClientID); err != nil || got.Status != "inactive" || got.ClientName != tg.Name("leaky") || metadataOf(got)["team"] != "payments" {
		t.Fatalf("after the action: %+v (%v); want inactive and otherwise unchanged", got, err)
	}
	if err := tg.clientToken(c.ClientID, c.ClientSecret); client.ErrorCode(err) != "invalid_client" {
		t.Errorf("a deactivated client's token request: %v, want invalid_client", err)
	}
	out, err = invoke("leaky")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "already inactive", "Warning: M2M client already inactive")
	if out, err = invoke("unknown"); err == nil {
		t.Fatalf("deactivating an unknown client succeeded:\n%s", out)
	}
	expectOutput(t, err.Error(), "M2M client not found")
}
