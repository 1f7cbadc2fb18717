package emulator

import "net/http"

// stytchState is the Stytch project: its credentials, organizations, members,
// connected apps and the authorizations members granted them.
type stytchState struct {
	projectID string
	secret    string
}

func newStytchState() (*stytchState, error) {
	return &stytchState{projectID: "project-test-" + randomUUID(), secret: "secret-test-" + randomBase62(36)}, nil
}

func (s *Server) seedStytchFixture(fx *Fixture) {}

func (s *Server) routeStytch(mux *http.ServeMux) {}

func (s *Server) authorizationCounts() AuthorizationCount { return AuthorizationCount{} }
