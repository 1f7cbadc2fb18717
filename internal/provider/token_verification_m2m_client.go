package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// The verification of Stytch M2M client access tokens, and of
// required_scopes for every kind of token.

// looksLikeM2MClientToken tells an M2M client's token from the project's
// other JWTs, which share its key and issuer: a connected app's token names
// its client_id, and member and session tokens carry claims in Stytch's
// namespace. The checks that follow verify what this reads.
func looksLikeM2MClientToken(jwt *jwtverify.Token) bool {
	if jwt.StringClaim("client_id") != "" || jwt.StringClaim("sub") == "" {
		return false
	}
	for name := range jwt.Claims {
		if strings.HasPrefix(name, "https://stytch.com/") {
			return false
		}
	}
	return true
}

// verifyStytchM2MToken checks an M2M client's access token locally: there
// is no introspection for them, and no revoke to miss.
func (tv *tokenVerifier) verifyStytchM2MToken(ctx context.Context, jwt *jwtverify.Token) (verification, *verificationFailure) {
	keys, err := tv.signingKeys(ctx, jwksStytch, tv.client.StytchJWKS)
	if err != nil {
		return verification{tokenType: tokenTypeM2MClient}, &verificationFailure{"Unable to fetch Stytch's JWKS to verify an M2M client's access token", err}
	}
	// By Stytch's clock, learned from the JWKS answer at the latest: it set
	// exp by that clock.
	now, _ := tv.client.StytchNow()
	v := checkJWT(jwt, tokenTypeM2MClient, jwtverify.Checks{Keys: keys, Now: now, Leeway: jwtLeeway})
	if !v.signedByIssuer() {
		return v, nil
	}
	project := tv.client.StytchProjectID()
	switch {
	case !looksLikeM2MClientToken(jwt):
		// A connected app's, member's or session token, signed by the same key.
		v.reason, v.detail = reasonMalformed, "not an M2M client's access token"
		return v, nil
	case v.reason == "" && jwt.StringClaim("iss") != stytchIssuerPrefix+project:
		v.reason, v.detail = reasonInvalid, "issued by "+jwt.StringClaim("iss")+", not this project"
	case v.reason == "" && !slices.Contains(claimStrings(jwt.Claims["aud"]), project):
		v.reason, v.detail = reasonInvalid, "not meant for this project"
	}
	v.id, v.subject, v.expiresAt = jwt.StringClaim("jti"), jwt.StringClaim("sub"), expiry(jwt)
	v.scopes = claimStrings(jwt.Claims["scope"])
	v.claims = marshalClaims(jwt.Claims)
	return v, nil
}

// requireScopes turns a valid token that lacks one of the required scopes
// invalid, naming those missing in the detail.
func requireScopes(ctx context.Context, v *verification, required types.Set, diags *diag.Diagnostics) {
	if v.reason != "" || required.IsNull() || required.IsUnknown() {
		return
	}
	var want []string
	diags.Append(required.ElementsAs(ctx, &want, false)...)
	var missing []string
	for _, s := range want {
		if !slices.Contains(v.scopes, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		v.reason = reasonInsufficientScope
		v.detail = fmt.Sprintf("lacks %s", strings.Join(missing, ", "))
	}
}
