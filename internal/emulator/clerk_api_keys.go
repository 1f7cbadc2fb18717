package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Clerk API keys: long-lived opaque credentials for a user, an organization
// or a machine, managed with the instance secret key. Their routes are
// described with 400 and 404 errors only, so every malformed request here
// answers 400 bad_request in the shape of the description's example
// ("Invalid 'request_body.name': ..."), never the 422s of the older routes:
// the description shows no other code
// (*unconfirmed*, assumption api_key_error_status).

var (
	// apiKeyPathIDPattern is what the path parameter accepts; the api_key_
	// form names no key this emulator issues.
	apiKeyPathIDPattern  = regexp.MustCompile(`^(ak|api_key)_[0-9A-Fa-f]{32}$`)
	apiKeySubjectPattern = regexp.MustCompile(`^(user|org|mch|scim)_\w{27}$`)
	apiKeyNamePattern    = regexp.MustCompile(`^(\S(.*\S)?)?$`)
	clerkUserIDPattern   = regexp.MustCompile(`^user_\w{27}$`)
)

const (
	apiKeyDefaultType     = "api_key"
	apiKeyMaxDescription  = 255
	apiKeyMinName         = 3
	apiKeyMinType         = 3
	apiKeyMaxType         = 25
	apiKeyDefaultPageSize = 10
	apiKeyMaxPageSize     = 100
	// apiKeyMaxLifetime bounds seconds_until_expiration, which the
	// description leaves unbounded, so the expiry cannot overflow: a
	// hundred years is far beyond any real need
	// (*unconfirmed*, assumption api_key_max_lifetime).
	apiKeyMaxLifetime = 100 * 365 * 24 * 3600
)

// apiKeyState holds the API keys; the users and organizations that may own
// them are the directory's (clerk_directory.go).
type apiKeyState struct {
	keys     map[string]*apiKey
	bySecret map[string]string // secret to id
}

func newAPIKeyState() *apiKeyState {
	return &apiKeyState{keys: map[string]*apiKey{}, bySecret: map[string]string{}}
}

type apiKey struct {
	id, typ, subject, name string
	description            *string
	// secret can be read again (GET /api_keys/{id}/secret), unlike an M2M
	// token's.
	secret           string
	claims           json.RawMessage // canonical JSON; nil when none
	scopes           []string
	createdBy        *string
	revoked          bool
	revocationReason *string
	expiration       *time.Time // nil: never expires
	lastUsedAt       *time.Time
	createdAt        time.Time
	updatedAt        time.Time
	seq              uint64
}

func (k *apiKey) expired(now time.Time) bool {
	return k.expiration != nil && !now.Before(*k.expiration)
}

// subjectExists says whether an API key may belong to subject.
func (s *Server) subjectExists(subject string) bool {
	switch {
	case strings.HasPrefix(subject, "user_"):
		_, ok := s.clerk.users[subject]
		return ok
	case strings.HasPrefix(subject, "org_"):
		_, ok := s.clerk.orgs[subject]
		return ok
	case strings.HasPrefix(subject, "mch_"):
		_, ok := s.clerk.machines[subject]
		return ok
	}
	// No SCIM directories are emulated.
	return false
}

func (s *Server) routeClerkAPIKeys(mux *http.ServeMux) {
	s.clerkRoute(mux, "POST", "/api_keys", s.createAPIKey)
	s.clerkRoute(mux, "GET", "/api_keys", s.listAPIKeys)
	s.clerkRoute(mux, "POST", "/api_keys/verify", s.verifyAPIKey)
	s.clerkRoute(mux, "GET", "/api_keys/{api_key_id}", s.getAPIKey)
	s.clerkRoute(mux, "PATCH", "/api_keys/{api_key_id}", s.updateAPIKey)
	s.clerkRoute(mux, "DELETE", "/api_keys/{api_key_id}", s.deleteAPIKey)
	s.clerkRoute(mux, "GET", "/api_keys/{api_key_id}/secret", s.getAPIKeySecret)
	s.clerkRoute(mux, "POST", "/api_keys/{api_key_id}/revoke", s.revokeAPIKey)
}

// apiKeyJSON is Clerk's API key object; the field set is exactly the
// description's (additionalProperties: false), with secret only where the
// create answer has it.
type apiKeyJSON struct {
	Object           string          `json:"object"`
	ID               string          `json:"id"`
	Type             string          `json:"type"`
	Subject          string          `json:"subject"`
	Name             string          `json:"name"`
	Description      *string         `json:"description"`
	Claims           json.RawMessage `json:"claims"`
	Scopes           []string        `json:"scopes"`
	Secret           string          `json:"secret,omitempty"`
	Revoked          bool            `json:"revoked"`
	RevocationReason *string         `json:"revocation_reason"`
	Expired          bool            `json:"expired"`
	Expiration       *int64          `json:"expiration"`
	CreatedBy        *string         `json:"created_by"`
	LastUsedAt       *int64          `json:"last_used_at"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
}

func (k *apiKey) view(now time.Time, withSecret bool) apiKeyJSON {
	v := apiKeyJSON{
		Object:           "api_key",
		ID:               k.id,
		Type:             k.typ,
		Subject:          k.subject,
		Name:             k.name,
		Description:      k.description,
		Claims:           k.claims,
		Scopes:           append([]string{}, k.scopes...),
		Revoked:          k.revoked,
		RevocationReason: k.revocationReason,
		Expired:          k.expired(now),
		CreatedBy:        k.createdBy,
		CreatedAt:        k.createdAt.UnixMilli(),
		UpdatedAt:        k.updatedAt.UnixMilli(),
	}
	if k.expiration != nil {
		ms := k.expiration.UnixMilli()
		v.Expiration = &ms
	}
	if k.lastUsedAt != nil {
		ms := k.lastUsedAt.UnixMilli()
		v.LastUsedAt = &ms
	}
	if withSecret {
		v.Secret = k.secret
	}
	return v
}

// apiKeySubject checks a subject's shape and that it exists. An unknown
// subject answers 404 resource_not_found: the description lists 404 for
// the listing only, and this is what Clerk answers for an unknown object
// elsewhere (*unconfirmed*, assumption api_key_unknown_subject). The
// listing's alternative is in listAPIKeys.
func (s *Server) apiKeySubject(w http.ResponseWriter, r *http.Request, where, subject string) bool {
	if !apiKeySubjectPattern.MatchString(subject) {
		apiKeyBadRequest(w, r, where, "Failed regex check")
		return false
	}
	if !s.subjectExists(subject) {
		clerkNotFound(w, r)
		return false
	}
	return true
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	fields, ok := apiKeyBody(w, r, "type", "name", "description", "subject", "claims", "scopes", "created_by", "seconds_until_expiration")
	if !ok {
		return
	}
	name, present, ok := apiKeyString(w, r, fields, "name")
	if !ok {
		return
	}
	if !present {
		apiKeyBadRequest(w, r, "request_body.name", "is required")
		return
	}
	if utf8.RuneCountInString(name) < apiKeyMinName || !apiKeyNamePattern.MatchString(name) {
		apiKeyBadRequest(w, r, "request_body.name", fmt.Sprintf("must be at least %d characters long, without leading or trailing spaces", apiKeyMinName))
		return
	}
	subject, present, ok := apiKeyString(w, r, fields, "subject")
	if !ok {
		return
	}
	if !present {
		apiKeyBadRequest(w, r, "request_body.subject", "is required")
		return
	}
	typ, present, ok := apiKeyString(w, r, fields, "type")
	if !ok {
		return
	}
	if !present {
		typ = apiKeyDefaultType
	} else if n := utf8.RuneCountInString(typ); n < apiKeyMinType || n > apiKeyMaxType {
		apiKeyBadRequest(w, r, "request_body.type", fmt.Sprintf("must be between %d and %d characters long", apiKeyMinType, apiKeyMaxType))
		return
	}
	description, ok := apiKeyDescription(w, r, fields)
	if !ok {
		return
	}
	var createdBy *string
	if by, present, ok := apiKeyString(w, r, fields, "created_by"); !ok {
		return
	} else if present {
		if !clerkUserIDPattern.MatchString(by) {
			apiKeyBadRequest(w, r, "request_body.created_by", "Failed regex check")
			return
		}
		createdBy = &by
	}
	scopes := []string{}
	if raw, present := fields["scopes"]; present && !isNull(raw) {
		if scopes, ok = apiKeyScopes(w, r, raw); !ok {
			return
		}
	}
	var claims json.RawMessage
	if raw, present := fields["claims"]; present && !isNull(raw) {
		var err error
		if claims, _, err = clerkCanonicalJSON(raw); err != nil {
			clerkBodyInvalid(w, r)
			return
		}
	}
	now := s.clock.now()
	var expiration *time.Time
	if raw, present := fields["seconds_until_expiration"]; present && !isNull(raw) {
		ttl, ok := apiKeyLifetime(w, r, raw)
		if !ok {
			return
		}
		at := now.Add(ttl)
		expiration = &at
	}
	// The subject last: a malformed body is refused before it is looked up.
	if !s.apiKeySubject(w, r, "request_body.subject", subject) {
		return
	}
	k := &apiKey{
		id:          "ak_" + randomHex(16),
		typ:         typ,
		subject:     subject,
		name:        name,
		description: description,
		// The same prefix as a machine secret key, as on Clerk: the two
		// cannot be told apart by their look.
		secret:     "ak_" + randomBase62(32),
		claims:     claims,
		scopes:     scopes,
		createdBy:  createdBy,
		expiration: expiration,
		createdAt:  now,
		updatedAt:  now,
		seq:        s.clerk.nextSeq(),
	}
	st := s.clerk.apiKeys
	st.keys[k.id] = k
	st.bySecret[k.secret] = k.id
	writeJSON(w, http.StatusOK, k.view(now, true))
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	q := r.URL.Query()
	subject := q.Get("subject")
	if subject == "" {
		apiKeyBadRequest(w, r, "query_parameter.subject", "is required")
		return
	}
	typ := q.Get("type")
	if typ == "" {
		typ = apiKeyDefaultType
	} else if utf8.RuneCountInString(typ) < apiKeyMinType {
		apiKeyBadRequest(w, r, "query_parameter.type", fmt.Sprintf("must be at least %d characters long", apiKeyMinType))
		return
	}
	invalidToo := false
	switch v := q.Get("include_invalid"); v {
	case "", "false":
	case "true":
		invalidToo = true
	default:
		apiKeyBadRequest(w, r, "query_parameter.include_invalid", "must be one of: true, false")
		return
	}
	limit, ok := apiKeyIntQuery(w, r, "limit", apiKeyDefaultPageSize, 1, apiKeyMaxPageSize)
	if !ok {
		return
	}
	offset, ok := apiKeyIntQuery(w, r, "offset", 0, 0, math.MaxInt32)
	if !ok {
		return
	}
	if apiKeySubjectPattern.MatchString(subject) && !s.subjectExists(subject) &&
		assumedOf(r).is("api_key_unknown_subject", "empty") {
		writeJSON(w, http.StatusOK, map[string]any{"data": []apiKeyJSON{}, "total_count": 0})
		return
	}
	if !s.apiKeySubject(w, r, "query_parameter.subject", subject) {
		return
	}
	// query searches names, case-insensitively: the description does not
	// say what it matches (*unconfirmed*, assumption api_key_query_match).
	search := strings.ToLower(q.Get("query"))
	now := s.clock.now()
	var matched []*apiKey
	for _, k := range s.clerk.apiKeysOf(subject) {
		if k.typ != typ || (!invalidToo && (k.revoked || k.expired(now))) ||
			(search != "" && !strings.Contains(strings.ToLower(k.name), search)) {
			continue
		}
		matched = append(matched, k)
	}
	page := []apiKeyJSON{}
	for _, k := range matched[min(offset, len(matched)):min(offset+limit, len(matched))] {
		page = append(page, k.view(now, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": page, "total_count": len(matched)})
}

// apiKeysOf lists a subject's keys, newest first: the description gives
// no order, this is the M2M token listing's
// (*unconfirmed*, assumption api_key_list_order).
func (c *clerkState) apiKeysOf(subject string) []*apiKey {
	var out []*apiKey
	for _, k := range c.apiKeys.keys {
		if k.subject == subject {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// pathAPIKey authenticates an instance call and finds the key in the path;
// it answers the error itself.
func (s *Server) pathAPIKey(w http.ResponseWriter, r *http.Request) (*apiKey, bool) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return nil, false
	}
	id := r.PathValue("api_key_id")
	if !apiKeyPathIDPattern.MatchString(id) {
		clerkRegexFailed(w, r, "url_parameter.apiKeyID")
		return nil, false
	}
	k, ok := s.clerk.apiKeys.keys[id]
	if !ok {
		clerkNotFound(w, r)
	}
	return k, ok
}

func (s *Server) getAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := s.pathAPIKey(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, k.view(s.clock.now(), false))
}

func (s *Server) getAPIKeySecret(w http.ResponseWriter, r *http.Request) {
	k, ok := s.pathAPIKey(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"secret": k.secret})
}

// updateAPIKey changes a key in place. A field sent as null is cleared, as
// in a JSON merge patch: description and claims go, and
// seconds_until_expiration null makes the key never expire
// (*unconfirmed*, assumption api_key_update_null). A new
// seconds_until_expiration counts from now
// (*unconfirmed*, assumption api_key_expiry_update).
func (s *Server) updateAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := s.pathAPIKey(w, r)
	if !ok {
		return
	}
	fields, ok := apiKeyBody(w, r, "claims", "scopes", "description", "subject", "seconds_until_expiration")
	if !ok {
		return
	}
	now := s.clock.now()
	if k.revoked || k.expired(now) {
		// An invalid key is not brought back by an update
		// (*unconfirmed*, assumption invalid_api_key_update).
		apiKeyBadRequest(w, r, "url_parameter.apiKeyID", "the API key is revoked or expired and cannot be updated")
		return
	}
	u := *k
	// With "ignored", null reads as not sent, as on Clerk's older routes.
	clears := assumedOf(r).is("api_key_update_null", "clears")
	if raw, present := fields["description"]; present {
		switch {
		case isNull(raw) && clears:
			u.description = nil
		case isNull(raw):
		default:
			if u.description, ok = apiKeyDescription(w, r, fields); !ok {
				return
			}
		}
	}
	if raw, present := fields["scopes"]; present {
		if u.scopes, ok = apiKeyScopes(w, r, raw); !ok {
			return
		}
	}
	if raw, present := fields["claims"]; present && (clears || !isNull(raw)) {
		u.claims = nil
		if !isNull(raw) {
			var err error
			if u.claims, _, err = clerkCanonicalJSON(raw); err != nil {
				clerkBodyInvalid(w, r)
				return
			}
		}
	}
	if raw, present := fields["seconds_until_expiration"]; present && (clears || !isNull(raw)) {
		u.expiration = nil
		if !isNull(raw) {
			ttl, ok := apiKeyLifetime(w, r, raw)
			if !ok {
				return
			}
			from := now
			if assumedOf(r).is("api_key_expiry_update", "from_creation") {
				from = k.createdAt
			}
			at := from.Add(ttl)
			u.expiration = &at
		}
	}
	if subject, present, ok := apiKeyString(w, r, fields, "subject"); !ok {
		return
	} else if present {
		if !s.apiKeySubject(w, r, "request_body.subject", subject) {
			return
		}
		u.subject = subject
	}
	u.updatedAt = now
	*k = u
	writeJSON(w, http.StatusOK, k.view(now, false))
}

// deleteAPIKey removes a key and its record: unlike a revoke, it leaves no
// trace of why or when.
func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := s.pathAPIKey(w, r)
	if !ok {
		return
	}
	st := s.clerk.apiKeys
	delete(st.keys, k.id)
	delete(st.bySecret, k.secret)
	writeJSON(w, http.StatusOK, map[string]any{"id": k.id, "object": "api_key", "deleted": true})
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	k, ok := s.pathAPIKey(w, r)
	if !ok {
		return
	}
	fields, ok := apiKeyBody(w, r, "revocation_reason")
	if !ok {
		return
	}
	reason, present, ok := apiKeyString(w, r, fields, "revocation_reason")
	if !ok {
		return
	}
	now := s.clock.now()
	// Revoking a revoked key answers 200 and keeps the first reason, as
	// for M2M tokens, so a retried revoke succeeds
	// (*unconfirmed*, assumption revoked_api_key_revoke).
	if k.revoked && clerkRevokedAgain(w, r, "revoked_api_key_revoke", "API key") {
		return
	}
	if !k.revoked {
		k.revoked = true
		if present {
			k.revocationReason = &reason
		}
		k.updatedAt = now
	}
	writeJSON(w, http.StatusOK, k.view(now, false))
}

func (s *Server) verifyAPIKey(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	fields, ok := apiKeyBody(w, r, "secret")
	if !ok {
		return
	}
	secret, present, ok := apiKeyString(w, r, fields, "secret")
	if !ok {
		return
	}
	if !present {
		apiKeyBadRequest(w, r, "request_body.secret", "is required")
		return
	}
	now := s.clock.now()
	// Unknown answers 404, and so do revoked and expired, as for M2M
	// tokens, so the holder of a secret learns nothing more
	// (*unconfirmed*, assumption clerk_verify_refusal).
	id, stored := s.clerk.apiKeys.bySecret[secret]
	k := s.clerk.apiKeys.keys[id]
	if !stored || k == nil {
		clerkNotFound(w, r)
		return
	}
	if (k.revoked || k.expired(now)) && clerkVerifyRefused(w, r, "API key", k.revoked) {
		return
	}
	if !k.revoked && !k.expired(now) {
		k.lastUsedAt = &now
	}
	writeJSON(w, http.StatusOK, k.view(now, false))
}

// apiKeyCounts counts stored API keys; it runs with s.mu held.
func (s *Server) apiKeyCounts(now time.Time) APIKeyCounts {
	var n APIKeyCounts
	for _, k := range s.clerk.apiKeys.keys {
		switch {
		case k.revoked:
			n.Revoked++
		case k.expired(now):
			n.Expired++
		default:
			n.Live++
		}
	}
	return n
}
