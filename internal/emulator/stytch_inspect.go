package emulator

import (
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
