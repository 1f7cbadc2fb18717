package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The OAuth flow of Clerk's Frontend API, which issues an OAuth
// application's tokens: the token endpoint (authorization code with PKCE,
// refresh), dynamic client registration (RFC 7591), the authorization
// server's metadata and its key set, served under clerkFrontendPrefix as a
// real instance serves them on its own Frontend API domain.
//
// The authorization itself cannot be followed faithfully: Clerk's
// /oauth/authorize needs a user signed in to the instance in a browser and
// Clerk's own consent screen. The emulator's control route
// POST /__emulator/clerk/oauth/authorize stands in for both: it names the
// user, grants or denies consent, and answers the redirect, with its
// authorization code, that the browser would have followed.

// clerkFrontendPrefix is where the instance's Frontend API is served.
const clerkFrontendPrefix = "/clerk/frontend"

// frontendRoute serves h at the Frontend API's path, through the request
// wrapper (faults, the Date header, counts), without Clerk's Backend API
// rate limit, which the Frontend API does not share.
func (s *Server) frontendRoute(mux *http.ServeMux, method, path string, h http.HandlerFunc) {
	route := clerkFrontendPrefix + path
	mux.Handle(method+" "+route, s.api(serviceClerkFrontend, method+" "+route, h))
}

func (s *Server) routeClerkFrontend(mux *http.ServeMux) {
	s.frontendRoute(mux, "GET", "/.well-known/oauth-authorization-server", s.clerkOAuthMetadata)
	s.frontendRoute(mux, "GET", "/.well-known/openid-configuration", s.clerkOAuthMetadata)
	s.frontendRoute(mux, "GET", "/.well-known/jwks.json", s.clerkFrontendJWKS)
	s.frontendRoute(mux, "GET", "/oauth/authorize", s.clerkOAuthAuthorizePage)
	s.frontendRoute(mux, "POST", "/oauth/token", s.clerkOAuthToken)
	s.frontendRoute(mux, "POST", "/oauth/register", s.clerkOAuthRegister)
	// The stand-in for a signed-in user's browser (see above): a control
	// route, never faulted, limited or counted, and gone with the others.
	if !s.noControl {
		mux.HandleFunc("POST /__emulator/clerk/oauth/authorize", s.controlOAuthAuthorize)
	}
}

// fapiOAuthError answers in the OAuth 2.0 error shape of RFC 6749 section
// 5.2, which the token and registration endpoints use.
func fapiOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description})
}

func (s *Server) clerkOAuthMetadata(w http.ResponseWriter, _ *http.Request) {
	fapi := s.info.ClerkFrontendAPIURL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                fapi,
		"authorization_endpoint":                fapi + "/oauth/authorize",
		"token_endpoint":                        fapi + "/oauth/token",
		"registration_endpoint":                 fapi + "/oauth/register",
		"userinfo_endpoint":                     fapi + "/oauth/userinfo",
		"introspection_endpoint":                fapi + "/oauth/token_info",
		"jwks_uri":                              fapi + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256", "plain"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      strings.Fields(oauthDefaultScopes + " public_metadata private_metadata"),
	})
}

// clerkFrontendJWKS is the instance's public key set, which signs JWT
// access tokens, as a resource server fetches it: without credentials.
func (s *Server) clerkFrontendJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{s.clerk.signer.jwk()}})
}

// clerkOAuthAuthorizePage answers the browser route, which needs a
// signed-in user the emulator does not have, by naming its stand-in.
func (s *Server) clerkOAuthAuthorizePage(w http.ResponseWriter, _ *http.Request) {
	fapiOAuthError(w, http.StatusNotImplemented, "not_implemented",
		"The emulator has no browser sign-in or consent screen: POST /__emulator/clerk/oauth/authorize stands in for them (see the emulator's guide).")
}

// clerkOAuthClient authenticates the client of a token request: its
// secret by HTTP Basic or in the body (RFC 6749 section 2.3.1); a public
// client presents only its id. A confidential client without a secret (made
// from a public one and not rotated since) cannot authenticate.
func (s *Server) clerkOAuthClient(r *http.Request, params map[string]string) *oauthApp {
	id, secret := params["client_id"], params["client_secret"]
	if basicID, basicSecret, ok := r.BasicAuth(); ok {
		basicID, basicSecret = formUnescape(basicID), formUnescape(basicSecret)
		if id != "" && id != basicID {
			return nil
		}
		id, secret = basicID, basicSecret
	}
	o := s.clerk.oauth
	a := o.apps[o.byClient[id]]
	switch {
	case a == nil:
		return nil
	case a.public:
		return a
	case a.secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(a.secret)) != 1:
		return nil
	}
	return a
}

func (s *Server) clerkOAuthToken(w http.ResponseWriter, r *http.Request) {
	params, err := readOAuthParams(r)
	if err != nil {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	a := s.clerkOAuthClient(r, params)
	if a == nil {
		if _, _, ok := r.BasicAuth(); ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="clerk"`)
		}
		fapiOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	switch params["grant_type"] {
	case "authorization_code":
		s.clerkExchangeCode(w, a, params)
	case "refresh_token":
		s.clerkExchangeRefresh(w, a, params)
	case "":
		fapiOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required.")
	default:
		fapiOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("The grant_type %q is not supported.", params["grant_type"]))
	}
}

// pkceChallengeMatches checks a code_verifier against the challenge the
// authorization sent, S256 or plain (RFC 7636 section 4.6).
func pkceChallengeMatches(verifier, challenge, method string) bool {
	if method == "plain" {
		return subtle.ConstantTimeCompare([]byte(verifier), []byte(challenge)) == 1
	}
	return pkceMatches(verifier, challenge)
}

func (s *Server) clerkExchangeCode(w http.ResponseWriter, a *oauthApp, params map[string]string) {
	o, now := s.clerk.oauth, s.clock.now()
	code := params["code"]
	c := o.codes[code]
	if c == nil || !now.Before(c.expiresAt) {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid, expired or already used.")
		return
	}
	// Any attempt spends the code, so a wrong verifier cannot be retried.
	delete(o.codes, code)
	verifier := params["code_verifier"]
	var problem string
	switch {
	case c.appID != a.id:
		problem = "The authorization code was issued to another client."
	case params["redirect_uri"] != c.redirectURI:
		problem = "redirect_uri does not match the authorization request."
	case c.challenge != "" && verifier == "":
		problem = "code_verifier is required."
	case c.challenge != "" && !pkceChallengeMatches(verifier, c.challenge, c.method):
		problem = "code_verifier does not match the code_challenge."
	case c.challenge == "" && verifier != "":
		problem = "code_verifier was sent but the authorization request had no code_challenge."
	}
	if problem != "" {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_grant", problem)
		return
	}
	g := &oauthGrant{id: "grant_" + randomHex(16), appID: a.id, clientID: a.clientID, userID: c.userID, scopes: slices.Clone(c.scopes), createdAt: now}
	o.grants[g.id] = g
	refresh := randomToken()
	o.refresh[refresh] = &oauthRefreshToken{secret: refresh, grantID: g.id}
	s.clerkTokenAnswer(w, g, refresh, now)
}

func (s *Server) clerkExchangeRefresh(w http.ResponseWriter, a *oauthApp, params map[string]string) {
	o, now := s.clerk.oauth, s.clock.now()
	t := o.refresh[params["refresh_token"]]
	var g *oauthGrant
	if t != nil {
		g = o.grants[t.grantID]
	}
	if g == nil || g.revoked || g.appID != a.id {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or revoked.")
		return
	}
	if scope := params["scope"]; scope != "" {
		for _, sc := range strings.Fields(scope) {
			if !slices.Contains(g.scopes, sc) {
				fapiOAuthError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q was not granted.", sc))
				return
			}
		}
	}
	// The refresh token is kept: a refresh issues a new access token only
	// (*unconfirmed*, assumption oauth_token_issuance).
	s.clerkTokenAnswer(w, g, t.secret, now)
}

// clerkTokenAnswer issues an access token under g, opaque or a JWT as the
// instance's oauth_jwt_access_tokens setting says, and answers it with
// the refresh token. Access tokens live a day, refresh tokens until their
// grant is revoked, and no id_token is issued
// (*unconfirmed*, assumption oauth_token_issuance).
func (s *Server) clerkTokenAnswer(w http.ResponseWriter, g *oauthGrant, refresh string, now time.Time) {
	o := s.clerk.oauth
	id := "oat_" + randomHex(oauthAccessTokenBytes)
	exp := now.Add(oauthAccessTokenLife)
	var access string
	if o.settings.jwtAccessTokens {
		access = s.clerkOAuthJWT(g, id, now, exp)
	} else {
		access = "oat_" + randomHex(oauthAccessTokenBytes)
		o.access[access] = &oauthAccessToken{id: id, secret: access, grantID: g.id, expiration: exp, createdAt: now, updatedAt: now}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":  access,
		"token_type":    "bearer",
		"expires_in":    int64(oauthAccessTokenLife / time.Second),
		"refresh_token": refresh,
		"scope":         strings.Join(g.scopes, " "),
	})
}

// clerkOAuthJWT signs a JWT access token with the instance's key. Its
// header has typ at+jwt (RFC 9068), which tells it from an M2M JWT; its
// claims are those @clerk/backend's IdPOAuthAccessToken reads (jti,
// client_id, sub, scope, exp, iat) with iss the Frontend API and nbf, and
// no aud (*unconfirmed*, assumption oauth_jwt_claims).
func (s *Server) clerkOAuthJWT(g *oauthGrant, id string, now, exp time.Time) string {
	return s.clerk.signer.sign(map[string]string{"typ": "at+jwt"}, map[string]any{
		"iss":       s.info.ClerkFrontendAPIURL,
		"sub":       g.userID,
		"client_id": g.clientID,
		"jti":       id,
		"scope":     strings.Join(g.scopes, " "),
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       exp.Unix(),
	})
}

// clerkOAuthRegister is dynamic client registration (RFC 7591), open
// while the instance's dynamic_oauth_client_registration is on; while it
// is off the request is refused with 403 access_denied
// (*unconfirmed*, assumption oauth_dynamic_registration).
func (s *Server) clerkOAuthRegister(w http.ResponseWriter, r *http.Request) {
	if !s.clerk.oauth.settings.dynamicRegistration {
		fapiOAuthError(w, http.StatusForbidden, "access_denied", "Dynamic client registration is disabled for this instance.")
		return
	}
	var body struct {
		ClientName              string   `json:"client_name"`
		RedirectURIs            []string `json:"redirect_uris"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
		Scope                   string   `json:"scope"`
		ClientURI               string   `json:"client_uri"`
		LogoURI                 string   `json:"logo_uri"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "The body must be a JSON object of client metadata.")
		return
	}
	if len(body.RedirectURIs) == 0 {
		fapiOAuthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris is required.")
		return
	}
	for _, u := range body.RedirectURIs {
		if !absoluteURL(u) {
			fapiOAuthError(w, http.StatusBadRequest, "invalid_redirect_uri", fmt.Sprintf("%q is not an absolute URL.", u))
			return
		}
	}
	method := body.TokenEndpointAuthMethod
	switch method {
	case "":
		method = "client_secret_basic"
	case "none", "client_secret_basic", "client_secret_post":
	default:
		fapiOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", fmt.Sprintf("token_endpoint_auth_method %q is not supported.", method))
		return
	}
	name := body.ClientName
	if strings.TrimSpace(name) == "" {
		name = oauthDynamicAppName
	}
	public := method == "none"
	uris := slices.Clone(body.RedirectURIs)
	f := oauthAppFields{name: &name, redirectURIs: &uris, public: &public}
	if body.Scope != "" {
		f.scopes = &body.Scope
	}
	a := s.newOAuthApp(f, true)
	if body.ClientURI != "" {
		a.clientURI = &body.ClientURI
	}
	if body.LogoURI != "" {
		a.clientImageURL = &body.LogoURI
	}
	out := map[string]any{
		"client_id":                  a.clientID,
		"client_id_issued_at":        a.createdAt.Unix(),
		"client_name":                a.name,
		"redirect_uris":              a.redirectURIs,
		"token_endpoint_auth_method": method,
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"scope":                      strings.Join(a.scopes, " "),
	}
	if !public {
		out["client_secret"] = a.secret
		out["client_secret_expires_at"] = 0
	}
	writeJSON(w, http.StatusCreated, out)
}

// controlOAuthAuthorize stands in for a user signed in to the instance in
// a browser, who authorizes an application on Clerk's consent screen. Its
// body is the authorization request's parameters as JSON (client_id,
// redirect_uri, scope, state, code_challenge, code_challenge_method,
// response_type) plus user_id (default: the fixture's user) and
// consent_granted (needed while the application shows a consent screen).
// It answers the redirect the browser would follow, {"redirect_uri": ...},
// with the code (or the OAuth error) in its query and, for convenience,
// beside it. A request the authorization server would not redirect (an
// unknown client, a redirect URI not registered) is answered 400.
func (s *Server) controlOAuthAuthorize(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ClientID            string  `json:"client_id"`
		RedirectURI         string  `json:"redirect_uri"`
		ResponseType        string  `json:"response_type"`
		Scope               *string `json:"scope"`
		State               string  `json:"state"`
		CodeChallenge       string  `json:"code_challenge"`
		CodeChallengeMethod string  `json:"code_challenge_method"`
		UserID              string  `json:"user_id"`
		ConsentGranted      *bool   `json:"consent_granted"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "The body must be a JSON object: " + err.Error()})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.clerk.oauth
	a := o.apps[o.byClient[req.ClientID]]
	if a == nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_client", "error_description": fmt.Sprintf("No OAuth application has client_id %q.", req.ClientID)})
		return
	}
	if !slices.Contains(a.redirectURIs, req.RedirectURI) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "redirect_uri is not one of the application's redirect_uris."})
		return
	}
	userID := req.UserID
	if userID == "" && s.info.Fixture != nil {
		userID = s.info.Fixture.ClerkUserID
	}
	if _, ok := s.clerk.users[userID]; !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": fmt.Sprintf("No user %q signed in: name an existing user_id.", userID)})
		return
	}
	redirect := func(params url.Values) {
		if req.State != "" {
			params.Set("state", req.State)
		}
		target, _ := url.Parse(req.RedirectURI) // registered, hence parsed before
		q := target.Query()
		for k, vs := range params {
			q[k] = vs
		}
		target.RawQuery = q.Encode()
		out := map[string]any{"redirect_uri": target.String()}
		for k := range params {
			out[k] = params.Get(k)
		}
		writeJSON(w, http.StatusOK, out)
	}
	fail := func(code, description string) {
		redirect(url.Values{"error": {code}, "error_description": {description}})
	}
	scopes := slices.Clone(a.scopes)
	if req.Scope != nil {
		scopes = strings.Fields(*req.Scope)
	}
	method := req.CodeChallengeMethod
	if method == "" && req.CodeChallenge != "" {
		method = "plain"
	}
	switch {
	case req.ResponseType != "" && req.ResponseType != "code":
		fail("unsupported_response_type", "Only response_type code is supported.")
		return
	case slices.ContainsFunc(scopes, func(sc string) bool { return !slices.Contains(a.scopes, sc) }):
		fail("invalid_scope", "The application may not ask for some of these scopes.")
		return
	case req.CodeChallenge == "" && (a.public || a.pkceRequired):
		fail("invalid_request", "code_challenge is required: this application requires PKCE.")
		return
	case method != "" && method != "S256" && method != "plain":
		fail("invalid_request", "code_challenge_method must be S256 or plain.")
		return
	case a.consentScreen && req.ConsentGranted == nil:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "consent_required",
			"error_description": "The application shows a consent screen: set consent_granted to true (approve) or false (deny)."})
		return
	case req.ConsentGranted != nil && !*req.ConsentGranted:
		fail("access_denied", "The user denied the authorization.")
		return
	}
	code := randomToken()
	o.codes[code] = &oauthCode{appID: a.id, userID: userID, redirectURI: req.RedirectURI, challenge: req.CodeChallenge, method: method,
		scopes: scopes, expiresAt: s.clock.now().Add(oauthCodeLife)}
	redirect(url.Values{"code": {code}})
}
