package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type service int

const (
	serviceClerk service = iota
	serviceStytch
	// serviceClerkFrontend is a Clerk instance's Frontend API: Clerk's
	// trace ids and error shapes, but not the Backend API's rate limit.
	serviceClerkFrontend
)

// clerkish reports whether svc answers as Clerk does.
func (svc service) clerkish() bool { return svc == serviceClerk || svc == serviceClerkFrontend }

type ctxKey int

const (
	requestIDKey ctxKey = iota
	assumedKey
)

// requestID is the id of the request being served: a Clerk trace id or a
// Stytch request_id, also sent in a header so every answer can be traced.
func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// clerkRoute serves h at /clerk/v1<path> and at /clerk<path>: the Go SDK keeps
// the /v1 prefix and the JS SDK drops it. Both count under the /v1 form.
func (s *Server) clerkRoute(mux *http.ServeMux, method, path string, h http.HandlerFunc) {
	route := "/clerk/v1" + path
	wrapped := s.api(serviceClerk, method+" "+route, h)
	mux.Handle(method+" "+route, wrapped)
	mux.Handle(method+" /clerk"+path, wrapped)
}

// stytchRoute serves h at Stytch's own absolute path: the real base URL has
// no path, so official clients resolve these against the origin.
func (s *Server) stytchRoute(mux *http.ServeMux, method, path string, h http.HandlerFunc) {
	mux.Handle(method+" "+path, s.api(serviceStytch, method+" "+path, h))
}

// api wraps a handler with what every real API request goes through here:
// the emulator's Date header, a request id, the assumptions in force (see
// assumedOf), latency, the rate limit, injected faults, the state lock and
// the request counts. Handlers run with s.mu held,
// so none of them takes it.
func (s *Server) api(svc service, route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if svc.clerkish() {
			id = "trace_" + randomHex(16)
			w.Header().Set("Clerk-Trace-Id", id)
		} else {
			id = "request-id-test-" + randomUUID()
			w.Header().Set("X-Request-Id", id)
		}
		r = withAssumed(r.WithContext(context.WithValue(r.Context(), requestIDKey, id)), s.assume)
		w.Header().Set("Date", s.clock.now().UTC().Format(http.TimeFormat))

		draw := s.faults.draw()
		if d := s.latency + draw.latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if wait, limited := s.limit(svc, route); limited {
			s.stats.fault("rate_limited")
			s.tooManyRequests(svc, w, r, wait)
			s.stats.request(route, http.StatusTooManyRequests)
			return
		}
		switch draw.status {
		case http.StatusTooManyRequests:
			s.stats.fault("429")
			s.tooManyRequests(svc, w, r, time.Second)
			s.stats.request(route, http.StatusTooManyRequests)
			return
		case http.StatusInternalServerError:
			s.stats.fault("500")
			s.internalError(svc, w, r)
			s.stats.request(route, http.StatusInternalServerError)
			return
		}

		// The body is read before the lock is taken, so a client slow to
		// send one does not stall every other request. No DELETE handler
		// looks at it: the reference describes none, but the official
		// clients send one (clerk-sdk-go v2.7.0 the JSON null, stytch-node
		// 14.2.0 {}), and the official client wins.
		readBody(r)
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		s.locked(h, rec, r)
		s.stats.request(route, rec.status)
		if draw.dropAfterCommit {
			// The change is applied; the answer is lost on the wire.
			s.stats.fault("drop_after_commit")
			dropConnection(w)
			return
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// limit applies the service's rate limit: Clerk's per instance, Stytch's
// per endpoint.
func (s *Server) limit(svc service, route string) (time.Duration, bool) {
	switch svc {
	case serviceClerk:
		return s.limiter.allow()
	case serviceClerkFrontend:
		return 0, false
	}
	return s.stytchLimiter.allow(route)
}

func (s *Server) locked(h http.HandlerFunc, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h(w, r)
}

// maxBody is one byte past ParseForm's 10 MiB limit, so an oversized form is
// still refused; the JSON decoders stop at 1 MiB of it.
const maxBody = 10<<20 + 1

// readBody replaces r.Body with the body read in full, followed by the read
// error if there was one, so handlers answer it as before.
func readBody(r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	var rest io.Reader = bytes.NewReader(body)
	if err != nil {
		rest = io.MultiReader(rest, failingReader{err})
	}
	r.Body = io.NopCloser(rest)
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// dropConnection closes the client's connection without writing a response,
// as a proxy or a crash between commit and reply would.
func dropConnection(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// recorder holds a handler's answer back until the fault decision is made.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

func (s *Server) tooManyRequests(svc service, w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if svc.clerkish() {
		clerkError(w, r, http.StatusTooManyRequests, "too_many_requests", "Too many requests, retry later", "Too many requests, retry later")
		return
	}
	stytchError(w, r, http.StatusTooManyRequests, "too_many_requests", "Too many requests have been made.")
}

func (s *Server) internalError(svc service, w http.ResponseWriter, r *http.Request) {
	if svc.clerkish() {
		clerkError(w, r, http.StatusInternalServerError, "internal_clerk_error", "There was an internal error on our servers", "There was an internal error on our servers. We've been notified and are working on fixing it.")
		return
	}
	stytchError(w, r, http.StatusInternalServerError, "internal_server_error", "Oops, something seems to have gone wrong.")
}

// notFound answers paths no route knows, in the shape of the service the path
// belongs to.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.api(serviceOf(r.URL.Path), "unmatched", func(w http.ResponseWriter, r *http.Request) {
		if serviceOf(r.URL.Path) == serviceClerk {
			clerkError(w, r, http.StatusNotFound, "resource_not_found", "not found", "The requested resource was not found.")
			return
		}
		stytchError(w, r, http.StatusNotFound, "not_found", "The requested endpoint was not found.")
	}).ServeHTTP(w, r)
}

func serviceOf(path string) service {
	if strings.HasPrefix(path, "/clerk/") || path == "/clerk" {
		return serviceClerk
	}
	return serviceStytch
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
