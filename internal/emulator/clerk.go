package emulator

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits from Clerk's Backend API description (clerk-bapi-2026-05-12).
const (
	clerkDefaultTokenTTL   = 3600      // seconds, a machine's default_token_ttl
	clerkMaxTokenTTL       = 315360000 // seconds (10 years), default_token_ttl's maximum
	clerkMaxScopes         = 150       // scoped machines per machine
	clerkMaxPreviousKeyTTL = 28800     // seconds a rotated-out machine secret key stays valid
)

var (
	m2mTokenIDPattern = regexp.MustCompile(`^mt_[0-9A-Fa-f]{32}$`)
	machineIDPattern  = regexp.MustCompile(`^mch_\w{27}$`)
)

// clerkReservedClaims may not be set as custom claims: Clerk sets them itself on
// JWT-format tokens. The list is *unconfirmed*; it is the one in API-FACTS.md.
var clerkReservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp"}

// clerkState is the Clerk instance: its secret key, machines and M2M tokens.
type clerkState struct {
	secretKey  string
	instanceID string
	// signingKey signs JWT-format M2M tokens; its kid is the instance id, as
	// on Clerk's own JWKS.
	signingKey *rsa.PrivateKey

	machines    map[string]*machine
	machineKeys map[string]machineKey // by secret
	tokens      map[string]*m2mToken  // opaque tokens by id
	tokenIDs    map[string]string     // opaque token secret to id
	// seq orders objects created within the same millisecond, so "newest
	// first" is stable.
	seq uint64
}

type machineKey struct {
	machineID string
	// expiresAt is when a rotated-out key stops working; zero for the
	// machine's current key.
	expiresAt time.Time
}

type machine struct {
	id, name             string
	createdAt, updatedAt time.Time
	defaultTTL           int64 // seconds
	scopes               []machineScope
	secretKey            string
	seq                  uint64
}

// machineScope lets the machine holding it call machine to: tokens minted by
// the holder carry to in their scopes.
type machineScope struct {
	to        string
	createdAt time.Time
}

type m2mToken struct {
	id, subject string
	// secret is kept so min_remaining_ttl_seconds can hand an existing token
	// back whole.
	secret           string
	claims           json.RawMessage // canonical JSON; nil when none
	scopes           []string
	revoked          bool
	revocationReason *string
	expiration       time.Time
	lastUsedAt       *time.Time
	createdAt        time.Time
	updatedAt        time.Time
	seq              uint64
}

func newClerkState() (*clerkState, error) {
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	return &clerkState{
		secretKey:   "sk_test_" + randomBase62(40),
		instanceID:  "ins_" + randomBase62(27),
		signingKey:  key,
		machines:    map[string]*machine{},
		machineKeys: map[string]machineKey{},
		tokens:      map[string]*m2mToken{},
		tokenIDs:    map[string]string{},
	}, nil
}

func (c *clerkState) nextSeq() uint64 {
	c.seq++
	return c.seq
}

// seedClerkFixture makes a machine allowed to call a second one, so a token
// minted with the fixture's key has a non-empty scopes list.
func (s *Server) seedClerkFixture(fx *Fixture) {
	scoped, err := s.newMachine("fixture-scoped-service", nil, clerkDefaultTokenTTL)
	if err != nil {
		panic(err) // constant, valid arguments
	}
	m, err := s.newMachine("fixture-service", []string{scoped.id}, clerkDefaultTokenTTL)
	if err != nil {
		panic(err)
	}
	fx.ClerkMachineID = m.id
	fx.ClerkMachineSecretKey = m.secretKey
	fx.ClerkScopedMachineID = scoped.id
}

func (s *Server) routeClerk(mux *http.ServeMux) {
	s.clerkRoute(mux, "POST", "/m2m_tokens", s.createM2MToken)
	s.clerkRoute(mux, "GET", "/m2m_tokens", s.listM2MTokens)
	s.clerkRoute(mux, "POST", "/m2m_tokens/verify", s.verifyM2MToken)
	s.clerkRoute(mux, "POST", "/m2m_tokens/{m2m_token_id}/revoke", s.revokeM2MToken)
	s.clerkRoute(mux, "GET", "/jwks", s.getJWKS)
	s.clerkRoute(mux, "POST", "/machines", s.createMachineHTTP)
	s.clerkRoute(mux, "GET", "/machines", s.listMachines)
	s.clerkRoute(mux, "GET", "/machines/{machine_id}", s.getMachine)
	s.clerkRoute(mux, "PATCH", "/machines/{machine_id}", s.updateMachine)
	s.clerkRoute(mux, "DELETE", "/machines/{machine_id}", s.deleteMachine)
	s.clerkRoute(mux, "GET", "/machines/{machine_id}/secret_key", s.getMachineSecretKey)
	s.clerkRoute(mux, "POST", "/machines/{machine_id}/secret_key/rotate", s.rotateMachineSecretKey)
	s.clerkRoute(mux, "POST", "/machines/{machine_id}/scopes", s.createMachineScope)
	s.clerkRoute(mux, "DELETE", "/machines/{machine_id}/scopes/{other_machine_id}", s.deleteMachineScope)
}

// m2mTokenCounts counts stored tokens; it runs with s.mu held.
func (s *Server) m2mTokenCounts(now time.Time) M2MTokenCounts {
	var n M2MTokenCounts
	for _, t := range s.clerk.tokens {
		switch {
		case t.revoked:
			n.Revoked++
		case t.expired(now):
			n.Expired++
		default:
			n.Live++
		}
	}
	return n
}

func (t *m2mToken) expired(now time.Time) bool { return !now.Before(t.expiration) }

// newMachine validates and stores a machine; it runs with s.mu held.
func (s *Server) newMachine(name string, scoped []string, ttl int64) (*machine, *clerkParamError) {
	c := s.clerk
	if err := validateMachineName(name); err != nil {
		return nil, err
	}
	if err := validateTokenTTL(ttl); err != nil {
		return nil, err
	}
	now := s.clock.now()
	m := &machine{
		id:         "mch_" + randomBase62(27),
		name:       name,
		createdAt:  now,
		updatedAt:  now,
		defaultTTL: ttl,
		secretKey:  "ak_" + randomHex(16),
		seq:        c.nextSeq(),
	}
	for _, to := range scoped {
		if _, ok := c.machines[to]; !ok {
			return nil, &clerkParamError{"scoped_machines", "no machine was found with id " + to}
		}
		if !m.scopedTo(to) {
			m.scopes = append(m.scopes, machineScope{to: to, createdAt: now})
		}
	}
	if len(m.scopes) > clerkMaxScopes {
		return nil, &clerkParamError{"scoped_machines", fmt.Sprintf("a machine can have at most %d scoped machines", clerkMaxScopes)}
	}
	c.machines[m.id] = m
	c.machineKeys[m.secretKey] = machineKey{machineID: m.id}
	return m, nil
}

func validateMachineName(name string) *clerkParamError {
	if n := utf8.RuneCountInString(name); n < 1 || n > 255 {
		return &clerkParamError{"name", "name must be between 1 and 255 characters long"}
	}
	return nil
}

func validateTokenTTL(ttl int64) *clerkParamError {
	if ttl < 1 || ttl > clerkMaxTokenTTL {
		return &clerkParamError{"default_token_ttl", fmt.Sprintf("default_token_ttl must be between 1 and %d", clerkMaxTokenTTL)}
	}
	return nil
}

func (m *machine) scopedTo(id string) bool {
	return slices.ContainsFunc(m.scopes, func(sc machineScope) bool { return sc.to == id })
}

func (m *machine) scopeIDs() []string {
	ids := make([]string, 0, len(m.scopes))
	for _, sc := range m.scopes {
		ids = append(ids, sc.to)
	}
	return ids
}

// machineByKey finds the machine a secret key belongs to, honouring the grace
// period of a rotated-out key.
func (c *clerkState) machineByKey(key string, now time.Time) *machine {
	k, ok := c.machineKeys[key]
	if !ok || (!k.expiresAt.IsZero() && !now.Before(k.expiresAt)) {
		return nil
	}
	return c.machines[k.machineID]
}

// tokensOf lists a machine's stored tokens, newest first.
func (c *clerkState) tokensOf(subject string) []*m2mToken {
	var out []*m2mToken
	for _, t := range c.tokens {
		if t.subject == subject {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
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
	Expiration       int64           `json:"expiration"`
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
		Expiration:       t.expiration.UnixMilli(),
		CreatedAt:        t.createdAt.UnixMilli(),
		UpdatedAt:        t.updatedAt.UnixMilli(),
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	// (*unconfirmed* which).
	ttl := time.Duration(m.defaultTTL) * time.Second
	secs, present, ok := clerkNumberField(w, r, fields, "seconds_until_expiration")
	if !ok {
		return
	}
	if present {
		// The spec sets no maximum; capping at default_token_ttl's maximum keeps the
		// duration from overflowing (*unconfirmed*).
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
		if float64(minRemaining) >= ttl.Seconds() {
			// The spec: "A value greater than or equal to the lifetime is
			// rejected with a 400"; the code is *unconfirmed*.
			clerkErrorMeta(w, r, http.StatusBadRequest, "bad_request", "Bad Request",
				"min_remaining_ttl_seconds must be less than the token's lifetime", map[string]any{"param_name": "min_remaining_ttl_seconds"})
			return
		}
		for _, t := range s.clerk.tokensOf(m.id) {
			if !t.revoked && !t.expired(now) && t.expiration.Sub(now) >= time.Duration(minRemaining)*time.Second &&
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
	s.clerk.tokens[t.id] = t
	s.clerk.tokenIDs[t.secret] = t.id
	writeJSON(w, http.StatusCreated, t.view(now, true))
}

func (s *Server) listM2MTokens(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
		// The spec allows 403 and 404 here; 403 is *unconfirmed*. It keeps
		// a client from reading "someone else's machine" as "gone".
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	// Revoking a revoked token answers 200 and keeps the first reason
	// (*unconfirmed*): revoke is idempotent, so a retried revoke succeeds.
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
	s.mu.Lock()
	defer s.mu.Unlock()
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
	// Unknown, revoked, expired and not-visible-to-this-machine all answer
	// the same 404 (*unconfirmed* status), so the holder of a secret learns
	// nothing beyond "not valid".
	if id, stored := s.clerk.tokenIDs[secret]; stored {
		t := s.clerk.tokens[id]
		if t.revoked || t.expired(now) || !caller.mayVerify(t.scopes) {
			clerkNotFound(w, r)
			return
		}
		t.lastUsedAt = &now
		writeJSON(w, http.StatusOK, t.view(now, false))
		return
	}
	if v, valid := s.clerk.verifyM2MJWT(secret, now); valid && caller.mayVerify(v.Scopes) {
		writeJSON(w, http.StatusOK, v)
		return
	}
	clerkNotFound(w, r)
}

// machineJSON is Clerk's Machine object. A scoped machine is rendered without
// its own scoped_machines (MachineWithoutScopedMachines).
type machineJSON struct {
	Object          string         `json:"object"`
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	InstanceID      string         `json:"instance_id"`
	CreatedAt       int64          `json:"created_at"`
	UpdatedAt       int64          `json:"updated_at"`
	DefaultTokenTTL int64          `json:"default_token_ttl"`
	ScopedMachines  *[]machineJSON `json:"scoped_machines,omitempty"`
	SecretKey       string         `json:"secret_key,omitempty"`
}

func (s *Server) machineView(m *machine) machineJSON {
	v := s.machineViewFlat(m)
	scoped := make([]machineJSON, 0, len(m.scopes))
	for _, sc := range m.scopes {
		scoped = append(scoped, s.machineViewFlat(s.clerk.machines[sc.to]))
	}
	v.ScopedMachines = &scoped
	return v
}

func (s *Server) machineViewFlat(m *machine) machineJSON {
	return machineJSON{
		Object:          "machine",
		ID:              m.id,
		Name:            m.name,
		InstanceID:      s.clerk.instanceID,
		CreatedAt:       m.createdAt.UnixMilli(),
		UpdatedAt:       m.updatedAt.UnixMilli(),
		DefaultTokenTTL: m.defaultTTL,
	}
}

// pathMachine authenticates an instance-only machine call and finds the
// machine in the path; it answers the error itself.
func (s *Server) pathMachine(w http.ResponseWriter, r *http.Request) (*machine, bool) {
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return nil, false
	}
	m, ok := s.clerk.machines[r.PathValue("machine_id")]
	if !ok {
		clerkNotFound(w, r)
	}
	return m, ok
}

func (s *Server) createMachineHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	fields, ok := clerkBody(w, r, false, "name", "scoped_machines", "default_token_ttl")
	if !ok {
		return
	}
	name, present, ok := clerkStringField(w, r, fields, "name")
	if !ok {
		return
	}
	if !present {
		clerkParamMissing(w, r, "name")
		return
	}
	var scoped []string
	if raw, present := fields["scoped_machines"]; present {
		if err := json.Unmarshal(raw, &scoped); err != nil {
			clerkParamInvalid(w, r, "scoped_machines", "scoped_machines must be an array of machine ids")
			return
		}
	}
	ttl, present, ok := clerkIntField(w, r, fields, "default_token_ttl", 1, clerkMaxTokenTTL)
	if !ok {
		return
	}
	if !present {
		ttl = clerkDefaultTokenTTL
	}
	m, err := s.newMachine(name, scoped, ttl)
	if err != nil {
		clerkParamErr(w, r, err)
		return
	}
	v := s.machineView(m)
	v.SecretKey = m.secretKey
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listMachines(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clerkAuth(w, r, clerkInstanceKey); !ok {
		return
	}
	limit, ok := clerkIntQuery(w, r, "limit", 10, 1, 500)
	if !ok {
		return
	}
	offset, ok := clerkIntQuery(w, r, "offset", 0, 0, math.MaxInt32)
	if !ok {
		return
	}
	orderBy := r.URL.Query().Get("order_by")
	if orderBy == "" {
		orderBy = "-created_at"
	}
	desc := strings.HasPrefix(orderBy, "-")
	field := strings.TrimLeft(orderBy, "+-")
	if field != "created_at" && field != "name" {
		clerkParamInvalid(w, r, "order_by", "order_by must be created_at or name, optionally prefixed with + or -")
		return
	}
	query := r.URL.Query().Get("query")

	// The query matches an id exactly and a name in part.
	var matched []*machine
	for _, m := range s.clerk.machines {
		if query == "" || m.id == query || strings.Contains(strings.ToLower(m.name), strings.ToLower(query)) {
			matched = append(matched, m)
		}
	}
	sort.Slice(matched, func(i, j int) bool {
		a, b := matched[i], matched[j]
		if desc {
			a, b = b, a
		}
		if field == "name" && a.name != b.name {
			return a.name < b.name
		}
		return a.seq < b.seq
	})
	data := []machineJSON{}
	for _, m := range matched[min(offset, len(matched)):min(offset+limit, len(matched))] {
		data = append(data, s.machineView(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "total_count": len(matched)})
}

func (s *Server) getMachine(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.pathMachine(w, r); ok {
		writeJSON(w, http.StatusOK, s.machineView(m))
	}
}

func (s *Server) updateMachine(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.pathMachine(w, r)
	if !ok {
		return
	}
	fields, ok := clerkBody(w, r, false, "name", "default_token_ttl")
	if !ok {
		return
	}
	name, namePresent, ok := clerkStringField(w, r, fields, "name")
	if !ok {
		return
	}
	if namePresent {
		if err := validateMachineName(name); err != nil {
			clerkParamErr(w, r, err)
			return
		}
	}
	ttl, ttlPresent, ok := clerkIntField(w, r, fields, "default_token_ttl", 1, clerkMaxTokenTTL)
	if !ok {
		return
	}
	if namePresent {
		m.name = name
	}
	if ttlPresent {
		m.defaultTTL = ttl
	}
	if namePresent || ttlPresent {
		m.updatedAt = s.clock.now()
	}
	writeJSON(w, http.StatusOK, s.machineView(m))
}

func (s *Server) deleteMachine(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.pathMachine(w, r)
	if !ok {
		return
	}
	c := s.clerk
	delete(c.machines, m.id)
	for key, k := range c.machineKeys {
		if k.machineID == m.id {
			delete(c.machineKeys, key)
		}
	}
	for _, other := range c.machines {
		other.scopes = slices.DeleteFunc(other.scopes, func(sc machineScope) bool { return sc.to == m.id })
	}
	// A deleted machine's tokens go with it (*unconfirmed*): none of them
	// can be listed or verified any more. Other tokens keep the deleted id
	// in their scopes, which were copied at creation.
	for id, t := range c.tokens {
		if t.subject == m.id {
			delete(c.tokens, id)
			delete(c.tokenIDs, t.secret)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "machine", "id": m.id, "deleted": true})
}

func (s *Server) getMachineSecretKey(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.pathMachine(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"object": "machine_secret_key", "secret": m.secretKey})
	}
}

func (s *Server) rotateMachineSecretKey(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.pathMachine(w, r)
	if !ok {
		return
	}
	fields, ok := clerkBody(w, r, true, "previous_token_ttl")
	if !ok {
		return
	}
	grace, present, ok := clerkIntField(w, r, fields, "previous_token_ttl", 0, clerkMaxPreviousKeyTTL)
	if !ok {
		return
	}
	if !present {
		clerkParamMissing(w, r, "previous_token_ttl")
		return
	}
	c := s.clerk
	if grace == 0 {
		delete(c.machineKeys, m.secretKey)
	} else {
		c.machineKeys[m.secretKey] = machineKey{machineID: m.id, expiresAt: s.clock.now().Add(time.Duration(grace) * time.Second)}
	}
	m.secretKey = "ak_" + randomHex(16)
	c.machineKeys[m.secretKey] = machineKey{machineID: m.id}
	writeJSON(w, http.StatusOK, map[string]any{"object": "machine_secret_key", "secret": m.secretKey})
}

func (s *Server) createMachineScope(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.pathMachine(w, r)
	if !ok {
		return
	}
	fields, ok := clerkBody(w, r, false, "to_machine_id")
	if !ok {
		return
	}
	to, present, ok := clerkStringField(w, r, fields, "to_machine_id")
	if !ok {
		return
	}
	if !present {
		clerkParamMissing(w, r, "to_machine_id")
		return
	}
	if _, exists := s.clerk.machines[to]; !exists {
		clerkNotFound(w, r)
		return
	}
	if m.scopedTo(to) {
		// The spec answers 409; the code is *unconfirmed*.
		clerkError(w, r, http.StatusConflict, "duplicate_record", "duplicate record", "The machine already has access to "+to+".")
		return
	}
	if len(m.scopes) >= clerkMaxScopes {
		clerkParamInvalid(w, r, "to_machine_id", fmt.Sprintf("a machine can have at most %d scoped machines", clerkMaxScopes))
		return
	}
	now := s.clock.now()
	m.scopes = append(m.scopes, machineScope{to: to, createdAt: now})
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "machine_scope", "from_machine_id": m.id, "to_machine_id": to, "created_at": now.UnixMilli(),
	})
}

func (s *Server) deleteMachineScope(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.pathMachine(w, r)
	if !ok {
		return
	}
	to := r.PathValue("other_machine_id")
	if !m.scopedTo(to) {
		clerkNotFound(w, r)
		return
	}
	m.scopes = slices.DeleteFunc(m.scopes, func(sc machineScope) bool { return sc.to == to })
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "machine_scope", "from_machine_id": m.id, "to_machine_id": to, "deleted": true,
	})
}
