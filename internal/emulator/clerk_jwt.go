package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// m2mJWTCategory is the "cat" header Clerk stamps on JWT-format M2M tokens,
// which is how its SDKs tell them from session tokens signed by the same key.
const m2mJWTCategory = "cl_B7d4PD333AAA"

// createM2MJWT mints a JWT-format token and answers 201. Such tokens are
// stateless in Clerk: they are not stored, listed or revocable. It runs with
// s.mu held.
func (s *Server) createM2MJWT(w http.ResponseWriter, r *http.Request, m *machine, scopes []string, claims any, now time.Time, ttl time.Duration) {
	payload := map[string]any{}
	switch c := claims.(type) {
	case nil:
	case map[string]any:
		for k, v := range c {
			payload[k] = v
		}
	default:
		// A JWT's custom claims must be named; what Clerk does with an
		// array or scalar here is a guess
		// (*unconfirmed*, assumption m2m_jwt_claims_shape).
		clerkParamInvalid(w, r, "claims", "claims must be an object for a jwt token_format")
		return
	}
	id := "mt_" + randomHex(16)
	iat := now.Unix()
	exp := now.Add(ttl).Unix()
	if exp <= iat {
		exp = iat + 1
	}
	payload["sub"] = m.id
	payload["jti"] = id
	payload["iat"] = iat
	payload["nbf"] = iat
	payload["exp"] = exp
	// The scopes claim, space separated, is what @clerk/backend's
	// M2MToken.fromJwtPayload reads the scopes from, falling back to aud
	// (*unconfirmed*, assumption m2m_jwt_scopes_claim).
	switch {
	case len(scopes) == 0:
	case assumedOf(r).is("m2m_jwt_scopes_claim", "aud"):
		payload["aud"] = slices.Clone(scopes)
	default:
		payload["scopes"] = strings.Join(scopes, " ")
	}
	token := s.clerk.signer.sign(map[string]string{"cat": m2mJWTCategory}, payload)
	v, _ := m2mJWTView(payload)
	v.Token = token
	writeJSON(w, http.StatusCreated, v)
}

// verifyM2MJWT checks a JWT-format token as a local verifier would: this
// instance's signature, the M2M category and expiry at the emulator's clock.
// Clerk's SDKs verify such tokens locally and never send them to
// POST /m2m_tokens/verify; answering them there like an opaque token rather
// than 404 is the emulator's choice
// (*unconfirmed*, assumption m2m_jwt_verify_route).
func (c *clerkState) verifyM2MJWT(token string, now time.Time) (m2mTokenJSON, bool) {
	var head struct {
		Cat string `json:"cat"`
	}
	var payload map[string]any
	if !c.signer.verify(token, &head, &payload) || head.Cat != m2mJWTCategory {
		return m2mTokenJSON{}, false
	}
	v, ok := m2mJWTView(payload)
	if !ok || !now.Before(time.UnixMilli(*v.Expiration)) {
		return m2mTokenJSON{}, false
	}
	return v, true
}

// m2mJWTView renders a JWT-format token's claims as Clerk's token object,
// deriving the times from iat and exp as @clerk/backend does, so the object
// create answers with equals what a verifier later sees.
func m2mJWTView(payload map[string]any) (m2mTokenJSON, bool) {
	id, _ := payload["jti"].(string)
	sub, _ := payload["sub"].(string)
	iat, iatOK := clerkJWTSeconds(payload["iat"])
	exp, expOK := clerkJWTSeconds(payload["exp"])
	if id == "" || sub == "" || !iatOK || !expOK {
		return m2mTokenJSON{}, false
	}
	// Read as @clerk/backend reads them: scopes, else aud.
	scopes := []string{}
	if s, _ := payload["scopes"].(string); s != "" {
		scopes = strings.Fields(s)
	} else {
		scopes = append(scopes, claimStrings(payload["aud"])...)
	}
	custom := map[string]any{}
	for k, v := range payload {
		if !slices.Contains(clerkReservedClaims, k) && k != "scopes" {
			custom[k] = v
		}
	}
	var claims json.RawMessage
	if len(custom) > 0 {
		claims, _ = json.Marshal(custom) // values came from JSON
	}
	expMs := exp * 1000
	return m2mTokenJSON{
		Object:     "machine_to_machine_token",
		ID:         id,
		Subject:    sub,
		Claims:     claims,
		Scopes:     scopes,
		Expiration: &expMs,
		CreatedAt:  iat * 1000,
		UpdatedAt:  iat * 1000,
	}, true
}

// claimStrings reads an array of strings, minted as []string or parsed as
// []any; anything else is none.
func claimStrings(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		var out []string
		for _, item := range l {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// clerkJWTSeconds reads a NumericDate, minted as int64 or parsed as json.Number.
func clerkJWTSeconds(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// getJWKS answers the instance's public signing key (GET /jwks).
func (s *Server) getJWKS(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{s.clerk.signer.jwk()}})
}
