package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const machineAddr = "machineauth_machine.m"

var machineKeyPattern = regexp.MustCompile(`^ak_[0-9a-f]+$`)

// attr is one attribute of a resource in state, for checks that compare
// values across steps.
func stateAttr(s *terraform.State, name, key string) string {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return ""
	}
	return rs.Primary.Attributes[key]
}

// checkMachinesDeleted is a CheckDestroy: no machine that was in state
// exists in the emulator any more.
func checkMachinesDeleted(srv *emulator.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_machine" {
				continue
			}
			n++
			if m, ok := srv.Machine(rs.Primary.ID); ok {
				return fmt.Errorf("machine %s (%s) still exists after destroy", m.ID, m.Name)
			}
		}
		if n == 0 {
			return fmt.Errorf("no machine in state to check")
		}
		return nil
	}
}

// A machine is created with the configured name (the temporary marked one
// never stays), renamed and given a new default lifetime in place, and
// imported back as it is; destroy deletes it.
func TestAccMachine_lifecycle(t *testing.T) {
	tg := newTarget(t)
	config := func(name string, ttl int) string {
		return tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name              = %q
  default_token_ttl = %d
}
`, name, ttl)
	}
	var id, key string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkMachinesDeleted(),
		Steps: []resource.TestStep{
			{
				Config: config(tg.Name("billing"), 900),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectSensitiveValue(machineAddr, tfjsonpath.New("secret_key")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(machineIDPattern)),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("name"), knownvalue.StringExact(tg.Name("billing"))),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("secret_key"), knownvalue.StringRegexp(machineKeyPattern)),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("secret_key_rotated_at"), knownvalue.Null()),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("previous_key_ttl_seconds"), knownvalue.Int64Exact(defaultPreviousKeyTTL)),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("scoped_machines"), knownvalue.SetSizeExact(0)),
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(machineAddr, &id), captureAttr(machineAddr, "secret_key", &key),
					func(*terraform.State) error {
						m, ok, err := tg.machine(id)
						if err != nil || !ok || m.Name != tg.Name("billing") || m.DefaultTokenTTL != 900 {
							return fmt.Errorf("Clerk holds %+v (%v)", m, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						if secret, err := tg.Client.GetMachineSecretKey(context.Background(), id); err != nil || secret != key {
							return fmt.Errorf("Clerk's key of the machine is not the one in state (%v)", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
				),
			},
			{
				Config: config(tg.Name("billing-v2"), 120),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(machineAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(machineAddr, tfjsonpath.New("secret_key"), knownvalue.NotNull()),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(machineAddr, "id", &id),
					resource.TestCheckResourceAttrPtr(machineAddr, "secret_key", &key),
					func(*terraform.State) error {
						if m, _, err := tg.machine(id); err != nil || m.Name != tg.Name("billing-v2") || m.DefaultTokenTTL != 120 {
							return fmt.Errorf("Clerk holds %+v after the update (%v)", m, err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
				),
			},
			{
				ResourceName:      machineAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// noManagedChanges fails a plan that changes any managed resource; a check
// block's data source, read on every apply, may still be planned.
func noManagedChanges() plancheck.PlanCheck { return managedNoop{} }

type managedNoop struct{}

func (managedNoop) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Mode == "managed" && !rc.Change.Actions.NoOp() {
			resp.Error = fmt.Errorf("%s is planned to %v, want no change", rc.Address, rc.Change.Actions)
			return
		}
	}
}

// No downtime: a machine, five tokens issued with its key (write-only),
// and a check block verifying one of them. Changing rotation_triggers
// rotates the key in place: the machine id stays, the key changes, and both
// keys issue tokens during the overlap. Once the emulator's clock passes
// the overlap the old key is refused, the five tokens still verify, the
// plan changes nothing, and destroy revokes all five and then deletes the
// machine. Clerk's clock runs a day ahead of the local one throughout:
// the rotation time recorded is Clerk's.
func TestAccMachine_noDowntimeRotation(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	srv.Advance(24 * time.Hour)
	c := verificationClient(t, srv)
	config := func(trigger string) string {
		return providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_machine" "m" {
  name                     = "rotating"
  previous_key_ttl_seconds = 600
  rotation_triggers        = { rotation = %q }
}

resource "machineauth_m2m_token" "t" {
  count                    = 5
  machine_id               = machineauth_machine.m.id
  machine_secret_key_wo    = machineauth_machine.m.secret_key
  seconds_until_expiration = 86400
}

check "first_token_valid" {
  data "machineauth_token_verification" "first" {
    token = machineauth_m2m_token.t[0].token
  }
  assert {
    condition     = data.machineauth_token_verification.first.valid
    error_message = "The first token no longer verifies."
  }
}
`, trigger)
	}
	var id, oldKey, newKey string
	var tokens []string
	tokenIDs := func(s *terraform.State) error {
		tokens = tokens[:0]
		for i := range 5 {
			tokens = append(tokens, stateAttr(s, fmt.Sprintf("machineauth_m2m_token.t.%d", i), "id"))
		}
		return nil
	}
	sameTokens := func(s *terraform.State) error {
		for i, want := range tokens {
			if got := stateAttr(s, fmt.Sprintf("machineauth_m2m_token.t.%d", i), "id"); got != want {
				return fmt.Errorf("token %d is %s, was %s: it was replaced", i, got, want)
			}
		}
		return nil
	}
	issues := func(key *string, want bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			_, err := c.CreateM2MToken(t.Context(), *key, client.CreateM2MTokenRequest{SecondsUntilExpiration: ptrInt64(60)})
			switch {
			case want && err != nil:
				return fmt.Errorf("key %s... issues no token: %w", (*key)[:6], err)
			case !want && !client.IsUnauthorized(err):
				return fmt.Errorf("the old key still issues tokens after its overlap (err %v)", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
			}
			return nil
		}
	}
	verifyAll := func(*terraform.State) error {
		for _, id := range tokens {
			tok, ok := srv.M2MToken(id)
			if !ok || tok.Revoked || srv.Now().After(*tok.Expiration) {
				return fmt.Errorf("token %s is no longer valid: %+v", id, tok)
			}
		}
		return nil
	}
	validCheck := statecheck.ExpectKnownValue("data.machineauth_token_verification.first", tfjsonpath.New("valid"), knownvalue.Bool(true))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkRevokedWithReason(srv, defaultRevocationReason),
			func(*terraform.State) error {
				if _, ok := srv.Machine(id); ok {
					return fmt.Errorf("machine %s still exists after destroy", id)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config:             config("q1"),
				ExpectNonEmptyPlan: true, // the check block's data source is read on every apply
				ConfigStateChecks:  []statecheck.StateCheck{validCheck},
				Check: resource.ComposeTestCheckFunc(
					captureID(machineAddr, &id), captureAttr(machineAddr, "secret_key", &oldKey), tokenIDs,
					expectNotInStateExcept(machineAddr, "machine key", &oldKey),
				),
			},
			{
				Config:             config("q2"),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(machineAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(machineAddr, tfjsonpath.New("secret_key")),
					plancheck.ExpectResourceAction("machineauth_m2m_token.t[0]", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("machineauth_m2m_token.t[4]", plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					validCheck,
					statecheck.ExpectKnownValue(machineAddr, tfjsonpath.New("secret_key_rotated_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(machineAddr, "id", &id),
					captureAttr(machineAddr, "secret_key", &newKey),
					func(s *terraform.State) error {
						if newKey == oldKey {
							return fmt.Errorf("the secret key did not change")
						}
						at, err := time.Parse(time.RFC3339, stateAttr(s, machineAddr, "secret_key_rotated_at"))
						if d := srv.Now().Sub(at); err != nil || d < 0 || d > time.Hour {
							return fmt.Errorf("secret_key_rotated_at %v is not Clerk's time of the rotation (%s): %v", at, srv.Now().Format(time.RFC3339), err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						return nil
					},
					sameTokens,
					// The overlap: both keys work.
					issues(&oldKey, true), issues(&newKey, true),
				),
			},
			{
				// Past the overlap, by the emulator's clock; first, half a
				// minute before its end, the old key still works: Clerk
				// received the whole overlap, not a shorter one.
				PreConfig: func() {
					srv.Advance(570 * time.Second)
					if err := issues(&oldKey, true)(nil); err != nil {
						t.Errorf("half a minute before the overlap ends: %v", err)
					}
					srv.Advance(31 * time.Second)
				},
				Config:             config("q2"),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{noManagedChanges()},
					PostApplyPostRefresh: []plancheck.PlanCheck{noManagedChanges()},
				},
				ConfigStateChecks: []statecheck.StateCheck{validCheck},
				Check:             resource.ComposeTestCheckFunc(issues(&oldKey, false), issues(&newKey, true), sameTokens, verifyAll),
			},
		},
	})
}

// expectNotInStateExcept is expectNotInState for every resource but the
// one that legitimately holds the secret.
func expectNotInStateExcept(owner, what string, secret *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for name, rs := range s.RootModule().Resources {
			if name == owner {
				continue
			}
			for k, v := range rs.Primary.Attributes {
				if v == *secret {
					return fmt.Errorf("the %s is in the state of %s, at %s", what, name, k)
				}
			}
		}
		return nil
	}
}

func ptrInt64(n int64) *int64 { return &n }

// Two machines scope each other in one configuration, with no cycle: the
// scopes are resources of their own. A token of A, issued once the scope
// exists, lists B in its scopes; each machine shows the other among its
// scoped machines.
func TestAccMachine_scopesEachOther(t *testing.T) {
	tg := newTarget(t)
	cfg := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_machine" "a" {
  name = %q
}

resource "machineauth_machine" "b" {
  name = %q
}
`, tg.Name("service-a"), tg.Name("service-b")) + `
resource "machineauth_machine_scope" "a_to_b" {
  machine_id        = machineauth_machine.a.id
  scoped_machine_id = machineauth_machine.b.id
}

resource "machineauth_machine_scope" "b_to_a" {
  machine_id        = machineauth_machine.b.id
  scoped_machine_id = machineauth_machine.a.id
}

resource "machineauth_m2m_token" "a" {
  machine_id            = machineauth_machine.a.id
  machine_secret_key_wo = machineauth_machine.a.secret_key
  depends_on            = [machineauth_machine_scope.a_to_b]
}
`
	var a, b string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             resource.ComposeTestCheckFunc(tg.checkMachinesDeleted(), tg.checkRevokedWithReason(defaultRevocationReason)),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeTestCheckFunc(
					captureID("machineauth_machine.a", &a), captureID("machineauth_machine.b", &b),
					func(s *terraform.State) error {
						if got := stateAttr(s, "machineauth_m2m_token.a", "scopes.0"); got != b {
							return fmt.Errorf("the token of A has scopes %q, want B (%s)", got, b)
						}
						ma, _, errA := tg.machine(a)
						mb, _, errB := tg.machine(b)
						if errA != nil || errB != nil {
							return fmt.Errorf("reading the machines: %v, %v", errA, errB) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
						}
						if !slices.Equal(scopedIDs(ma), []string{b}) || !slices.Equal(scopedIDs(mb), []string{a}) {
							return fmt.Errorf("scopes at Clerk: A %v, B %v", scopedIDs(ma), scopedIDs(mb))
						}
						return equal(stateAttr(s, "machineauth_machine_scope.a_to_b", "id"), a+"/"+b)
					},
				),
			},
			{
				// The refresh reads the scopes onto the machines.
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("machineauth_machine.a", tfjsonpath.New("scoped_machines"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringFunc(func(v string) error { return equal(v, b) })})),
				},
			},
			{
				ResourceName:      "machineauth_machine_scope.b_to_a",
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}
