package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
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

var tokenSecretPattern = regexp.MustCompile(`^mt_[A-Za-z0-9]+$`)

// revokeOutside revokes a token as someone in Clerk's dashboard would.
func revokeOutside(t *testing.T, srv *emulator.Server, id *string, reason string) {
	t.Helper()
	info := srv.Info()
	c, err := client.New(client.Config{ClerkAPIURL: info.ClerkAPIURL, ClerkSecretKey: info.ClerkSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RevokeM2MToken(context.Background(), srv.Info().ClerkSecretKey, *id, &reason); err != nil {
		t.Fatalf("revoking %s outside Terraform: %v", *id, err)
	}
}

func TestAccM2MToken_lifecycle(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	config := func(claims, reason string) string {
		return tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = 3600
  claims                   = %q
  revocation_reason        = %q
}
`, claims, reason)
	}
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason("rotated out"),
		Steps: []resource.TestStep{
			{
				Config: config(`{"team":"payments","tier":1}`, "first reason"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(tokenName, tfjsonpath.New("id")),
					plancheck.ExpectSensitiveValue(tokenName, tfjsonpath.New("token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), knownvalue.StringRegexp(tokenIDPattern)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("token"), knownvalue.StringRegexp(tokenSecretPattern)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("subject"), knownvalue.StringExact(fx.ClerkMachineID)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(fx.ClerkScopedMachineID)})),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("token_format"), knownvalue.StringExact("opaque")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("ready_for_rotation"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &id),
					tg.expectToken(&id, nil),
					func(*terraform.State) error {
						tok, err := tg.token("", id)
						if err != nil {
							return err
						}
						if tok.ExpiresAt() == nil {
							return fmt.Errorf("token %s never expires, want a lifetime of 1h", id)
						}
						if life := tok.ExpiresAt().Sub(tok.Created()); life < time.Hour-time.Second || life > time.Hour+time.Second {
							return fmt.Errorf("token lifetime %s, want 1h", life)
						}
						// The configured claims, and the create marker that
						// makes a lost answer's recovery exact.
						var claims map[string]any
						if err := json.Unmarshal(tok.Claims, &claims); err != nil {
							return fmt.Errorf("token claims %s: %w", tok.Claims, err)
						}
						marker, _ := claims[createMarkerClaim].(string)
						if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(marker) {
							return fmt.Errorf("token claims %s carry no create marker", tok.Claims)
						}
						delete(claims, createMarkerClaim)
						if fmt.Sprint(claims) != "map[team:payments tier:1]" {
							return fmt.Errorf("token claims %s", tok.Claims)
						}
						return nil
					},
				),
			},
			{
				// The same claims, reformatted and reordered: nothing to do.
				Config: config("{\n  \"tier\": 1,\n  \"team\": \"payments\"\n}", "first reason"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// The reason only matters at revoke: updated in place, no new token.
				Config: config(`{"team":"payments","tier":1}`, "rotated out"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("revocation_reason"), knownvalue.StringExact("rotated out")),
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("token"), knownvalue.StringRegexp(tokenSecretPattern)),
				},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenName, "id", &id),
					tg.expectToken(&id, nil),
					tg.expectIssued(1),
				),
			},
		},
	})
}

func TestAccM2MToken_keepersReplace(t *testing.T) {
	tg := newTarget(t)
	config := func(generation string) string {
		return tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  keepers = { generation = %q }
}
`, generation)
	}
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: captureID(tokenName, &first)},
			{
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &second),
					tg.expectToken(&first, str(defaultRevocationReason)),
					tg.expectToken(&second, nil),
				),
			},
		},
	})
}

func TestAccM2MToken_rotation(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	config := providerConfig(srv) + `
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = 3600
  rotate_before_seconds    = 600
  lifecycle {
    create_before_destroy = true
  }
}
`
	var first, second string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkRevokedWithReason(srv, defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &first)},
			{
				// 100 s before the window opens, by the emulator's clock.
				PreConfig: func() { srv.Advance(2900 * time.Second) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// Inside the window: replaced, the new token issued first.
				PreConfig: func() { srv.Advance(200 * time.Second) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreateBeforeDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("ready_for_rotation"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &second),
					expectToken(srv, &first, str(defaultRevocationReason)),
					expectToken(srv, &second, nil),
					func(*terraform.State) error {
						if first == second {
							return fmt.Errorf("token %s was not rotated", first)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccM2MToken_revokedOrExpiredOutsideTerraform(t *testing.T) {
	tg := newTarget(t)
	// Live, the second token lives 20 s, which steps two and three must
	// take less than, and the test sleeps 21 s for it to expire.
	life := tg.Lifetime(600, 20)
	tg.ReserveWait(t, time.Duration(life+1)*time.Second, "for a token to expire")
	rec := &warningRecorder{}
	config := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = %d
}
`, life)
	var first, second, third string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &first)},
			{
				PreConfig: func() { tg.RevokeM2MToken(t, first, "leaked in a CI log") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &second),
					expectWarning(rec, &first, str("revoked outside Terraform"), str(`"leaked in a CI log"`)),
					tg.expectToken(&second, nil),
				),
			},
			{
				PreConfig: func() { tg.Wait(t, time.Duration(life+1)*time.Second) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &third),
					expectWarning(rec, &second, str("expired")),
					tg.expectToken(&third, nil),
				),
			},
		},
	})
}

func TestAccM2MToken_import(t *testing.T) {
	tg := newTarget(t)
	config := tg.providerConfig() + `
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = 3600
  claims                   = jsonencode({ team = "payments" })
  revocation_reason        = "import test over"
}
`
	importID := func(s *terraform.State) (string, error) {
		rs := s.RootModule().Resources[tokenName]
		return rs.Primary.Attributes["subject"] + "/" + rs.Primary.ID, nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason("import test over"),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:      tokenName,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
				// Clerk reports none of these: the secret is shown once,
				// and the rest are inputs it does not echo.
				ImportStateVerifyIgnore: []string{"token", "seconds_until_expiration", "revocation_reason"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["token"] != "" {
						return fmt.Errorf("want one imported token with a null secret, got %v", states)
					}
					return nil
				},
			},
			{
				// An import block: the arguments Clerk cannot report are
				// adopted in place, never by replacing the token.
				ResourceName:       tokenName,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ImportStateIdFunc:  importID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(tokenName, tfjsonpath.New("claims"), knownvalue.StringExact(`{"team":"payments"}`)),
				}},
			},
		},
	})
}

func TestAccM2MToken_twoMachines(t *testing.T) {
	for name, withInstanceKey := range map[string]bool{"instance key lists": true, "machine keys list": false} {
		t.Run(name, func(t *testing.T) {
			tg := newTarget(t)
			fx := tg.Fixture
			second, secondKey := tg.CreateMachine(t, "second-service", nil)
			provider := tg.providerConfig()
			if !withInstanceKey {
				provider = tg.providerConfigWithout("secret_key")
			}
			config := provider + fmt.Sprintf(`
resource "machineauth_m2m_token" "a" {}

resource "machineauth_m2m_token" "b" {
  machine_secret_key = %q
}
`, secondKey)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
				Steps: []resource.TestStep{
					{
						Config: config,
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("machineauth_m2m_token.a", tfjsonpath.New("subject"), knownvalue.StringExact(fx.ClerkMachineID)),
							statecheck.ExpectKnownValue("machineauth_m2m_token.b", tfjsonpath.New("subject"), knownvalue.StringExact(second)),
							statecheck.ExpectKnownValue("machineauth_m2m_token.b", tfjsonpath.New("scopes"), knownvalue.SetExact(nil)),
						},
					},
					{
						// Refreshes both through their own listings.
						Config:             config,
						PlanOnly:           true,
						ExpectNonEmptyPlan: false,
					},
				},
			})
		})
	}
}

func TestAccM2MToken_jwt(t *testing.T) {
	tg := newTarget(t)
	// Live, the token lives 12 s and the test sleeps 13 s for it to
	// expire; the step that shows it kept while unlisted runs only where
	// time can be moved to just before its expiry.
	life := tg.Lifetime(600, 12)
	tg.ReserveWait(t, time.Duration(life+1)*time.Second, "for a JWT to expire")
	rec := &warningRecorder{}
	config := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  token_format             = "jwt"
  seconds_until_expiration = %d
  claims                   = jsonencode({ team = "payments" })
}
`, life)
	var first, second string
	steps := []resource.TestStep{
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^eyJ[\w-]+\.[\w-]+\.[\w-]+$`))),
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("id"), knownvalue.StringRegexp(tokenIDPattern)),
				statecheck.ExpectKnownValue(tokenName, tfjsonpath.New("token_format"), knownvalue.StringExact("jwt")),
			},
			Check: resource.ComposeTestCheckFunc(
				captureID(tokenName, &first),
				func(*terraform.State) error {
					if n := tg.issued(); n != 0 {
						return fmt.Errorf("the machine lists %d tokens; JWTs are never stored", n)
					}
					return nil
				},
			),
		},
	}
	waited := time.Duration(0)
	if !tg.Live {
		// Unlisted, yet kept until it expires.
		steps = append(steps, resource.TestStep{
			PreConfig: func() { tg.Wait(t, 500*time.Second) },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		})
		waited = 500 * time.Second
	}
	steps = append(steps, resource.TestStep{
		PreConfig: func() { tg.Wait(t, time.Duration(life+1)*time.Second-waited) },
		Config:    config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionCreate),
		}},
		Check: resource.ComposeTestCheckFunc(
			captureID(tokenName, &second),
			expectWarning(rec, &first, str("expired")),
		),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy: func(*terraform.State) error {
			if !rec.has(second, "stays valid until") {
				return fmt.Errorf("destroy gave no warning that JWT %s stays valid; warnings:\n%s", second, rec.all())
			}
			return nil
		},
		Steps: steps,
	})
}

// TestAccM2MToken_callBudget holds apply, plan and destroy to a call
// budget over N tokens of one machine: each refresh lists at most
// ceil(N/100)+1 times, apply creates exactly N tokens and destroy revokes
// exactly N. Each step's calls are counted from its PreConfig to a check
// that runs before the harness's own follow-up plans.
func TestAccM2MToken_callBudget(t *testing.T) {
	const n = 120
	const budget = (n+99)/100 + 1
	srv := startEmulator(t, emulator.Options{})
	config := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  count = %d
}
`, n)
	const (
		listRoute   = "/clerk/v1/m2m_tokens"
		createRoute = "/clerk/v1/m2m_tokens"
		revokeRoute = "/clerk/v1/m2m_tokens/{m2m_token_id}/revoke"
	)
	var before emulator.Stats
	snapshot := func() { before = srv.Stats() }
	since := func(method, route string) int { return srv.Stats().Calls(method, route) - before.Calls(method, route) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: snapshot,
				Config:    config,
				Check: func(*terraform.State) error {
					if got := since("POST", createRoute); got != n {
						return fmt.Errorf("apply made %d creates, want exactly %d", got, n)
					}
					if got := since("GET", listRoute); got > budget {
						return fmt.Errorf("apply made %d list calls, want at most %d", got, budget)
					}
					return nil
				},
			},
			{
				PreConfig: snapshot,
				Config:    config,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					m2mListBudgetCheck(t, "the refreshing plan", func() int { return since("GET", listRoute) }, budget),
				}},
			},
			{
				// Destroy's own refresh, then the revokes; the plan after
				// it has no token left to read.
				PreConfig: snapshot,
				Config:    config,
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					m2mListBudgetCheck(t, "destroy", func() int { return since("GET", listRoute) }, budget),
					callCount{what: "destroy's revokes", calls: func() int { return since("POST", revokeRoute) }, want: n},
				}},
			},
		},
	})
}

// m2mListBudgetCheck is a plan check that the list calls of what stay
// within budget, and that there were some: a refresh that lists nothing
// checks nothing.
type m2mListBudget struct {
	t      *testing.T
	what   string
	calls  func() int
	budget int
}

func m2mListBudgetCheck(t *testing.T, what string, calls func() int, budget int) plancheck.PlanCheck {
	return m2mListBudget{t: t, what: what, calls: calls, budget: budget}
}

func (c m2mListBudget) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	got := c.calls()
	c.t.Logf("%s made %d list calls (budget %d)", c.what, got, c.budget)
	if got < 1 || got > c.budget {
		resp.Error = fmt.Errorf("%s made %d list calls, want 1 to %d", c.what, got, c.budget)
	}
}

// create_marker = false issues the claims exactly as configured, and
// turning the marker back on changes nothing at Clerk: it only applies to
// the next create, so the plan updates state in place.
func TestAccM2MToken_createMarkerOff(t *testing.T) {
	tg := newTarget(t)
	config := func(marker bool) string {
		return tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  claims        = jsonencode({ team = "payments" })
  create_marker = %t
}
`, marker)
	}
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: config(false),
				Check: resource.ComposeTestCheckFunc(
					captureID(tokenName, &id),
					func(*terraform.State) error {
						tok, err := tg.token("", id)
						if err != nil {
							return err
						}
						var claims map[string]any
						if json.Unmarshal(tok.Claims, &claims) != nil || fmt.Sprint(claims) != "map[team:payments]" {
							return fmt.Errorf("token claims %s, want exactly the configured ones", tok.Claims)
						}
						return nil
					},
				),
			},
			{
				Config: config(true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tokenName, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttrPtr(tokenName, "id", &id),
					resource.TestCheckResourceAttr(tokenName, "claims", `{"team":"payments"}`),
				),
			},
		},
	})
}

// last_used_at shows, after a refresh, that a token is in use, so unused
// ones can be found and retired; before any use it is null.
func TestAccM2MToken_lastUsedAt(t *testing.T) {
	tg := newTarget(t)
	config := tg.providerConfig() + tokenResource
	var secret string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkRevokedWithReason(defaultRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckNoResourceAttr(tokenName, "last_used_at"),
					func(s *terraform.State) error {
						secret = s.RootModule().Resources[tokenName].Primary.Attributes["token"]
						return nil
					},
				),
			},
			{
				PreConfig: func() {
					if _, err := tg.Client.VerifyM2MToken(context.Background(), tg.Env.ClerkSecretKey, secret); err != nil {
						t.Fatalf("using the token: %v", err)
					}
				},
				Config: config,
				Check:  resource.TestMatchResourceAttr(tokenName, "last_used_at", rfc3339Pattern),
			},
		},
	})
}
