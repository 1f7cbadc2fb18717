package emulator

import (
	"fmt"
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
	// project as their audience, the one Stytch documents.
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
		// Stytch requires an exact match; the error type is a guess
		// (*unconfirmed*, assumption authorize_refusal_types).
		return nil, &apiErr{http.StatusBadRequest, "invalid_redirect_uri", "The redirect_uri is not one of the Connected App's redirect_urls."}
	}
	if p.ResponseType != "code" {
		// A guessed error type (*unconfirmed*, assumption authorize_refusal_types).
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
	stytchOK(w, r, map[string]any{
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
			// A guessed error type (*unconfirmed*, assumption authorize_refusal_types).
			stytchError(w, r, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q cannot be granted to this Connected App.", sc))
			return
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if app.public() && p.CodeChallenge == "" {
		// OAuth 2.1 makes PKCE mandatory for public clients; how Stytch
		// words the refusal is a guess
		// (*unconfirmed*, assumption authorize_refusal_types).
		badRequest("code_challenge is required for public clients.").write(w, r)
		return
	}

	q := redirect.Query()
	if p.State != "" {
		q.Set("state", p.State)
	}
	out := map[string]any{}
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
	stytchOK(w, r, out)
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
