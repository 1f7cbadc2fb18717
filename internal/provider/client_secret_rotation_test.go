package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// The two-phase secret rotation is one piece of code for both kinds of
// Stytch client (stytch_client_secret.go): its acceptance tests are one
// table over both kinds, each case with the kind's resource, how a secret
// is tried, and what the emulator says of it.

type rotatingClientKind struct {
	name string
	addr string
	// config is the resource with more lines.
	config func(lines ...string) string
	// secretsWork checks that each of work authenticates as *id, and that
	// each of refused gets invalid_client.
	secretsWork func(t *testing.T, srv *emulator.Server, id *string, work, refused []*string) resource.TestCheckFunc
	// gone is the CheckDestroy: no client of this kind is left.
	gone func(srv *emulator.Server) resource.TestCheckFunc
	// pending reports whether the emulator holds a rotation under way.
	pending func(srv *emulator.Server, id string) bool
	// routes is where the client's secret rotation steps are posted.
	routes string

	// The same against a target, through the public API.
	targetConfig      func(tg *target) func(lines ...string) string
	targetSecretsWork func(tg *target, id *string, work, refused []*string) resource.TestCheckFunc
	targetGone        func(tg *target) resource.TestCheckFunc
	targetPending     func(tg *target, id string) (bool, error)
}

var rotatingClientKinds = []rotatingClientKind{
	{
		name: "connected_app", addr: appAddr, config: thirdPartyApp, secretsWork: secretsWork,
		gone: func(srv *emulator.Server) resource.TestCheckFunc { return checkAppsGone(srv) },
		pending: func(srv *emulator.Server, id string) bool {
			a, _ := srv.ConnectedApp(id)
			return a.RotationPending
		},
		routes: "/v1/connected_apps/clients/{client_id}/secrets/rotate",

		targetConfig:      func(tg *target) func(lines ...string) string { return tg.thirdPartyApp },
		targetSecretsWork: (*target).appSecretsWork,
		targetGone:        (*target).checkAppsGone,
		targetPending: func(tg *target, id string) (bool, error) {
			a, err := tg.Client.GetConnectedAppClient(tg.t.Context(), id)
			return err == nil && a.NextClientSecretLastFour != nil, err
		},
	},
	{
		name: "m2m_client", addr: m2mClientAddr, config: m2mClientConfig, secretsWork: clientSecretsWork, gone: checkM2MClientsGone,
		pending: func(srv *emulator.Server, id string) bool {
			c, _ := srv.M2MClient(id)
			return c.RotationPending
		},
		routes: "/v1/m2m/clients/{client_id}/secrets/rotate",

		targetConfig:      func(tg *target) func(lines ...string) string { return tg.m2mClientConfig },
		targetSecretsWork: (*target).clientSecretsWork,
		targetGone:        (*target).checkM2MClientsGone,
		targetPending: func(tg *target, id string) (bool, error) {
			c, err := tg.Client.GetM2MClient(tg.t.Context(), id)
			return err == nil && c.NextClientSecretLastFour != nil, err
		},
	},
}

// A change of triggers starts a rotation in which both secrets work; the
// overlap passing by Stytch's clock completes it, and the old secret stops
// working; triggers reverted while a rotation is pending cancel it.
func TestAccStytchClient_rotation(t *testing.T) {
	for _, kind := range rotatingClientKinds {
		t.Run(kind.name, func(t *testing.T) {
			tg := newTarget(t)
			addr := kind.addr
			var id, first, second, third string
			step := func(rotation string) string {
				return tg.providerConfig() + kind.targetConfig(tg)(`secret_rotation_triggers = { rotation = "`+rotation+`" }`, `secret_rotation_overlap_seconds = 600`)
			}
			update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}}
			notPending := func(*terraform.State) error {
				pending, err := kind.targetPending(tg, id)
				if err != nil || pending {
					return fmt.Errorf("Stytch still holds a rotation pending (%v)", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
				}
				return nil
			}
			steps := []resource.TestStep{
				{
					Config: step("1"),
					Check: resource.ComposeTestCheckFunc(
						captureAttr(addr, "client_id", &id),
						captureAttr(addr, "client_secret", &first),
						resource.TestCheckNoResourceAttr(addr, "secret_rotation_started_at"),
					),
				},
				{
					Config:           step("2"),
					ConfigPlanChecks: update,
					Check: resource.ComposeTestCheckFunc(
						resource.TestCheckResourceAttrWith(addr, "client_secret", func(v string) error { return equal(v, first) }),
						captureAttr(addr, "next_client_secret", &second),
						resource.TestCheckResourceAttrSet(addr, "secret_rotation_started_at"),
						kind.targetSecretsWork(tg, &id, []*string{&first, &second}, nil),
					),
				},
			}
			if tg.Live {
				// The overlap takes ten minutes to pass: live, the
				// rotation is cancelled instead, by going back to the
				// triggers the current secret was made under.
				t.Log("live mode leaves out completing the rotation, which waits out its ten-minute overlap, and cancels it instead")
				steps = append(steps, resource.TestStep{
					Config:           step("1"),
					ConfigPlanChecks: update,
					Check: resource.ComposeTestCheckFunc(
						resource.TestCheckResourceAttrWith(addr, "client_secret", func(v string) error { return equal(v, first) }),
						resource.TestCheckNoResourceAttr(addr, "next_client_secret"),
						kind.targetSecretsWork(tg, &id, []*string{&first}, []*string{&second}),
						notPending,
					),
				})
			} else {
				steps = append(steps,
					resource.TestStep{
						// Halfway through the overlap, nothing is due.
						PreConfig: func() { tg.Wait(t, 300*time.Second) },
						Config:    step("2"),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
					resource.TestStep{
						PreConfig:        func() { tg.Wait(t, 310*time.Second) },
						Config:           step("2"),
						ConfigPlanChecks: update,
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttrWith(addr, "client_secret", func(v string) error { return equal(v, second) }),
							resource.TestCheckNoResourceAttr(addr, "next_client_secret"),
							resource.TestCheckNoResourceAttr(addr, "secret_rotation_started_at"),
							resource.TestCheckResourceAttrWith(addr, "client_secret_last_four", func(v string) error { return equal(v, second[len(second)-4:]) }),
							kind.targetSecretsWork(tg, &id, []*string{&second}, []*string{&first}),
						),
					},
					resource.TestStep{
						Config:           step("3"),
						ConfigPlanChecks: update,
						Check:            captureAttr(addr, "next_client_secret", &third),
					},
					resource.TestStep{
						// Back to the triggers the current secret was made under.
						Config:           step("2"),
						ConfigPlanChecks: update,
						Check: resource.ComposeTestCheckFunc(
							resource.TestCheckResourceAttrWith(addr, "client_secret", func(v string) error { return equal(v, second) }),
							resource.TestCheckNoResourceAttr(addr, "next_client_secret"),
							kind.targetSecretsWork(tg, &id, []*string{&second}, []*string{&third}),
							notPending,
						),
					},
				)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             kind.targetGone(tg),
				Steps:                    steps,
			})
		})
	}
}

// A rotation start whose answer is lost issued a next secret nobody holds:
// the provider cancels that rotation and starts again, so the next secret
// in state is the one Stytch accepts.
func TestAccStytchClient_lostRotationStartAnswer(t *testing.T) {
	for _, kind := range rotatingClientKinds {
		t.Run(kind.name, func(t *testing.T) {
			srv := startEmulator(t, emulator.Options{})
			p := newFaultProxy(t, srv)
			addr := kind.addr
			var id, current, next string
			config := func(v string) string {
				return proxiedProvider(srv, p) + kind.config(`secret_rotation_triggers = { v = "`+v+`" }`)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             kind.gone(srv),
				Steps: []resource.TestStep{
					{
						Config: config("1"),
						Check: resource.ComposeTestCheckFunc(
							captureAttr(addr, "client_id", &id),
							captureAttr(addr, "client_secret", &current),
						),
					},
					{
						PreConfig: func() { p.set(&faultRule{method: "POST", pathSuffix: "/secrets/rotate/start", times: 1}) },
						Config:    config("2"),
						Check: resource.ComposeTestCheckFunc(
							captureAttr(addr, "next_client_secret", &next),
							func(s *terraform.State) error {
								if len(p.lostAnswers()) != 1 {
									return fmt.Errorf("%d answers lost, want 1", len(p.lostAnswers()))
								}
								return kind.secretsWork(t, srv, &id, []*string{&current, &next}, nil)(s)
							},
						),
					},
				},
			})
			if n := srv.Stats().Calls("POST", kind.routes+"/cancel"); n != 1 {
				t.Errorf("%d rotation cancels, want the one that dropped the lost rotation", n)
			}
		})
	}
}
