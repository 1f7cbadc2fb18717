package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// rotateMachineKey rotates a machine's secret key in Clerk with no grace
// period, as after a leak: the old key is refused from then on.
func (tg *target) rotateMachineKey(machineID string) {
	tg.t.Helper()
	if _, err := tg.Client.RotateMachineSecretKey(tg.t.Context(), machineID, 0); err != nil {
		tg.t.Fatalf("rotating the key of %s: %v", machineID, err)
	}
}

// With the instance key configured, a token is read and revoked with it,
// never with the machine key that issued it: rotating that key (the token
// itself stays valid) must not break the refresh or the destroy.
func TestAccM2MToken_instanceKeyOutlivesARotatedMachineKey(t *testing.T) {
	tg := newTarget(t)
	machine, key := tg.CreateMachine(t, "rotated-service", nil)
	config := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_secret_key = %q
}
`, key)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &id)},
			{
				PreConfig: func() { tg.rotateMachineKey(machine) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenName, "id", &id),
					tg.expectToken(&id, nil),
				),
			},
		},
	})
}
