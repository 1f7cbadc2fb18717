package provider

import (
	"context"
	"regexp"
	"strings"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// The verification of access tokens that Clerk issued to OAuth
// applications: opaque oat_ tokens by Clerk's verification, JWTs locally
// against the instance's key set, told from Clerk's M2M JWTs by their typ.

// tokenTypeOAuth is a Clerk OAuth application's access token.
const tokenTypeOAuth = "oauth_access_token" //nolint:gosec // G101: the name of a token type, not a token

// opaqueOAuthToken is the shape of an opaque Clerk OAuth access token.
// Anything else is not sent to Clerk as one.
var opaqueOAuthToken = regexp.MustCompile(`^oat_[A-Za-z0-9_-]+$`)

// isOAuthAccessTokenJWT reports RFC 9068's media type, with or without
// its "application/" prefix, which every Clerk OAuth JWT access token
// carries and no M2M JWT does.
func isOAuthAccessTokenJWT(jwt *jwtverify.Token) bool {
	typ := strings.ToLower(jwt.Header.Typ)
	return typ == "at+jwt" || typ == "application/at+jwt"
}

// verifyOpaqueOAuthToken asks Clerk about an opaque access token: an
// unknown, revoked or expired one is a result, never an error.
func (tv *tokenVerifier) verifyOpaqueOAuthToken(ctx context.Context, token, clientID string) (verification, *verificationFailure) {
	v := verification{tokenType: tokenTypeOAuth}
	if _, err := tv.keys.managing(); err != nil {
		return v, &verificationFailure{"Unable to verify the OAuth access token with Clerk", err}
	}
	tok, err := tv.client.VerifyOAuthAccessToken(ctx, token)
	switch {
	case client.IsNotFound(err):
		v.reason = reasonInvalid
		return v, nil
	case err != nil:
		return v, &verificationFailure{"Unable to verify the OAuth access token with Clerk", err}
	}
	// As for M2M tokens and API keys: were Clerk to answer 200 for a
	// token it flags, the flags win.
	switch {
	case tok.Active != nil && !*tok.Active:
		v.reason = reasonInactive
	case tok.Revoked:
		v.reason = reasonRevoked
	case tok.Expired:
		v.reason = reasonExpired
	case clientID != "" && tok.ClientID != clientID:
		v.reason, v.detail = reasonInvalid, "issued to another client_id"
	}
	v.id, v.subject, v.clientID, v.expiresAt = tok.ID, tok.Subject, tok.ClientID, tok.ExpiresAt()
	v.scopes = append([]string{}, tok.Scopes...)
	return v, nil
}

// verifyClerkOAuthJWT checks a JWT access token locally, with no request
// but the key set's, which it shares with JWT-format M2M tokens: the
// signature, the key id, typ (an M2M JWT, signed by the same key, is not an
// access token), exp and nbf by Clerk's clock. Local checks cannot see a
// revoked grant or a deleted application: such a token stays valid until
// it expires.
func (tv *tokenVerifier) verifyClerkOAuthJWT(ctx context.Context, jwt *jwtverify.Token, clientID string) (verification, *verificationFailure) {
	keys, err := tv.signingKeys(ctx, jwksClerk, tv.client.ClerkJWKS)
	if err != nil {
		return verification{tokenType: tokenTypeOAuth}, &verificationFailure{"Unable to fetch Clerk's JWKS to verify an OAuth access token", err}
	}
	now, _ := tv.client.ClerkNow()
	v := checkJWT(jwt, tokenTypeOAuth, jwtverify.Checks{Keys: keys, Now: now, Leeway: jwtLeeway})
	if !v.signedByIssuer() {
		return v, nil
	}
	if !isOAuthAccessTokenJWT(jwt) {
		v.reason, v.detail = reasonMalformed, "not an OAuth access token: its typ is "+jwt.Header.Typ+", not at+jwt"
		return v, nil
	}
	tokenClientID := jwt.StringClaim("client_id")
	if v.reason == "" && clientID != "" && tokenClientID != clientID {
		v.reason, v.detail = reasonInvalid, "issued to another client_id"
	}
	v.id, v.subject, v.clientID, v.expiresAt = jwt.StringClaim("jti"), jwt.StringClaim("sub"), tokenClientID, expiry(jwt)
	// @clerk/backend reads scp first, then scope.
	if scp, ok := jwt.Claims["scp"]; ok {
		v.scopes = claimStrings(scp)
	} else {
		v.scopes = claimStrings(jwt.Claims["scope"])
	}
	v.claims = marshalClaims(jwt.Claims)
	return v, nil
}
