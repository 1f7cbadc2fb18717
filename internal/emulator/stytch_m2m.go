package emulator

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Stytch's M2M clients (/v1/m2m/clients) and the client_credentials grant
// that gives them access tokens. Their secrets rotate as connected apps'
// do (stytch_secrets.go).

// m2mClient is a machine's OAuth client with its scopes.
type m2mClient struct {
	clientID, name, description, status string
	scopes                              []string
	trustedMetadata                     map[string]any
	secrets                             clientSecret
	seq                                 int64
}

// m2mTokenTTL is how long an M2M access token lives: Stytch documents an
// hour.
const m2mTokenTTL = time.Hour

// errM2MClientNotFound's status and type are guesses
// (*unconfirmed*, assumption stytch_not_found_shape).
var errM2MClientNotFound = &apiErr{http.StatusNotFound, "m2m_client_not_found", "M2M client could not be found."}

// m2mClientCounts runs with s.mu held.
func (s *Server) m2mClientCounts() M2MClientCounts {
	var n M2MClientCounts
	for _, c := range s.stytch.m2mClients {
		if c.status == "active" {
			n.Active++
		} else {
			n.Inactive++
		}
	}
	return n
}

func (s *Server) routeM2MClients(project func(method, path string, h http.HandlerFunc)) {
	project("POST", "/v1/m2m/clients", s.stytchCreateM2MClient)
	project("GET", "/v1/m2m/clients/{client_id}", s.stytchGetM2MClient)
	project("PUT", "/v1/m2m/clients/{client_id}", s.stytchUpdateM2MClient)
	project("DELETE", "/v1/m2m/clients/{client_id}", s.stytchDeleteM2MClient)
	project("POST", "/v1/m2m/clients/search", s.stytchSearchM2MClients)
	project("POST", "/v1/m2m/clients/{client_id}/secrets/rotate/start", s.rotationStep("m2m_client", s.findRotatableM2MClient, (*clientSecret).startRotation))
	project("POST", "/v1/m2m/clients/{client_id}/secrets/rotate", s.rotationStep("m2m_client", s.findRotatableM2MClient, (*clientSecret).completeRotation))
	project("POST", "/v1/m2m/clients/{client_id}/secrets/rotate/cancel", s.rotationStep("m2m_client", s.findRotatableM2MClient, (*clientSecret).cancelRotation))
}

func (c *m2mClient) secret() (*clientSecret, *apiErr) { return &c.secrets, nil }

func (s *Server) findRotatableM2MClient(id string) (rotatable, *apiErr) {
	c := s.stytch.m2mClients[id]
	if c == nil {
		return nil, errM2MClientNotFound
	}
	return c, nil
}

// m2mFields is a create or update body. A create may choose the client_id
// and the secret, as Stytch allows for importing an existing client.
type m2mFields struct {
	ClientID        *string         `json:"client_id"`
	ClientSecret    *string         `json:"client_secret"`
	ClientName      *string         `json:"client_name"`
	ClientDesc      *string         `json:"client_description"`
	Status          *string         `json:"status"`
	Scopes          *[]string       `json:"scopes"`
	TrustedMetadata *map[string]any `json:"trusted_metadata"`
}

// apply sets what the body sends. Whether Stytch's update resets fields
// it leaves out, as the connected-app update does, is a guess: the
// emulator keeps them (*unconfirmed*, assumption m2m_client_update_omitted).
// The alternative is in stytchUpdateM2MClient.
func (f *m2mFields) apply(c *m2mClient) *apiErr {
	if f.Scopes != nil {
		for _, sc := range *f.Scopes {
			if sc == "" || strings.ContainsAny(sc, " \t\n") {
				return badRequest(fmt.Sprintf("Scope %q is not valid: scopes hold no whitespace.", sc))
			}
		}
		c.scopes = slices.Clone(*f.Scopes)
	}
	if f.Status != nil {
		if *f.Status != "active" && *f.Status != "inactive" {
			return badRequest(`status must be "active" or "inactive".`)
		}
		c.status = *f.Status
	}
	if f.ClientName != nil {
		c.name = *f.ClientName
	}
	if f.ClientDesc != nil {
		c.description = *f.ClientDesc
	}
	if f.TrustedMetadata != nil {
		c.trustedMetadata = maps.Clone(*f.TrustedMetadata)
	}
	return nil
}

func (s *Server) stytchCreateM2MClient(w http.ResponseWriter, r *http.Request) {
	var body m2mFields
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	st := s.stytch
	if body.Scopes == nil {
		badRequest("scopes is required.").write(w, r)
		return
	}
	if body.Status != nil {
		badRequest("status cannot be set on create.").write(w, r)
		return
	}
	c := &m2mClient{clientID: "m2m-client-test-" + randomUUID(), status: "active"}
	if body.ClientID != nil {
		id := *body.ClientID
		if id == "" || strings.ContainsAny(id, "/?#% ") {
			badRequest("client_id is not a valid client id.").write(w, r)
			return
		}
		if st.m2mClients[id] != nil || st.apps[id] != nil {
			// The id must be unique in the project; the error type is a
			// guess (*unconfirmed*, assumption duplicate_client_id).
			stytchError(w, r, http.StatusBadRequest, "duplicate_client_id", "A client with this client_id already exists.")
			return
		}
		c.clientID = id
	}
	secret := randomToken()
	if body.ClientSecret != nil {
		// Stytch also checks the entropy; the emulator only the length.
		if len(*body.ClientSecret) < 8 {
			badRequest("client_secret must be at least 8 characters long.").write(w, r)
			return
		}
		secret = *body.ClientSecret
	}
	if e := body.apply(c); e != nil {
		e.write(w, r)
		return
	}
	c.secrets.set(secret)
	st.seq++
	c.seq = st.seq
	st.m2mClients[c.clientID] = c
	out := c.json()
	out["client_secret"] = secret
	stytchOK(w, r, map[string]any{"m2m_client": out})
}

func (s *Server) stytchGetM2MClient(w http.ResponseWriter, r *http.Request) {
	c := s.stytch.m2mClients[r.PathValue("client_id")]
	if c == nil {
		errM2MClientNotFound.write(w, r)
		return
	}
	stytchOK(w, r, map[string]any{"m2m_client": c.json()})
}

func (s *Server) stytchUpdateM2MClient(w http.ResponseWriter, r *http.Request) {
	var body m2mFields
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	c := s.stytch.m2mClients[r.PathValue("client_id")]
	if c == nil {
		errM2MClientNotFound.write(w, r)
		return
	}
	if body.ClientID != nil || body.ClientSecret != nil {
		badRequest("client_id and client_secret cannot be updated.").write(w, r)
		return
	}
	// Validate on a copy so a refused update changes nothing.
	updated := *c
	if assumedOf(r).is("m2m_client_update_omitted", "reset") {
		updated.name, updated.description, updated.status = "", "", "active"
		updated.scopes, updated.trustedMetadata = nil, nil
	}
	if e := body.apply(&updated); e != nil {
		e.write(w, r)
		return
	}
	*c = updated
	stytchOK(w, r, map[string]any{"m2m_client": c.json()})
}

// stytchDeleteM2MClient removes the client. Tokens already issued stay
// valid until they expire, as Stytch documents: JWTs are not looked up.
func (s *Server) stytchDeleteM2MClient(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("client_id")
	if s.stytch.m2mClients[id] == nil {
		errM2MClientNotFound.write(w, r)
		return
	}
	delete(s.stytch.m2mClients, id)
	stytchOK(w, r, map[string]any{"client_id": id})
}

// m2mSearchBody is the search body: paging and an optional query whose
// operands filter by client_id (any of a list), client_name (exact) or
// scopes (any of a list).
type m2mSearchBody struct {
	searchParams
	Query *struct {
		Operator string           `json:"operator"`
		Operands []map[string]any `json:"operands"`
	} `json:"query"`
}

func (s *Server) stytchSearchM2MClients(w http.ResponseWriter, r *http.Request) {
	var body m2mSearchBody
	if e := decodeBody(r, &body); e != nil {
		e.write(w, r)
		return
	}
	match, e := m2mQuery(body)
	if e != nil {
		e.write(w, r)
		return
	}
	var all []*m2mClient
	for _, c := range s.stytch.m2mClients {
		if match(c) {
			all = append(all, c)
		}
	}
	page, next, e := searchPage(all, func(c *m2mClient) int64 { return c.seq }, body.searchParams)
	if e != nil {
		e.write(w, r)
		return
	}
	out := make([]any, len(page))
	for i, c := range page {
		out[i] = c.json()
	}
	stytchOK(w, r, map[string]any{
		"m2m_clients":      out,
		"results_metadata": map[string]any{"total": len(all), "next_cursor": next},
	})
}

// m2mQuery turns a search query into a predicate.
func m2mQuery(body m2mSearchBody) (func(*m2mClient) bool, *apiErr) {
	if body.Query == nil || len(body.Query.Operands) == 0 {
		return func(*m2mClient) bool { return true }, nil
	}
	op := body.Query.Operator
	if op != "AND" && op != "OR" {
		return nil, badRequest(`query.operator must be "AND" or "OR".`)
	}
	var tests []func(*m2mClient) bool
	for _, operand := range body.Query.Operands {
		name, _ := operand["filter_name"].(string)
		values := stringsOf(operand["filter_value"])
		switch name {
		case "client_id":
			tests = append(tests, func(c *m2mClient) bool { return slices.Contains(values, c.clientID) })
		case "client_name":
			tests = append(tests, func(c *m2mClient) bool { return slices.Contains(values, c.name) })
		case "scopes":
			tests = append(tests, func(c *m2mClient) bool {
				return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(c.scopes, v) })
			})
		default:
			return nil, badRequest(fmt.Sprintf("Unknown filter_name %q: the M2M client search filters by client_id, client_name or scopes.", name))
		}
	}
	return func(c *m2mClient) bool {
		hits := 0
		for _, t := range tests {
			if t(c) {
				hits++
			}
		}
		if op == "AND" {
			return hits == len(tests)
		}
		return hits > 0
	}, nil
}

// stringsOf reads a filter value: a string or a list of them.
func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (c *m2mClient) json() map[string]any {
	md := c.trustedMetadata
	if md == nil {
		md = map[string]any{}
	}
	out := map[string]any{
		"client_id":          c.clientID,
		"client_name":        c.name,
		"client_description": c.description,
		"status":             c.status,
		"scopes":             append([]string{}, c.scopes...),
		"trusted_metadata":   md,
	}
	c.secrets.lastFours(out)
	return out
}

// clientCredentials is the client_credentials grant: an M2M client trades
// its id and secret (current, or next during a rotation) for an access
// token carrying the scopes asked for, all of the client's by default.
func (s *Server) clientCredentials(w http.ResponseWriter, r *http.Request, params map[string]string) {
	st, now := s.stytch, s.clock.now()
	id, secret := params["client_id"], params["client_secret"]
	if basicID, basicSecret, ok := r.BasicAuth(); ok {
		id, secret = formUnescape(basicID), formUnescape(basicSecret)
	}
	c := st.m2mClients[id]
	if c == nil || !c.secrets.matches(secret) {
		invalidClient(w, r)
		return
	}
	if c.status != "active" {
		// How Stytch refuses an inactive client is a guess; its
		// documentation says only that it gets no token
		// (*unconfirmed*, assumption inactive_m2m_client_token).
		if assumedOf(r).is("inactive_m2m_client_token", "400") {
			oauthError(w, r, http.StatusBadRequest, "unauthorized_client", "The M2M client is inactive.")
			return
		}
		oauthError(w, r, http.StatusUnauthorized, "invalid_client", "The M2M client is inactive.")
		return
	}
	scopes := slices.Clone(c.scopes)
	if requested := strings.Fields(params["scope"]); len(requested) > 0 {
		for _, sc := range requested {
			if !slices.Contains(c.scopes, sc) {
				oauthError(w, r, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q is not one of the client's scopes.", sc))
				return
			}
		}
		scopes = requested
	}
	claims := map[string]any{
		"iss":   st.issuer(),
		"sub":   c.clientID,
		"aud":   []string{st.projectID},
		"scope": strings.Join(scopes, " "),
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(m2mTokenTTL).Unix(),
		"jti":   randomBase62(44),
	}
	token := st.signer.sign(nil, claims)
	st.m2mIssued = append(st.m2mIssued, token)
	writeJSON(w, http.StatusOK, map[string]any{
		"request_id": requestID(r), "status_code": http.StatusOK,
		"access_token": token, "token_type": "bearer", "expires_in": int(m2mTokenTTL / time.Second), "scope": strings.Join(scopes, " "),
	})
}
