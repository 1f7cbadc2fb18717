package provider

import (
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// clerkKeys decides which Clerk key makes each M2M call: the one home of
// that policy, asked by the token store, the resources, the actions and
// token verification. resourceKey is a resource's own machine_secret_key,
// or "" when it has none.
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

// canManageAPIKeys reports whether API keys can be created, read, renewed,
// revoked and verified: only the instance key may, whoever the key is for.
func (k clerkKeys) canManageAPIKeys() bool { return k.instance != "" }
