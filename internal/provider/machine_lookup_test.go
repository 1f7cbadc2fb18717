package provider

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Drift: a machine deleted outside Terraform is removed from state with a
// warning naming it and created anew; a scope removed outside is removed
// with a warning and granted again. Neither is an error.
func TestAccMachine_drift(t *testing.T) {
	tg := newTarget(t)
	c := tg.Client
	cfg := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = %q
}

resource "machineauth_machine" "target" {
  name = %q
}
`, tg.Name("drifting"), tg.Name("target")) + `
resource "machineauth_machine_scope" "s" {
  machine_id        = machineauth_machine.m.id
  scoped_machine_id = machineauth_machine.target.id
}
`
	rec := &warningRecorder{}
	var id, target, newID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy:             tg.checkMachinesDeleted(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeTestCheckFunc(captureID(machineAddr, &id), captureID("machineauth_machine.target", &target))},
			{
				// The scope alone, removed in the dashboard.
				PreConfig: func() {
					if err := c.DeleteMachineScope(t.Context(), id, target); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("machineauth_machine_scope.s", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(machineAddr, plancheck.ResourceActionNoop),
				}},
				Check: resource.ComposeTestCheckFunc(
					expectWarning(rec, &id, &target, str("removed outside Terraform")),
					func(*terraform.State) error {
						if m, _, err := tg.machine(id); err != nil || !slices.Equal(scopedIDs(m), []string{target}) {
							return fmt.Errorf("the scope was not granted again: %+v (%v)", m, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
				),
			},
			{
				// The machine itself, deleted in the dashboard: it and its
				// scope are created anew.
				PreConfig: func() {
					if err := c.DeleteMachine(t.Context(), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(machineAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("machineauth_machine_scope.s", plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					expectWarning(rec, str("Machine "), &id, str("deleted outside Terraform")),
					captureID(machineAddr, &newID),
					func(*terraform.State) error {
						if newID == id {
							return fmt.Errorf("the machine kept its deleted id")
						}
						if m, ok, err := tg.machine(newID); err != nil || !ok || len(m.ScopedMachines) != 1 {
							return fmt.Errorf("the new machine or its scope is missing: %+v (%v)", m, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
				),
			},
		},
	})
}

// A machine made outside Terraform is found by its exact name, and by
// id; a name two machines share, or none has, is an error saying so.
func TestAccMachineDataSource_byNameAndID(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	id, _ := tg.CreateMachine(t, "reports", []string{fx.ClerkScopedMachineID})
	reports := tg.Name("reports")
	// Names that the search matches in part, which must not be taken.
	for _, n := range []string{"reports-v2", "Reports"} {
		tg.CreateMachine(t, n, nil)
	}
	lookup := func(arg, value string) string {
		return tg.providerConfig() + fmt.Sprintf(`
data "machineauth_machine" "m" {
  %s = %q
}
`, arg, value)
	}
	found := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.machineauth_machine.m", tfjsonpath.New("id"), knownvalue.StringExact(id)),
		statecheck.ExpectKnownValue("data.machineauth_machine.m", tfjsonpath.New("name"), knownvalue.StringExact(reports)),
		statecheck.ExpectKnownValue("data.machineauth_machine.m", tfjsonpath.New("default_token_ttl"), knownvalue.Int64Exact(defaultMachineTokenTTL)),
		statecheck.ExpectKnownValue("data.machineauth_machine.m", tfjsonpath.New("scoped_machines"),
			knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)})),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: lookup("name", reports), ConfigStateChecks: found},
			{Config: lookup("id", id), ConfigStateChecks: found},
			{Config: lookup("name", tg.Name("no-such-machine")), ExpectError: diagMatching(`No Clerk machine is named "` + tg.Name("no-such-machine") + `"`)},
			{
				PreConfig:   func() { tg.CreateMachine(t, "reports", nil) },
				Config:      lookup("name", reports),
				ExpectError: diagMatching(`2 Clerk machines are named "`+reports+`"`, id, "Look the machine up by id instead"),
			},
		},
	})
}

// The ephemeral key reaches another resource's write-only argument, which
// issues a token with it, and is in neither the state nor the plan.
func TestAccMachineSecretKeyEphemeral_intoWriteOnlyArgument(t *testing.T) {
	tg := newTarget(t)
	id, key := tg.CreateMachine(t, "ephemeral-key", nil)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + fmt.Sprintf(`
data "machineauth_machine" "m" {
  name = %q
}
`, tg.Name("ephemeral-key")) + `
ephemeral "machineauth_machine_secret_key" "m" {
  machine_id = data.machineauth_machine.m.id
}

resource "machineauth_m2m_token" "t" {
  machine_id            = data.machineauth_machine.m.id
  machine_secret_key_wo = ephemeral.machineauth_machine_secret_key.m.secret_key
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("subject"), knownvalue.StringExact(id)),
			},
			Check: expectNotInState("machine key", &key),
		}},
	})
}

// A refused instance key is an error on refresh, never "gone": the machine
// and its scope stay in state, and with the right key the plan is empty.
func TestAccMachine_refusedKeyIsAnError(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	resources := fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name = %q
}

resource "machineauth_machine_scope" "s" {
  machine_id        = machineauth_machine.m.id
  scoped_machine_id = %q
}
`, tg.Name("guarded"), fx.ClerkScopedMachineID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkMachinesDeleted(),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + resources},
			{
				Config:      tg.providerConfigWith("secret_key", "sk_test_NotTheInstanceKey0123456789abcdef") + resources,
				ExpectError: diagMatching("Unable to read", "401 clerk_key_invalid"),
			},
			{Config: tg.providerConfig() + resources, PlanOnly: true},
		},
	})
}
