package provider

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// A refresh costs what is live: 300 live tokens on a machine that has
// issued and revoked 1,000 before them are read with 3 list calls. A token
// revoked outside Terraform is then looked up in the machine's history,
// newest first, only as far back as it: its plan names the token and the
// reason with at most 3 more calls (it is among the 300 newest).
func TestAccM2MToken_refreshCostsWhatIsLive(t *testing.T) {
	const (
		live, history = 300, 1000
		liveBudget    = (live + 99) / 100
		// The revoked token is among the newest `live` of the machine's
		// tokens, so its search reads at most that many pages.
		historyBudget = (live + 99) / 100
	)
	srv := startEmulator(t, emulator.Options{})
	issueAndRevoke(t, srv, history)
	config := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  count = %d
}
`, live)
	var before emulator.Stats
	snapshot := func() { before = srv.Stats() }
	lists := func() int {
		return srv.Stats().Calls("GET", "/clerk/v1/m2m_tokens") - before.Calls("GET", "/clerk/v1/m2m_tokens")
	}
	rec := &warningRecorder{}
	var revokedID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: snapshot,
				Config:    config,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					callCount{what: "the refresh of 300 live tokens", calls: lists, want: liveBudget},
				}},
			},
			{
				PreConfig: func() {
					revokedID = srv.M2MTokens(srv.Info().Fixture.ClerkMachineID)[live/2].ID
					revokeOutside(t, srv, &revokedID, "leaked in a log")
					snapshot()
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					m2mListBudgetCheck(t, "the refresh with one token revoked outside", lists, liveBudget+historyBudget),
				}},
			},
		},
	})
	if !rec.has("M2M token "+revokedID+" is gone", `"leaked in a log"`) {
		t.Errorf("no warning names %s and its revocation reason; warnings: %v", revokedID, rec.all())
	}
}

// issueAndRevoke gives the fixture machine a history: n tokens issued and
// revoked, as months of rotation would leave.
func issueAndRevoke(t *testing.T, srv *emulator.Server, n int) {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{ClerkAPIURL: info.ClerkAPIURL, ClerkSecretKey: info.ClerkSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	reason := "rotated out"
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 8)
	for range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tok, err := c.CreateM2MToken(context.Background(), info.Fixture.ClerkMachineSecretKey, client.CreateM2MTokenRequest{})
			if err == nil {
				_, err = c.RevokeM2MToken(context.Background(), info.ClerkSecretKey, tok.ID, &reason)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
