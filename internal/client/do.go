package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	jsonContentType = "application/json"
	formContentType = "application/x-www-form-urlencoded"
	clerkAPIVersion = "2026-05-12"

	// maxResponseBody is far above any answer these APIs give (a page of
	// 100 tokens, a JWKS); it only stops a broken proxy from exhausting memory.
	maxResponseBody = 8 << 20
)

// call is one API operation. Every request of both services goes through
// c.do, so retries, pacing, logging and redaction live in one place.
type call struct {
	service string
	// op names the operation in errors that are about the whole call, such
	// as an AmbiguousError: e.g. "create M2M token".
	op     string
	method string
	// route is the path template, logged instead of the path so ids stay
	// out of logs and log lines group by endpoint.
	route string
	// path is escaped and relative to the service's base URL.
	path  string
	query url.Values
	// header carries authentication and per-call headers; it is never logged.
	header      http.Header
	body        []byte
	contentType string
	// idempotent calls are retried on 5xx and network errors. The others
	// create something: repeating them after a request that may have
	// arrived could create it twice.
	idempotent bool
	// secrets are values to mask beyond the configured keys and the
	// sensitive fields of the request body (e.g. a per-call key in a header).
	secrets []string
	// out, if set, receives the decoded 2xx body.
	out any
}

func (cl *call) jsonBody(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: encoding %s request: %w", cl.service, cl.op, err)
	}
	cl.body, cl.contentType = b, jsonContentType
	return nil
}

func (cl *call) formBody(v url.Values) {
	cl.body, cl.contentType = []byte(v.Encode()), formContentType
}

// outcome is what one attempt leaves for the retry loop to decide on.
type outcome struct {
	err        error
	retry      bool
	status     int           // the HTTP status, 0 without an answer
	retryAfter time.Duration // the server's Retry-After, if it sent one
}

// later reports an answer that says "not now, later": a 429, or a 503 that
// says when to come back.
func (o outcome) later() bool {
	return o.status == http.StatusTooManyRequests || (o.status == http.StatusServiceUnavailable && o.retryAfter > 0)
}

// do sends cl, retrying as its idempotency allows.
//
// The loop is written here rather than taken from go-retryablehttp: that
// library's policy decides on the response alone and cannot tell an
// idempotent read from a create, for which a 5xx or a dropped connection
// means "maybe created" and must not be repeated.
//
// A 429, or a 503 with a Retry-After, is the service saying "later", not
// "no": many pipelines may share its limit, so such calls are retried
// until the call's deadline, however many times they are told to wait.
// MaxRetries bounds the other failures, 5xx and network errors.
func (c *Client) do(ctx context.Context, cl *call) error {
	red := newRedactor(slices.Concat(c.secrets, cl.secrets, bodySecrets(cl.contentType, cl.body))...)
	if tflog.IsDebug(ctx) {
		// Nothing below logs at a higher level: with debug off, the
		// masks would only cost each call their setup.
		ctx = maskLogs(ctx, red)
	}
	parent := ctx
	r := retries{start: time.Now(), bound: fmt.Sprintf("the %s call timeout", c.cfg.TotalTimeout)}
	if d, ok := ctx.Deadline(); ok {
		r.bound = fmt.Sprintf("the deadline %s after the call began", d.Sub(r.start).Round(time.Second))
	}
	ctx, cancel := c.deadline(ctx)
	defer cancel()

	pace := c.pacers[cl.service]
	for attempt := 1; ; attempt++ {
		sent, err := pace.wait(ctx)
		if err != nil {
			return c.interrupted(parent, cl, &r, attempt-1)
		}
		out := c.attempt(ctx, cl, attempt, red)
		// Every answer teaches the service's pacer: a 429 pauses all of
		// this client's requests to the service and slows them down.
		pace.observe(sent, out.status, min(out.retryAfter, c.cfg.MaxRetryAfter))
		if out.err == nil {
			return nil
		}
		if !out.retry {
			return out.err
		}
		if ctx.Err() != nil {
			// An attempt merely cut off by the deadline or cancellation
			// says less than the failure before it.
			if r.last == nil || !errors.Is(out.err, ctx.Err()) {
				r.last = out.err
			}
			return c.interrupted(parent, cl, &r, attempt)
		}
		r.last = out.err
		var wait time.Duration
		if out.later() {
			r.told++
			wait = c.backoff(r.told, out.retryAfter)
		} else {
			r.failed++
			if r.failed > c.cfg.MaxRetries {
				return r.gaveUp(attempt, "")
			}
			wait = c.backoff(r.failed, out.retryAfter)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return r.gaveUp(attempt, fmt.Sprintf("the next retry, in %s, would pass %s", wait.Round(time.Millisecond), r.bound))
		}
		r.waited += wait
		if sleep(ctx, wait) != nil {
			return c.interrupted(parent, cl, &r, attempt)
		}
	}
}

// deadline bounds a call: by the caller's own deadline where it has one (a
// resource's timeouts, or a search's), which may be longer than
// call_timeout, else by call_timeout.
func (c *Client) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.cfg.TotalTimeout)
}

// retries is what one call's retry loop has been through, for its error.
type retries struct {
	start time.Time
	// bound names what ends the call: call_timeout, or the caller's
	// deadline.
	bound string
	last  error
	// told counts the answers that said "later" (429, or 503 with a
	// Retry-After); failed the other failures; waited is the time spent
	// waiting between attempts.
	told, failed int
	waited       time.Duration
}

// gaveUp notes on the last error why retrying stopped, how long the call
// took and how many times the service told it to wait.
func (r *retries) gaveUp(attempts int, why string) error {
	if r.told > 0 {
		times := "times"
		if r.told == 1 {
			times = "time"
		}
		told := fmt.Sprintf("told to wait %d %s, waited %s in all over %s", r.told, times, r.waited.Round(time.Millisecond), time.Since(r.start).Round(time.Millisecond))
		if why == "" {
			why = told
		} else {
			why = told + "; " + why
		}
	}
	return gaveUp(r.last, attempts, why)
}

// interrupted explains a call cut short by its context: the caller's
// cancellation first, so errors.Is(err, context.Canceled) holds, else the
// deadline; the last attempt's error stays reachable with errors.As.
func (c *Client) interrupted(parent context.Context, cl *call, r *retries, attempts int) error {
	last := r.last
	if err := parent.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		switch {
		case last == nil:
			return fmt.Errorf("%s: %s: %w", cl.service, cl.op, err)
		case errors.Is(last, err):
			return last
		default:
			return fmt.Errorf("%s: %s: %w (last attempt: %w)", cl.service, cl.op, err, last)
		}
	}
	if last == nil {
		return fmt.Errorf("%s: %s: %s passed while waiting for the request rate limit: %w",
			cl.service, cl.op, r.bound, context.DeadlineExceeded)
	}
	return r.gaveUp(attempts, r.bound+" passed")
}

// gaveUp notes on err why retrying stopped.
func gaveUp(err error, attempts int, why string) error {
	n := fmt.Sprintf("%d attempts", attempts)
	if attempts == 1 {
		if why == "" {
			return err
		}
		n = "1 attempt"
	}
	if why == "" {
		return fmt.Errorf("%w (gave up after %s)", err, n)
	}
	return fmt.Errorf("%w (gave up after %s: %s)", err, n, why)
}

func (c *Client) attempt(ctx context.Context, cl *call, n int, red redactor) (out outcome) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	// A connection handed to the request is the earliest point at which
	// bytes may reach the server; before it, a failed create is safe to retry.
	var gotConn atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	req, err := c.newRequest(actx, cl)
	if err != nil {
		return outcome{err: err}
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err == nil {
		defer func() { out.status = resp.StatusCode }()
	}
	var body []byte
	if err == nil {
		clock := &c.clerkClock
		if cl.service == serviceStytch {
			clock = &c.stytchClock
		}
		clock.observe(resp, time.Now())
	}
	if err == nil {
		body, err = readBody(resp)
		// Only a success needs its whole body; an error status has
		// already told us the request was refused.
		if !success(resp.StatusCode) {
			err = nil
		}
	}
	elapsed := time.Since(start)

	if err != nil {
		if actx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("attempt timed out after %s: %w", c.cfg.RequestTimeout, err)
		}
		err = &requestError{msg: red.redact(fmt.Sprintf("%s: %s %s: %v", cl.service, cl.method, cl.path, err)), err: err}
		c.logAttempt(ctx, cl, n, elapsed, nil, nil, err, red)
		if cl.idempotent || sentNothing(err, gotConn.Load()) {
			return outcome{err: err, retry: true}
		}
		return outcome{err: &AmbiguousError{Op: cl.op, Err: err}}
	}

	if success(resp.StatusCode) {
		if cl.out != nil && len(bytes.TrimSpace(body)) > 0 {
			if derr := json.Unmarshal(body, cl.out); derr != nil {
				err = &requestError{
					msg: red.redact(fmt.Sprintf("%s: %s %s: %d response could not be decoded: %v", cl.service, cl.method, cl.path, resp.StatusCode, derr)),
					err: derr,
				}
			}
		}
		c.logAttempt(ctx, cl, n, elapsed, resp, body, err, red)
		if err != nil && !cl.idempotent {
			// The server said it did it; we just cannot read what it made.
			return outcome{err: &AmbiguousError{Op: cl.op, Err: err}}
		}
		return outcome{err: err}
	}

	apiErr := decodeAPIError(cl.service, cl.method, cl.path, resp, body, red)
	c.logAttempt(ctx, cl, n, elapsed, resp, body, apiErr, red)
	retryAfter, _ := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		// Refused before any processing: safe to repeat, creates included.
		return outcome{err: apiErr, retry: true, retryAfter: retryAfter}
	case resp.StatusCode >= 500 && cl.idempotent:
		return outcome{err: apiErr, retry: true, retryAfter: retryAfter}
	case resp.StatusCode >= 500:
		return outcome{err: &AmbiguousError{Op: cl.op, Err: apiErr}}
	default:
		return outcome{err: apiErr}
	}
}

func (c *Client) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	base := c.clerkBase
	if cl.service == serviceStytch {
		base = c.stytchBase
	}
	target := base + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s: building %s %s: %w", cl.service, cl.method, cl.route, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", jsonContentType)
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if cl.service == serviceClerk {
		// Pins the response shapes this client was written against.
		req.Header.Set("Clerk-API-Version", clerkAPIVersion)
	}
	for k, vs := range cl.header {
		req.Header[k] = vs
	}
	return req, nil
}

func readBody(resp *http.Response) ([]byte, error) {
	defer func() { _ = resp.Body.Close() }() // the body is read in full; a close error changes nothing
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return body, fmt.Errorf("reading %d response: %w", resp.StatusCode, err)
	}
	if len(body) > maxResponseBody {
		return body[:maxResponseBody], fmt.Errorf("%d response body exceeds %d bytes", resp.StatusCode, maxResponseBody)
	}
	return body, nil
}

func success(status int) bool { return status >= 200 && status <= 299 }

// requestError is a failed attempt that got no usable HTTP answer. Its
// message is redacted once, when made; the cause stays reachable so callers
// can still test for context.Canceled and the like.
type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// doJSON sends cl and decodes its 2xx body into a new T.
func doJSON[T any](ctx context.Context, c *Client, cl *call) (*T, error) {
	var out T
	cl.out = &out
	if err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return &out, nil
}
