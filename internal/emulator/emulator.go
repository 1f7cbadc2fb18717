// Package emulator is an in-memory server that answers like the Clerk Backend
// API (M2M tokens, machines, JWKS) and the Stytch B2B Connected Apps API, so
// that the provider, its acceptance tests, the demo and users' own modules can
// run with no network. It shares no code with internal/client on purpose: the
// two meet only on the wire, which is what keeps the emulator an independent
// check of the client.
package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
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
	// RateLimit is a limit such as "100/10s", answered with 429 and Retry-After.
	RateLimit string
	// Seed makes the fault draws repeatable.
	Seed int64
	// NoFixture skips seeding the fixture (a machine pair, an organization
	// with a member, a confidential connected app).
	NoFixture bool
	// Latency is added to every API request (on top of any latency fault).
	Latency time.Duration
}

// Info is what a caller needs to point a client at the emulator. Its JSON form
// is the line the command prints when ready.
type Info struct {
	URL             string   `json:"url"`
	ClerkAPIURL     string   `json:"clerk_api_url"`
	ClerkSecretKey  string   `json:"clerk_secret_key"`
	StytchBaseURL   string   `json:"stytch_base_url"`
	StytchProjectID string   `json:"stytch_project_id"`
	StytchSecret    string   `json:"stytch_secret"`
	Fixture         *Fixture `json:"fixture"`
}

// Fixture names the seeded objects.
type Fixture struct {
	ClerkMachineID                 string `json:"clerk_machine_id"`
	ClerkMachineSecretKey          string `json:"clerk_machine_secret_key"`
	ClerkScopedMachineID           string `json:"clerk_scoped_machine_id"`
	StytchOrganizationID           string `json:"stytch_organization_id"`
	StytchMemberID                 string `json:"stytch_member_id"`
	StytchConnectedAppID           string `json:"stytch_connected_app_id"`
	StytchConnectedAppClientSecret string `json:"stytch_connected_app_client_secret"`
	StytchRedirectURI              string `json:"stytch_redirect_uri"`
}

// Server is a running emulator. All state sits behind one mutex: the emulator
// favours obvious correctness under parallel requests over throughput.
type Server struct {
	mu      sync.Mutex
	clock   *clock
	stats   *stats
	faults  *faults
	limiter *rateLimiter
	latency time.Duration

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
	addr := opts.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	s := &Server{
		clock:    &clock{},
		stats:    newStats(),
		faults:   f,
		limiter:  rl,
		latency:  opts.Latency,
		listener: ln,
		done:     make(chan struct{}),
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
		URL:             url,
		ClerkAPIURL:     url + "/clerk/v1",
		ClerkSecretKey:  s.clerk.secretKey,
		StytchBaseURL:   url,
		StytchProjectID: s.stytch.projectID,
		StytchSecret:    s.stytch.secret,
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
	s.routeControl(mux)
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

// Now is the emulator's clock: real time moved on by every Advance.
func (s *Server) Now() time.Time { return s.clock.now() }

// Advance moves the emulator's clock forward, so expiry can be tested without
// sleeping.
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

// randomHex returns n random bytes as lowercase hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// randomUUID returns a version 4 UUID, the shape of every Stytch id suffix.
func randomUUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// base62 alphabet used for Clerk-style ids (mch_ + 27 word characters).
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomBase62(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = base62[int(b[i])%len(base62)]
	}
	return string(b)
}

// newSigningKey makes an RSA key for RS256 tokens. 2048 bits keeps start-up
// fast enough for one emulator per acceptance test.
func newSigningKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, errors.New("emulator: generating signing key: " + err.Error())
	}
	return k, nil
}
