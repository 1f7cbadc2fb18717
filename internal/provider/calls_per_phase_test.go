package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The documentation of each credential states what every phase costs in
// API calls; these tests hold the provider to those numbers, counted by
// the emulator, so a change that adds a call fails here before the pages
// go stale.

// phaseCalls counts the calls made since its last mark.
type phaseCalls struct {
	srv    *emulator.Server
	before emulator.Stats
}

func (p *phaseCalls) mark() { p.before = p.srv.Stats() }

// markAtPlan is a plan check that marks: what follows is the apply alone,
// the refreshing plan before it not counted.
func (p *phaseCalls) markAtPlan() plancheck.PlanCheck { return markCheck{p} }

type markCheck struct{ p *phaseCalls }

func (m markCheck) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	m.p.mark()
}

// diff lists every route whose count since the mark is not the wanted one,
// and every route called that want does not name: "METHOD /route" -> n.
func (p *phaseCalls) diff(want map[string]int) error {
	now := p.srv.Stats()
	var bad []string
	seen := map[string]bool{}
	for k := range now.Requests {
		f := strings.Fields(k) // METHOD ROUTE STATUS
		if len(f) < 2 || seen[f[0]+" "+f[1]] {
			continue
		}
		r := f[0] + " " + f[1]
		seen[r] = true
		if got := now.Calls(f[0], f[1]) - p.before.Calls(f[0], f[1]); got != want[r] {
			bad = append(bad, fmt.Sprintf("%s: %d, want %d", r, got, want[r]))
		}
	}
	for r, n := range want {
		if !seen[r] && n != 0 {
			bad = append(bad, fmt.Sprintf("%s: 0, want %d", r, n))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("calls: %s", strings.Join(bad, "; "))
	}
	return nil
}

func (p *phaseCalls) check(want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error { return p.diff(want) }
}

type callsSince struct {
	p    *phaseCalls
	want map[string]int
}

func (c callsSince) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.p.diff(c.want)
}

// A machine: create is a create and a rename; a refresh reads the machine
// and its secret key; an update is one PATCH and a read back, a rotation
// one rotate and a read back; destroy is the refresh and one delete.
func TestAccMachine_callsPerPhase(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := &phaseCalls{srv: srv}
	config := func(name, rotation string) string {
		return providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name              = %q
  rotation_triggers = { rotation = %q }
}
`, name, rotation)
	}
	const (
		machines = "/clerk/v1/machines"
		machine  = machines + "/{machine_id}"
		key      = machine + "/secret_key"
	)
	refresh := map[string]int{"GET " + machine: 1, "GET " + key: 1}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkMachinesDeleted(srv),
		Steps: []resource.TestStep{
			{
				PreConfig: p.mark,
				Config:    config("billing", "1"),
				Check:     p.check(map[string]int{"POST " + machines: 1, "PATCH " + machine: 1}),
			},
			{
				PreConfig: p.mark,
				Config:    config("billing", "1"),
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					callsSince{p, refresh},
				}},
			},
			{
				Config:           config("billing-v2", "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}},
				Check:            p.check(map[string]int{"PATCH " + machine: 1, "GET " + machine: 1}),
			},
			{
				Config:           config("billing-v2", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}},
				Check:            p.check(map[string]int{"POST " + key + "/rotate": 1, "GET " + machine: 1}),
			},
			{
				PreConfig: p.mark,
				Config:    config("billing-v2", "2"),
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + machine: 1, "GET " + key: 1, "DELETE " + machine: 1}},
				}},
			},
		},
	})
}

// A Stytch client, connected app or M2M client: a refresh is one read; an
// update one PUT; a rotation's start and its completion one call each, on
// two applies; destroy the refresh and one delete. A connected app's
// create is a create and an update, an active M2M client's one create.
func TestAccStytchClients_callsPerPhase(t *testing.T) {
	for _, c := range []struct {
		name, addr, route string
		create            map[string]int
		config            func(srv *emulator.Server, desc, rotation string) string
		checkGone         func(*emulator.Server) resource.TestCheckFunc
	}{
		{
			name: "connected app", addr: appAddr, route: "/v1/connected_apps/clients",
			create: map[string]int{"POST /v1/connected_apps/clients": 1, "PUT /v1/connected_apps/clients/{client_id}": 1},
			config: func(srv *emulator.Server, desc, rotation string) string {
				return providerConfig(srv) + thirdPartyApp(`client_description = "`+desc+`"`,
					`secret_rotation_triggers = { rotation = "`+rotation+`" }`, `secret_rotation_overlap_seconds = 600`)
			},
			checkGone: func(srv *emulator.Server) resource.TestCheckFunc { return checkAppsGone(srv) },
		},
		{
			name: "M2M client", addr: m2mClientAddr, route: "/v1/m2m/clients",
			create: map[string]int{"POST /v1/m2m/clients": 1},
			config: func(srv *emulator.Server, desc, rotation string) string {
				return providerConfig(srv) + m2mClientConfig(`client_description = "`+desc+`"`,
					`secret_rotation_triggers = { rotation = "`+rotation+`" }`, `secret_rotation_overlap_seconds = 600`)
			},
			checkGone: checkM2MClientsGone,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			p := &phaseCalls{srv: srv}
			one := c.route + "/{client_id}"
			apply := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             c.checkGone(srv),
				Steps: []resource.TestStep{
					{PreConfig: p.mark, Config: c.config(srv, "first", "1"), Check: p.check(c.create)},
					{
						PreConfig: p.mark,
						Config:    c.config(srv, "first", "1"),
						PlanOnly:  true,
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
							callsSince{p, map[string]int{"GET " + one: 1}},
						}},
					},
					{Config: c.config(srv, "second", "1"), ConfigPlanChecks: apply, Check: p.check(map[string]int{"PUT " + one: 1})},
					{Config: c.config(srv, "second", "2"), ConfigPlanChecks: apply, Check: p.check(map[string]int{"POST " + one + "/secrets/rotate/start": 1})},
					{
						PreConfig:        func() { srv.Advance(610 * time.Second) },
						Config:           c.config(srv, "second", "2"),
						ConfigPlanChecks: apply,
						Check:            p.check(map[string]int{"POST " + one + "/secrets/rotate": 1}),
					},
					{
						PreConfig: p.mark,
						Config:    c.config(srv, "second", "2"),
						Destroy:   true,
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
							callsSince{p, map[string]int{"GET " + one: 1, "DELETE " + one: 1}},
						}},
					},
				},
			})
		})
	}
}

// A machine scope: its create reads the granting machine and grants; its
// refresh shares the granting machine's read with that machine's own;
// destroy is the refresh and one delete.
func TestAccMachineScope_callsPerPhase(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := &phaseCalls{srv: srv}
	machines := providerConfig(srv) + `
resource "machineauth_machine" "a" { name = "a" }
resource "machineauth_machine" "b" { name = "b" }
`
	withScope := machines + `
resource "machineauth_machine_scope" "a_to_b" {
  machine_id        = machineauth_machine.a.id
  scoped_machine_id = machineauth_machine.b.id
}
`
	const (
		machine = "/clerk/v1/machines/{machine_id}"
		key     = machine + "/secret_key"
		scopes  = machine + "/scopes"
	)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkMachinesDeleted(srv),
		Steps: []resource.TestStep{
			{Config: machines},
			{
				Config:           withScope,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}},
				Check:            p.check(map[string]int{"GET " + machine: 1, "POST " + scopes: 1}),
			},
			{
				PreConfig: p.mark,
				Config:    withScope,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + machine: 2, "GET " + key: 2}},
				}},
			},
			{
				PreConfig: p.mark,
				Config:    withScope,
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + machine: 2, "GET " + key: 2, "DELETE " + scopes + "/{other_machine_id}": 1, "DELETE " + machine: 2}},
				}},
			},
		},
	})
}

// API keys of one subject: a renewal is one PATCH per key, after one
// listing of the subject in an apply (or a plan with -refresh=false) that
// has not heard from Clerk; a
// refresh is one listing for all, plus one read by id for a key it lacks;
// destroy is that refresh and a revoke per key still live.
func TestAccAPIKey_callsPerPhase(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	p := &phaseCalls{srv: srv}
	config := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  count                    = 3
  name                     = "worker ${count.index}"
  subject                  = %q
  seconds_until_expiration = 3600
  renew_before_seconds     = 600
}
`, srv.Info().Fixture.ClerkUserID)
	const (
		list   = "/clerk/v1/api_keys"
		one    = list + "/{api_key_id}"
		revoke = one + "/revoke"
	)
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: p.mark,
				Config:    config,
				Check:     resource.ComposeTestCheckFunc(p.check(map[string]int{"POST " + list: 3}), captureID("machineauth_api_key.k.0", &first)),
			},
			{
				PreConfig:        func() { srv.Advance(3100 * time.Second) },
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{p.markAtPlan()}},
				Check:            p.check(map[string]int{"GET " + list: 1, "PATCH " + one: 3}),
			},
			{
				PreConfig:          func() { revokeAPIKeyOutside(t, srv, &first, "by hand"); p.mark() },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// A plan with -refresh=false lists once, for Clerk's clock
					// to judge the renewal by.
					PostApplyPreRefresh: []plancheck.PlanCheck{callsSince{p, map[string]int{"GET " + list: 1}}, p.markAtPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{
						callsSince{p, map[string]int{"GET " + list: 1, "GET " + one: 1}},
					},
				},
			},
			{
				PreConfig: p.mark,
				Config:    config,
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callsSince{p, map[string]int{"GET " + list: 1, "GET " + one: 1, "POST " + revoke: 2}},
				}},
			},
		},
	})
}
