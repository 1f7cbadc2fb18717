package emulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"time"
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
// JWT-format tokens. The list is a guess
// (*unconfirmed*, assumption clerk_reserved_claims).
var clerkReservedClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "azp"}

// clerkState is the Clerk instance: its secret key, machines, M2M tokens,
// API keys, and the directory of users and organizations.
type clerkState struct {
	secretKey  string
	instanceID string
	// signer signs JWT-format M2M tokens; its kid is the instance id, as on
	// Clerk's own JWKS.
	signer *signer

	machines    map[string]*machine
	machineKeys map[string]machineKey // by secret
	tokens      map[string]*m2mToken  // opaque tokens by id
	tokenIDs    map[string]string     // opaque token secret to id
	apiKeys     *apiKeyState
	// users and orgs are the directory (clerk_directory.go): the subjects
	// of API keys beside machines.
	users map[string]*clerkUser
	orgs  map[string]*clerkOrg
	// oauth holds the OAuth applications, their grants and tokens
	// (clerk_oauth_applications.go, clerk_oauth_flow.go).
	oauth *oauthState
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
	// expiration is zero for a token that never expires.
	expiration time.Time
	lastUsedAt *time.Time
	createdAt  time.Time
	updatedAt  time.Time
	seq        uint64
}

func newClerkState() (*clerkState, error) {
	instanceID := "ins_" + randomBase62(27)
	signer, err := newSigner(instanceID)
	if err != nil {
		return nil, err
	}
	return &clerkState{
		secretKey:   "sk_test_" + randomBase62(40),
		instanceID:  instanceID,
		signer:      signer,
		machines:    map[string]*machine{},
		machineKeys: map[string]machineKey{},
		tokens:      map[string]*m2mToken{},
		tokenIDs:    map[string]string{},
		apiKeys:     newAPIKeyState(),
		users:       map[string]*clerkUser{},
		orgs:        map[string]*clerkOrg{},
		oauth:       newOAuthState(),
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
	s.seedClerkDirectory(fx)
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
	s.routeClerkAPIKeys(mux)
	s.routeClerkUsers(mux)
	s.routeClerkOrganizations(mux)
	s.routeClerkOAuthApplications(mux)
	s.routeClerkFrontend(mux)
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
