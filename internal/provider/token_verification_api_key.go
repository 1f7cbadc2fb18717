package provider

import (
	"context"
	"regexp"
)

// apiKeySecretShape is the look of a Clerk API key's secret, which a
// machine secret key shares: only Clerk can tell which a value is. Anything
// else is not sent to Clerk as an API key.
var apiKeySecretShape = regexp.MustCompile(`^ak_[A-Za-z0-9_-]+$`)

// verifyAPIKey asks Clerk whether secret is a live API key. A key Clerk
// does not know (or no longer honours) is a result, never an error.
func (tv *tokenVerifier) verifyAPIKey(ctx context.Context, secret string) (verification, *verificationFailure) {
	v := verification{tokenType: tokenTypeAPIKey}
	if !tv.keys.canManageAPIKeys() {
		return v, &verificationFailure{"Unable to verify the API key with Clerk", missingInstanceKey}
	}
	k, err := tv.client.VerifyAPIKey(ctx, secret)
	if reason, refused := verifyRefusal(err); refused {
		v.reason = reason
		return v, nil
	}
	if err != nil {
		return v, &verificationFailure{"Unable to verify the API key with Clerk", err}
	}
	// As for M2M tokens: were Clerk to answer 200 for a key it flags,
	// the flags win.
	switch {
	case k.Revoked:
		v.reason = reasonRevoked
	case k.Expired:
		v.reason = reasonExpired
	}
	v.id, v.subject, v.expiresAt = k.ID, k.Subject, k.ExpiresAt()
	v.scopes = append([]string{}, k.Scopes...)
	if len(k.Claims) > 0 {
		v.claims = canonicalJSON(k.Claims)
	}
	return v, nil
}
