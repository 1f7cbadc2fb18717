package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const apiKeyAddr = "machineauth_api_key.k"

var apiKeySecretPattern = regexp.MustCompile(`^ak_[A-Za-z0-9]+$`)

// expectAPIKey checks the emulator's record of a key: live, or revoked
// with exactly reason.
func expectAPIKey(srv *emulator.Server, id *string, revokedWith *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		k, ok := srv.APIKey(*id)
		switch {
		case !ok:
			return fmt.Errorf("emulator has no API key %s", *id)
		case revokedWith == nil && k.Revoked:
			return fmt.Errorf("API key %s is revoked, want live", *id)
		case revokedWith == nil:
			return nil
		case !k.Revoked:
			return fmt.Errorf("API key %s is live, want revoked with %q", *id, *revokedWith)
		case k.RevocationReason == nil || *k.RevocationReason != *revokedWith:
			return fmt.Errorf("API key %s revoked with %v, want %q", *id, deref(k.RevocationReason), *revokedWith)
		}
		return nil
	}
}

// checkAPIKeysRevokedWith is a CheckDestroy: every API key that was in
// state is revoked in the emulator with exactly reason, and still there:
// revoked, never deleted.
func checkAPIKeysRevokedWith(srv *emulator.Server, reason string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		n := 0
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "machineauth_api_key" {
				continue
			}
			n++
			id := rs.Primary.ID
			if err := expectAPIKey(srv, &id, &reason)(s); err != nil {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("no API key in state to check")
		}
		return nil
	}
}

// revokeAPIKeyOutside revokes a key as someone in Clerk's dashboard would.
func revokeAPIKeyOutside(t *testing.T, srv *emulator.Server, id *string, reason string) {
	t.Helper()
	if _, err := adminClient(t, srv).RevokeAPIKey(context.Background(), *id, &reason); err != nil {
		t.Fatalf("revoking %s outside Terraform: %v", *id, err)
	}
}

// Create; scopes and description changed in place (the same id and
// secret); renewal inside the window as an in-place update that keeps the
// id and secret and moves the expiry; destroy revokes with exactly the
// configured reason.
func TestAccAPIKey_lifecycleAndRenewal(t *testing.T) {
	tg := newTarget(t)
	fx := tg.Fixture
	name := tg.Name("billing export")
	config := func(description, scopes string) string {
		return tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  name                     = %q
  subject                  = %q
  description              = %q
  scopes                   = %s
  claims                   = jsonencode({ team = "payments" })
  seconds_until_expiration = 3600
  renew_before_seconds     = 600
  revocation_reason        = "billing export retired"
}
`, name, fx.ClerkUserID, description, scopes)
	}
	var id, secret, expiresAt string
	var expiration time.Time
	steps := []resource.TestStep{
		{
			Config: config("nightly export", `["read"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectSensitiveValue(apiKeyAddr, tfjsonpath.New("secret")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(apiKeyIDPattern)),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("secret"), knownvalue.StringRegexp(apiKeySecretPattern)),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("claims"), knownvalue.StringExact(`{"team":"payments"}`)),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("ready_for_renewal"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("last_used_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("expires_at"), knownvalue.StringRegexp(rfc3339Pattern)),
			},
			Check: resource.ComposeTestCheckFunc(
				captureID(apiKeyAddr, &id),
				captureAttr(apiKeyAddr, "secret", &secret),
				tg.expectAPIKey(&id, nil),
				func(*terraform.State) error {
					k, err := tg.apiKey(id)
					if err != nil {
						return err
					}
					if got, err := tg.Client.GetAPIKeySecret(context.Background(), id); err != nil || got != secret {
						return fmt.Errorf("Clerk's secret of the key is not the one in state (%v)", err) //nolint:errorlint // err may be nil here, which %v prints as <nil> and %w as %!w(<nil>)
					}
					if k.Subject != fx.ClerkUserID || fmt.Sprint(k.Scopes) != "[read]" || k.ExpiresAt() == nil {
						return fmt.Errorf("Clerk's key %+v", k)
					}
					var claims map[string]any
					_ = json.Unmarshal(k.Claims, &claims)
					if marker, _ := claims[createMarkerClaim].(string); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(marker) {
						return fmt.Errorf("key claims %s carry no create marker", k.Claims)
					}
					expiration = *k.ExpiresAt()
					return nil
				},
			),
		},
		{
			// In place: the same key, no create.
			Config: config("nightly and hourly export", `["read", "write"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("expires_at"), knownvalue.NotNull()),
			}},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrPtr(apiKeyAddr, "id", &id),
				resource.TestCheckResourceAttrPtr(apiKeyAddr, "secret", &secret),
				captureAttr(apiKeyAddr, "expires_at", &expiresAt),
				func(*terraform.State) error {
					k, err := tg.apiKey(id)
					if err != nil {
						return err
					}
					if fmt.Sprint(k.Scopes) != "[read write]" || deref(k.Description) != `"nightly and hourly export"` {
						return fmt.Errorf("Clerk's key %+v", k)
					}
					if k.ExpiresAt() == nil || !k.ExpiresAt().Equal(expiration) {
						return fmt.Errorf("an update of scopes moved the expiry from %s to %v", expiration, k.ExpiresAt())
					}
					return tg.expectAPIKeysNamed(fx.ClerkUserID, name, 1)
				},
			),
		},
	}
	// Renewal waits most of the hour for the window.
	steps = append(steps, tg.emulatorSteps(t, "renewal waits 50 minutes for its window",
		resource.TestStep{
			// 100 s before the window opens.
			PreConfig: func() { tg.Wait(t, 2900*time.Second) },
			Config:    config("nightly and hourly export", `["read", "write"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		},
		resource.TestStep{
			// Inside the window: renewed in place.
			PreConfig: func() { tg.Wait(t, 200*time.Second) },
			Config:    config("nightly and hourly export", `["read", "write"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionUpdate),
				plancheck.ExpectUnknownValue(apiKeyAddr, tfjsonpath.New("expires_at")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("ready_for_renewal"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrPtr(apiKeyAddr, "id", &id),
				resource.TestCheckResourceAttrPtr(apiKeyAddr, "secret", &secret),
				tg.expectAPIKey(&id, nil),
				func(s *terraform.State) error {
					k, err := tg.apiKey(id)
					if err != nil {
						return err
					}
					// 3100 s after the first expiry was set, the new one is an
					// hour after the renewal; the clock also runs on in real
					// time, two minutes of which a loaded machine may take
					// between the two.
					if moved := k.ExpiresAt().Sub(expiration); moved < 3100*time.Second || moved > 3220*time.Second {
						return fmt.Errorf("renewal moved the expiry by %s, want about 3100s", moved)
					}
					if got := s.RootModule().Resources[apiKeyAddr].Primary.Attributes["expires_at"]; got == expiresAt {
						return fmt.Errorf("expires_at in state stayed %s", got)
					}
					// Renewal must not make a new key.
					return tg.expectAPIKeysNamed(fx.ClerkUserID, name, 1)
				},
			),
		},
	)...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAPIKeysRevokedWith("billing export retired"),
		Steps:                    steps,
	})
}

// A key revoked outside Terraform is made anew, with a warning that names
// it and the reason; so is one that expired.
func TestAccAPIKey_revokedOrExpiredOutsideTerraform(t *testing.T) {
	tg := newTarget(t)
	// Live, the second key lives 15 s, which steps two and three must take
	// less than, and the test sleeps 16 s for it to expire.
	life := tg.Lifetime(600, 15)
	tg.ReserveWait(t, time.Duration(life+1)*time.Second, "for an API key to expire")
	rec := &warningRecorder{}
	config := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  name                     = %q
  subject                  = %q
  seconds_until_expiration = %d
}
`, tg.Name("outside"), tg.Fixture.ClerkOrganizationID, life)
	var first, second, third string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		CheckDestroy:             tg.checkAPIKeysRevokedWith(defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(apiKeyAddr, &first)},
			{
				PreConfig: func() { tg.revokeAPIKey(first, "leaked in a CI log") },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(apiKeyAddr, &second),
					expectWarning(rec, &first, str("revoked outside Terraform"), str(`"leaked in a CI log"`)),
					tg.expectAPIKey(&second, nil),
				),
			},
			{
				PreConfig: func() { tg.Wait(t, time.Duration(life+1)*time.Second) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(
					captureID(apiKeyAddr, &third),
					expectWarning(rec, &second, str("expired")),
					tg.expectAPIKey(&third, nil),
				),
			},
		},
	})
}

// An import recovers the secret: the imported state is what create
// stored, but for the arguments only a configuration holds.
func TestAccAPIKey_importRecoversTheSecret(t *testing.T) {
	tg := newTarget(t)
	config := tg.providerConfig() + fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  name                     = %q
  subject                  = %q
  description              = "to be imported"
  scopes                   = ["read"]
  claims                   = jsonencode({ team = "payments" })
  seconds_until_expiration = 3600
  renew_before_seconds     = 300
  revocation_reason        = "import test over"
}
`, tg.Name("imported"), tg.Fixture.ClerkMachineID)
	var id string
	var updated int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(
			// Adopting an imported key's lifetime sends no update: Clerk's
			// updated_at is where the create left it.
			func(*terraform.State) error {
				k, err := tg.apiKey(id)
				if err != nil {
					return err
				}
				if k.UpdatedAt != updated && !k.Revoked {
					return fmt.Errorf("the key was updated: adopting an imported key's lifetime must send no update")
				}
				return nil
			},
			tg.checkAPIKeysRevokedWith("import test over"),
		),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(captureID(apiKeyAddr, &id), func(*terraform.State) error {
					k, err := tg.apiKey(id)
					if err == nil {
						updated = k.UpdatedAt
					}
					return err
				}),
			},
			{
				ResourceName:      apiKeyAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Only the configuration knows these: Clerk does not echo them.
				ImportStateVerifyIgnore: []string{"seconds_until_expiration", "renew_before_seconds", "revocation_reason"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || !apiKeySecretPattern.MatchString(states[0].Attributes["secret"]) {
						return fmt.Errorf("want one imported key with its secret, got %v", states)
					}
					return nil
				},
			},
			{
				// An import block: the lifetime Clerk cannot report is adopted
				// without a request, never by renewing or replacing the key.
				ResourceName:       apiKeyAddr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apiKeyAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("expires_at"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(apiKeyAddr, tfjsonpath.New("secret"), knownvalue.NotNull()),
				}},
			},
			{
				// Before destroy: the import's apply sent no update.
				Config:   config,
				PlanOnly: true,
				Check: func(*terraform.State) error {
					k, err := tg.apiKey(id)
					if err != nil {
						return err
					}
					if k.UpdatedAt != updated {
						return fmt.Errorf("the key's updated_at moved from %d to %d: adopting an imported key's lifetime must send no update", updated, k.UpdatedAt)
					}
					return nil
				},
			},
		},
	})
}

// One listing serves every key of a subject: a plan over 50 keys of one
// user refreshes them all with a single list call and no read by id;
// apply makes exactly 50 creates and destroy exactly 50 revokes.
func TestAccAPIKey_oneListingPerSubject(t *testing.T) {
	const n = 50
	srv := startEmulator(t, emulator.Options{})
	config := providerConfig(srv) + fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  count   = %d
  name    = "worker ${count.index}"
  subject = %q
}
`, n, srv.Info().Fixture.ClerkUserID)
	const (
		listRoute   = "/clerk/v1/api_keys"
		createRoute = listRoute
		getRoute    = "/clerk/v1/api_keys/{api_key_id}"
		revokeRoute = "/clerk/v1/api_keys/{api_key_id}/revoke"
	)
	var before emulator.Stats
	snapshot := func() { before = srv.Stats() }
	since := func(method, route string) func() int {
		return func() int { return srv.Stats().Calls(method, route) - before.Calls(method, route) }
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkAPIKeysRevokedWith(srv, defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{
				PreConfig: snapshot,
				Config:    config,
				Check: func(*terraform.State) error {
					if got := since("POST", createRoute)(); got != n {
						return fmt.Errorf("apply made %d creates, want exactly %d", got, n)
					}
					if st := srv.Stats(); st.APIKeys.Live != n {
						return fmt.Errorf("%d live keys, want %d", st.APIKeys.Live, n)
					}
					return nil
				},
			},
			{
				PreConfig: snapshot,
				Config:    config,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					callCount{what: "the refreshing plan's listings", calls: since("GET", listRoute), want: 1},
					callCount{what: "the refreshing plan's reads by id", calls: since("GET", getRoute), want: 0},
				}},
			},
			{
				PreConfig: snapshot,
				Config:    config,
				Destroy:   true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					callCount{what: "destroy's listings", calls: since("GET", listRoute), want: 1},
					callCount{what: "destroy's revokes", calls: since("POST", revokeRoute), want: n},
				}},
			},
		},
	})
}

// A refused key is an error, never taken for a key that is gone: the
// refresh fails with Clerk's answer and the key stays in state and live.
func TestAccAPIKey_refusedRefreshIsAnError(t *testing.T) {
	tg := newTarget(t)
	key := apiKeyResourceFor(tg.Name("refused"), tg.Fixture.ClerkUserID)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAPIKeysRevokedWith(defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + key, Check: captureID(apiKeyAddr, &id)},
			{
				Config:      tg.providerConfigWith("secret_key", "sk_test_NotTheInstanceKey000000000000000000") + key,
				PlanOnly:    true,
				ExpectError: diagMatching("Unable to read API key", "401 clerk_key_invalid"),
			},
			{
				Config: tg.providerConfig() + key,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttrPtr(apiKeyAddr, "id", &id), tg.expectAPIKey(&id, nil)),
			},
		},
	})
}

const ephemeralAPIKeyConfig = `
ephemeral "machineauth_api_key" "k" {
  name                     = %q
  subject                  = %q
  scopes                   = ["deploy"]
  seconds_until_expiration = 600
  revocation_reason        = "run over"
}

provider "echo" {
  data = ephemeral.machineauth_api_key.k.secret
}

resource "echo" "k" {}
`

func withEcho() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"machineauth": testAccProtoV6ProviderFactories["machineauth"],
		"echo":        echoprovider.NewProviderServer(),
	}
}

// The ephemeral key reaches another provider (echo stores what it is
// given, so the test can see it), and every key opened in the run, the
// plan's included, is revoked with the configured reason by the end.
func TestAccAPIKeyEphemeral_passedOnAndRevoked(t *testing.T) {
	tg := newTarget(t)
	org, name := tg.Fixture.ClerkOrganizationID, tg.Name("ci run")
	var echoed string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: withEcho(),
		Steps: []resource.TestStep{{
			Config: tg.providerConfig() + fmt.Sprintf(ephemeralAPIKeyConfig, name, org),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.k", tfjsonpath.New("data"), knownvalue.StringRegexp(apiKeySecretPattern)),
			},
			Check: captureAttr("echo.k", "data", &echoed),
		}},
	})
	keys := tg.apiKeysNamed(org, name)
	if len(keys) == 0 {
		t.Fatal("no key was made")
	}
	passed := false
	for _, k := range keys {
		secret, err := tg.Client.GetAPIKeySecret(context.Background(), k.ID)
		if err != nil {
			t.Fatal(err)
		}
		passed = passed || secret == echoed
		if !k.Revoked || deref(k.RevocationReason) != `"run over"` {
			t.Errorf("key %s: revoked %v with %s, want revoked with \"run over\"", k.ID, k.Revoked, deref(k.RevocationReason))
		}
	}
	if !passed {
		t.Error("the secret the other provider got is none of the keys made")
	}
}

// A revoke that fails when the key is closed is a warning that says the
// key stays valid, not an error: the run has done its work.
func TestAccAPIKeyEphemeral_failedRevokeIsAWarning(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/revoke") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"errors":[{"message":"unavailable","long_message":"try later","code":"service_unavailable"}]}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	rec := &warningRecorder{}
	factories := recordingFactories(rec)
	factories["echo"] = echoprovider.NewProviderServer()
	org := srv.Info().Fixture.ClerkOrganizationID
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{{
			Config: editProviderConfig(providerConfig(srv), func(attr string) (string, bool) {
				switch attr {
				case "api_url":
					return `api_url = "` + proxy.URL + `/clerk/v1"`, true
				case "max_retry_wait":
					return `max_retry_wait = "1ms"` + "\n  max_retries = 0", true
				}
				return "", true
			}) + fmt.Sprintf(ephemeralAPIKeyConfig, "ci run", org),
		}},
	})
	if !rec.has("Unable to revoke API key", "503", "stays valid until it expires") {
		t.Errorf("no warning about the failed revoke; warnings:\n%s", rec.all())
	}
	if live := srv.Stats().APIKeys.Live; live == 0 {
		t.Error("no key is live: the failing revoke was not exercised")
	}
}

func apiKeyResourceFor(name, subject string) string {
	return fmt.Sprintf(`
resource "machineauth_api_key" "k" {
  name    = %q
  subject = %q
}
`, name, subject)
}

// A key carries its identity, and an import block with only that identity
// adopts it without a change.
func TestAccAPIKey_identity(t *testing.T) {
	tg := newTarget(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   identityVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAPIKeysRevokedWith(defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + apiKeyResourceFor(tg.Name("identity"), tg.Fixture.ClerkUserID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(apiKeyAddr, map[string]knownvalue.Check{"api_key_id": knownvalue.StringRegexp(apiKeyIDPattern)}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(apiKeyAddr, tfjsonpath.New("api_key_id"), tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    apiKeyAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// A subject's keys are listed whoever made them: the one Terraform
// manages and one made outside it, and, only when asked, a revoked one.
func TestAccAPIKeyList_query(t *testing.T) {
	tg := newTarget(t)
	// The test's own machine as the subject: no other test lists its keys.
	subject := tg.Fixture.ClerkMachineID
	script, byHand := tg.Name("made by a script"), tg.Name("rotated by hand")
	var outside, revoked string
	byIdentity := func(id *string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"api_key_id": knownvalue.StringFunc(func(v string) error { return equal(v, *id) }),
		})
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   listVersions,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             tg.checkAPIKeysRevokedWith(defaultAPIKeyRevocationReason),
		Steps: []resource.TestStep{
			{Config: tg.providerConfig() + apiKeyResourceFor(tg.Name("listed"), subject)},
			{
				PreConfig: func() {
					outside = tg.makeAPIKey(subject, script)
					revoked = tg.makeAPIKey(subject, byHand)
					tg.revokeAPIKey(revoked, "rotated by hand")
				},
				Query: true,
				Config: fmt.Sprintf(`
list "machineauth_api_key" "live" {
  provider         = machineauth
  include_resource = true
  config {
    subject = %[1]q
  }
}
list "machineauth_api_key" "all" {
  provider = machineauth
  config {
    subject         = %[1]q
    include_revoked = true
  }
}
`, subject),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("machineauth_api_key.live", 2),
					querycheck.ExpectLength("machineauth_api_key.all", 3),
					querycheck.ExpectResourceKnownValues("machineauth_api_key.live", byIdentity(&outside), []querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringFunc(func(v string) error { return equal(v, outside) })},
						{Path: tfjsonpath.New("name"), KnownValue: knownvalue.StringExact(script)},
						{Path: tfjsonpath.New("subject"), KnownValue: knownvalue.StringExact(subject)},
						{Path: tfjsonpath.New("secret"), KnownValue: knownvalue.Null()},
						{Path: tfjsonpath.New("expires_at"), KnownValue: knownvalue.Null()},
					}),
					querycheck.ExpectResourceDisplayName("machineauth_api_key.all", byIdentity(&revoked),
						knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(byHand)+` \(ak_[0-9a-f]{32}\), made \S+, revoked$`))),
				},
			},
		},
	})
}

// Break-glass revocation with `terraform apply -invoke`: a key no state
// holds is revoked with the reason given; a second run finds it revoked
// and leaves its reason; an unknown id is refused.
func TestAccRevokeAPIKeyAction_invoke(t *testing.T) {
	bin := terraformAtLeast(t, tfversion.Version1_14_0)
	tg := newTarget(t)
	leaked := tg.makeAPIKey(tg.Fixture.ClerkMachineID, tg.Name("leaked key"))
	w := cliWorkspace(t, bin, tg.providerConfig()+fmt.Sprintf(`
action "machineauth_revoke_api_key" "leak" {
  config {
    api_key_id = %q
    reason     = "leaked in a CI log"
  }
}
action "machineauth_revoke_api_key" "unknown" {
  config {
    api_key_id = "ak_00000000000000000000000000000000"
  }
}
`, leaked))
	ctx := context.Background()
	invoke := func(name string) (string, error) {
		res, err := w.Run(ctx, "apply", "-auto-approve", "-no-color", "-invoke=action.machineauth_revoke_api_key."+name)
		return res.Stdout + res.Stderr, err
	}
	out, err := invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "Revoking API key "+leaked, "Revoked API key "+leaked)
	if err := tg.expectAPIKey(&leaked, str("leaked in a CI log"))(nil); err != nil {
		t.Fatalf("after the action: %v", err)
	}
	out, err = invoke("leak")
	if err != nil {
		t.Fatal(err)
	}
	expectOutput(t, out, "already revoked", `"leaked in a CI log"`, "Warning: API key already revoked")
	out, err = invoke("unknown")
	if err == nil {
		t.Fatalf("revoking an unknown key succeeded:\n%s", out)
	}
	expectOutput(t, err.Error(), "API key not found", "Nothing was revoked")
}
