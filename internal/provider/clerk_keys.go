package provider

import (
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// clerkKeys decides which Clerk key makes each call: the one home of that
// policy, asked by the token store, the resources, the actions and token
// verification. resourceKey is the key a resource keeps for the token's
// life, its machine_secret_key, or "" when it keeps none. A write-only
// machine_secret_key_wo is the resource's own key at create only: after
// that the token keeps no key, so that a rotation of its machine's key
// leaves it working.
type clerkKeys struct {
	// instance and machine are the provider's clerk.secret_key and
	// clerk.machine_secret_key, "" when not configured.
	instance, machine string
}

var (
	missingMachineKey  = &client.MissingCredentialError{Service: "clerk", Attribute: "clerk.machine_secret_key", EnvVar: "CLERK_MACHINE_SECRET_KEY"}
	missingInstanceKey = &client.MissingCredentialError{Service: "clerk", Attribute: "clerk.secret_key", EnvVar: "CLERK_SECRET_KEY"}
)

// issuing is the key that creates a token: only a machine key may, the
// resource's own before the provider's.
func (k clerkKeys) issuing(resourceKey string) (string, error) {
	switch {
	case resourceKey != "":
		return resourceKey, nil
	case k.machine != "":
		return k.machine, nil
	default:
		return "", missingMachineKey
	}
}

// canIssue reports whether a token without a key of its own can be issued.
func (k clerkKeys) canIssue(resourceKey string) bool {
	_, err := k.issuing(resourceKey)
	return err == nil
}

// reading is the key that lists and revokes a token issued with
// resourceKey: the instance key when configured, since it sees every
// machine and makes one listing per machine whatever key issued the
// tokens; else the issuing machine's own key.
func (k clerkKeys) reading(resourceKey string) (string, error) {
	switch {
	case k.instance != "":
		return k.instance, nil
	case resourceKey != "":
		return resourceKey, nil
	case k.machine != "":
		return k.machine, nil
	default:
		return "", missingInstanceKey
	}
}

// revokeNeedsResourceKey reports whether revoking a token later needs the
// resource's own key, which is then worth keeping until then: only when
// the provider has no instance key.
func (k clerkKeys) revokeNeedsResourceKey() bool { return k.instance == "" }

// verifying is the key that verifies an opaque token: the instance key,
// which sees every token, else the provider's machine key, which sees the
// tokens of the machines that scope it.
func (k clerkKeys) verifying() (string, error) {
	return k.reading("")
}

// readsEveryMachine reports whether the key that reads a token keeping no
// key of its own sees every machine's tokens: the instance key does; the
// provider's machine key sees only its own machine's, so a token issued
// with another machine's write-only key must be checked to be readable.
func (k clerkKeys) readsEveryMachine() bool { return k.instance != "" }

// managing is the key that creates, reads, renames, rotates and deletes
// machines, lists them, reads their secret keys and grants their scopes,
// and manages OAuth applications and revokes and verifies their tokens:
// the instance key, the only one Clerk accepts for either. The client's
// calls send it; asking here first lets a plan say what is missing before
// any request.
func (k clerkKeys) managing() (string, error) {
	if k.instance == "" {
		return "", missingInstanceKey
	}
	return k.instance, nil
}

// canManageAPIKeys reports whether API keys can be created, read, renewed,
// revoked and verified: only the instance key may, whoever the key is for.
func (k clerkKeys) canManageAPIKeys() bool { return k.instance != "" }
