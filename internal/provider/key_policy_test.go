package provider

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// rotateMachineKey rotates a machine's secret key in Clerk with no grace
// period, as after a leak: the old key is refused from then on.
func rotateMachineKey(t *testing.T, srv *emulator.Server, machineID string) {
	t.Helper()
	info := srv.Info()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, info.ClerkAPIURL+"/machines/"+machineID+"/secret_key/rotate",
		strings.NewReader(`{"previous_token_ttl":0}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+info.ClerkSecretKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("rotating the key of %s: %s", machineID, resp.Status)
	}
}

// With the instance key configured, a token is read and revoked with it,
// never with the machine key that issued it: rotating that key (the token
// itself stays valid) must not break the refresh or the destroy.
func TestAccM2MToken_instanceKeyOutlivesARotatedMachineKey(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	machine, key, err := srv.CreateMachine("rotated-service", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	config := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  machine_secret_key = %q
}
`, key)
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkRevokedWithReason(srv, defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &id)},
			{
				PreConfig: func() { rotateMachineKey(t, srv, machine) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenName, "id", &id),
					expectToken(srv, &id, nil),
				),
			},
		},
	})
}
