package acctest

import (
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// StartEmulator gives an emulator-only test its emulator, with its Go API
// and control routes, stopped when the test ends. It is the only way a test
// of internal/provider or internal/e2e gets one: in live mode it skips the
// test with the reason emulatorOnly records, and in emulator mode it fails
// a test that is not recorded there, so that every test that leans on the
// emulator's insides says so in one place, and every other one runs live.
func StartEmulator(t testing.TB, opts emulator.Options) *emulator.Server {
	t.Helper()
	RequireEmulator(t)
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// RequireEmulator is StartEmulator's check alone, for a test that starts
// the emulator's binary with its control routes: in live mode it skips the
// test with its recorded reason, and in emulator mode it fails one that is
// not recorded.
func RequireEmulator(t testing.TB) {
	t.Helper()
	name := topLevel(t)
	why, ok := emulatorOnly[name]
	if Live() {
		if !ok {
			t.Fatalf("%s needs the emulator in live mode, but is not marked emulator-only in internal/acctest/emulator_only.go", name)
		}
		countSkipped(t)
		t.Skipf("emulator-only: %s", why)
	}
	if !ok {
		t.Fatalf("%s uses the emulator's Go API or control routes (its clock, faults, counters or switches) but is not marked emulator-only: "+
			"record it, with the reason, in internal/acctest/emulator_only.go, or make it use its acctest.Target", name)
	}
}

// EmulatorOnly reports whether the test named so is recorded as
// emulator-only, and why.
func EmulatorOnly(name string) (string, bool) {
	why, ok := emulatorOnly[name]
	return why, ok
}

// EmulatorOnlyNames are the tests recorded as emulator-only.
func EmulatorOnlyNames() []string {
	out := make([]string, 0, len(emulatorOnly))
	for n := range emulatorOnly {
		out = append(out, n)
	}
	return out
}

// Reasons, shared by the tests they apply to.
const (
	whyFaults   = "injects faults: lost answers, 429s and 500s at chosen moments"
	whyCounts   = "holds the provider to a request budget counted by the emulator"
	whyClock    = "moves the emulator's clock"
	whyLongWait = "waits out lifetimes and overlaps far longer than a live run's minute of sleeping"
	whySkew     = "sets Clerk's or Stytch's clock apart from the runner's, which only the emulator can"
	whyConsumer = "needs a Stytch consumer user, which a B2B test project does not have"
	whySession  = "makes member sessions, which only an authentication can make at Stytch"
	whyUnit     = "drives the provider's internals directly against the emulator, without terraform"
	whyRate     = "throttles with the emulator's rate limits"
	whyNoCalls  = "proves, with the emulator's counters, that a refusal sent no request"
	whyGoAPI    = "reads the emulator's records, which no public route shows"
	whyExamples = "runs the examples and guides, whose names carry no test prefix, with the emulator's counters"
	whySweep    = "ages leftovers past the sweepers' hour with the emulator's clock"
	whyProbes   = "starts an emulator for each alternative of each switch"
	whyConsent  = "needs a user's consent to an OAuth application, which at Clerk only a browser gives and the emulator's control route stands in for"
	whyRefusals = "refuses chosen requests through a proxy of its own in front of the emulator, and reads the emulator's records"
	whySwitches = "runs each credential type under every alternative of the emulator's switches (-assume), which a real service cannot be set to; the assumptions report asks the real one which it takes"
)

// emulatorOnly is the one table of the tests that need what only the
// emulator has, by top-level name, with the reason they skip in live mode.
var emulatorOnly = map[string]string{ //nolint:gosec // G101: reasons that speak of secrets, not secrets
	// internal/provider: acceptance tests.
	"TestAccSwitches":                                                  whySwitches,
	"TestAccM2MToken_rotation":                                         whyLongWait + ": a token's rotation window opens 50 minutes into its hour",
	"TestAccM2MToken_callBudget":                                       whyCounts + ", over 120 tokens",
	"TestAccMachine_noDowntimeRotation":                                whyLongWait + " (a key's ten-minute overlap), with Clerk's clock a day ahead",
	"TestAccConnectedAppAuthorization_identity":                        whyConsumer,
	"TestAccM2MToken_expiryWarningClerkAhead":                          whySkew,
	"TestAccM2MToken_expiryWarningClerkBehind":                         whySkew,
	"TestAccM2MToken_rotationWindowWarning":                            whyLongWait,
	"TestAccM2MToken_revokedOutsideBeyondFirstHistoryPage":             "issues more than a hundred tokens outside Terraform to fill a page of history",
	"TestAccM2MToken_refreshCostsWhatIsLive":                           whyCounts,
	"TestAccM2MToken_refusedRefresh":                                   whyRefusals,
	"TestAccM2MTokenList_refusedListing":                               whyRefusals,
	"TestAccMachine_callsPerPhase":                                     whyCounts + ", phase by phase",
	"TestAccMachineScope_callsPerPhase":                                whyCounts + ", phase by phase",
	"TestAccAPIKey_callsPerPhase":                                      whyCounts + ", phase by phase",
	"TestAccStytchClients_callsPerPhase":                               whyCounts + ", phase by phase",
	"TestAccAPIKey_oneListingPerSubject":                               whyCounts + ", over 50 keys",
	"TestAccAPIKeyEphemeral_failedRevokeIsAWarning":                    "fails every revoke through a proxy of its own in front of the emulator, which would leave a live key at a real service, and reads the emulator's counts",
	"TestAccConnectedApp_lostCreateAnswer":                             whyFaults,
	"TestAccM2MClient_lostCreateAnswer":                                whyFaults,
	"TestAccStytchClient_lostRotationStartAnswer":                      whyFaults,
	"TestAccConnectedAppAuthorization_sessionWithoutPermission":        whySession,
	"TestAccConnectedAppAuthorization_oneListingPerMember":             whyCounts + ", over five authorizations",
	"TestAccConnectedAppAuthorization_consumerUser":                    whyConsumer,
	"TestAccConnectedAppAuthorization_lostAuthorizeAnswer":             whyFaults,
	"TestAccConnectedAppAuthorization_lostExchangeAnswer":              whyFaults,
	"TestAccConnectedAppAuthorization_unrecoverableCreate":             whyFaults,
	"TestAccConnectedAppAuthorization_failedCreateLeavesNothingActive": whyFaults,
	"TestAccConnectedAppAuthorization_refusedRefresh":                  whyRefusals,
	"TestAccConnectedAppAuthorizationList_refusedListing":              whyRefusals,
	"TestAccBadInput":                                                  whyNoCalls,
	"TestAccOAuthApplication_lifecycle":                                whyConsent,
	"TestAccOAuthApplication_public":                                   whyConsent,
	"TestAccOAuthApplication_tokenKinds":                               whyConsent + ", and sets the instance's JWT access tokens on and off",
	"TestAccOAuthApplication_actionListImport":                         whyConsent,
	"TestAccRevokeOAuthTokenAction_invoke":                             whyConsent,
	"TestAccOAuthApplication_drift":                                    whyRefusals,
	"TestAccOAuthApplication_callsPerPhase":                            whyCounts + ", phase by phase",
	"TestAccOAuthApplication_publicChangeRefused":                      "switches the emulator to refuse a change of public",
	// internal/provider: tests of the provider's internals.
	"TestOAuthApplicationCreate_lostAnswerAdopted":                whyUnit,
	"TestOAuthApplicationCreate_lostAnswers":                      whyUnit,
	"TestOAuthApplicationRotate_lostAnswerSentAgain":              whyUnit,
	"TestRevokeOAuthTokenAction_revokedAgain":                     whyUnit + ", under each answer of a switch",
	"TestVerifyOAuthToken_revokedUnderEachAnswer":                 whyUnit + ", under each answer of a switch",
	"TestM2MTokenConcurrentCreatesKeepEachOthersTokens":           whyUnit,
	"TestM2MTokenCreateRevokesWhatALostAnswerLeftBehind":          whyUnit,
	"TestAPIKeyConcurrentRunsKeepEachOthersKeys":                  whyUnit,
	"TestAPIKeyCreateRevokesWhatALostAnswerLeftBehind":            whyUnit,
	"TestAPIKeyRevokeIsIdempotent":                                whyUnit,
	"TestDeleteLogsRevocationReason":                              whyUnit,
	"TestDeleteOfWhatIsGoneSucceeds":                              whyUnit,
	"TestLostExchangeKeepsAnotherRunsTokens":                      whyUnit,
	"TestM2MTokenAllAnswersLostOfAnUnknownMachine":                whyUnit,
	"TestM2MTokenCreateCutOffByCancellationLeavesNoOrphan":        whyUnit,
	"TestM2MTokenCreateCarriedOutAfterTheFirstLookLeavesNoOrphan": whyUnit,
	"TestM2MTokenEphemeralCloseFailureIsAWarning":                 whyUnit,
	"TestM2MTokenEphemeralCloseOfAJWTWarnsAndSendsNothing":        whyUnit,
	"TestM2MTokenEphemeralCloseRevokesWithTheKeyItKeeps":          whyUnit,
	"TestM2MTokenFailedOrphanSearchNamesEveryLiveToken":           whyUnit,
	"TestM2MTokenLostJWTIsReported":                               whyUnit,
	"TestM2MTokenMarkedCreatesNeverRevokeAnotherRunsTokens":       whyUnit,
	"TestM2MTokenOrphanAlreadyGoneIsNoFailure":                    whyUnit,
	"TestM2MTokenOrphanSearchCountsFromTheSend":                   whyUnit,
	"TestM2MTokenOrphanSearchOutlastsFailures":                    whyUnit,
	"TestM2MTokenOrphanSearchSparesOlderTokens":                   whyUnit,
	"TestM2MTokenOrphanSearchSparesOthersTokens":                  whyUnit,
	"TestMachineCreateAdoptsWhatALostAnswerMade":                  whyUnit,
	"TestMachineCreateDeletesWhatALostAnswerLeftBehind":           whyUnit,
	"TestMachineCreateKeepsAMachineItCouldNotRename":              whyUnit,
	"TestMachineRotateSettlesALostAnswer":                         whyUnit,
	"TestMachineScopeGrantSettlesALostAnswer":                     whyUnit,
	"TestPKCEVerifierIsChecked":                                   whyUnit,
	"TestReadRemovesOnlyAuthorizationsThatAreGone":                whyUnit,
	"TestTokenVerificationFetchesEachJWKSOncePerProvider":         whyUnit,
	"TestTokenVerificationRefusesTokensWithoutClientID":           whyUnit,
	"TestTokenVerificationWithOnlyAMachineKey":                    whyUnit,
	// internal/e2e.
	"TestDemo":                                            "runs make demo, which starts the emulator's binary and reads its control routes",
	"TestEmulatorExample":                                 "runs the module that shows how to test with the emulator, against the emulator's binary and its control routes",
	"TestFaultRun":                                        whyFaults,
	"TestFaultRunAPIKeys":                                 whyFaults,
	"TestFaultRunConnectedApps":                           whyFaults,
	"TestFaultRunM2MClients":                              whyFaults,
	"TestFaultRunMachines":                                whyFaults,
	"TestFleetSharingAClerkLimit":                         whyRate,
	"TestFleetSharingAStytchLimit":                        whyRate,
	"TestParallelismUnderRateLimit":                       whyRate,
	"TestInterruptedApply":                                "slows every answer with the emulator's latency to interrupt an apply at a chosen moment, and counts what it left",
	"TestRotationGuide":                                   whyExamples + ", and its clock for the overlaps",
	"TestSwitchingGuide":                                  whyExamples,
	"TestSecretHygiene":                                   "makes member sessions and collects every secret from the emulator's records, to look for them in logs",
	"TestSecretHygieneAPIKeys":                            "collects every secret from the emulator's records, to look for them in logs",
	"TestSecretHygieneConnectedApps":                      "collects every secret from the emulator's records, to look for them in logs, and moves its clock",
	"TestSecretHygieneM2MClients":                         "collects every secret from the emulator's records, to look for them in logs, and moves its clock",
	"TestSecretHygieneMachineKeys":                        "collects every secret from the emulator's records, to look for them in logs",
	"TestSecretsInErrorBodiesAreMasked":                   "makes the emulator answer with secrets in its error bodies",
	"TestTokenStateFromBeforeMachineIDUpgrades":           "reads which tokens the emulator holds for a machine, with state written by hand",
	"TestTwoRunsSharingAMachineKeepEachOthersCredentials": whyFaults,
	"TestFaultRunOAuthApplications":                       whyFaults,
	"TestSecretHygieneOAuthApplications":                  "gets OAuth tokens through the emulator's stand-in for a user's browser, to look for them in logs",
	"TestSweepAfterInterruptedRun":                        whySweep,
}
