package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// backoff is the wait before retry number n (1-based). A server's
// Retry-After wins, capped by MaxRetryAfter; otherwise the wait is
// exponential with full jitter, so that the parallel calls of a plan that
// were throttled together do not come back together.
func (c *Client) backoff(n int, retryAfter time.Duration) time.Duration {
	lo, hi := c.cfg.MinRetryWait, c.cfg.MaxRetryWait
	if retryAfter > 0 {
		return max(min(retryAfter, c.cfg.MaxRetryAfter), lo)
	}
	upper := hi
	if n <= 32 {
		if d := lo << (n - 1); d > 0 && d < hi {
			upper = d
		}
	}
	return lo + rand.N(upper-lo+1)
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date. A date in the past means "now".
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Beyond this the cap applies anyway; stopping here avoids overflow.
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// sentNothing reports whether a failed attempt certainly never reached the
// server: no connection was handed to it and the failure was in dialing or
// name resolution. Anything else (a timeout after connecting, a reset, an
// EOF) may have come after the server read the request.
func sentNothing(err error, gotConn bool) bool {
	if gotConn {
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
