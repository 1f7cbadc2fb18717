package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// machineKeyVariable declares the sensitive variable the key comes in.
const machineKeyVariable = `
variable "machine_key" {
  type      = string
  sensitive = true
}
`

// A token issued with a write-only key of its machine keeps no copy of the
// key: it is refreshed and revoked with the provider's instance key, and a
// new key for the same machine (a rotation) changes nothing in the plan.
func TestAccM2MToken_writeOnlyMachineKey(t *testing.T) {
	tg := newTarget(t)
	machineID, key := tg.CreateMachine(t, "wo-issuer", nil)
	cfg := tg.providerConfig() + machineKeyVariable + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_id            = %q
  machine_secret_key_wo = var.machine_key
}
`, machineID)
	c := tg.Client
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: config.Variables{"machine_key": config.StringVariable(key)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("subject"), knownvalue.StringExact(machineID)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("machine_id"), knownvalue.StringExact(machineID)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("machine_secret_key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("machine_secret_key_wo"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(captureID(tokenName, &id), expectNotInState("machine key", &key)),
			},
			{
				// A rotation outside Terraform: the token stays, and so does
				// the plan, with the new key given.
				PreConfig: func() {
					var err error
					if key, err = c.RotateMachineSecretKey(t.Context(), machineID, 0); err != nil {
						t.Fatal(err)
					}
				},
				Config:          cfg,
				ConfigVariables: config.Variables{"machine_key": config.StringVariable(key)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(tg.expectToken(&id, nil), expectNotInState("machine key", &key)),
			},
		},
	})
}

// A key of another machine than machine_id issues a token that cannot be
// kept: it is revoked at once and the apply fails, naming both machines.
func TestAccM2MToken_machineIDOfAnotherMachine(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	other, _ := tg.CreateMachine(t, "other", nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + machineKeyVariable + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_id            = %q
  machine_secret_key_wo = var.machine_key
}
`, other),
			ConfigVariables: config.Variables{"machine_key": config.StringVariable(fx.ClerkMachineSecretKey)},
			ExpectError:     diagMatching("issued the token for machine "+fx.ClerkMachineID+", not machine_id "+other, "was revoked"),
		}},
	})
	tokens := tg.M2MTokens(t, fx.ClerkMachineID)
	if len(tokens) != 1 || !tokens[0].Revoked || deref(tokens[0].RevocationReason) != fmt.Sprintf("%q", mismatchRevocationReason) {
		t.Fatalf("the mismatched token was not revoked: %+v", tokens)
	}
}

// Without the instance key, a token is read with the provider's machine
// key, which cannot see another machine's tokens: a write-only key of
// another machine is refused at apply, its token revoked, rather than
// leaving a token that fails every later refresh.
func TestAccM2MToken_writeOnlyKeyThatCannotBeReadLater(t *testing.T) {
	tg := newTarget(t)
	machineID, key := tg.CreateMachine(t, "unreadable", nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tg.providerConfigWithout("secret_key") + machineKeyVariable + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_id            = %q
  machine_secret_key_wo = var.machine_key
}
`, machineID),
			ConfigVariables: config.Variables{"machine_key": config.StringVariable(key)},
			ExpectError:     diagMatching("could neither refresh nor revoke this one later", "set clerk.secret_key", "was revoked"),
		}},
	})
	tokens := tg.M2MTokens(t, machineID)
	if len(tokens) != 1 || !tokens[0].Revoked {
		t.Fatalf("the unreadable token was not revoked: %+v", tokens)
	}
}

// A state written by the provider before machine_id and
// machine_secret_key_wo existed, with machine_secret_key kept in it, plans
// empty with its unchanged configuration. Moving that configuration to
// machine_id and machine_secret_key_wo updates the token in place, never
// replacing it, and drops the key from the state. (The e2e package checks
// the same on a state file stripped to the previous schema.)
func TestAccM2MToken_stateWithMachineSecretKeyUpgrades(t *testing.T) {
	tg := newTarget(t)
	machineID, key := tg.CreateMachine(t, "legacy", nil)
	vars := config.Variables{"machine_key": config.StringVariable(key)}
	legacy := tg.providerConfigWithout("machine_secret_key") + machineKeyVariable + `
resource "machineauth_m2m_token" "t" {
  machine_secret_key = var.machine_key
  claims             = jsonencode({ app = "legacy" })
}
`
	migrated := tg.providerConfigWithout("machine_secret_key") + machineKeyVariable + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_id            = %q
  machine_secret_key_wo = var.machine_key
  claims                = jsonencode({ app = "legacy" })
}
`, machineID)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: legacy, ConfigVariables: vars,
				Check: resource.ComposeTestCheckFunc(captureID(tokenName, &id), resource.TestCheckResourceAttr(tokenName, "machine_secret_key", key)),
			},
			// The same configuration plans nothing.
			{Config: legacy, ConfigVariables: vars, PlanOnly: true},
			{
				Config: migrated, ConfigVariables: vars,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("machine_secret_key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("machine_id"), knownvalue.StringExact(machineID)),
				},
				Check: resource.ComposeTestCheckFunc(
					func(s *terraform.State) error { return equal(s.RootModule().Resources[tokenName].Primary.ID, id) },
					tg.expectToken(&id, nil),
					expectNotInState("machine key", &key),
				),
			},
			{Config: migrated, ConfigVariables: vars, PlanOnly: true},
		},
	})
}
