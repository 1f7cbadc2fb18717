package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// An OAuth application holds to its page's "API calls": a create is a
// create and a rename; a refresh one read; an update one PATCH; a
// rotation one rotation; destroy the refresh and one delete.
func TestAccOAuthApplication_callsPerPhase(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := &phaseCalls{srv: srv}
	config := func(name, rotation string) string {
		return oauthAppConfig(srv, name, fmt.Sprintf("  %s\n  secret_rotation_triggers = { rotation = %q }", oauthAppRedirects, rotation), "")
	}
	const (
		apps = "/clerk/v1/oauth_applications"
		app  = apps + "/{oauth_application_id}"
	)
	apply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkOAuthApplicationsDeleted(srv),
		Steps: []resource.TestStep{
			{PreConfig: p.mark, Config: config("tf-acc-calls", "1"), Check: p.check(map[string]int{"POST " + apps: 1, "PATCH " + app: 1})},
			{
				PreConfig: p.mark,
				Config:    config("tf-acc-calls", "1"),
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + app: 1}},
				}},
			},
			{Config: config("tf-acc-calls-v2", "1"), ConfigPlanChecks: apply, Check: p.check(map[string]int{"PATCH " + app: 1})},
			{Config: config("tf-acc-calls-v2", "2"), ConfigPlanChecks: apply, Check: p.check(map[string]int{"POST " + app + "/rotate_secret": 1})},
			{
				PreConfig: p.mark,
				Config:    config("tf-acc-calls-v2", "2"),
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + app: 1, "DELETE " + app: 1}},
				}},
			},
		},
	})
}
