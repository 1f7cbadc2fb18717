package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// expired says whether the token has expired at now; a zero expiration
// never does.
func (t *m2mToken) expired(now time.Time) bool {
	return !t.expiration.IsZero() && !now.Before(t.expiration)
}

// m2mTokenJSON is Clerk's token object; the field set is exactly the spec's
// (additionalProperties: false).
type m2mTokenJSON struct {
	Object           string          `json:"object"`
	ID               string          `json:"id"`
	Subject          string          `json:"subject"`
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Token            string          `json:"token,omitempty"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	Expiration       *int64          `json:"expiration"`
	LastUsedAt       *int64          `json:"last_used_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

// view renders the token at the emulator's clock; the secret only when
// asked, since Clerk returns it from create alone.
func (t *m2mToken) view(now time.Time, withSecret bool) m2mTokenJSON {
	v := m2mTokenJSON{
		Object:           "machine_to_machine_token",
		ID:               t.id,
		Subject:          t.subject,
		Claims:           t.claims,
		Scopes:           append([]string{}, t.scopes...),
		Revoked:          t.revoked,
		RevocationReason: t.revocationReason,
		Expired:          t.expired(now),
		CreatedAt:        t.createdAt.UnixMilli(),
		UpdatedAt:        t.updatedAt.UnixMilli(),
	}
	if !t.expiration.IsZero() {
		ms := t.expiration.UnixMilli()
		v.Expiration = &ms
	}
	if t.lastUsedAt != nil {
		ms := t.lastUsedAt.UnixMilli()
		v.LastUsedAt = &ms
	}
	if withSecret {
		v.Token = t.secret
	}
	return v
}

func (s *Server) createM2MToken(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.clerkAuth(w, r, clerkMachineKey)
	if !ok {
		return
	}
	m := caller.machine
	fields, ok := clerkBody(w, r, true, "token_format", "seconds_until_expiration", "claims", "min_remaining_ttl_seconds")
	if !ok {
		return
	}

	format, _, ok := clerkStringField(w, r, fields, "token_format")
	if !ok {
		return
	}
	switch format {
	case "":
		format = "opaque"
	case "opaque", "jwt":
	default:
		clerkParamInvalid(w, r, "token_format", "token_format must be one of: opaque, jwt")
		return
	}

	// Without seconds_until_expiration the token gets the machine's
	// default_token_ttl; other Clerk docs say such tokens never expire
	// (*unconfirmed*, assumption m2m_token_default_ttl). A JWT-format token
	// always carries an exp, which @clerk/backend reads unconditionally.
	ttl := time.Duration(m.defaultTTL) * time.Second
	secs, present, ok := clerkNumberField(w, r, fields, "seconds_until_expiration")
	if !ok {
		return
	}
	neverExpires := !present && format == "opaque" && assumedOf(r).is("m2m_token_default_ttl", "never")
	if present {
		// The spec sets no maximum; capping at default_token_ttl's maximum
		// keeps the duration from overflowing
		// (*unconfirmed*, assumption m2m_token_max_lifetime).
		if secs <= 0 || secs > clerkMaxTokenTTL {
			clerkParamInvalid(w, r, "seconds_until_expiration", fmt.Sprintf("seconds_until_expiration must be greater than 0 and at most %d", clerkMaxTokenTTL))
			return
		}
		ttl = time.Duration(secs * float64(time.Second))
	}

	var claims json.RawMessage
	var claimsValue any
	if raw, present := fields["claims"]; present {
		var err error
		if claims, claimsValue, err = clerkCanonicalJSON(raw); err != nil {
			clerkBodyInvalid(w, r)
			return
		}
		if obj, isObject := claimsValue.(map[string]any); isObject {
			for _, name := range clerkReservedClaims {
				if _, taken := obj[name]; taken {
					msg := "You can't use the reserved claim: '" + name + "'"
					clerkError(w, r, http.StatusBadRequest, "machine_token_reserved_claim", msg, msg)
					return
				}
			}
		}
	}

	minRemaining, minPresent, ok := clerkIntField(w, r, fields, "min_remaining_ttl_seconds", 0, math.MaxInt32)
	if !ok {
		return
	}

	now := s.clock.now()
	scopes := m.scopeIDs()
	if format == "jwt" {
		// JWT-format tokens are never stored, so never deduplicated:
		// min_remaining_ttl_seconds does not apply to them.
		s.createM2MJWT(w, r, m, scopes, claimsValue, now, ttl)
		return
	}

	if minPresent {
		if !neverExpires && float64(minRemaining) >= ttl.Seconds() {
			// The spec: "A value greater than or equal to the lifetime is
			// rejected with a 400"; the code is a guess
			// (*unconfirmed*, assumption min_remaining_ttl_refusal).
			clerkErrorMeta(w, r, http.StatusBadRequest, "bad_request", "Bad Request",
				"min_remaining_ttl_seconds must be less than the token's lifetime", map[string]any{"param_name": "min_remaining_ttl_seconds"})
			return
		}
		for _, t := range s.clerk.tokensOf(m.id) {
			lasts := t.expiration.IsZero() || t.expiration.Sub(now) >= time.Duration(minRemaining)*time.Second
			if !t.revoked && !t.expired(now) && lasts &&
				bytes.Equal(t.claims, claims) && slices.Equal(t.scopes, scopes) {
				writeJSON(w, http.StatusCreated, t.view(now, true))
				return
			}
		}
	}

	t := &m2mToken{
		id:         "mt_" + randomHex(16),
		subject:    m.id,
		secret:     "mt_" + randomBase62(32),
		claims:     claims,
		scopes:     scopes,
		expiration: now.Add(ttl),
		createdAt:  now,
		updatedAt:  now,
		seq:        s.clerk.nextSeq(),
	}
	if neverExpires {
		t.expiration = time.Time{}
	}
	s.clerk.tokens[t.id] = t
	s.clerk.tokenIDs[t.secret] = t.id
	writeJSON(w, http.StatusCreated, t.view(now, true))
}

func (s *Server) listM2MTokens(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.clerkAuth(w, r, clerkInstanceKey|clerkMachineKey)
	if !ok {
		return
	}
	subject := r.URL.Query().Get("subject")
	if subject == "" {
		clerkParamMissing(w, r, "subject")
		return
	}
	if !machineIDPattern.MatchString(subject) {
		clerkRegexFailed(w, r, "query_parameter.subject")
		return
	}
	if !caller.owns(subject) {
		// The spec allows 403 and 404 here; 403 keeps a client from
		// reading "someone else's machine" as "gone"
		// (*unconfirmed*, assumption foreign_machine_token_listing).
		if assumedOf(r).is("foreign_machine_token_listing", "404") {
			clerkNotFound(w, r)
			return
		}
		clerkForbidden(w, r)
		return
	}
	if _, exists := s.clerk.machines[subject]; !exists {
		clerkNotFound(w, r)
		return
	}
	withRevoked, ok := clerkBoolQuery(w, r, "revoked")
	if !ok {
		return
	}
	withExpired, ok := clerkBoolQuery(w, r, "expired")
	if !ok {
		return
	}
	limit, ok := clerkIntQuery(w, r, "limit", 10, 1, 100)
	if !ok {
		return
	}
	offset, ok := clerkIntQuery(w, r, "offset", 0, 0, math.MaxInt32)
	if !ok {
		return
	}

	now := s.clock.now()
	var matched []*m2mToken
	for _, t := range s.clerk.tokensOf(subject) {
		if (t.revoked && !withRevoked) || (t.expired(now) && !withExpired) {
			continue
		}
		matched = append(matched, t)
	}
	page := []m2mTokenJSON{}
	for _, t := range matched[min(offset, len(matched)):min(offset+limit, len(matched))] {
		page = append(page, t.view(now, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"m2m_tokens": page, "total_count": len(matched)})
}

func (s *Server) revokeM2MToken(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.clerkAuth(w, r, clerkInstanceKey|clerkMachineKey)
	if !ok {
		return
	}
	id := r.PathValue("m2m_token_id")
	if !m2mTokenIDPattern.MatchString(id) {
		clerkRegexFailed(w, r, "url_parameter.m2m_token_id")
		return
	}
	fields, ok := clerkBody(w, r, true, "revocation_reason")
	if !ok {
		return
	}
	reason, present, ok := clerkStringField(w, r, fields, "revocation_reason")
	if !ok {
		return
	}
	t, exists := s.clerk.tokens[id]
	// The spec lists no 403 for revoke: another machine's token is one this
	// caller cannot see.
	if !exists || !caller.owns(t.subject) {
		clerkNotFound(w, r)
		return
	}
	now := s.clock.now()
	// Revoking a revoked token answers 200 and keeps the first reason:
	// revoke is idempotent, so a retried revoke succeeds
	// (*unconfirmed*, assumption revoked_m2m_token_revoke).
	if t.revoked && clerkRevokedAgain(w, r, "revoked_m2m_token_revoke", "M2M token") {
		return
	}
	if !t.revoked {
		t.revoked = true
		if present {
			t.revocationReason = &reason
		}
		t.updatedAt = now
	}
	writeJSON(w, http.StatusOK, t.view(now, false))
}

func (s *Server) verifyM2MToken(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.clerkAuth(w, r, clerkInstanceKey|clerkMachineKey)
	if !ok {
		return
	}
	fields, ok := clerkBody(w, r, true, "token")
	if !ok {
		return
	}
	secret, present, ok := clerkStringField(w, r, fields, "token")
	if !ok {
		return
	}
	if !present || secret == "" {
		clerkParamMissing(w, r, "token")
		return
	}
	now := s.clock.now()
	// Unknown and not-visible-to-this-machine answer 404, and so do
	// revoked and expired, so the holder of a secret learns nothing beyond
	// "not valid" (*unconfirmed*, assumption clerk_verify_refusal).
	if id, stored := s.clerk.tokenIDs[secret]; stored {
		t := s.clerk.tokens[id]
		if !caller.mayVerify(t.scopes) {
			clerkNotFound(w, r)
			return
		}
		if (t.revoked || t.expired(now)) && clerkVerifyRefused(w, r, "M2M token", t.revoked) {
			return
		}
		if !t.revoked && !t.expired(now) {
			t.lastUsedAt = &now
		}
		writeJSON(w, http.StatusOK, t.view(now, false))
		return
	}
	if v, valid := s.clerk.verifyM2MJWT(secret, now); valid && caller.mayVerify(v.Scopes) {
		writeJSON(w, http.StatusOK, v)
		return
	}
	clerkNotFound(w, r)
}
