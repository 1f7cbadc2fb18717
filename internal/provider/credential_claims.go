package provider

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Custom claims, which M2M tokens and API keys carry: a JSON object set in
// configuration, in which the provider keeps a namespace of its own for the
// create marker (see credential_create_marker.go), and which a refresh
// shows as configured while Clerk reports the same JSON.

// reservedClaims are the JWT claims Clerk sets itself on JWT-format tokens,
// refused as custom claims (400 machine_token_reserved_claim). Refusing them at
// validate time turns an apply-time API error into a plan-time diagnostic.
var reservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp"}

// customClaims decodes claims a configuration sets: a JSON object none of
// whose names is in the provider's own namespace, so that no configured
// claim can pass for a create marker.
func customClaims(raw string) (map[string]any, string) {
	obj, problem := parseJSONObject(raw)
	if problem != "" {
		return nil, problem
	}
	for name := range obj {
		if strings.HasPrefix(name, reservedClaimPrefix) {
			return nil, fmt.Sprintf("the claim %q is in the %q namespace, which the provider keeps for its create marker.", name, reservedClaimPrefix)
		}
	}
	return obj, ""
}

// claimsFromClerk is the claims value to keep after reading a credential:
// the prior one when it is the same JSON (so the user's formatting stays),
// else Clerk's, as after an import; the create marker is never shown.
func claimsFromClerk(prior types.String, got json.RawMessage) types.String {
	got, marked := withoutCreateMarker(got)
	if len(got) == 0 {
		return types.StringNull()
	}
	if !prior.IsNull() && !prior.IsUnknown() && sameJSONObject(prior.ValueString(), string(got)) {
		return prior
	}
	if marked && string(got) == "{}" {
		// The marker was the only claim: none were configured.
		return types.StringNull()
	}
	return types.StringValue(string(got))
}
