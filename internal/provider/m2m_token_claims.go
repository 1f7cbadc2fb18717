package provider

import (
	"encoding/json"
	"fmt"
	"strings"
)

// canonicalClaims checks that raw is a JSON object of claims an M2M token
// may carry and returns it re-encoded with sorted keys and numbers kept
// exact, so two spellings of the same claims compare equal byte for byte.
// problem says what is wrong, for a diagnostic.
func canonicalClaims(raw string) (canonical json.RawMessage, problem string) {
	obj, problem := customClaims(raw)
	if problem != "" {
		return nil, problem
	}
	for _, name := range reservedClaims {
		if _, taken := obj[name]; taken {
			return nil, fmt.Sprintf("the claim %q is reserved: Clerk sets %s itself.", name, strings.Join(reservedClaims, ", "))
		}
	}
	return json.RawMessage(marshalClaims(obj)), ""
}

// checkM2MTokenClaims says what is wrong with configured claims, or "".
func checkM2MTokenClaims(raw string) string {
	_, problem := canonicalClaims(raw)
	return problem
}
