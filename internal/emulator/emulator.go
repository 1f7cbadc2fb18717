// Package emulator is an in-memory server that answers like the Clerk Backend
// API (M2M tokens, machines, API keys, JWKS, the user and organization
// directory) and the Stytch B2B Connected Apps API, so that the provider, its
// acceptance tests, the demo, users' own modules and the official SDKs can
// run with no network. It shares no code with internal/client on purpose: the
// two meet only on the wire, which is what keeps the emulator an independent
// check of the client.
//
// This file is the package's Go API: Start, the clock, Stats, and what tests
// inspect or set up without HTTP. Each service's HTTP API lives in files
// named for its area (clerk_*.go, stytch_*.go); http.go is the wrapper every
// API request goes through.
package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Server. The zero value is a fault-free emulator on a
// random loopback port with the fixture seeded.
type Options struct {
	// Listen is the address to listen on; "127.0.0.1:0" when empty.
	Listen string
	// Faults is a fault spec such as "429=0.1,500=0.05,drop_after_commit=0.02,latency=5ms".
	Faults string
	// RateLimit is Clerk's per-instance limit, such as "100/10s" (a
	// development instance's), over a sliding window, answered with 429
	// and Retry-After.
	RateLimit string
	// StytchRateLimit is a limit per Stytch endpoint, such as "20/1s", over
	// fixed windows, answered with 429 and Retry-After.
	StytchRateLimit string
	// Seed makes the fault draws repeatable.
	Seed int64
	// NoFixture skips seeding the fixture (a machine pair, a Clerk user and
	// organization, a Stytch organization with a member, a confidential
	// connected app).
	NoFixture bool
	// Latency is added to every API request (on top of any latency fault).
	Latency time.Duration
	// ClockOffset starts the emulator's clock this far from real time; a
	// negative one puts Clerk and Stytch behind the caller, as a skewed
	// runner would see them, which Advance alone cannot.
	ClockOffset time.Duration
	// Assume picks, by switch name, another of the answers the emulator
	// can give where the reference leaves room, such as
	// {"revoked_m2m_token_revoke": "404"}; Switches lists them with their
	// choices, and a name or choice not there fails Start. A switch left
	// out keeps its default.
	Assume map[string]string
	// NoControl turns the emulator's own routes (/__emulator/stats,
	// /assumptions, /clock, and the stand-in for a user's browser at
	// /clerk/oauth/authorize) off: they answer 404 like any unknown path,
	// so the emulator offers nothing Clerk and Stytch do not. The live
	// acceptance tests run against one started so, which proves they
	// observe and arrange everything through the services' public APIs.
	NoControl bool
}

// Info is what a caller needs to point a client at the emulator. Its JSON form
// is the line the command prints when ready.
type Info struct {
	URL         string `json:"url"`
	ClerkAPIURL string `json:"clerk_api_url"`
	// ClerkFrontendAPIURL is the instance's Frontend API, where OAuth
	// applications send users to authorize and fetch their tokens.
	ClerkFrontendAPIURL string   `json:"clerk_frontend_api_url"`
	ClerkSecretKey      string   `json:"clerk_secret_key"`
	StytchBaseURL       string   `json:"stytch_base_url"`
	StytchProjectID     string   `json:"stytch_project_id"`
	StytchSecret        string   `json:"stytch_secret"`
	Fixture             *Fixture `json:"fixture"`
}

// Fixture names the seeded objects. The Clerk user and organization exist
// to own API keys.
type Fixture struct {
	ClerkMachineID                 string `json:"clerk_machine_id"`
	ClerkMachineSecretKey          string `json:"clerk_machine_secret_key"`
	ClerkScopedMachineID           string `json:"clerk_scoped_machine_id"`
	ClerkUserID                    string `json:"clerk_user_id"`
	ClerkOrganizationID            string `json:"clerk_organization_id"`
	StytchOrganizationID           string `json:"stytch_organization_id"`
	StytchMemberID                 string `json:"stytch_member_id"`
	StytchConnectedAppID           string `json:"stytch_connected_app_id"`
	StytchConnectedAppClientSecret string `json:"stytch_connected_app_client_secret"`
	StytchRedirectURI              string `json:"stytch_redirect_uri"`
}

// Server is a running emulator. All state sits behind one mutex, which the
// request wrapper holds around every API handler and each method here takes
// itself: the emulator favours obvious correctness under parallel requests
// over throughput.
type Server struct {
	mu      sync.Mutex
	clock   *clock
	stats   *stats
	faults  *faults
	limiter *rateLimiter
	// stytchLimiter limits each Stytch endpoint.
	stytchLimiter *fixedLimiter
	latency       time.Duration
	// assume is the choice in force for every switch.
	assume assumed
	// noControl leaves out every /__emulator/ route (Options.NoControl).
	noControl bool

	clerk  *clerkState
	stytch *stytchState

	info     Info
	listener net.Listener
	http     *http.Server
	done     chan struct{}
}

// Start builds the emulator, seeds it and serves on a loopback port until
// Close.
func Start(opts Options) (*Server, error) {
	f, err := parseFaults(opts.Faults, opts.Seed)
	if err != nil {
		return nil, err
	}
	rl, err := parseRateLimit(opts.RateLimit)
	if err != nil {
		return nil, err
	}
	srl, err := parseFixedLimit(opts.StytchRateLimit)
	if err != nil {
		return nil, err
	}
	assume, err := resolveAssumptions(opts.Assume)
	if err != nil {
		return nil, err
	}
	addr := opts.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	clk := &clock{}
	clk.offset.Store(int64(opts.ClockOffset))
	s := &Server{
		clock:         clk,
		stats:         newStats(),
		faults:        f,
		limiter:       rl,
		stytchLimiter: srl,
		latency:       opts.Latency,
		assume:        assume,
		listener:      ln,
		done:          make(chan struct{}),
	}
	url := "http://" + ln.Addr().String()
	s.clerk, err = newClerkState()
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	s.stytch, err = newStytchState()
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	s.info = Info{
		URL:                 url,
		ClerkAPIURL:         url + "/clerk/v1",
		ClerkFrontendAPIURL: url + clerkFrontendPrefix,
		ClerkSecretKey:      s.clerk.secretKey,
		StytchBaseURL:       url,
		StytchProjectID:     s.stytch.projectID,
		StytchSecret:        s.stytch.secret,
	}
	if !opts.NoFixture {
		fx := &Fixture{}
		s.mu.Lock()
		s.seedClerkFixture(fx)
		s.seedStytchFixture(fx)
		s.mu.Unlock()
		s.info.Fixture = fx
	}

	mux := http.NewServeMux()
	s.noControl = opts.NoControl
	if !s.noControl {
		s.routeControl(mux)
	}
	s.routeClerk(mux)
	s.routeStytch(mux)
	mux.HandleFunc("/", s.notFound)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// Info returns the URLs, credentials and fixture ids.
func (s *Server) Info() Info { return s.info }

// URL is the emulator's origin, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.info.URL }

// Close stops serving and waits for the listener to shut.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	return err
}

// Assumed is the choice in force for every switch (see Switches), as GET
// /__emulator/assumptions answers it.
func (s *Server) Assumed() map[string]string { return maps.Clone(s.assume) }

// Now is the emulator's clock: real time shifted by Options.ClockOffset and
// moved on by every Advance.
func (s *Server) Now() time.Time { return s.clock.now() }

// Advance moves the emulator's clock forward, so expiry can be tested without
// sleeping.
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

// Stats is the answer of GET /__emulator/stats.
type Stats struct {
	// Requests counts API requests by "METHOD /route/{template} STATUS".
	Requests      map[string]int `json:"requests"`
	TotalRequests int            `json:"total_requests"`
	// Faults counts injected faults by kind: "429", "500",
	// "drop_after_commit" and "rate_limited".
	Faults         map[string]int     `json:"faults"`
	M2MTokens      M2MTokenCounts     `json:"m2m_tokens"`
	APIKeys        APIKeyCounts       `json:"api_keys"`
	Authorizations AuthorizationCount `json:"authorizations"`
	Machines       MachineCounts      `json:"machines"`
	M2MClients     M2MClientCounts    `json:"m2m_clients"`
	// OAuthApplications counts Clerk OAuth applications and the grants
	// users made them.
	OAuthApplications OAuthApplicationCounts `json:"oauth_applications"`
}

// OAuthApplicationCounts counts the Clerk OAuth applications that exist (a
// deleted one is gone), those among them that registered themselves, and
// the grants not revoked (a deleted application's are revoked).
type OAuthApplicationCounts struct {
	Live                  int `json:"live"`
	DynamicallyRegistered int `json:"dynamically_registered"`
	ActiveGrants          int `json:"active_grants"`
}

// M2MTokenCounts counts stored (opaque) M2M tokens by state at the
// emulator's clock. A revoked token counts as revoked even once expired.
type M2MTokenCounts struct {
	Live    int `json:"live"`
	Revoked int `json:"revoked"`
	Expired int `json:"expired"`
}

// MachineCounts counts the Clerk machines that exist (a deleted one is gone)
// and the scopes between them, the fixture's included.
type MachineCounts struct {
	Live   int `json:"live"`
	Scopes int `json:"scopes"`
}

// M2MClientCounts counts the Stytch M2M clients that exist (a deleted one
// is gone), active and inactive. The access tokens they were issued are
// not counted: Stytch cannot revoke them, and each lives an hour.
type M2MClientCounts struct {
	Active   int `json:"active"`
	Inactive int `json:"inactive"`
}

// AuthorizationCount counts connected-app authorizations (a member's or a
// user's consent to an app).
type AuthorizationCount struct {
	Active  int `json:"active"`
	Revoked int `json:"revoked"`
}

// Calls is how many requests reached route with method, whatever the status.
func (st Stats) Calls(method, route string) int {
	prefix := method + " " + route + " "
	n := 0
	for k, v := range st.Requests {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// Count is how many requests to route with method were answered with status.
func (st Stats) Count(method, route string, status int) int {
	return st.Requests[method+" "+route+" "+strconv.Itoa(status)]
}

// Stats snapshots the request counts and the credential counts.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.now()
	st.M2MTokens = s.m2mTokenCounts(now)
	st.APIKeys = s.apiKeyCounts(now)
	st.Authorizations = s.authorizationCounts()
	st.Machines = s.machineCounts()
	st.M2MClients = s.m2mClientCounts()
	st.OAuthApplications = s.oauthCounts()
	return st
}

// M2MToken is a stored (opaque) M2M token as acceptance tests inspect it.
type M2MToken struct {
	ID, Subject      string
	Scopes           []string
	Claims           any
	Revoked          bool
	RevocationReason *string
	// Expiration is nil for a token that never expires.
	Expiration *time.Time
	CreatedAt  time.Time
}

// M2MToken returns the stored token with this id. JWT-format tokens are never
// stored, so they are never found.
func (s *Server) M2MToken(id string) (M2MToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.clerk.tokens[id]
	if !ok {
		return M2MToken{}, false
	}
	return t.inspect(), true
}

// M2MTokens returns every stored token of machine subject, revoked and
// expired ones included, newest first.
func (s *Server) M2MTokens(subject string) []M2MToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []M2MToken
	for _, t := range s.clerk.tokensOf(subject) {
		out = append(out, t.inspect())
	}
	return out
}

func (t *m2mToken) inspect() M2MToken {
	var claims any
	if t.claims != nil {
		_ = json.Unmarshal(t.claims, &claims) // canonical JSON always parses
	}
	var exp *time.Time
	if !t.expiration.IsZero() {
		at := t.expiration
		exp = &at
	}
	var reason *string
	if t.revocationReason != nil {
		r := *t.revocationReason
		reason = &r
	}
	return M2MToken{
		ID:               t.id,
		Subject:          t.subject,
		Scopes:           slices.Clone(t.scopes),
		Claims:           claims,
		Revoked:          t.revoked,
		RevocationReason: reason,
		Expiration:       exp,
		CreatedAt:        t.createdAt,
	}
}

// CreateMachine adds a machine as POST /machines would, so tests can set up
// machines without HTTP. A zero defaultTokenTTL means Clerk's default (1h).
func (s *Server) CreateMachine(name string, scopedMachineIDs []string, defaultTokenTTL time.Duration) (id, secretKey string, err error) {
	ttl := int64(clerkDefaultTokenTTL)
	if defaultTokenTTL != 0 {
		if defaultTokenTTL%time.Second != 0 {
			return "", "", fmt.Errorf("emulator: default token TTL %s is not a whole number of seconds", defaultTokenTTL)
		}
		ttl = int64(defaultTokenTTL / time.Second)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, perr := s.newMachine(name, scopedMachineIDs, ttl)
	if perr != nil {
		return "", "", perr
	}
	return m.id, m.secretKey, nil
}

// Authorization is a member's consent to a connected app, as the emulator
// holds it.
type Authorization struct {
	OrganizationID, MemberID, ConnectedAppID string
	// Scopes are those granted by the last completed authorization flow.
	Scopes []string
	Active bool
}

// Authorization reports the member's authorization of the connected app;
// false if the member never authorized it. The organization may be given by
// id, slug or external id, the member by id or external id.
func (s *Server) Authorization(organizationID, memberID, connectedAppID string) (Authorization, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stytch
	org := st.findOrg(organizationID)
	if org == nil {
		return Authorization{}, false
	}
	m := st.findMember(org, memberID)
	if m == nil {
		return Authorization{}, false
	}
	g := st.authorizations[grantKey{m.id, connectedAppID}]
	if g == nil {
		return Authorization{}, false
	}
	return Authorization{OrganizationID: org.id, MemberID: m.id, ConnectedAppID: connectedAppID, Scopes: slices.Clone(g.scopes), Active: g.active}, true
}

// CreateMember adds a member to an organization. canRevokeConnectedApps
// gives it the stytch_admin role, which carries revoke.connected-app on
// stytch.member; otherwise it has only the implicit stytch_member role.
func (s *Server) CreateMember(organizationID, email string, canRevokeConnectedApps bool) (memberID string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stytch
	org := st.findOrg(organizationID)
	if org == nil {
		return "", fmt.Errorf("emulator: organization %q not found", organizationID)
	}
	if e := st.checkNewMember(org, email, ""); e != nil {
		return "", errors.New("emulator: " + e.errorMessage)
	}
	roles := []string{"stytch_member"}
	if canRevokeConnectedApps {
		roles = append(roles, "stytch_admin")
	}
	return st.addMember(org, email, "", "", roles, s.clock.now()).id, nil
}

// CreateMemberSession starts a session for the member and returns its
// session token and a session JWT, as an authentication would.
func (s *Server) CreateMemberSession(organizationID, memberID string) (sessionToken, sessionJWT string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stytch
	org := st.findOrg(organizationID)
	if org == nil {
		return "", "", fmt.Errorf("emulator: organization %q not found", organizationID)
	}
	m := st.findMember(org, memberID)
	if m == nil {
		return "", "", fmt.Errorf("emulator: member %q not found in organization %q", memberID, organizationID)
	}
	now := s.clock.now()
	sess := st.addSession(m, now)
	return sess.token, st.sessionJWT(sess, org, m, now), nil
}

// CreateConnectedApp registers a connected app. customScopes are the scopes
// beyond the built-in OIDC ones that members may grant it. clientSecret is
// empty for the public client types.
func (s *Server) CreateConnectedApp(clientType, name string, redirectURLs, customScopes []string) (clientID, clientSecret string, err error) {
	if !slices.Contains(clientTypes, clientType) {
		return "", "", fmt.Errorf("emulator: client type %q: want one of %s", clientType, strings.Join(clientTypes, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	app, secret := s.stytch.addApp(&stytchApp{
		clientType:   clientType,
		appFields:    appFields{name: name, redirectURLs: slices.Clone(redirectURLs), accessTokenExpiryMinutes: 60},
		customScopes: slices.Clone(customScopes),
	})
	return app.clientID, secret, nil
}
