// Package acctest is what the acceptance tests (internal/provider and
// internal/e2e) need to run unchanged against either the in-memory
// emulator or real Clerk and Stytch accounts: a Target per test with the
// credentials, the fixture ids and a public-API client, the one table of
// tests that need what only the emulator has, the sweepers that clean up
// after an interrupted run, and the probes behind the assumptions report.
//
// MACHINEAUTH_ACC_TARGET=live (set by make testacc-live and make sweep)
// reads the services and fixture ids from the environment (Vars lists and
// documents each). Otherwise every Target starts an emulator of its own with
// its control routes off (emulator.Options.NoControl) and reaches it only
// over HTTP, through the routes Clerk and Stytch serve: a live-capable test
// that passes there needs nothing the real services lack. Tests that do need
// the emulator's insides (its clock, faults, counters, switches) get it only
// through StartEmulator, which skips them in live mode with the reason
// recorded in emulatorOnly.
//
// The package is imported by tests only; the provider binary never links it.
package acctest

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvTarget selects the services: "live" for the environment's, anything
// else for an emulator per test.
const EnvTarget = "MACHINEAUTH_ACC_TARGET"

// EnvReport names, when set, a file the live run appends its report to:
// the assumptions observed and the count of tests run and skipped. make
// testacc-live prints it at the end.
const EnvReport = "MACHINEAUTH_LIVE_REPORT"

// Live reports whether the tests run against the environment's services.
func Live() bool { return os.Getenv(EnvTarget) == "live" }

// Prefix starts the name of everything a test makes (machines, API keys,
// connected apps, M2M clients), and the value of the TagClaim claim of
// the M2M tokens it issues with a key it did not make. The sweepers touch
// nothing without it.
const Prefix = "tf-acc-"

// TagClaim is the custom claim that marks an M2M token as a test's when
// the machine that issued it is not one a test made (and named).
const TagClaim = "tf_acc"

// Var is one environment variable a live run reads.
type Var struct {
	Name string
	// Optional variables have a default: the services' public URLs.
	Optional bool
	// Doc says what to put there, for CONTRIBUTING.md and the error that
	// names a missing one.
	Doc string
}

// Vars are the variables of a live run, in the order CONTRIBUTING.md
// documents them; make testacc-live and make sweep check the same list.
var Vars = []Var{
	{Name: "CLERK_SECRET_KEY", Doc: "the secret key (`sk_test_...`) of a Clerk development instance with machines (M2M) and API keys enabled"},
	{Name: "CLERK_MACHINE_SECRET_KEY", Doc: "the secret key (`ak_...`) of a machine of that instance that you made for the tests (any name); the run issues a few tokens with it, tagged and revoked, and makes its other machines itself"},
	{Name: "STYTCH_PROJECT_ID", Doc: "a Stytch B2B project in the test environment (`project-test-...`)"},
	{Name: "STYTCH_SECRET", Doc: "that project's secret"},
	{Name: "MACHINEAUTH_FIXTURE_CLERK_USER_ID", Doc: "a Clerk user (`user_...`) that owns the API keys the tests make"},
	{Name: "MACHINEAUTH_FIXTURE_CLERK_ORGANIZATION_ID", Doc: "a Clerk organization (`org_...`) that owns the API keys the tests make"},
	{Name: "MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID", Doc: "a Stytch organization (`organization-test-...`)"},
	{Name: "MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID", Doc: "an active member of it (`member-test-...`) whose role may grant the scopes `read:reports` and `write:reports` and revoke connected apps (`stytch_admin`); the tests authorize apps for it and revoke them"},
	{Name: "MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID", Doc: "a confidential third-party connected app (`connected-app-test-...`) that may request `read:reports` and `write:reports`"},
	{Name: "MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET", Doc: "that app's client secret"},
	{Name: "MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI", Doc: "one of that app's redirect URLs, exactly as registered"},
	{Name: "CLERK_API_URL", Optional: true, Doc: "Clerk's Backend API with its version, `https://api.clerk.com/v1` when unset"},
	{Name: "STYTCH_BASE_URL", Optional: true, Doc: "Stytch's API origin, `https://test.stytch.com` when unset"},
}

// Env is what a run knows of the services: where they are, the
// credentials, and the ids of what must exist before it starts.
type Env struct {
	ClerkAPIURL           string // "" for Clerk's own
	ClerkSecretKey        string
	ClerkMachineSecretKey string
	StytchBaseURL         string // "" for Stytch's own
	StytchProjectID       string
	StytchSecret          string

	ClerkUserID                    string
	ClerkOrganizationID            string
	StytchOrganizationID           string
	StytchMemberID                 string
	StytchConnectedAppID           string
	StytchConnectedAppClientSecret string
	StytchRedirectURI              string
}

// field is where each of Vars goes in an Env.
func (e *Env) field(name string) *string {
	switch name {
	case "CLERK_API_URL":
		return &e.ClerkAPIURL
	case "CLERK_SECRET_KEY":
		return &e.ClerkSecretKey
	case "CLERK_MACHINE_SECRET_KEY":
		return &e.ClerkMachineSecretKey
	case "STYTCH_BASE_URL":
		return &e.StytchBaseURL
	case "STYTCH_PROJECT_ID":
		return &e.StytchProjectID
	case "STYTCH_SECRET":
		return &e.StytchSecret
	case "MACHINEAUTH_FIXTURE_CLERK_USER_ID":
		return &e.ClerkUserID
	case "MACHINEAUTH_FIXTURE_CLERK_ORGANIZATION_ID":
		return &e.ClerkOrganizationID
	case "MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID":
		return &e.StytchOrganizationID
	case "MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID":
		return &e.StytchMemberID
	case "MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID":
		return &e.StytchConnectedAppID
	case "MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET":
		return &e.StytchConnectedAppClientSecret
	case "MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI":
		return &e.StytchRedirectURI
	}
	panic("acctest: no variable " + name)
}

// EnvFromEnviron reads Vars from the process environment. The error names
// every required variable that is missing, and refuses production
// credentials: the run makes and revokes credentials by the hundred.
func EnvFromEnviron() (Env, error) {
	return envFrom(os.Getenv)
}

func envFrom(getenv func(string) string) (Env, error) {
	var e Env
	var missing []string
	for _, v := range Vars {
		val := strings.TrimSpace(getenv(v.Name))
		if val == "" && !v.Optional {
			missing = append(missing, v.Name)
		}
		*e.field(v.Name) = val
	}
	if len(missing) > 0 {
		return Env{}, fmt.Errorf("the live acceptance tests need %s (see CONTRIBUTING.md)", strings.Join(missing, ", "))
	}
	var errs []error
	if strings.HasPrefix(e.ClerkSecretKey, "sk_live_") {
		errs = append(errs, errors.New("CLERK_SECRET_KEY is a production instance's key (sk_live_): use a development instance"))
	}
	if strings.HasPrefix(e.StytchProjectID, "project-live-") {
		errs = append(errs, errors.New("STYTCH_PROJECT_ID is a live project: use the project's test environment"))
	}
	return e, errors.Join(errs...)
}
