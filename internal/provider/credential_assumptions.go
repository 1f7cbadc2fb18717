package provider

// Where Clerk's or Stytch's reference leaves room (what a revoke of a
// credential already revoked answers, what deleting a machine does to its
// tokens, how a not-found is shaped), the provider is written to keep its
// promises whichever way the service answers: it learns which way from the
// answer itself, and where it cannot, takes the safe side. The emulator's
// switches (internal/emulator/assumptions.go) run it under each answer, and
// the pages that describe such a case link the guide that lists them.

// assumptionsGuide links the guide to what the emulator assumes, from a
// resource's, data source's or ephemeral resource's page.
const assumptionsGuide = "[What the emulator assumes](../guides/emulator-assumptions.md)"
