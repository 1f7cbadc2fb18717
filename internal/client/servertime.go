package client

import (
	"net/http"
	"sync/atomic"
	"time"
)

// serviceClock remembers how far a service's clock is from ours, read from
// the Date header of its answers. Clerk stamps a token's expiry with its own
// clock, so judging "is this token about to expire" by the local clock would
// rotate early or late by however much the two disagree.
type serviceClock struct {
	// offset is the service's time minus local time, in nanoseconds;
	// meaningful once known is set.
	offset atomic.Int64
	known  atomic.Bool
}

// observe records the offset from an answer's Date header, taken at
// received. Date has one-second resolution, so the estimate runs up to a
// second behind the service; an answer without a parsable Date is ignored.
func (c *serviceClock) observe(resp *http.Response, received time.Time) {
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	c.offset.Store(int64(date.Sub(received)))
	c.known.Store(true)
}

// now is the service's current time as last seen, and whether it has been
// seen; before any answer it is the local time and false.
func (c *serviceClock) now() (time.Time, bool) {
	now := time.Now()
	if !c.known.Load() {
		return now, false
	}
	return now.Add(time.Duration(c.offset.Load())), true
}

// ClerkNow is the current time by Clerk's clock as last seen in a Clerk
// answer's Date header, and whether one has been seen; before any answer it
// is the local time and false.
func (c *Client) ClerkNow() (time.Time, bool) { return c.clerkClock.now() }

// StytchNow is ClerkNow for Stytch: the time by which a client secret
// rotation's overlap is judged.
func (c *Client) StytchNow() (time.Time, bool) { return c.stytchClock.now() }
