package provider

import (
	"context"
)

// An import can fill in only what the service reports. The arguments it
// cannot (a token's machine key and lifetime, a key's lifetime) are taken
// from the configuration on the first apply after the import, without
// replacing or changing the credential: the import marks the private state,
// and the first update clears the mark.

// importedKey marks, in private state, a credential imported and not yet
// updated: its first plan adopts the arguments the service cannot report
// instead of replacing or changing the credential for them.
const importedKey = "imported"

// justImported reports whether the credential was imported and has not
// been updated since.
func justImported(ctx context.Context, p privateState) bool {
	v, _ := p.GetKey(ctx, importedKey)
	return len(v) > 0
}
