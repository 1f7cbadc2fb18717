// Package conformance holds the fidelity test between this provider and the
// APIs it talks to. The emulator in internal/emulator must answer exactly like
// Clerk and Stytch, and internal/client must ask exactly as they expect; their
// own unit tests only check them against each other and against what their
// authors believed. This package checks both against published OpenAPI
// descriptions, Clerk's own and a third-party one of Stytch's, read from
// ../shared/reference beside the repository (never copied into it). The real
// client drives the emulator through an http.RoundTripper that validates
// every request it sends and every response it gets back, and any difference
// fails the test unless it is an allow-listed deviation where the vendor's
// own documentation or SDKs, which rank above a third-party description,
// overrule the description.
//
// MACHINEAUTH_REFERENCE_DIR names another folder holding the descriptions.
// Without it and without ../shared/reference the test skips, saying where it
// looked; CI has the folder, so there it always runs.
//
// The package has no non-test code; this file exists to say what it is for.
package conformance
