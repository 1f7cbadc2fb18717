package emulator

import (
	"slices"
	"sort"
	"strings"
)

// The Go API over Clerk OAuth applications, for tests that inspect what
// the provider made, or set up what it should find, without HTTP.

// OAuthApplication is a Clerk OAuth application as tests inspect it.
type OAuthApplication struct {
	ID, Name, ClientID string
	// ClientSecret is the secret that works now; "" for a public client.
	ClientSecret                        string
	Public, PKCERequired, ConsentScreen bool
	DynamicallyRegistered               bool
	Scopes, RedirectURIs                []string
}

func (a *oauthApp) inspect() OAuthApplication {
	return OAuthApplication{
		ID: a.id, Name: a.name, ClientID: a.clientID, ClientSecret: a.secret,
		Public: a.public, PKCERequired: a.pkceRequired, ConsentScreen: a.consentScreen, DynamicallyRegistered: a.dcr,
		Scopes: slices.Clone(a.scopes), RedirectURIs: slices.Clone(a.redirectURIs),
	}
}

// OAuthApplication returns the application with this id; false once it is
// deleted.
func (s *Server) OAuthApplication(id string) (OAuthApplication, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.clerk.oauth.apps[id]
	if !ok {
		return OAuthApplication{}, false
	}
	return a.inspect(), true
}

// OAuthApplications returns every application, oldest first.
func (s *Server) OAuthApplications() []OAuthApplication {
	s.mu.Lock()
	defer s.mu.Unlock()
	apps := make([]*oauthApp, 0, len(s.clerk.oauth.apps))
	for _, a := range s.clerk.oauth.apps {
		apps = append(apps, a)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].seq < apps[j].seq })
	out := make([]OAuthApplication, 0, len(apps))
	for _, a := range apps {
		out = append(out, a.inspect())
	}
	return out
}

// RegisterOAuthClient registers an application as dynamic client
// registration would (POST /oauth/register on the Frontend API), whatever
// the instance's setting: a confidential client unless public, with the
// default scopes. It returns the application's id.
func (s *Server) RegisterOAuthClient(name string, redirectURIs []string, public bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.TrimSpace(name) == "" {
		name = oauthDynamicAppName
	}
	uris := slices.Clone(redirectURIs)
	return s.newOAuthApp(oauthAppFields{name: &name, redirectURIs: &uris, public: &public}, true).id
}
