package client

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand. Timers fire when Advance
// passes them; every NewTimer is announced on parked, so a test can wait
// until a goroutine is blocked on one.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	parked chan time.Duration
}

type fakeTimer struct {
	at      time.Time
	ch      chan time.Time
	stopped bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC), parked: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	t := &fakeTimer{at: c.now.Add(d), ch: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	c.parked <- d
	return t.ch, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock on and fires the timers it passes.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.ch <- c.now
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

// Set moves the clock to at, which may not be earlier than now.
func (c *fakeClock) Set(at time.Time) { c.Advance(at.Sub(c.Now())) }

// awaitParked waits until a goroutine blocks on a timer and returns its
// duration.
func (c *fakeClock) awaitParked(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.parked:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no request started waiting")
		return 0
	}
}

// plan reserves the next slot as wait would, without blocking.
func (p *pacer) plan() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	at, _ := p.reserve(p.clk.Now())
	return at
}

// send plans a request, moves the clock to its slot and answers it.
func (p *pacer) send(clk *fakeClock, status int, retryAfter time.Duration) {
	at := p.plan()
	clk.Set(at)
	p.observe(at, status, retryAfter)
}

func TestPacerSendsFreelyUntilThrottled(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	for range 1000 {
		sent, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !sent.Equal(clk.Now()) {
			t.Fatalf("sent at %s, want now", sent)
		}
		p.observe(sent, http.StatusOK, 0)
	}
	if len(clk.parked) != 0 {
		t.Errorf("%d requests waited with no limit set and no 429", len(clk.parked))
	}
}

func TestPacerCeilingIsATokenBucket(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	start := clk.Now()
	p := newPacer(clk, 100) // a burst of 100, then one every 10ms
	for i := range 100 {
		if at := p.plan(); !at.Equal(start) {
			t.Fatalf("request %d of the burst planned %s after start", i+1, at.Sub(start))
		}
	}
	for i := 1; i <= 5; i++ {
		if at, want := p.plan(), start.Add(time.Duration(i)*10*time.Millisecond); !at.Equal(want) {
			t.Errorf("request %d after the burst planned %s after start, want %s", i, at.Sub(start), want.Sub(start))
		}
	}
	// Idle for a second refills the burst, no more.
	clk.Advance(2 * time.Second)
	now := clk.Now()
	for i := range 100 {
		if at := p.plan(); !at.Equal(now) {
			t.Fatalf("request %d of the refilled burst planned %s after now", i+1, at.Sub(now))
		}
	}
	if at := p.plan(); !at.Equal(now.Add(10 * time.Millisecond)) {
		t.Errorf("request after the refilled burst planned %s after now, want 10ms", at.Sub(now))
	}
}

// waitInBackground waits for p's next slot in a goroutine; the channel
// gets the time the request was let go.
func waitInBackground(t *testing.T, p *pacer) <-chan time.Time {
	t.Helper()
	done := make(chan time.Time, 1)
	go func() {
		sent, err := p.wait(t.Context())
		if err != nil {
			t.Error(err)
		}
		done <- sent
	}()
	return done
}

func TestPacerWaitsForItsSlot(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 1)
	first, err := p.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	p.observe(first, http.StatusOK, 0)
	done := waitInBackground(t, p)
	if d := clk.awaitParked(t); d != time.Second {
		t.Errorf("second request waits %s, want 1s", d)
	}
	clk.Advance(999 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("second request went before its slot")
	default:
	}
	clk.Advance(time.Millisecond)
	if sent := <-done; !sent.Equal(clk.Now()) {
		t.Errorf("sent at %s, want its slot %s", sent, clk.Now())
	}
}

func TestPacerGivesUpWithItsContext(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0.5) // one request every 2s
	first, err := p.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	p.observe(first, http.StatusOK, 0)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error)
	go func() {
		_, err := p.wait(ctx)
		errc <- err
	}()
	clk.awaitParked(t)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// The abandoned slot is given back: the next request takes it.
	if at, want := p.plan(), clk.Now().Add(2*time.Second); !at.Equal(want) {
		t.Errorf("next request planned %s from now, want 2s", at.Sub(clk.Now()))
	}
}

func TestPacerPausesEveryRequestUntilRetryAfter(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 10) // a burst of 10, then one every 100ms
	start := clk.Now()
	var sent []time.Time
	for range 10 {
		s, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, s)
		if len(sent) == 1 {
			// The first answer lets the rest go (see gate).
			p.observe(s, http.StatusOK, 0)
		}
	}
	// The next request waits for its slot at 100ms...
	done := waitInBackground(t, p)
	clk.awaitParked(t)
	// ...when one of the burst is refused with Retry-After: 3.
	clk.Advance(50 * time.Millisecond)
	p.observe(sent[0], http.StatusTooManyRequests, 3*time.Second)
	if d := clk.awaitParked(t); d != 3*time.Second {
		t.Errorf("waiting request re-planned to wait %s, want the Retry-After", d)
	}
	clk.Advance(time.Second)
	select {
	case <-done:
		t.Fatal("a request went during the pause")
	default:
	}
	clk.Set(start.Add(50 * time.Millisecond).Add(3 * time.Second))
	if s := <-done; !s.Equal(start.Add(3050 * time.Millisecond)) {
		t.Errorf("sent %s after start, want when the pause ends", s.Sub(start))
	}
	// A request arriving later during a pause waits for its end too.
	p.observe(sent[1], http.StatusTooManyRequests, 2*time.Second)
	if at := p.plan(); !at.Equal(clk.Now().Add(2 * time.Second)) {
		t.Errorf("request during a pause planned %s from now, want 2s", at.Sub(clk.Now()))
	}
}

// round sends n requests, spaced by gap, all admitted, then one more that
// is refused with retryAfter; it returns the refused request's send time.
func (p *pacer) round(clk *fakeClock, n int, gap, retryAfter time.Duration) time.Time {
	for i := range n {
		if i > 0 {
			clk.Advance(gap)
		}
		p.send(clk, http.StatusOK, 0)
	}
	clk.Advance(gap)
	at := p.plan()
	clk.Set(at)
	p.observe(at, http.StatusTooManyRequests, retryAfter)
	return at
}

func TestPacerFirst429OnlyPauses(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	// Two admitted, then a 429: an earlier process may have filled the
	// window, so two tells nothing about the rate.
	refused := p.round(clk, 2, time.Millisecond, time.Second)
	if p.learned != 0 {
		t.Errorf("learned %.3f from the first 429, want nothing yet", p.learned)
	}
	if at := p.plan(); !at.Equal(refused.Add(time.Second)) {
		t.Errorf("next request planned %s after the 429, want the 1s pause", at.Sub(refused))
	}
	// After the pause, requests go freely again.
	if at := p.plan(); !at.Equal(refused.Add(time.Second)) {
		t.Errorf("second request after the pause planned %s after the 429, want with the first", at.Sub(refused))
	}
}

func TestPacerLearnsTheRateOfAWindowLimit(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	// A first round pauses (see above); the second is 100 requests
	// admitted over 297ms, then a 429 at 300ms saying the window frees up
	// in 10s: about 100 per 10.3s.
	p.round(clk, 100, 3*time.Millisecond, 10*time.Second)
	clk.Advance(10 * time.Second)
	start := clk.Now()
	var inflight []time.Time
	for range 9 {
		inflight = append(inflight, p.plan())
	}
	last := p.round(clk, 100, 3*time.Millisecond, 10*time.Second)
	if got := last.Sub(start); got != 300*time.Millisecond {
		t.Fatalf("the round ended %s after it started, want 300ms", got)
	}
	want := learnMargin * 100 / 10.3
	if math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("learned %.3f requests/s, want %.3f", p.learned, want)
	}
	// The other requests already on the wire are refused too: echoes of
	// the same congestion, which must not lower the rate again.
	for _, s := range inflight {
		p.observe(s, http.StatusTooManyRequests, 10*time.Second)
	}
	if math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("after the echoes: learned %.3f requests/s, want %.3f still", p.learned, want)
	}
	if p.throttled != 11 {
		t.Errorf("counted %d 429s, want 11", p.throttled)
	}
	// After the pause, requests go one interval apart, with no burst.
	resume := last.Add(10 * time.Second)
	interval := time.Duration(float64(time.Second) / want)
	for i := range 3 {
		if at, w := p.plan(), resume.Add(time.Duration(i)*interval); at.Sub(w).Abs() > time.Microsecond {
			t.Errorf("request %d after the pause planned %s after the 429, want %s", i+1, at.Sub(last), w.Sub(last))
		}
	}
}

// A first burst that fills the window by itself (an empty window, or one
// with room left by an earlier process) leaves little to the round after
// the first pause: it takes the few requests that freed up during it and
// is refused until the burst's own requests leave the window. The rate is
// what the whole process was admitted at over that time, not those few.
func TestPacerLearnsFromTheWholeProcessWhenItsBurstFillsTheWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		second   int // admitted in the round after the first pause
		retry    time.Duration
		duration time.Duration // from the first request to the second 429
		want     float64
	}{
		// Nothing frees up for 5s after three requests.
		{"three, then a long wait", 3, 5 * time.Second, 1503 * time.Millisecond, learnMargin * 53 / 6.503},
		// One request, then another second: an earlier process's
		// last requests leave the window one by one.
		{"one, then a second", 1, time.Second, 1501 * time.Millisecond, learnMargin * 51 / 2.501},
		// Ten in the round, which is a rate: the round's, as before.
		{"ten", 10, time.Second, 1510 * time.Millisecond, learnMargin * 10 / 1.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			p := newPacer(clk, 0)
			start := clk.Now()
			p.round(clk, 50, 10*time.Millisecond, time.Second) // refused at 500ms
			clk.Advance(time.Second)
			last := p.round(clk, tc.second, time.Millisecond, tc.retry)
			if got := last.Sub(start); got != tc.duration {
				t.Fatalf("the second 429 came %s after the start, want %s", got, tc.duration)
			}
			if math.Abs(p.learned-tc.want) > 1e-9 {
				t.Errorf("learned %.3f requests/s, want %.3f", p.learned, tc.want)
			}
		})
	}
}

func TestPacerCountsAnswersThatArriveAfterThe429(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.round(clk, 5, time.Millisecond, time.Second)
	clk.Advance(time.Second)
	// Ten requests on the wire at once: the first answer back is the
	// 429, the admitted ones arrive after it.
	var sent []time.Time
	for range 10 {
		sent = append(sent, p.plan())
	}
	clk.Set(sent[9].Add(5 * time.Millisecond))
	p.observe(sent[9], http.StatusTooManyRequests, time.Second)
	// With no answer of the round in yet, the round says nothing: the
	// rate is the whole process's, 5 admitted since its first request
	// 1.005s before, and the 1s pause.
	if want := learnMargin * 5 / 2.01; math.Abs(p.learned-want) > 1e-9 {
		t.Fatalf("learned %.3f with no answer in yet, want %.3f", p.learned, want)
	}
	for _, s := range sent[:9] {
		p.observe(s, http.StatusOK, 0)
	}
	if want := learnMargin * 9 / 1.005; math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("learned %.3f once the admitted answers came in, want %.3f", p.learned, want)
	}
}

func TestPacerBacksOffFromALearnedRate(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.round(clk, 1, 0, time.Second)
	clk.Advance(time.Second)
	p.round(clk, 10, 100*time.Millisecond, time.Second) // 10 admitted in 1s
	learned := learnMargin * 10 / 2
	if math.Abs(p.learned-learned) > 1e-9 {
		t.Fatalf("learned %.4f, want %.4f: 10 admitted over 1s and the 1s pause", p.learned, learned)
	}
	p.slope = 0 // no growth, to follow the arithmetic

	// 100 admitted at that rate, then a 429: a long round, whose
	// estimate (below the rate, above 0.8 of it) is taken.
	clk.Advance(time.Second)
	from := clk.Now()
	last := p.round(clk, 100, 0, time.Second)
	estimate := learnMargin * 100 / (last.Sub(from) + time.Second).Seconds()
	if estimate <= decrease*learned || estimate >= learned {
		t.Fatalf("test arithmetic: estimate %.4f not between %.4f and %.4f", estimate, decrease*learned, learned)
	}
	if math.Abs(p.learned-estimate) > 1e-9 {
		t.Errorf("learned %.4f, want the round's estimate %.4f", p.learned, estimate)
	}

	// A long round with a lower estimate (a longer Retry-After): 20% down
	// at most.
	p.slope = 0
	clk.Advance(time.Second)
	before := p.learned
	p.round(clk, 100, 0, 10*time.Second)
	if want := decrease * before; math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("learned %.4f after a long round with a low estimate, want %.4f", p.learned, want)
	}

	// Short rounds, even with nothing admitted: a passing refusal, which
	// only pauses.
	for _, n := range []int{0, 1, 5} {
		p.slope = 0
		clk.Advance(time.Minute)
		before = p.learned
		p.round(clk, n, 0, time.Second)
		if p.learned != before {
			t.Errorf("learned %.4f after a 429 that ended a round of %d, want %.4f still", p.learned, n, before)
		}
	}

	// Refused although more was admitted than the rate sends: the quota
	// is shared, or the limit is no window. Halve.
	p.slope = 0
	clk.Advance(time.Second)
	before = p.learned
	p.mu.Lock()
	p.admitted = 100 // as if a burst had gone through
	p.mu.Unlock()
	p.send(clk, http.StatusTooManyRequests, time.Second)
	if want := before / 2; math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("learned %.4f, want half of %.4f", p.learned, before)
	}
}

func TestPacerGrowsTheLearnedRateWhileRequestsQueue(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.learned, p.slope = 10, growthPerSecond*10
	p.grownAt = clk.Now()
	// Ten requests queue at once, then two more every 100ms for 10s: the
	// queue never empties, so the rate grows by the slope a second.
	for range 10 {
		p.plan()
	}
	for range 100 {
		clk.Advance(100 * time.Millisecond)
		p.plan()
		p.plan()
	}
	if want := 10 * (1 + 10*growthPerSecond); math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("after 10s of queuing the rate is %.3f, want %.3f", p.learned, want)
	}
	// Idle time does not count: with nothing queued, it stays.
	clk.Advance(time.Minute)
	before := p.learned
	p.plan()
	if p.learned != before {
		t.Errorf("rate grew from %.3f to %.3f over an idle minute", before, p.learned)
	}
}

func TestPacerNeverExceedsTheCeiling(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 5)
	p.round(clk, 5, 0, time.Second)
	clk.Advance(time.Second)
	// Refused under the ceiling (5 in the burst, the sixth at 200ms, no
	// Retry-After): the estimate, 5 admitted over 1.2s, takes over...
	start := clk.Now()
	p.round(clk, 5, 0, 0)
	if want := learnMargin * 5 / 1.2; math.Abs(p.learned-want) > 1e-9 || !clk.Now().Equal(start.Add(200*time.Millisecond)) {
		t.Fatalf("learned %.3f at %s, want %.3f at 200ms", p.learned, clk.Now().Sub(start), want)
	}
	// ...and growth stops at the ceiling.
	p.slope = 100
	clk.Advance(2 * time.Second)
	for range 100 {
		clk.Advance(10 * time.Millisecond)
		p.plan()
	}
	if rate, _ := p.limit(); rate != 5 || p.learned > 5 {
		t.Errorf("rate in force %.3f (learned %.3f), want the ceiling 5", rate, p.learned)
	}
}

// The simulations below run the pacer with the client's retry loop against
// model rate limiters on the fake clock, as Terraform drives it: workers
// each sending one request after another, a 429 retried after its
// Retry-After. They hold an apply of 300 tokens under 100 requests per 10s
// to its budget: every request admitted, within 1.25x the floor the
// limit sets (300 at 10/s), with few 429s.

// limiter is a model of a server's rate limit.
type limiter interface {
	// admit decides a request arriving at t, or says when to retry.
	admit(t time.Time) (ok bool, retryAfter time.Duration)
}

// slidingWindow admits n requests in any window of length per, like the
// emulator (and Clerk), answering Retry-After in whole seconds.
type slidingWindow struct {
	n    int
	per  time.Duration
	hits []time.Time
}

func (l *slidingWindow) admit(t time.Time) (bool, time.Duration) {
	cut := sort.Search(len(l.hits), func(i int) bool { return t.Sub(l.hits[i]) < l.per })
	l.hits = l.hits[cut:]
	if len(l.hits) >= l.n {
		return false, ceilSeconds(l.hits[0].Add(l.per).Sub(t))
	}
	l.hits = append(l.hits, t)
	return true, 0
}

// steady is n request times spaced by gap, the last just before end.
func steady(end time.Time, n int, gap time.Duration) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = end.Add(-time.Duration(n-i) * gap)
	}
	return out
}

// fixedWindow admits n requests per window aligned on multiples of per.
type fixedWindow struct {
	n     int
	per   time.Duration
	epoch time.Time
	start time.Time
	used  int
}

func (l *fixedWindow) admit(t time.Time) (bool, time.Duration) {
	start := l.epoch.Add(t.Sub(l.epoch).Truncate(l.per))
	if !start.Equal(l.start) {
		l.start, l.used = start, 0
	}
	if l.used >= l.n {
		return false, ceilSeconds(start.Add(l.per).Sub(t))
	}
	l.used++
	return true, 0
}

// tokenBucketLimit refills rate tokens a second up to burst.
type tokenBucketLimit struct {
	rate, burst, tokens float64
	last                time.Time
}

func (l *tokenBucketLimit) admit(t time.Time) (bool, time.Duration) {
	if !l.last.IsZero() {
		l.tokens = math.Min(l.burst, l.tokens+t.Sub(l.last).Seconds()*l.rate)
	}
	l.last = t
	if l.tokens < 1 {
		return false, ceilSeconds(time.Duration((1 - l.tokens) / l.rate * float64(time.Second)))
	}
	l.tokens--
	return true, 0
}

// randomRefusals refuses a share p of requests at random, with
// Retry-After: 1, and admits the rest.
type randomRefusals struct {
	p   float64
	rng *rand.Rand
}

func (l *randomRefusals) admit(time.Time) (bool, time.Duration) {
	if l.rng.Float64() < l.p {
		return false, time.Second
	}
	return true, 0
}

func ceilSeconds(d time.Duration) time.Duration {
	return max(time.Second, (d+time.Second-1)/time.Second*time.Second)
}

type simEvent struct {
	at     time.Time
	seq    int // keeps events at the same time in the order they were made
	proc   int
	worker int
	// tries counts the 429s this request has had.
	tries  int
	kind   int // simReady, simSend or simAnswer
	sent   time.Time
	wake   chan struct{}
	status int
	retry  time.Duration
	// cancelled events were planned again when their pacer's plan
	// changed.
	cancelled bool
}

const (
	simReady = iota
	simSend
	simAnswer
)

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type simResult struct {
	elapsed   time.Duration
	throttled int
	admitted  int
	// learned is the pacer's rate at the end.
	learned float64
}

// sim is how simulate drives the pacer.
type sim struct {
	ceiling  float64
	requests int
	workers  int
	// rtt is a request's time from send to answer (the server decides
	// halfway).
	rtt time.Duration
	// think is what a worker needs between an answer and its next request.
	think time.Duration
	// write, if set, is spent after each admitted answer in a section one
	// worker at a time, before think: Terraform's local backend writes the
	// whole state after each resource it creates or destroys, under a lock.
	write time.Duration
	seed  func(*pacer)
	// win is the window limit the pacer knows (none: it learns).
	win window
	// jitter is the pacer's pause jitter.
	jitter time.Duration
}

// simulate sends requests through workers and one pacer to lim.
func simulate(lim limiter, ceiling float64, requests, workers int, rtt, think time.Duration) simResult {
	return sim{ceiling: ceiling, requests: requests, workers: workers, rtt: rtt, think: think}.run(lim)
}

func (s sim) run(lim limiter) simResult {
	return fleet{procs: []sim{s}}.run(lim).procs[0]
}

// fleet is several processes, each with its own pacer and workers, sharing
// one server's limit: pipelines applying against one Clerk instance.
type fleet struct {
	procs []sim
	// starts are when each process begins, after the first (none: all
	// at once), as terraform's start-up and refresh stagger them.
	starts []time.Duration
	// rng seeds the pacers' jitter (nil: a fixed seed).
	rng *rand.Rand
	// trace, if set, sees every answer.
	trace func(at time.Time, proc, status int, p *pacer)
}

type fleetResult struct {
	procs []simResult
	// elapsed is when the last process finished.
	elapsed             time.Duration
	throttled, admitted int
}

type simProc struct {
	s          sim
	parked     map[*simEvent]bool
	p          *pacer
	pending    int
	done       int
	writerFree time.Time
	start      time.Time
	res        simResult
}

// run sends every process's requests through its workers and pacer to lim.
func (f fleet) run(lim limiter) fleetResult {
	clk := newFakeClock()
	clk.parked = nil
	rng := f.rng
	if rng == nil {
		rng = rand.New(rand.NewPCG(7, 11)) //nolint:gosec // repeatable simulated jitter, not secrets
	}
	origin := clk.Now()
	var q simQueue
	seq := 0
	push := func(e *simEvent) {
		seq++
		e.seq = seq
		heap.Push(&q, e)
	}
	procs := make([]*simProc, len(f.procs))
	remaining := 0
	for i, s := range f.procs {
		p := newWindowPacer(clk, s.ceiling, s.win)
		p.rng = rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())) //nolint:gosec // as above
		p.jitter = s.jitter
		if s.seed != nil {
			s.seed(p)
		}
		start := origin
		if i > 0 && i-1 < len(f.starts) {
			start = origin.Add(f.starts[i-1])
		}
		sp := &simProc{s: s, parked: map[*simEvent]bool{}, p: p, pending: s.requests, writerFree: start, start: start}
		procs[i] = sp
		remaining += s.requests
		for w := range min(s.workers, s.requests) {
			sp.pending--
			push(&simEvent{at: start, proc: i, worker: w, kind: simReady})
		}
	}
	// ready plans a worker's request as wait does: right away, or parked
	// until its slot unless a pause wakes it first.
	ready := func(sp *simProc, e *simEvent, now time.Time) {
		sp.p.mu.Lock()
		kind := simSend
		at, gated := sp.p.gate(now)
		if gated {
			kind = simReady
		} else {
			at, _ = sp.p.reserve(now)
		}
		wake := sp.p.wake
		sp.p.mu.Unlock()
		se := &simEvent{at: at, proc: e.proc, worker: e.worker, kind: kind, wake: wake, tries: e.tries}
		sp.parked[se] = true
		push(se)
	}
	var res fleetResult
	for q.Len() > 0 && remaining > 0 && res.elapsed < time.Hour {
		e := heap.Pop(&q).(*simEvent)
		if e.cancelled {
			continue
		}
		clk.mu.Lock()
		clk.now = e.at
		clk.mu.Unlock()
		sp := procs[e.proc]
		delete(sp.parked, e)
		switch e.kind {
		case simReady:
			ready(sp, e, e.at)
		case simSend:
			ok, ra := lim.admit(e.at.Add(sp.s.rtt / 2))
			status := http.StatusOK
			if !ok {
				status = http.StatusTooManyRequests
			}
			push(&simEvent{at: e.at.Add(sp.s.rtt), proc: e.proc, worker: e.worker, kind: simAnswer, sent: e.at, status: status, retry: ra, tries: e.tries})
		case simAnswer:
			wake := sp.p.wake
			sp.p.observe(e.sent, e.status, e.retry)
			if sp.p.wake != wake {
				// The plan changed (a pause began, a budget grew):
				// the parked requests plan again, as wait does.
				for _, pe := range parkedInOrder(sp.parked) {
					pe.cancelled = true
					delete(sp.parked, pe)
					ready(sp, pe, e.at)
				}
			}
			if f.trace != nil {
				f.trace(e.at, e.proc, e.status, sp.p)
			}
			if e.status == http.StatusTooManyRequests {
				sp.res.throttled++
				res.throttled++
				// The retry loop sleeps the Retry-After, then waits
				// on the pacer again.
				push(&simEvent{at: e.at.Add(e.retry), proc: e.proc, worker: e.worker, kind: simReady, tries: e.tries + 1})
				continue
			}
			sp.res.admitted++
			res.admitted++
			sp.done++
			remaining--
			sp.res.elapsed = e.at.Sub(sp.start)
			if end := e.at.Sub(origin); end > res.elapsed {
				res.elapsed = end
			}
			if sp.pending > 0 {
				sp.pending--
				next := e.at
				if sp.s.write > 0 {
					next = maxTime(next, sp.writerFree).Add(sp.s.write)
					sp.writerFree = next
				}
				push(&simEvent{at: next.Add(sp.s.think), proc: e.proc, worker: e.worker, kind: simReady})
			}
		}
		if e.at.Sub(origin) > time.Hour {
			break
		}
	}
	for _, sp := range procs {
		sp.res.learned = sp.p.learned
		res.procs = append(res.procs, sp.res)
	}
	return res
}

// parkedInOrder is the parked requests in the order they were planned.
func parkedInOrder(m map[*simEvent]bool) []*simEvent {
	out := make([]*simEvent, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestPacerMeetsRateLimits(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 5, 12, 8, 59, 57, 0, time.UTC) // 3s into a fixed window
	cases := []struct {
		name    string
		lim     limiter
		ceiling float64
		floor   time.Duration
		max429  int
		write   time.Duration
	}{
		{"sliding window 100/10s", &slidingWindow{n: 100, per: 10 * time.Second}, 0, 30 * time.Second, 25, 0},
		// Terraform's destroy right after an apply: the apply walk's
		// requests of the last 10s (at 10/s) still fill the window.
		// (25 429s before the simulation planned the requests a pause
		// woke again at once, as wait does, rather than at their old
		// slots; 28 since.)
		{"sliding window 100/10s filled by an earlier process", &slidingWindow{n: 100, per: 10 * time.Second, hits: steady(epoch.Add(3*time.Second), 100, 100*time.Millisecond)}, 0, 30 * time.Second, 30, 0},
		{"fixed window 100/10s", &fixedWindow{n: 100, per: 10 * time.Second, epoch: epoch}, 0, 30 * time.Second, 25, 0},
		{"token bucket 10/s, burst 100", &tokenBucketLimit{rate: 10, burst: 100, tokens: 100}, 0, 30 * time.Second, 30, 0},
		{"sliding window 100/10s with requests_per_second 8", &slidingWindow{n: 100, per: 10 * time.Second}, 8, 300 * time.Second / 8, 0, 0},
		// Terraform writes the state after each resource, one at a
		// time, so that its requests go at the pace of those writes; an
		// earlier process's requests ended 8s before, leaving the first
		// burst room to fill the window by itself.
		{"sliding window 100/10s filled 8s before, 15ms state writes", &slidingWindow{n: 100, per: 10 * time.Second, hits: steady(epoch.Add(-5*time.Second), 100, 100*time.Millisecond)}, 0, 30 * time.Second, 25, 15 * time.Millisecond},
		// A destroy on the bench: the apply's last requests 9s before,
		// the refresh's few lists between, then the revokes.
		{"sliding window 100/10s with an apply's tail and a refresh's lists, 15ms state writes", &slidingWindow{n: 100, per: 10 * time.Second, hits: append(steady(epoch.Add(-6*time.Second), 15, 70*time.Millisecond),
			epoch.Add(-3600*time.Millisecond), epoch.Add(-3600*time.Millisecond), epoch.Add(-2600*time.Millisecond), epoch.Add(-1600*time.Millisecond))}, 0, 30 * time.Second, 25, 15 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := sim{ceiling: tc.ceiling, requests: 300, workers: 10, rtt: 4 * time.Millisecond, think: 2 * time.Millisecond, write: tc.write}.run(tc.lim)
			t.Logf("300 requests in %s (floor %s, %.2fx), %d answered 429", res.elapsed.Round(time.Millisecond), tc.floor, res.elapsed.Seconds()/tc.floor.Seconds(), res.throttled)
			if res.admitted != 300 {
				t.Fatalf("%d requests admitted, want 300", res.admitted)
			}
			if limit := tc.floor + tc.floor/4; res.elapsed > limit {
				t.Errorf("took %s, want at most 1.25x the floor: %s", res.elapsed, limit)
			}
			if res.throttled > tc.max429 {
				t.Errorf("%d answers were 429, want at most %d", res.throttled, tc.max429)
			}
		})
	}
}

func TestClientIsPaced(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, listOK))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestsPerSecond = 0.5 })
	if err := listTokens(t.Context(), c); err != nil {
		t.Fatalf("first list: %v", err)
	}
	// Stytch has its own pacer: Clerk's traffic must not hold it back.
	if _, err := c.MemberConnectedApps(t.Context(), "org", "mem"); err != nil {
		t.Fatalf("stytch call: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := listTokens(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second list within the pacing interval: err = %v, want the caller's deadline", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("server received %d requests, want 2", got)
	}
}

// A 429 to one call holds back the client's other calls to that service
// until its Retry-After, and only that service's.
func TestClientPausesTheServiceAfterA429(t *testing.T) {
	t.Parallel()
	srv := newServer(t,
		func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = fmt.Fprint(w, `{"errors":[{"code":"too_many_requests","message":"slow down"}]}`)
		},
		reply(http.StatusOK, listOK),
	)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries, cfg.MaxRetryAfter = NoRetries, time.Minute })
	if err := listTokens(t.Context(), c); err == nil {
		t.Fatal("first list: want the 429")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := listTokens(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a Clerk call during the pause: err = %v, want the caller's deadline", err)
	}
	if _, err := c.MemberConnectedApps(t.Context(), "org", "mem"); err != nil {
		t.Errorf("a Stytch call during Clerk's pause: %v", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Errorf("server received %d requests, want 2 (the 429 and the Stytch call)", got)
	}
}

// With no limit but one answer in ten a 429 (the emulator's fault
// injection), every refusal pauses all requests for its Retry-After, which
// is the time such a run costs; the rate itself must not wind down, as it
// would if each refusal lowered it.
func TestPacerDoesNotWindDownOnPassingRefusals(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // repeatable draws of simulated faults, not secrets
	res := simulate(&randomRefusals{p: 0.1, rng: rng}, 0, 1000, 10, 4*time.Millisecond, 2*time.Millisecond)
	t.Logf("1000 requests in %s, %d answered 429, rate at the end %.1f/s", res.elapsed.Round(time.Millisecond), res.throttled, res.learned)
	if res.admitted != 1000 {
		t.Fatalf("%d requests admitted, want 1000", res.admitted)
	}
	// A pause a refusal, and requests at 10/s or better between them.
	if limit := time.Duration(res.throttled)*time.Second + 100*time.Second; res.elapsed > limit {
		t.Errorf("took %s, want at most %s", res.elapsed, limit)
	}
	if res.learned < 9 {
		t.Errorf("the rate wound down to %.2f/s", res.learned)
	}
}
