package emulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clock is real time plus an offset that starts at Options.ClockOffset and
// only grows, so tokens expire when a test says so rather than when the
// wall clock gets there.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) advance(d time.Duration) {
	if d > 0 {
		c.offset.Add(int64(d))
	}
}

// machineCounts runs with s.mu held.
func (s *Server) machineCounts() MachineCounts {
	n := MachineCounts{Live: len(s.clerk.machines)}
	for _, m := range s.clerk.machines {
		n.Scopes += len(m.scopes)
	}
	return n
}

type stats struct {
	mu       sync.Mutex
	requests map[string]int
	faults   map[string]int
	total    int
}

func newStats() *stats {
	return &stats{requests: map[string]int{}, faults: map[string]int{}}
}

func (s *stats) request(route string, status int) {
	s.mu.Lock()
	s.requests[route+" "+strconv.Itoa(status)]++
	s.total++
	s.mu.Unlock()
}

func (s *stats) fault(kind string) {
	s.mu.Lock()
	s.faults[kind]++
	s.mu.Unlock()
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Requests: make(map[string]int, len(s.requests)), Faults: make(map[string]int, len(s.faults)), TotalRequests: s.total}
	for k, v := range s.requests {
		st.Requests[k] = v
	}
	for k, v := range s.faults {
		st.Faults[k] = v
	}
	return st
}

// routeControl serves the emulator's own endpoints, which are never faulted,
// rate limited or counted.
func (s *Server) routeControl(mux *http.ServeMux) {
	mux.HandleFunc("GET /__emulator/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET /__emulator/assumptions", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Assumed())
	})
	mux.HandleFunc("POST /__emulator/clock", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			AdvanceSeconds *float64 `json:"advance_seconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AdvanceSeconds == nil || *body.AdvanceSeconds < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"advance_seconds": N} with N >= 0`})
			return
		}
		s.clock.advance(time.Duration(*body.AdvanceSeconds * float64(time.Second)))
		now := s.clock.now()
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		writeJSON(w, http.StatusOK, map[string]any{"now": now.UTC().Format(time.RFC3339Nano), "now_unix_ms": now.UnixMilli()})
	})
}

// faults draws, per request, whether to answer 429 or 500 before any state
// change, to drop the connection after the change, and how long to stall.
type faults struct {
	mu         sync.Mutex
	rng        *rand.Rand
	p429, p500 float64
	pDrop      float64
	latency    time.Duration
}

type faultDraw struct {
	status          int
	dropAfterCommit bool
	latency         time.Duration
}

// parseFaults reads a spec like "429=0.1,500=0.05,drop_after_commit=0.02,latency=5ms".
func parseFaults(spec string, seed int64) (*faults, error) {
	f := &faults{rng: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))} //nolint:gosec // a seed's bits, not a quantity: wrapping is intended
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("emulator: fault %q: want name=value", part)
		}
		if k == "latency" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("emulator: fault latency=%q: want a duration such as 5ms", v)
			}
			f.latency = d
			continue
		}
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p < 0 || p > 1 {
			return nil, fmt.Errorf("emulator: fault %s=%q: want a probability between 0 and 1", k, v)
		}
		switch k {
		case "429":
			f.p429 = p
		case "500":
			f.p500 = p
		case "drop_after_commit":
			f.pDrop = p
		default:
			return nil, fmt.Errorf("emulator: unknown fault %q (known: 429, 500, drop_after_commit, latency)", k)
		}
	}
	if f.p429+f.p500 > 1 {
		return nil, fmt.Errorf("emulator: fault probabilities 429 and 500 add up to more than 1")
	}
	return f, nil
}

func (f *faults) draw() faultDraw {
	d := faultDraw{latency: f.latency}
	if f.p429 == 0 && f.p500 == 0 && f.pDrop == 0 {
		return d
	}
	f.mu.Lock()
	x, y := f.rng.Float64(), f.rng.Float64()
	f.mu.Unlock()
	switch {
	case x < f.p429:
		d.status = http.StatusTooManyRequests
	case x < f.p429+f.p500:
		d.status = http.StatusInternalServerError
	}
	d.dropAfterCommit = d.status == 0 && y < f.pDrop
	return d
}

// rateLimiter admits at most n requests in any sliding window of length
// per, like Clerk's per-instance limits (100 per 10 s on development
// instances). Clerk does not document whether its windows slide or are
// fixed: the emulator slides them, the stricter of the two for a burst
// across a boundary. Refused requests do not count against the window. It
// runs on real time: pacing is about wall-clock throughput, not token
// expiry.
type rateLimiter struct {
	mu   sync.Mutex
	n    int
	per  time.Duration
	hits []time.Time // admitted requests within the window, oldest first
}

// parseRateLimit reads "100/10s"; empty means no limit.
func parseRateLimit(spec string) (*rateLimiter, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	ns, ds, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return nil, fmt.Errorf("emulator: rate limit %q: want N/duration such as 100/10s", spec)
	}
	d, err := time.ParseDuration(ds)
	if err != nil || d <= 0 {
		return nil, fmt.Errorf("emulator: rate limit %q: want N/duration such as 100/10s", spec)
	}
	return &rateLimiter{n: n, per: d}, nil
}

// fixedLimiter admits at most n requests per endpoint in each window of
// length per, windows starting at whole multiples of per since the Unix
// epoch: Stytch documents its limits as per endpoint, counted in fixed
// windows at the top of each interval (not rolling). Which endpoints share
// a limit, and the limits themselves, Stytch does not publish: each route
// has its own here. Refused requests do not count. Real time, as for
// rateLimiter.
type fixedLimiter struct {
	mu    sync.Mutex
	n     int
	per   time.Duration
	start time.Time
	used  map[string]int
}

// parseFixedLimit reads "20/1s"; empty means no limit.
func parseFixedLimit(spec string) (*fixedLimiter, error) {
	l, err := parseRateLimit(spec)
	if l == nil || err != nil {
		return nil, err
	}
	return &fixedLimiter{n: l.n, per: l.per, used: map[string]int{}}, nil
}

// allow admits a request to route, or says how long until the window ends.
func (l *fixedLimiter) allow(route string) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	start := now.Truncate(l.per)
	if !start.Equal(l.start) {
		l.start = start
		clear(l.used)
	}
	if l.used[route] >= l.n {
		return start.Add(l.per).Sub(now), true
	}
	l.used[route]++
	return 0, false
}

// allow admits a request, or says how long until one would be admitted.
func (l *rateLimiter) allow() (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	cut := sort.Search(len(l.hits), func(i int) bool { return now.Sub(l.hits[i]) < l.per })
	l.hits = l.hits[cut:]
	if len(l.hits) >= l.n {
		return l.hits[0].Add(l.per).Sub(now), true
	}
	l.hits = append(l.hits, now)
	return 0, false
}
