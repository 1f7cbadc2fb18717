package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authorizeParams is the body of authorize/start and authorize; start reads
// only the fields it documents.
type authorizeParams struct {
	ConsentGranted      *bool    `json:"consent_granted"`
	Scopes              []string `json:"scopes"`
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	ResponseType        string   `json:"response_type"`
	OrganizationID      string   `json:"organization_id"`
	MemberID            string   `json:"member_id"`
	UserID              string   `json:"user_id"`
	SessionToken        string   `json:"session_token"`
	SessionJWT          string   `json:"session_jwt"`
	Prompt              string   `json:"prompt"`
	State               string   `json:"state"`
	Nonce               string   `json:"nonce"`
	CodeChallenge       string   `json:"code_challenge"`
	CodeChallengeMethod string   `json:"code_challenge_method"`
	// Resources are accepted for the request's shape; tokens keep the
	// project as their audience, the one API-FACTS documents.
	Resources []string `json:"resources"`
}

// stytchSubject is who grants an authorization: a member of an
// organization, or a consumer user.
type stytchSubject struct {
	id     string
	org    *stytchOrg
	member *stytchMember
}

// resolveMember finds the member granting authorization from exactly one of
// organization_id + member_id, session_token or session_jwt.
func (s *Server) resolveMember(p *authorizeParams, now time.Time) (stytchSubject, *apiErr) {
	st := s.stytch
	given := 0
	for _, ok := range []bool{p.OrganizationID != "" || p.MemberID != "", p.SessionToken != "", p.SessionJWT != ""} {
		if ok {
			given++
		}
	}
	if given != 1 {
		return stytchSubject{}, badRequest("Exactly one of organization_id and member_id, session_token or session_jwt must be given.")
	}
	var sess *stytchSession
	var e *apiErr
	switch {
	case p.SessionToken != "":
		sess, e = st.liveSession(p.SessionToken, now)
	case p.SessionJWT != "":
		sess, e = st.liveSessionFromJWT(p.SessionJWT, now)
	default:
		if p.OrganizationID == "" || p.MemberID == "" {
			return stytchSubject{}, badRequest("organization_id and member_id must be given together.")
		}
		org := st.findOrg(p.OrganizationID)
		if org == nil {
			return stytchSubject{}, errOrgNotFound
		}
		m := st.findMember(org, p.MemberID)
		if m == nil {
			return stytchSubject{}, errMemberNotFound
		}
		return stytchSubject{id: m.id, org: org, member: m}, nil
	}
	if e != nil {
		return stytchSubject{}, e
	}
	return stytchSubject{id: sess.memberID, org: st.orgs[sess.organizationID], member: st.members[sess.memberID]}, nil
}

// resolveUser finds the consumer user granting authorization. The emulator
// mints no consumer sessions, so a session can only fail to resolve.
func (s *Server) resolveUser(p *authorizeParams, _ time.Time) (stytchSubject, *apiErr) {
	if p.UserID == "" {
		if p.SessionToken != "" || p.SessionJWT != "" {
			return stytchSubject{}, errSessionNotFound
		}
		return stytchSubject{}, badRequest("user_id is required.")
	}
	u := s.stytch.findUser(p.UserID)
	if u == nil {
		return stytchSubject{}, errUserNotFound
	}
	return stytchSubject{id: u.id}, nil
}

// checkClient validates what an authorization request says about the app.
func (st *stytchState) checkClient(p *authorizeParams) (*stytchApp, *apiErr) {
	if p.ClientID == "" {
		return nil, badRequest("client_id is required.")
	}
	app := st.apps[p.ClientID]
	if app == nil {
		return nil, errAppNotFound
	}
	if p.RedirectURI == "" {
		return nil, badRequest("redirect_uri is required.")
	}
	if !slices.Contains(app.redirectURLs, p.RedirectURI) {
		// *unconfirmed* error type; Stytch requires an exact match.
		return nil, &apiErr{http.StatusBadRequest, "invalid_redirect_uri", "The redirect_uri is not one of the Connected App's redirect_urls."}
	}
	if p.ResponseType != "code" {
		// *unconfirmed* error type.
		return nil, &apiErr{http.StatusBadRequest, "unsupported_response_type", `response_type must be "code".`}
	}
	if p.Scopes == nil {
		return nil, badRequest("scopes is required.")
	}
	return app, nil
}

func (a *stytchApp) grantable(scope string) bool {
	_, builtin := builtinScopes[scope]
	return builtin || slices.Contains(a.customScopes, scope)
}

func (a *stytchApp) scopeDescription(scope string) string {
	if d, ok := builtinScopes[scope]; ok {
		return d
	}
	return "Grants the " + scope + " permission."
}

// consentRequired follows Stytch's rule: third-party apps need consent for
// anything not already granted, first-party apps only for offline_access
// unless they bypass it; prompt=consent always asks.
func (st *stytchState) consentRequired(app *stytchApp, subjectID string, scopes []string, prompt string) bool {
	if slices.Contains(strings.Fields(prompt), "consent") {
		return true
	}
	if g := st.authorizations[grantKey{subjectID, app.clientID}]; g != nil && g.active {
		covered := true
		for _, sc := range scopes {
			covered = covered && slices.Contains(g.scopes, sc)
		}
		if covered {
			return false
		}
	}
	if app.firstParty() {
		return slices.Contains(scopes, "offline_access") && !app.bypassConsentForOffline
	}
	return true
}

func (s *Server) stytchAuthorizeStart(w http.ResponseWriter, r *http.Request) {
	var p authorizeParams
	if e := decodeBody(r, &p); e != nil {
		e.write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stytch
	app, e := st.checkClient(&p)
	if e != nil {
		e.write(w, r)
		return
	}
	sub, e := s.resolveMember(&p, s.clock.now())
	if e != nil {
		e.write(w, r)
		return
	}
	results := []any{}
	for _, sc := range p.Scopes {
		results = append(results, map[string]any{"scope": sc, "description": app.scopeDescription(sc), "is_grantable": app.grantable(sc)})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"request_id": requestID(r), "status_code": http.StatusOK,
		"member_id": sub.id, "member": sub.member.json(), "organization": sub.org.json(),
		"client": map[string]any{
			"client_id": app.clientID, "client_name": app.name, "client_description": app.description,
			"client_type": app.clientType, "logo_url": app.logoURL,
		},
		"consent_required": st.consentRequired(app, sub.id, p.Scopes, p.Prompt),
		"scope_results":    results,
	})
}

func (s *Server) stytchAuthorizeMember(w http.ResponseWriter, r *http.Request) {
	s.authorize(w, r, s.resolveMember)
}

func (s *Server) stytchAuthorizeUser(w http.ResponseWriter, r *http.Request) {
	s.authorize(w, r, s.resolveUser)
}

// authorize completes an authorization request without a browser: with
// consent it records the authorization and answers with the code in the
// redirect_uri; without, the redirect_uri carries error=access_denied.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, resolve func(*authorizeParams, time.Time) (stytchSubject, *apiErr)) {
	var p authorizeParams
	if e := decodeBody(r, &p); e != nil {
		e.write(w, r)
		return
	}
	if p.ConsentGranted == nil {
		badRequest("consent_granted is required.").write(w, r)
		return
	}
	if p.CodeChallengeMethod != "" && p.CodeChallengeMethod != "S256" {
		badRequest("Only the S256 code_challenge_method is supported.").write(w, r)
		return
	}
	redirect, err := url.Parse(p.RedirectURI)
	if err != nil {
		badRequest("redirect_uri is not a valid URL.").write(w, r)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, now := s.stytch, s.clock.now()
	app, e := st.checkClient(&p)
	if e != nil {
		e.write(w, r)
		return
	}
	sub, e := resolve(&p, now)
	if e != nil {
		e.write(w, r)
		return
	}
	var scopes []string
	for _, sc := range p.Scopes {
		if !app.grantable(sc) {
			// *unconfirmed* error type.
			stytchError(w, r, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q cannot be granted to this Connected App.", sc))
			return
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if app.public() && p.CodeChallenge == "" {
		// OAuth 2.1 makes PKCE mandatory for public clients; how Stytch
		// words the refusal is *unconfirmed*.
		badRequest("code_challenge is required for public clients.").write(w, r)
		return
	}

	q := redirect.Query()
	if p.State != "" {
		q.Set("state", p.State)
	}
	out := map[string]any{"request_id": requestID(r), "status_code": http.StatusOK}
	if *p.ConsentGranted {
		key := grantKey{sub.id, app.clientID}
		orgID := ""
		if sub.org != nil {
			orgID = sub.org.id
		}
		st.recordAuthorization(key, orgID, scopes, now)
		code := randomToken()
		st.codes[code] = &stytchCode{grant: key, redirectURI: p.RedirectURI, scopes: scopes, nonce: p.Nonce, codeChallenge: p.CodeChallenge, expiresAt: now.Add(authorizationCodeTTL)}
		q.Set("code", code)
		out["authorization_code"] = code
	} else {
		q.Set("error", "access_denied")
		q.Set("error_description", "The user denied the authorization request.")
	}
	redirect.RawQuery = q.Encode()
	out["redirect_uri"] = redirect.String()
	writeJSON(w, http.StatusOK, out)
}

// recordAuthorization makes an authorization active with the scopes of the
// flow that just completed, creating it or bringing a revoked one back.
func (st *stytchState) recordAuthorization(key grantKey, organizationID string, scopes []string, now time.Time) {
	g := st.authorizations[key]
	if g == nil {
		g = &stytchGrant{key: key, organizationID: organizationID, createdAt: now}
		st.authorizations[key] = g
	}
	g.scopes, g.active = scopes, true
}

// knownProject tells whether the path names this project; the custom-domain
// paths name none.
func (s *Server) knownProject(r *http.Request) bool {
	id := r.PathValue("project_id")
	return id == "" || id == s.stytch.projectID
}

// readOAuthParams reads an OAuth request from a JSON or a form body.
func readOAuthParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var body map[string]any
		if e := decodeBody(r, &body); e != nil {
			return nil, fmt.Errorf("%s", e.errorMessage)
		}
		for k, v := range body {
			switch v := v.(type) {
			case string:
				out[k] = v
			case nil:
			default:
				return nil, fmt.Errorf("%s must be a string", k)
			}
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k, v := range r.PostForm {
		out[k] = v[0]
	}
	return out, nil
}

// authenticateClient checks the client credentials, sent in the body or as
// HTTP Basic (form-encoded first, per RFC 6749 section 2.3.1). Public
// clients have no secret to present.
func (st *stytchState) authenticateClient(r *http.Request, params map[string]string) *stytchApp {
	id, secret := params["client_id"], params["client_secret"]
	if basicID, basicSecret, ok := r.BasicAuth(); ok {
		basicID, basicSecret = formUnescape(basicID), formUnescape(basicSecret)
		if id != "" && id != basicID {
			return nil
		}
		id, secret = basicID, basicSecret
	}
	app := st.apps[id]
	if app == nil {
		return nil
	}
	if app.public() {
		return app
	}
	sum := sha256.Sum256([]byte(secret))
	if secret == "" || subtle.ConstantTimeCompare(sum[:], app.secretHash[:]) != 1 {
		return nil
	}
	return app
}

func formUnescape(v string) string {
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

func invalidClient(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := r.BasicAuth(); ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="stytch"`)
	}
	oauthError(w, r, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
}

func (s *Server) stytchToken(w http.ResponseWriter, r *http.Request) {
	if !s.knownProject(r) {
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
		return
	}
	params, err := readOAuthParams(r)
	if err != nil {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.stytch.authenticateClient(r, params)
	if app == nil {
		invalidClient(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	switch params["grant_type"] {
	case "authorization_code":
		s.exchangeCode(w, r, app, params)
	case "refresh_token":
		s.exchangeRefreshToken(w, r, app, params)
	case "":
		oauthError(w, r, http.StatusBadRequest, "invalid_request", "grant_type is required.")
	default:
		oauthError(w, r, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("The grant_type %q is not supported.", params["grant_type"]))
	}
}

// pkceMatches is the S256 check of RFC 7636: BASE64URL(SHA256(verifier)).
func pkceMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request, app *stytchApp, params map[string]string) {
	st, now := s.stytch, s.clock.now()
	code := params["code"]
	if code == "" {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", "code is required.")
		return
	}
	c := st.codes[code]
	if c == nil || !now.Before(c.expiresAt) {
		oauthError(w, r, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid, expired or already used.")
		return
	}
	// Any attempt spends the code, so a wrong verifier cannot be retried
	// until one matches.
	delete(st.codes, code)
	verifier := params["code_verifier"]
	var problem string
	switch {
	case c.grant.clientID != app.clientID:
		problem = "The authorization code was issued to another client."
	case params["redirect_uri"] != c.redirectURI:
		problem = "redirect_uri does not match the authorization request."
	case c.codeChallenge == "" && verifier != "":
		problem = "code_verifier was sent but the authorization request had no code_challenge."
	case c.codeChallenge != "" && verifier == "":
		problem = "code_verifier is required."
	case c.codeChallenge != "" && !pkceMatches(verifier, c.codeChallenge):
		problem = "code_verifier does not match the code_challenge."
	}
	if problem != "" {
		oauthError(w, r, http.StatusBadRequest, "invalid_grant", problem)
		return
	}
	resp := st.tokenResponse(r, app, c.grant, c.scopes, c.nonce, now)
	if slices.Contains(c.scopes, "offline_access") {
		resp["refresh_token"] = st.mintRefreshToken(c.grant, c.scopes, now)
	}
	writeJSON(w, http.StatusOK, resp)
}

// exchangeRefreshToken rotates a public client's refresh token on every use;
// a confidential client keeps its token, whose life each use extends.
func (s *Server) exchangeRefreshToken(w http.ResponseWriter, r *http.Request, app *stytchApp, params map[string]string) {
	st, now := s.stytch, s.clock.now()
	token := params["refresh_token"]
	if token == "" {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", "refresh_token is required.")
		return
	}
	rt := st.refreshTokens[token]
	if rt == nil || rt.revoked || !now.Before(rt.expiresAt) || rt.grant.clientID != app.clientID {
		oauthError(w, r, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid, expired or revoked.")
		return
	}
	scopes := rt.scopes
	if requested := params["scope"]; requested != "" {
		scopes = strings.Fields(requested)
		for _, sc := range scopes {
			if !slices.Contains(rt.scopes, sc) {
				oauthError(w, r, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q was not granted to this refresh token.", sc))
				return
			}
		}
	}
	resp := st.tokenResponse(r, app, rt.grant, scopes, "", now)
	if app.public() {
		rt.revoked = true
		resp["refresh_token"] = st.mintRefreshToken(rt.grant, rt.scopes, now)
	} else {
		rt.expiresAt = now.Add(refreshTokenTTL)
	}
	writeJSON(w, http.StatusOK, resp)
}

// tokenResponse mints an access token, and an ID token when openid is
// granted.
func (st *stytchState) tokenResponse(r *http.Request, app *stytchApp, key grantKey, scopes []string, nonce string, now time.Time) map[string]any {
	ttl := time.Duration(app.accessTokenExpiryMinutes) * time.Minute
	resp := map[string]any{
		"request_id":   requestID(r),
		"status_code":  http.StatusOK,
		"access_token": st.mintAccessToken(app, key, scopes, now, ttl),
		"token_type":   "bearer",
		"expires_in":   int(ttl / time.Second),
		"scope":        strings.Join(scopes, " "),
	}
	if slices.Contains(scopes, "openid") {
		resp["id_token"] = st.mintIDToken(app, key, scopes, nonce, now)
	}
	return resp
}

// subjectClaims are the claims naming a member's organization; a consumer
// user has none.
func (st *stytchState) subjectClaims(claims map[string]any, subjectID string) {
	if m := st.members[subjectID]; m != nil {
		if org := st.orgs[m.organizationID]; org != nil {
			claims["https://stytch.com/organization"] = map[string]any{"organization_id": org.id, "slug": org.slug}
		}
	}
}

func (st *stytchState) mintAccessToken(app *stytchApp, key grantKey, scopes []string, now time.Time, ttl time.Duration) string {
	jti := randomBase62(44)
	claims := map[string]any{
		"iss":       st.issuer(),
		"sub":       key.subjectID,
		"aud":       []string{st.projectID},
		"client_id": app.clientID,
		"scope":     strings.Join(scopes, " "),
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(ttl).Unix(),
		"jti":       jti,
	}
	st.subjectClaims(claims, key.subjectID)
	st.accessTokens[jti] = &stytchAccessToken{grant: key, claims: claims, expiresAt: now.Add(ttl)}
	return st.signJWT(claims)
}

func (st *stytchState) mintIDToken(app *stytchApp, key grantKey, scopes []string, nonce string, now time.Time) string {
	claims := map[string]any{
		"iss": st.issuer(),
		"sub": key.subjectID,
		"aud": []string{app.clientID},
		"iat": now.Unix(),
		"exp": now.Add(idTokenTTL).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	email, name := "", ""
	if m := st.members[key.subjectID]; m != nil {
		email, name = m.email, m.name
	} else if u := st.users[key.subjectID]; u != nil {
		email = u.email
	}
	if slices.Contains(scopes, "email") {
		claims["email"], claims["email_verified"] = email, false
	}
	if slices.Contains(scopes, "profile") {
		claims["name"] = name
	}
	st.subjectClaims(claims, key.subjectID)
	return st.signJWT(claims)
}

func (st *stytchState) mintRefreshToken(key grantKey, scopes []string, now time.Time) string {
	token := randomToken()
	st.refreshTokens[token] = &stytchRefreshToken{grant: key, scopes: scopes, issuedAt: now, expiresAt: now.Add(refreshTokenTTL)}
	return token
}

// stytchIntrospect answers RFC 7662 introspection for access and refresh
// tokens. A token issued to another client is reported inactive: Stytch
// introspects "for the given Connected Apps client" (*unconfirmed* that it
// refuses other clients' tokens).
func (s *Server) stytchIntrospect(w http.ResponseWriter, r *http.Request) {
	if !s.knownProject(r) {
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
		return
	}
	params, err := readOAuthParams(r)
	if err != nil {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stytch
	app := st.authenticateClient(r, params)
	if app == nil {
		invalidClient(w, r)
		return
	}
	if params["token"] == "" {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", "token is required.")
		return
	}
	resp := st.introspect(params["token"], app, s.clock.now())
	resp["request_id"], resp["status_code"] = requestID(r), http.StatusOK
	writeJSON(w, http.StatusOK, resp)
}

func (st *stytchState) introspect(token string, app *stytchApp, now time.Time) map[string]any {
	inactive := map[string]any{"active": false}
	if rt := st.refreshTokens[token]; rt != nil {
		if rt.revoked || !now.Before(rt.expiresAt) || rt.grant.clientID != app.clientID {
			return inactive
		}
		out := map[string]any{
			"active":     true,
			"token_type": "refresh_token",
			"iss":        st.issuer(),
			"sub":        rt.grant.subjectID,
			"aud":        []string{st.projectID},
			"client_id":  rt.grant.clientID,
			"scope":      strings.Join(rt.scopes, " "),
			"iat":        rt.issuedAt.Unix(),
			"exp":        rt.expiresAt.Unix(),
		}
		st.subjectClaims(out, rt.grant.subjectID)
		return out
	}
	var claims struct {
		JTI string `json:"jti"`
	}
	if !st.verifyJWT(token, &claims) {
		return inactive
	}
	at := st.accessTokens[claims.JTI]
	if at == nil || at.revoked || !now.Before(at.expiresAt) || at.grant.clientID != app.clientID {
		return inactive
	}
	out := maps.Clone(at.claims)
	out["active"], out["token_type"] = true, "access_token"
	return out
}

func (s *Server) stytchJWKS(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	if r.PathValue("project_id") != st.projectID {
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
		return
	}
	pub := st.key.PublicKey
	key := map[string]any{
		"kty":     "RSA",
		"use":     "sig",
		"key_ops": []string{"verify"},
		"alg":     "RS256",
		"kid":     st.keyID,
		"n":       base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":       base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"x5c":     []string{},
		"x5tS256": "",
	}
	writeJSON(w, http.StatusOK, map[string]any{"request_id": requestID(r), "status_code": http.StatusOK, "keys": []any{key}})
}

// signJWT signs claims RS256 with the project key.
func (st *stytchState) signJWT(claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": st.keyID, "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err) // claims are built here from plain values
	}
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, st.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err) // only a key too small for SHA-256 fails
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// verifyJWT checks an RS256 signature by the project key and decodes the
// claims into v.
func (st *stytchState) verifyJWT(token string, v any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(raw, &header) != nil || header.Alg != "RS256" || header.Kid != st.keyID {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&st.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return false
	}
	raw, err = base64.RawURLEncoding.DecodeString(parts[1])
	return err == nil && json.Unmarshal(raw, v) == nil
}
