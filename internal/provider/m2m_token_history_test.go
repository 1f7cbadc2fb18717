package provider

import (
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// A token revoked outside Terraform with a full page of newer tokens on its
// machine sits on the second page of the machine's history: the search
// reads on to it, and the plan removes it with its own revocation reason,
// not as a token Clerk no longer lists.
func TestAccM2MToken_revokedOutsideBeyondFirstHistoryPage(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	config := providerConfig(srv) + `
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = 600
}
`
	rec := &warningRecorder{}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &id)},
			{
				PreConfig: func() {
					revokeOutside(t, srv, &id, "leaked in a CI log")
					issueAndRevoke(t, srv, listPageSize)
					history := srv.M2MTokens(srv.Info().Fixture.ClerkMachineID)
					if i := slices.IndexFunc(history, func(tok emulator.M2MToken) bool { return tok.ID == id }); i < listPageSize {
						t.Fatalf("%s is at %d in its machine's history, want past the first page of %d", id, i, listPageSize)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
	if !rec.has("M2M token "+id+" is gone", "revoked outside Terraform", `"leaked in a CI log"`) {
		t.Errorf("no warning names %s and its revocation reason; warnings:\n%s", id, rec.all())
	}
}
