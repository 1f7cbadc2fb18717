package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

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
// clients have no secret to present; during a secret rotation a
// confidential client may present its current or its next secret.
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
	if !app.secrets.matches(secret) {
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

// oauthError answers in the OAuth 2.0 error shape the token and introspection
// endpoints use.
func oauthError(w http.ResponseWriter, r *http.Request, status int, code, description string) {
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": description,
		"request_id":        requestID(r),
		"status_code":       status,
	})
}

func invalidClient(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := r.BasicAuth(); ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="stytch"`)
	}
	oauthError(w, r, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
}

// oauthRequest reads an OAuth request to this project, answering the
// error itself.
func (s *Server) oauthRequest(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	if !s.knownProject(r) {
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
		return nil, false
	}
	params, err := readOAuthParams(r)
	if err != nil {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", err.Error())
		return nil, false
	}
	return params, true
}

// oauthClient reads an OAuth request to this project and authenticates its
// connected app, as the token and introspection endpoints both begin; it
// answers the error itself.
func (s *Server) oauthClient(w http.ResponseWriter, r *http.Request, params map[string]string) (*stytchApp, bool) {
	app := s.stytch.authenticateClient(r, params)
	if app == nil {
		invalidClient(w, r)
		return nil, false
	}
	return app, true
}

func (s *Server) stytchToken(w http.ResponseWriter, r *http.Request) {
	params, ok := s.oauthRequest(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if params["grant_type"] == "client_credentials" {
		// M2M clients, not connected apps, use this grant.
		s.clientCredentials(w, r, params)
		return
	}
	app, ok := s.oauthClient(w, r, params)
	if !ok {
		return
	}
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
	st.replayed(code, now, assumedOf(r).get("code_replay"))
	c := st.codes[code]
	if c == nil || !now.Before(c.expiresAt) {
		oauthError(w, r, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid, expired or already used.")
		return
	}
	// Any attempt spends the code, so a wrong verifier cannot be retried
	// until one matches.
	delete(st.codes, code)
	spent := &spentCode{grant: c.grant, expiresAt: c.expiresAt}
	st.spentCodes[code] = spent
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
	resp, jti := st.tokenResponse(r, app, c.grant, c.scopes, c.nonce, now)
	spent.jti = jti
	if slices.Contains(c.scopes, "offline_access") {
		spent.refreshToken = st.mintRefreshToken(c.grant, c.scopes, now)
		resp["refresh_token"] = spent.refreshToken
	}
	writeJSON(w, http.StatusOK, resp)
}

// replayed ends the tokens a code issued when that code comes back, as RFC
// 6749 section 4.1.2 advises: a used code presented again means someone
// else may hold what it issued. That Stytch does this, and no more, is a
// guess (*unconfirmed*, assumption code_replay): the provider counts on it
// to end the tokens of an exchange whose answer was lost without revoking
// the whole authorization, which other runs may share. choice is the
// switch's: "refused_only" ends nothing, "ends_authorization" revokes the
// code's authorization. It also forgets codes past their expiry.
func (st *stytchState) replayed(code string, now time.Time, choice string) {
	for k, sc := range st.spentCodes {
		if !now.Before(sc.expiresAt) && k != code {
			delete(st.spentCodes, k)
		}
	}
	sc := st.spentCodes[code]
	switch {
	case sc == nil, choice == "refused_only":
		return
	case choice == "ends_authorization":
		st.revoke(sc.grant)
		return
	}
	if t := st.accessTokens[sc.jti]; t != nil {
		t.revoked = true
	}
	if t := st.refreshTokens[sc.refreshToken]; t != nil {
		t.revoked = true
	}
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
	resp, _ := st.tokenResponse(r, app, rt.grant, scopes, "", now)
	if app.public() {
		rt.revoked = true
		resp["refresh_token"] = st.mintRefreshToken(rt.grant, rt.scopes, now)
	} else {
		rt.expiresAt = now.Add(refreshTokenTTL)
	}
	writeJSON(w, http.StatusOK, resp)
}

// tokenResponse mints an access token, and an ID token when openid is
// granted; it also returns the access token's jti.
func (st *stytchState) tokenResponse(r *http.Request, app *stytchApp, key grantKey, scopes []string, nonce string, now time.Time) (map[string]any, string) {
	ttl := time.Duration(app.accessTokenExpiryMinutes) * time.Minute
	access, jti := st.mintAccessToken(app, key, scopes, now, ttl)
	resp := map[string]any{
		"request_id":   requestID(r),
		"status_code":  http.StatusOK,
		"access_token": access,
		"token_type":   "bearer",
		"expires_in":   int(ttl / time.Second),
		"scope":        strings.Join(scopes, " "),
	}
	if slices.Contains(scopes, "openid") {
		resp["id_token"] = st.mintIDToken(app, key, scopes, nonce, now)
	}
	return resp, jti
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

func (st *stytchState) mintAccessToken(app *stytchApp, key grantKey, scopes []string, now time.Time, ttl time.Duration) (token, jti string) {
	jti = randomBase62(44)
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
	return st.signer.sign(nil, claims), jti
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
	return st.signer.sign(nil, claims)
}

func (st *stytchState) mintRefreshToken(key grantKey, scopes []string, now time.Time) string {
	token := randomToken()
	st.refreshTokens[token] = &stytchRefreshToken{grant: key, scopes: scopes, issuedAt: now, expiresAt: now.Add(refreshTokenTTL)}
	return token
}

// stytchIntrospect answers RFC 7662 introspection for access and refresh
// tokens. A token issued to another client is reported inactive: Stytch
// introspects "for the given Connected Apps client", taken to mean that it
// refuses other clients' tokens
// (*unconfirmed*, assumption introspect_other_client).
func (s *Server) stytchIntrospect(w http.ResponseWriter, r *http.Request) {
	params, ok := s.oauthRequest(w, r)
	if !ok {
		return
	}
	app, ok := s.oauthClient(w, r, params)
	if !ok {
		return
	}
	if params["token"] == "" {
		oauthError(w, r, http.StatusBadRequest, "invalid_request", "token is required.")
		return
	}
	anyClient := assumedOf(r).is("introspect_other_client", "active")
	resp := s.stytch.introspect(params["token"], app, anyClient, s.clock.now())
	stytchOK(w, r, resp)
}

// introspect reports token as seen by app; with anyClient, tokens of the
// project's other apps too.
func (st *stytchState) introspect(token string, app *stytchApp, anyClient bool, now time.Time) map[string]any {
	inactive := map[string]any{"active": false}
	other := func(g grantKey) bool { return !anyClient && g.clientID != app.clientID }
	if rt := st.refreshTokens[token]; rt != nil {
		if rt.revoked || !now.Before(rt.expiresAt) || other(rt.grant) {
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
	if !st.signer.verify(token, nil, &claims) {
		return inactive
	}
	at := st.accessTokens[claims.JTI]
	if at == nil || at.revoked || !now.Before(at.expiresAt) || other(at.grant) {
		return inactive
	}
	out := maps.Clone(at.claims)
	out["active"], out["token_type"] = true, "access_token"
	return out
}

// stytchJWKS answers the project's key set to anyone. The reference's
// sample sends project credentials, but the official clients (stytch-node
// 14.2.0's jose remote key set, for m2m.authenticateToken, session and IdP
// token checks) fetch it with none, and they are what runs in production:
// the official client wins. Credentials, when sent, are not looked at, so
// wrong ones are no reason to refuse a public key set either: that Stytch
// ignores them rather than checking them is a guess
// (*unconfirmed*, assumption stytch_jwks_credentials).
func (s *Server) stytchJWKS(w http.ResponseWriter, r *http.Request) {
	st := s.stytch
	if r.PathValue("project_id") != st.projectID {
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
		return
	}
	key := st.signer.jwk()
	key["key_ops"], key["x5c"], key["x5tS256"] = []string{"verify"}, []string{}, ""
	stytchOK(w, r, map[string]any{"keys": []any{key}})
}
