// Package client is the provider's one API client for Clerk's M2M token API
// and Stytch's B2B Connected Apps API. It owns authentication, retries,
// pacing, error decoding and the redaction of secrets from errors and logs,
// so resources only deal in typed requests and responses.
package client

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// NoRetries makes every call a single attempt when given as Config.MaxRetries.
const NoRetries = -1

const (
	serviceClerk  = "clerk"
	serviceStytch = "stytch"

	defaultMaxRetries     = 5
	defaultMinRetryWait   = 250 * time.Millisecond
	defaultMaxRetryWait   = 10 * time.Second
	defaultMaxRetryAfter  = 60 * time.Second
	defaultRequestTimeout = 30 * time.Second
	defaultTotalTimeout   = 2 * time.Minute

	// maxIdleConnsPerHost covers Terraform's default parallelism of 10
	// with room for -parallelism raised a little and concurrent pages.
	maxIdleConnsPerHost = 32
)

// Config holds what New needs. Zero values mean the documented defaults, so
// the provider can pass through whatever the user left unset.
type Config struct {
	// ClerkAPIURL is the Backend API base including its version prefix.
	// Default DefaultClerkAPIURL.
	ClerkAPIURL string
	// ClerkSecretKey is the instance secret key (sk_...), for the calls
	// that need it. M2M calls take their key as an argument.
	ClerkSecretKey string
	// Secrets are more values to mask in every log and error, such as the
	// machine keys the caller will pass.
	Secrets []string

	// StytchBaseURL is an origin: Stytch paths are absolute. Default
	// DefaultStytchBaseURL(StytchProjectID).
	StytchBaseURL   string
	StytchProjectID string
	StytchSecret    string

	// Version goes into the User-Agent terraform-provider-machineauth/<version>.
	Version string

	// MaxRetries is the number of retries after the first attempt: 0 means
	// the default of 5, and NoRetries (any negative value) none.
	MaxRetries int
	// MinRetryWait and MaxRetryWait bound the exponential backoff (defaults
	// 250ms and 10s).
	MinRetryWait time.Duration
	MaxRetryWait time.Duration
	// MaxRetryAfter caps how long a server's Retry-After may hold a call
	// (default 60s), so a misbehaving server cannot stall a plan for hours.
	MaxRetryAfter time.Duration
	// RequestTimeout bounds each attempt (default 30s).
	RequestTimeout time.Duration
	// TotalTimeout bounds all attempts of one call, waits included (default 2m).
	TotalTimeout time.Duration
	// RequestsPerSecond caps the request rate to each service, shared by
	// every call made through this client; 0 means no cap beyond what the
	// pacer learns from 429 answers.
	RequestsPerSecond float64

	// HTTPClient defaults to cleanhttp.DefaultPooledClient(). It is copied,
	// never modified.
	HTTPClient *http.Client
}

// Client talks to Clerk and Stytch. It is safe for concurrent use.
type Client struct {
	cfg        Config
	http       *http.Client
	clerkBase  string
	stytchBase string
	userAgent  string
	// secrets are the configured credentials, masked in every error and log.
	secrets []string
	// pacers space out the requests to each service (see pacer.go).
	pacers map[string]*pacer
	// clerkClock tracks Clerk's clock for judging token expiry, stytchClock
	// Stytch's for judging a secret rotation's overlap.
	clerkClock, stytchClock serviceClock
}

// New validates cfg, fills in defaults and returns a Client. Credentials are
// not required here: a call that needs a missing one fails with a
// *MissingCredentialError, so a configuration that only uses one service works.
func New(cfg Config) (*Client, error) {
	if cfg.ClerkAPIURL == "" {
		cfg.ClerkAPIURL = DefaultClerkAPIURL
	}
	clerkBase, err := parseBaseURL(cfg.ClerkAPIURL, false)
	if err != nil {
		return nil, fmt.Errorf("invalid Clerk API URL: %w", err)
	}
	if cfg.StytchBaseURL == "" {
		cfg.StytchBaseURL = DefaultStytchBaseURL(cfg.StytchProjectID)
	}
	stytchBase, err := parseBaseURL(cfg.StytchBaseURL, true)
	if err != nil {
		return nil, fmt.Errorf("invalid Stytch base URL: %w", err)
	}

	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MinRetryWait <= 0 && cfg.MaxRetryWait > 0 {
		// A default must not contradict what the caller set: asking for
		// waits of at most 50ms lowers the default minimum to match.
		cfg.MinRetryWait = min(defaultMinRetryWait, cfg.MaxRetryWait)
	}
	setDefault(&cfg.MinRetryWait, defaultMinRetryWait)
	setDefault(&cfg.MaxRetryWait, defaultMaxRetryWait)
	setDefault(&cfg.MaxRetryAfter, defaultMaxRetryAfter)
	setDefault(&cfg.RequestTimeout, defaultRequestTimeout)
	setDefault(&cfg.TotalTimeout, defaultTotalTimeout)
	if cfg.MaxRetryWait < cfg.MinRetryWait {
		return nil, fmt.Errorf("max retry wait %s is shorter than min retry wait %s", cfg.MaxRetryWait, cfg.MinRetryWait)
	}
	if cfg.RequestsPerSecond < 0 {
		return nil, fmt.Errorf("requests per second must not be negative, got %g", cfg.RequestsPerSecond)
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc = *cleanhttp.DefaultPooledClient()
		// cleanhttp keeps GOMAXPROCS+1 idle connections per host (3 on
		// two cores), but Terraform makes 10 calls at once by default:
		// the rest would be closed after each request and dialled again,
		// a TLS handshake each against the real APIs.
		hc.Transport.(*http.Transport).MaxIdleConnsPerHost = maxIdleConnsPerHost
	}
	// These APIs never redirect, and a followed 307 would replay a body that
	// may hold a client secret to whatever host the Location names.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	c := &Client{
		cfg:        cfg,
		http:       &hc,
		clerkBase:  strings.TrimSuffix(clerkBase.String(), "/"),
		stytchBase: strings.TrimSuffix(stytchBase.String(), "/"),
		userAgent:  "terraform-provider-machineauth/" + cfg.Version,
		secrets:    nonEmpty(append([]string{cfg.ClerkSecretKey, cfg.StytchSecret}, cfg.Secrets...)...),
		// One pacer per service: each enforces its own limits, and a
		// throttled Clerk must not hold back Stytch calls.
		pacers: map[string]*pacer{
			serviceClerk:  newWindowPacer(realClock{}, cfg.RequestsPerSecond, clerkWindow(cfg.ClerkSecretKey)),
			serviceStytch: newPacer(realClock{}, cfg.RequestsPerSecond),
		},
	}
	for _, p := range c.pacers {
		p.jitter = pauseJitter
	}
	return c, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

func nonEmpty(values ...string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
