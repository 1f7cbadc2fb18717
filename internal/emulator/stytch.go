package emulator

import (
	"net/http"
	"strings"
	"time"
)

// stytchState is the Stytch project: its credentials, signing key,
// organizations and members, consumer users, member sessions, connected apps,
// the authorizations members and users granted them, and the codes and
// tokens those authorizations produced.
type stytchState struct {
	projectID string
	secret    string
	signer    *signer

	orgs         map[string]*stytchOrg     // by organization_id
	members      map[string]*stytchMember  // by member_id
	users        map[string]*stytchUser    // consumer users by user_id
	sessions     map[string]*stytchSession // by session token
	sessionsByID map[string]*stytchSession // by session id, for session JWTs
	apps         map[string]*stytchApp     // by client_id
	// seq orders clients by creation, for search pages.
	seq            int64
	authorizations map[grantKey]*stytchGrant
	codes          map[string]*stytchCode // by code
	// spentCodes remembers what each used code issued until the code would
	// have expired, so that a replay can end those tokens.
	spentCodes    map[string]*spentCode          // by code
	accessTokens  map[string]*stytchAccessToken  // by jti
	refreshTokens map[string]*stytchRefreshToken // by token

	m2mClients map[string]*m2mClient // by client_id
	// m2mIssued are the access tokens the client_credentials grant issued,
	// kept only so tests can look for them where they must not be.
	m2mIssued []string
}

type stytchOrg struct {
	id, name, slug, externalID string
	createdAt, updatedAt       time.Time
}

type stytchMember struct {
	id, organizationID, email, name, externalID string
	roles                                       []string
	createdAt, updatedAt                        time.Time
}

// stytchUser is a consumer-project user, kept so the consumer revoke has
// something to revoke.
type stytchUser struct {
	id, emailID, email, externalID string
	createdAt                      time.Time
}

type stytchSession struct {
	id, token, memberID, organizationID string
	startedAt, expiresAt                time.Time
}

type stytchApp struct {
	clientID, clientType string
	appFields
	// customScopes stand in for the project's RBAC scopes this app may ask
	// for, on top of the built-in OIDC ones.
	customScopes []string
	secrets      clientSecret // unused by public clients
	seq          int64        // creation order, for search
}

func (a *stytchApp) public() bool { return strings.HasSuffix(a.clientType, "_public") }

func (a *stytchApp) firstParty() bool { return strings.HasPrefix(a.clientType, "first_party") }

// grantKey names an authorization: a subject (a member or a consumer user,
// whose ids never collide) and a connected app.
type grantKey struct{ subjectID, clientID string }

// stytchGrant is an authorization: a subject's consent to a connected app.
type stytchGrant struct {
	key            grantKey
	organizationID string // empty for a consumer user
	// scopes are those of the last completed authorization flow, which is
	// what Stytch reports as scopes_granted.
	scopes    []string
	active    bool
	createdAt time.Time
}

type stytchCode struct {
	grant         grantKey
	redirectURI   string
	scopes        []string
	nonce         string
	codeChallenge string
	expiresAt     time.Time
}

// spentCode is what one used authorization code issued: the access
// token's jti and the refresh token, empty when the exchange was refused,
// under its authorization.
type spentCode struct {
	grant             grantKey
	jti, refreshToken string
	expiresAt         time.Time
}

type stytchAccessToken struct {
	grant     grantKey
	claims    map[string]any
	expiresAt time.Time
	revoked   bool
}

type stytchRefreshToken struct {
	grant     grantKey
	scopes    []string
	issuedAt  time.Time
	expiresAt time.Time
	revoked   bool
}

const (
	// authorizationCodeTTL is how long an authorization code can be
	// exchanged; OAuth 2.0 recommends at most 10 minutes.
	authorizationCodeTTL = 10 * time.Minute
	// refreshTokenTTL is Stytch's three months; a confidential client's use
	// extends it by as much again.
	refreshTokenTTL = 90 * 24 * time.Hour
	idTokenTTL      = time.Hour
	// sessionTTL is Stytch's default session_duration_minutes; a session JWT
	// itself lives five minutes.
	sessionTTL    = 60 * time.Minute
	sessionJWTTTL = 5 * time.Minute
)

var clientTypes = []string{"first_party", "first_party_public", "third_party", "third_party_public"}

// builtinScopes are the OpenID Connect Core scopes Stytch grants with no
// configuration, with the wording shown on a consent screen.
var builtinScopes = map[string]string{
	"openid":         "Sign you in with your account.",
	"profile":        "View your name and profile.",
	"email":          "View your email address.",
	"phone":          "View your phone number.",
	"address":        "View your address.",
	"offline_access": "Keep access while you are not using the app.",
}

// rolePermissions is the part of Stytch's default RBAC policy the emulator
// enforces: stytch_admin may do anything to any member, while the implicit
// stytch_member role acts only on stytch.self.
var rolePermissions = map[string]map[string][]string{
	"stytch_admin": {"stytch.member": {"*"}},
}

func (m *stytchMember) can(resource, action string) bool {
	for _, role := range m.roles {
		for _, a := range rolePermissions[role][resource] {
			if a == "*" || a == action {
				return true
			}
		}
	}
	return false
}

func newStytchState() (*stytchState, error) {
	signer, err := newSigner("jwk-test-" + randomUUID())
	if err != nil {
		return nil, err
	}
	return &stytchState{
		projectID:      "project-test-" + randomUUID(),
		secret:         "secret-test-" + randomBase62(36),
		signer:         signer,
		orgs:           map[string]*stytchOrg{},
		members:        map[string]*stytchMember{},
		users:          map[string]*stytchUser{},
		sessions:       map[string]*stytchSession{},
		sessionsByID:   map[string]*stytchSession{},
		apps:           map[string]*stytchApp{},
		authorizations: map[grantKey]*stytchGrant{},
		codes:          map[string]*stytchCode{},
		accessTokens:   map[string]*stytchAccessToken{},
		spentCodes:     map[string]*spentCode{},
		refreshTokens:  map[string]*stytchRefreshToken{},
		m2mClients:     map[string]*m2mClient{},
	}, nil
}

func (s *Server) seedStytchFixture(fx *Fixture) {
	st, now := s.stytch, s.clock.now()
	org := st.addOrg("fixture-org", "fixture-org", "", now)
	member := st.addMember(org, "admin@fixture-org.example.test", "Fixture Admin", "", []string{"stytch_member", "stytch_admin"}, now)
	app, secret := st.addApp(&stytchApp{
		clientType: "third_party",
		appFields: appFields{
			name:                     "fixture-app",
			description:              "The emulator's fixture connected app.",
			redirectURLs:             []string{"https://app.example.test/callback"},
			accessTokenExpiryMinutes: 60,
		},
		customScopes: []string{"read:reports", "write:reports"},
	})
	fx.StytchOrganizationID = org.id
	fx.StytchMemberID = member.id
	fx.StytchConnectedAppID = app.clientID
	fx.StytchConnectedAppClientSecret = secret
	fx.StytchRedirectURI = app.redirectURLs[0]
}

func (st *stytchState) addOrg(name, slug, externalID string, now time.Time) *stytchOrg {
	o := &stytchOrg{id: "organization-test-" + randomUUID(), name: name, slug: slug, externalID: externalID, createdAt: now, updatedAt: now}
	st.orgs[o.id] = o
	return o
}

func (st *stytchState) addMember(org *stytchOrg, email, name, externalID string, roles []string, now time.Time) *stytchMember {
	m := &stytchMember{id: "member-test-" + randomUUID(), organizationID: org.id, email: email, name: name, externalID: externalID, roles: roles, createdAt: now, updatedAt: now}
	st.members[m.id] = m
	return m
}

// addApp stores a connected app and returns its client secret, empty for
// public clients. Only a hash is kept: like Stytch, the secret is shown once.
func (st *stytchState) addApp(a *stytchApp) (*stytchApp, string) {
	a.clientID = "connected-app-test-" + randomUUID()
	st.seq++
	a.seq = st.seq
	st.apps[a.clientID] = a
	if a.public() {
		return a, ""
	}
	secret := randomToken()
	a.secrets.set(secret)
	return a, secret
}

func (st *stytchState) addSession(m *stytchMember, now time.Time) *stytchSession {
	sess := &stytchSession{id: "member-session-test-" + randomUUID(), token: randomToken(), memberID: m.id, organizationID: m.organizationID, startedAt: now, expiresAt: now.Add(sessionTTL)}
	st.sessions[sess.token] = sess
	st.sessionsByID[sess.id] = sess
	return sess
}

// findOrg resolves an organization reference the way Stytch does: the id,
// the slug or the external id.
func (st *stytchState) findOrg(ref string) *stytchOrg {
	if o := st.orgs[ref]; o != nil {
		return o
	}
	for _, o := range st.orgs {
		if ref != "" && (o.slug == ref || o.externalID == ref) {
			return o
		}
	}
	return nil
}

// findMember resolves a member id or external id within an organization.
func (st *stytchState) findMember(org *stytchOrg, ref string) *stytchMember {
	if m := st.members[ref]; m != nil && m.organizationID == org.id {
		return m
	}
	for _, m := range st.members {
		if ref != "" && m.organizationID == org.id && m.externalID == ref {
			return m
		}
	}
	return nil
}

func (st *stytchState) findUser(ref string) *stytchUser {
	if u := st.users[ref]; u != nil {
		return u
	}
	for _, u := range st.users {
		if ref != "" && u.externalID == ref {
			return u
		}
	}
	return nil
}

// issuer is the iss of every token the emulator signs: Stytch's form for
// tokens obtained through the stytch.com domain rather than a custom domain.
func (st *stytchState) issuer() string { return "stytch.com/" + st.projectID }

func (s *Server) routeStytch(mux *http.ServeMux) {
	project := func(method, path string, h http.HandlerFunc) {
		s.stytchRoute(mux, method, path, s.withProjectAuth(h))
	}
	project("POST", "/v1/b2b/organizations", s.stytchCreateOrganization)
	project("POST", "/v1/b2b/organizations/{organization_id}/members", s.stytchCreateMember)
	project("GET", "/v1/b2b/organizations/{organization_id}/connected_apps", s.stytchOrgConnectedApps)
	project("GET", "/v1/b2b/organizations/{organization_id}/connected_apps/{connected_app_id}", s.stytchOrgConnectedApp)
	project("GET", "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps", s.stytchMemberConnectedApps)
	project("POST", "/v1/b2b/organizations/{organization_id}/members/{member_id}/connected_apps/{connected_app_id}/revoke", s.stytchRevokeMemberApp)
	project("POST", "/v1/connected_apps/clients", s.stytchCreateClient)
	project("GET", "/v1/connected_apps/clients/{client_id}", s.stytchGetClient)
	project("PUT", "/v1/connected_apps/clients/{client_id}", s.stytchUpdateClient)
	project("DELETE", "/v1/connected_apps/clients/{client_id}", s.stytchDeleteClient)
	project("POST", "/v1/connected_apps/clients/search", s.stytchSearchClients)
	project("POST", "/v1/connected_apps/clients/{client_id}/secrets/rotate/start", s.rotationStep("connected_app", s.findRotatableApp, (*clientSecret).startRotation))
	project("POST", "/v1/connected_apps/clients/{client_id}/secrets/rotate", s.rotationStep("connected_app", s.findRotatableApp, (*clientSecret).completeRotation))
	project("POST", "/v1/connected_apps/clients/{client_id}/secrets/rotate/cancel", s.rotationStep("connected_app", s.findRotatableApp, (*clientSecret).cancelRotation))
	s.routeM2MClients(project)
	project("POST", "/v1/b2b/idp/oauth/authorize/start", s.stytchAuthorizeStart)
	project("POST", "/v1/b2b/idp/oauth/authorize", s.stytchAuthorizeMember)
	// The key sets are public: see stytchJWKS.
	s.stytchRoute(mux, "GET", "/v1/b2b/sessions/jwks/{project_id}", s.stytchJWKS)

	project("POST", "/v1/users", s.stytchCreateUser)
	project("GET", "/v1/users/{user_id}/connected_apps", s.stytchUserConnectedApps)
	project("POST", "/v1/users/{user_id}/connected_apps/{connected_app_id}/revoke", s.stytchRevokeUserApp)
	project("POST", "/v1/idp/oauth/authorize", s.stytchAuthorizeUser)
	s.stytchRoute(mux, "GET", "/v1/sessions/jwks/{project_id}", s.stytchJWKS)

	// The OAuth endpoints authenticate the client, not the project. Stytch
	// serves them under /v1/public/{project_id} and, on a project's custom
	// domain, at /v1/oauth2/...; the emulator's origin plays both.
	for _, prefix := range []string{"/v1/public/{project_id}", "/v1"} {
		s.stytchRoute(mux, "POST", prefix+"/oauth2/token", s.stytchToken)
		s.stytchRoute(mux, "POST", prefix+"/oauth2/introspect", s.stytchIntrospect)
	}
}

func (s *Server) authorizationCounts() AuthorizationCount {
	var c AuthorizationCount
	for _, g := range s.stytch.authorizations {
		if g.active {
			c.Active++
		} else {
			c.Revoked++
		}
	}
	return c
}
