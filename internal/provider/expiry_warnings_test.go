package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const bareAndRotatingTokens = `
resource "machineauth_m2m_token" "bare" {
  seconds_until_expiration = 7200
}

resource "machineauth_m2m_token" "rotating" {
  seconds_until_expiration = 7200
  rotate_before_seconds    = 600
}
`

// A plan warns about a token that expires within expiry_warning_seconds
// (default a week) with nothing set to replace it; a token that
// rotate_before_seconds will replace first gets no such warning.
func TestAccM2MToken_expiryWarning(t *testing.T) {
	tg := newTarget(t)
	rec := &warningRecorder{}
	var bare, rotating string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{
				Config: tg.providerConfig() + bareAndRotatingTokens,
				Check: resource.ComposeTestCheckFunc(
					captureID("machineauth_m2m_token.bare", &bare),
					captureID("machineauth_m2m_token.rotating", &rotating),
				),
			},
			{Config: tg.providerConfig() + bareAndRotatingTokens, PlanOnly: true},
		},
	})
	if !rec.has("M2M token "+bare+" expires at", "expiry_warning_seconds (604800)", "rotate_before_seconds") {
		t.Errorf("no warning names %s and its expiry; warnings:\n%s", bare, rec.all())
	}
	if rec.has("M2M token " + rotating + " expires at") {
		t.Errorf("%s, which rotates first, was warned about; warnings:\n%s", rotating, rec.all())
	}
}

// eightDayToken expires a day past the default expiry_warning_seconds (a
// week): two days of skew either way moves it inside the window by one
// clock only.
const eightDayToken = `
resource "machineauth_m2m_token" "t" {
  seconds_until_expiration = 691200
}
`

// The expiry warning is judged by Clerk's clock. Clerk's runs two days
// ahead of the local one: the eight-day token has six days left by
// Clerk's clock, inside the week, but eight by the local one, so only
// Clerk's clock makes the warning due.
func TestAccM2MToken_expiryWarningClerkAhead(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	config := providerConfig(srv) + eightDayToken
	rec := &warningRecorder{}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &id)},
			{PreConfig: func() { srv.Advance(48 * time.Hour) }, Config: config, PlanOnly: true},
		},
	})
	if !rec.has("M2M token "+id+" expires at", "expiry_warning_seconds (604800)") {
		t.Errorf("no warning for %s, inside the window by Clerk's clock; warnings:\n%s", id, rec.all())
	}
}

// Clerk's clock runs two days behind the local one: the eight-day token
// has six days left by the local clock, inside the week, but eight by
// Clerk's, so the plan that refreshed (and so read Clerk's clock) warns of
// nothing.
func TestAccM2MToken_expiryWarningClerkBehind(t *testing.T) {
	srv := startEmulator(t, emulator.Options{ClockOffset: -48 * time.Hour})
	config := providerConfig(srv) + eightDayToken
	rec := &warningRecorder{}
	var id string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(tokenName, &id)},
			{
				Config:           config,
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{forgetWarnings{rec}}},
			},
		},
	})
	if rec.has("M2M token " + id + " expires at") {
		t.Errorf("%s, outside the window by Clerk's clock, was warned about; warnings:\n%s", id, rec.all())
	}
}

// forgetWarnings is a plan check that drops the warnings kept so far. A
// step's first plan runs with -refresh=false: no answer from Clerk, so the
// provider falls back to the local clock, as documented. Dropped after it,
// what is left is the refreshing plan's.
type forgetWarnings struct{ rec *warningRecorder }

func (f forgetWarnings) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	f.rec.warnings = nil
}

// Inside the rotation window, by Clerk's clock, the plan says the next
// apply rotates the token; expiry_warning_seconds = 0 turns the expiry
// warning off.
func TestAccM2MToken_rotationWindowWarning(t *testing.T) {
	srv := startEmulator(t, emulator.Options{})
	config := strings.Replace(providerConfig(srv), `max_retry_wait = "50ms"`, "max_retry_wait = \"50ms\"\n  expiry_warning_seconds = 0", 1) + bareAndRotatingTokens
	rec := &warningRecorder{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: recordingFactories(rec),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:          func() { srv.Advance(7200*time.Second - 300*time.Second) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if !rec.has("inside its rotation window: the next apply rotates it") {
		t.Errorf("no warning that the next apply rotates the token; warnings:\n%s", rec.all())
	}
	if rec.has("expires at", "expiry_warning_seconds") {
		t.Errorf("expiry_warning_seconds = 0 still warned; warnings:\n%s", rec.all())
	}
}

// A negative expiry_warning_seconds, or one from the environment that is
// not a number, is refused with the setting (and the variable) named,
// before any request.
func TestAccProvider_badExpiryWarning(t *testing.T) {
	tg := newSerialTarget(t)
	provider, calls := tg.countingConfig()
	withWarning := func(v string) string {
		return strings.Replace(provider, `max_retry_wait = "50ms"`, "max_retry_wait = \"50ms\"\n  expiry_warning_seconds = "+v, 1) + tokenResource
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      withWarning("-1"),
			ExpectError: diagMatching("expiry_warning_seconds", "must be between 0 and 315360000, got: -1"),
		}},
	})
	t.Setenv("MACHINEAUTH_EXPIRY_WARNING_SECONDS", "a week")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      provider + tokenResource,
			ExpectError: diagMatching(`expiry_warning_seconds (from MACHINEAUTH_EXPIRY_WARNING_SECONDS): "a week" is not a whole number`),
		}},
	})
	expectNoCalls(t, calls)
}
