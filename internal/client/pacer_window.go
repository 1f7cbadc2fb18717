package client

import (
	"slices"
	"strings"
	"time"
)

// A window is a limit that a service documents: at most n requests in any
// span of per. With one known, the pacer sends freely until the first 429
// (a server that does not limit, such as the emulator by default, is not
// held to it), then keeps to the window, bursts included, instead of
// learning a rate: a process that learns pays a few 429s at each lesson,
// and Terraform starts one per walk, twice a destroy; and a learned rate
// cannot burst into a window that frees up all at once. Each 429 says how
// much of the window other clients hold (see fill). The pacer counts its
// requests from the first, so that it knows which of the window are its
// own when the first 429 comes. From then on it sends one request at a
// time (see windowSlot): other processes sharing the window take what
// frees up as fast as this one, and when the window fills, each of them
// is refused once rather than once for every request it had on the way.
type window struct {
	n   int
	per time.Duration
}

// windowMargin is added to each slot the window frees: the server counts a
// request when it arrives, a little after the pacer let it through.
const windowMargin = 10 * time.Millisecond

// clerkWindow is the limit Clerk documents for the instance a secret key
// belongs to: 100 requests per 10 s on development instances (sk_test_),
// 1,000 on production ones (sk_live_). Without a secret key the instance is
// unknown, as machine keys do not say which kind theirs is: the pacer
// learns. Clerk does not say whether its windows slide or are fixed; a
// client that keeps to a sliding one keeps to a fixed one too.
func clerkWindow(secretKey string) window {
	switch {
	case strings.HasPrefix(secretKey, "sk_test_"):
		return window{n: 100, per: 10 * time.Second}
	case strings.HasPrefix(secretKey, "sk_live_"):
		return window{n: 1000, per: 10 * time.Second}
	}
	return window{}
}

// windowSlot is the earliest time at or after start, and not before a
// request already planned, that the window has room for one more request.
// Callers hold p.mu.
func (p *pacer) windowSlot(now, start time.Time) time.Time {
	p.expireHits(now)
	t := start
	k := len(p.hits)
	if k > 0 && p.hits[k-1].After(t) {
		t = p.hits[k-1]
	}
	if k >= p.win.n {
		if free := p.hits[k-p.win.n].Add(p.win.per + windowMargin); free.After(t) {
			t = free
		}
	}
	// Others may compete for each slot that frees up: one request at a
	// time (at most one at each share of the window's average rate,
	// where answers are slower), so that when the window fills, one is
	// refused, not all that were on their way.
	return p.spaced(t, min(p.latency, p.win.per/time.Duration(p.win.n)))
}

// noteLatency takes the time one request took to be answered. Callers
// hold p.mu.
func (p *pacer) noteLatency(d time.Duration) {
	if p.latency == 0 {
		p.latency = d
		return
	}
	p.latency += (d - p.latency) / 8
}

// expireHits forgets the requests that have left the window. Callers hold
// p.mu.
func (p *pacer) expireHits(now time.Time) {
	cut := 0
	for cut < len(p.hits) && !p.hits[cut].After(now.Add(-p.win.per-windowMargin)) {
		cut++
	}
	p.hits = p.hits[cut:]
}

// forgetHit removes one request planned or let through at at: one that
// stopped waiting, or that the server refused (a refused request does not
// count against its window). Callers hold p.mu.
func (p *pacer) forgetHit(at time.Time) {
	for i := len(p.hits) - 1; i >= 0; i-- {
		if p.hits[i].Equal(at) {
			p.hits = slices.Delete(p.hits, i, i+1)
			return
		}
	}
}

// dropPlanned forgets the requests planned after now: a pause makes them
// all plan again. Callers hold p.mu.
func (p *pacer) dropPlanned(now time.Time) {
	i := len(p.hits)
	for i > 0 && p.hits[i-1].After(now) {
		i--
	}
	p.hits = p.hits[:i]
}

// fill takes a 429 at now, with its Retry-After, as the server saying its
// window is full: the requests it holds that this pacer did not send
// (another process's, such as the apply before a destroy, or another
// client's) stand in as hits spread evenly over the part of the window
// that Retry-After says they may span. Callers hold p.mu.
func (p *pacer) fill(now time.Time, retryAfter time.Duration) {
	p.expireHits(now)
	own := 0
	for _, h := range p.hits {
		if h.After(now.Add(-p.win.per)) && !h.After(now) {
			own++
		}
	}
	missing := p.win.n - own
	if missing <= 0 {
		return
	}
	// Retry-After is in whole seconds, rounded up: the oldest leaves
	// within the last second before it.
	lo := now.Add(max(retryAfter-time.Second, 0) - p.win.per)
	if lo.After(now) {
		lo = now
	}
	step := now.Sub(lo) / time.Duration(missing)
	for i := range missing {
		p.hits = append(p.hits, lo.Add(step*time.Duration(i+1)))
	}
	slices.SortFunc(p.hits, func(a, b time.Time) int { return a.Compare(b) })
}
