package main

import (
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// requestLog is a reverse proxy in front of the emulator that records when
// each request came and how it was answered. The rate-limit scenario reads
// it to tell a destroy's revokes from the refresh and start-up before them,
// which are Terraform's, and to see how full the limit's window was when
// the revokes began.
type requestLog struct {
	url  string
	srv  *http.Server
	done chan struct{}

	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	at, answered time.Time
	method, path string
	status       int
}

func startRequestLog(target string) (*requestLog, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &requestLog{url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	l.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		at := time.Now()
		proxy.ServeHTTP(rec, r)
		l.mu.Lock()
		l.entries = append(l.entries, logEntry{at: at, answered: time.Now(), method: r.Method, path: r.URL.Path, status: rec.status})
		l.mu.Unlock()
	})}
	go func() {
		defer close(l.done)
		if err := l.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()
	return l, nil
}

func (l *requestLog) Close() {
	_ = l.srv.Close()
	<-l.done
}

// between returns the requests that came in [from, to].
func (l *requestLog) between(from, to time.Time) []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logEntry
	for _, e := range l.entries {
		if !e.at.Before(from) && !e.at.After(to) {
			out = append(out, e)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// writes is how a phase's own requests are told apart: an apply's creates,
// a destroy's revokes.
func writes(phase string, e logEntry) bool {
	if e.method != http.MethodPost {
		return false
	}
	if phase == "destroy" {
		return strings.HasSuffix(e.path, "/revoke")
	}
	return strings.HasSuffix(e.path, "/m2m_tokens")
}

// writeSpan describes a phase's own requests in the log: when the first
// came and the last was answered, how many were admitted and refused, the
// 429s to the phase's other requests (a refresh's lists), and when the
// requests admitted in the limit's window before the first came. inFlight
// counts the 429s to the phase's own requests sent before the first of them
// was refused: the client could not have held them back, whatever it
// learned from that 429.
type writeSpan struct {
	first, last       time.Time
	admitted, refused int
	inFlight          int
	otherRefused      int
	prior             []time.Time
}

func (l *requestLog) span(phase string, from, to time.Time, per time.Duration) (writeSpan, bool) {
	var s writeSpan
	found := false
	for _, e := range l.between(from, to) {
		if !writes(phase, e) {
			if e.status == http.StatusTooManyRequests {
				s.otherRefused++
			}
			continue
		}
		if !found || e.at.Before(s.first) {
			s.first = e.at
		}
		if !found || e.answered.After(s.last) {
			s.last = e.answered
		}
		found = true
		if e.status == http.StatusTooManyRequests {
			s.refused++
		} else {
			s.admitted++
		}
	}
	if !found {
		return s, false
	}
	var firstRefusal time.Time
	for _, e := range l.between(s.first, to) {
		if writes(phase, e) && e.status == http.StatusTooManyRequests && (firstRefusal.IsZero() || e.answered.Before(firstRefusal)) {
			firstRefusal = e.answered
		}
	}
	for _, e := range l.between(s.first, to) {
		if writes(phase, e) && e.status == http.StatusTooManyRequests && e.at.Before(firstRefusal) {
			s.inFlight++
		}
	}
	for _, e := range l.between(s.first.Add(-per), s.first) {
		if e.at.Before(s.first) && e.status != http.StatusTooManyRequests {
			s.prior = append(s.prior, e.at)
		}
	}
	slices.SortFunc(s.prior, func(a, b time.Time) int { return a.Compare(b) })
	return s, true
}

// perfect is how long after the span's first request a client that knew
// the limit (limit requests in any window of per, the emulator's rule)
// would have had its last one admitted, given the requests already in the
// window: each goes as soon as the window has room.
func (s writeSpan) perfect(limit int, per time.Duration) time.Duration {
	hits := slices.Clone(s.prior)
	t := s.first
	for range s.admitted {
		for len(hits) > 0 && !hits[0].After(t.Add(-per)) {
			hits = hits[1:]
		}
		if len(hits) >= limit {
			t = hits[0].Add(per)
			hits = hits[1:]
		}
		hits = append(hits, t)
	}
	return t.Sub(s.first)
}
