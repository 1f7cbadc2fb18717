package emulator

import (
	"maps"
	"slices"
	"sort"
)

// ConnectedApp is a connected-app client as tests inspect it.
type ConnectedApp struct {
	ClientID, ClientType, Name, Description, LogoURL string
	RedirectURLs                                     []string
	AccessTokenExpiryMinutes                         int
	// RotationPending says a secret rotation has started and is neither
	// completed nor cancelled.
	RotationPending bool
}

func (a *stytchApp) inspect() ConnectedApp {
	return ConnectedApp{
		ClientID: a.clientID, ClientType: a.clientType, Name: a.name, Description: a.description, LogoURL: a.logoURL,
		RedirectURLs: slices.Clone(a.redirectURLs), AccessTokenExpiryMinutes: a.accessTokenExpiryMinutes,
		RotationPending: a.secrets.rotating,
	}
}

// ConnectedApp returns the client with this id; false once deleted.
func (s *Server) ConnectedApp(clientID string) (ConnectedApp, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.stytch.apps[clientID]
	if a == nil {
		return ConnectedApp{}, false
	}
	return a.inspect(), true
}

// ConnectedApps returns every connected-app client, the fixture's included,
// oldest first.
func (s *Server) ConnectedApps() []ConnectedApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	apps := make([]*stytchApp, 0, len(s.stytch.apps))
	for _, a := range s.stytch.apps {
		apps = append(apps, a)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].seq < apps[j].seq })
	out := make([]ConnectedApp, len(apps))
	for i, a := range apps {
		out[i] = a.inspect()
	}
	return out
}

// ConnectedAppSecretWorks reports whether secret authenticates the client
// now: its current secret or, during a rotation, its next one.
func (s *Server) ConnectedAppSecretWorks(clientID, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.stytch.apps[clientID]
	return a != nil && !a.public() && a.secrets.matches(secret)
}

// M2MClient is an M2M client as tests inspect it.
type M2MClient struct {
	ClientID, Name, Description, Status string
	Scopes                              []string
	TrustedMetadata                     map[string]any
	RotationPending                     bool
}

// M2MClient returns the M2M client with this id; false once deleted.
func (s *Server) M2MClient(clientID string) (M2MClient, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stytch.m2mClients[clientID]
	if c == nil {
		return M2MClient{}, false
	}
	return M2MClient{
		ClientID: c.clientID, Name: c.name, Description: c.description, Status: c.status,
		Scopes: slices.Clone(c.scopes), TrustedMetadata: maps.Clone(c.trustedMetadata), RotationPending: c.secrets.rotating,
	}, true
}

// M2MClientIDs returns the ids of every M2M client, oldest first.
func (s *Server) M2MClientIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	clients := make([]*m2mClient, 0, len(s.stytch.m2mClients))
	for _, c := range s.stytch.m2mClients {
		clients = append(clients, c)
	}
	sort.Slice(clients, func(i, j int) bool { return clients[i].seq < clients[j].seq })
	out := make([]string, len(clients))
	for i, c := range clients {
		out[i] = c.clientID
	}
	return out
}

// M2MClientSecretWorks reports whether secret authenticates the M2M client
// now: its current secret or, during a rotation, its next one.
func (s *Server) M2MClientSecretWorks(clientID, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stytch.m2mClients[clientID]
	return c != nil && c.secrets.matches(secret)
}

// M2MAccessTokens returns every access token the client_credentials grant
// has issued, so tests can check none leaked.
func (s *Server) M2MAccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.stytch.m2mIssued)
}
