package emulator

import (
	"net/http"
	"time"
)

// clerkState is the Clerk instance: its secret key, machines and M2M tokens.
type clerkState struct {
	secretKey string
}

func newClerkState() (*clerkState, error) {
	return &clerkState{secretKey: "sk_test_" + randomBase62(40)}, nil
}

func (s *Server) seedClerkFixture(fx *Fixture) {}

func (s *Server) routeClerk(mux *http.ServeMux) {}

func (s *Server) m2mTokenCounts(now time.Time) M2MTokenCounts { return M2MTokenCounts{} }
