package client

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// A pacer spaces out the requests to one service. Clerk and Stytch allow so
// many requests per window and answer 429 with Retry-After beyond it, and
// Terraform makes 10 calls at once: without pacing a large apply would hit
// the limit, retry, and hit it again. On a 429 the pacer holds back every
// request to that service until the Retry-After has passed (the others would
// only be refused too), then sends at the rate the server was seen to admit,
// growing it slowly while requests queue so that a quota freed up is used
// again; requests_per_second is a ceiling throughout. Where the service
// documents its window (Clerk, see pacer_window.go), the pacer keeps to it
// after the first 429 instead of learning. The state lives in the
// client, one per provider configuration and so per Terraform graph walk: a
// walk that meets the limit pays the few 429s it takes to learn it.
//
// Other processes may share the limit (a fleet of pipelines against one
// Clerk instance), and each pacer sees only its own requests. Three rules
// keep a fleet's 429s few: a process sends one request until it has an
// answer (see gate), so one that starts into a full window is refused
// once; pauses are lengthened at random (pauseJitter), so processes one
// Retry-After paused do not come back together; and a learned rate grows
// faster the longer no 429 comes, so a process that learned its share
// while others competed takes the limit back once they are done.
type pacer struct {
	clk clock
	// ceiling is requests_per_second (0: none).
	ceiling float64

	mu sync.Mutex
	// rng draws the jitter of pauses; tests seed it.
	rng *rand.Rand
	// jitter is the most a pause is lengthened by at random (the client
	// sets pauseJitter; tests of exact pauses leave it out).
	jitter time.Duration
	// learned is the rate learned from 429s (0: none yet, send freely).
	learned float64
	// slope is the additive increase of learned per second of queuing;
	// plannedAt is the rate the queue's slots were planned at.
	slope, plannedAt float64
	// tat is the theoretical arrival time of the next request (GCRA): a
	// request may go at tat less the burst tolerance.
	tat time.Time
	// pausedUntil holds every request back after a 429.
	pausedUntil time.Time
	// wake is closed, and replaced, when a pause begins or is extended:
	// requests waiting for a slot planned before it plan again.
	wake chan struct{}
	// epochStart is when sending (re)started: the first request, then the
	// end of each pause that slowed the rate. admitted counts the answers
	// other than 429 to requests sent since.
	epochStart time.Time
	admitted   int
	// last is the round that ended in the last slow-down.
	last round
	// slowedAt is when the rate was last lowered (or the first pause
	// began); 429s to requests sent before it are echoes.
	slowedAt time.Time
	// probed is set by the first 429, which only pauses.
	probed bool
	// grownAt is when learned last grew (or when queuing last began).
	grownAt time.Time
	// throttled counts every 429 seen, for logs and tests.
	throttled int
	// firstSent is when the first request went; admittedAll counts the
	// answers other than 429 since.
	firstSent   time.Time
	admittedAll int

	// win is the service's documented window limit (n zero: none known),
	// kept to once the service has answered 429 (windowed), and hits the
	// requests this pacer let through or planned within it, oldest first,
	// with stand-ins for other clients' (see pacer_window.go).
	win      window
	windowed bool
	hits     []time.Time
	// answeredAny is set by the first answer (see gate).
	answeredAny bool
	// latency is the time requests take to be answered, averaged;
	// lastPlanned is the slot given out last.
	latency     time.Duration
	lastPlanned time.Time
}

const (
	// learnMargin keeps the learned rate just under the estimate, so the
	// jitter of concurrent requests on the wire does not tip a window over.
	learnMargin = 0.95
	// growthPerSecond is the additive increase, as a share of the rate
	// learned at the last slow-down, per second that requests queue.
	growthPerSecond = 0.05
	// decrease is the most a 429 lowers a learned rate by (unless the
	// round's estimate is lower still and revisable, see slowDown).
	decrease = 0.8
	// shortRound is how many Retry-Afters' worth of requests at the rate
	// a round must have had admitted for its 429 to lower a learned rate.
	shortRound = 2.0
	// minRate keeps a run moving whatever it learned: one request every
	// 20 s is below any limit these services set.
	minRate = 0.05
	// minRound is the fewest admitted requests whose round says what
	// rate to start from (see slowDown).
	minRound = 5
	// defaultPause is the pause after a 429 without a usable Retry-After:
	// the header's own resolution.
	defaultPause = time.Second
	// pauseJitter is the most a pause is lengthened by at random, so
	// that the processes a 429 paused together (a fleet's pipelines, all
	// told the same Retry-After) do not come back together.
	pauseJitter = 250 * time.Millisecond
	// firstAnswerWait bounds how long a process's first request holds
	// the others back (see gate): its answer takes milliseconds.
	firstAnswerWait = 2 * time.Second
	// replanGrowth is how much the learned rate grows before the requests
	// waiting for slots planned at the old one plan again.
	replanGrowth = 1.25
	// quietSpan is how long without a slow-down doubles the learned
	// rate's growth.
	quietSpan = 10 * time.Second
)

// round is a stretch of sending that a 429 ended, kept while answers to
// its requests may still arrive.
type round struct {
	// revisable is set when the rate was learned from this round.
	revisable   bool
	from, until time.Time
	admitted    int
	// span is the round's length plus the Retry-After that ended it.
	span time.Duration
	// ceiling is the rate the round was sent at (0: none), which the
	// estimate may not reach.
	ceiling float64
}

func newPacer(clk clock, ceiling float64) *pacer {
	return &pacer{clk: clk, ceiling: ceiling, wake: make(chan struct{}), rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))} //nolint:gosec // jitter, not a secret
}

// newWindowPacer is a pacer for a service that documents its window limit.
func newWindowPacer(clk clock, ceiling float64, win window) *pacer {
	p := newPacer(clk, ceiling)
	p.win = win
	return p
}

// limit is the rate and burst in force: the learned rate with no burst, or
// the ceiling with a burst of one second's worth where it is lower. A zero
// rate means no limit.
func (p *pacer) limit() (rate, burst float64) {
	if p.ceiling > 0 && (p.learned == 0 || p.ceiling <= p.learned) {
		return p.ceiling, math.Max(1, math.Floor(p.ceiling))
	}
	return p.learned, 1
}

// wait blocks until a request may be sent and returns the time it was let
// through, which the request's answer reports back through observe.
func (p *pacer) wait(ctx context.Context) (time.Time, error) {
	for {
		p.mu.Lock()
		now := p.clk.Now()
		if until, gated := p.gate(now); gated {
			wake := p.wake
			p.mu.Unlock()
			fired, stop := p.clk.NewTimer(until.Sub(now))
			select {
			case <-fired:
			case <-wake:
				stop()
			case <-ctx.Done():
				stop()
				return time.Time{}, ctx.Err()
			}
			continue
		}
		at, interval := p.reserve(now)
		wake := p.wake
		p.mu.Unlock()
		if !at.After(now) {
			return now, nil
		}
		fired, stop := p.clk.NewTimer(at.Sub(now))
		select {
		case <-fired:
			p.mu.Lock()
			replanned := wake != p.wake
			p.mu.Unlock()
			if !replanned {
				return at, nil
			}
			// A pause began as the slot came: plan again.
		case <-wake:
			// A pause began: this slot was planned before it. Plan again.
			stop()
		case <-ctx.Done():
			stop()
			p.release(wake, interval, at)
			return time.Time{}, ctx.Err()
		}
	}
}

// gate holds every request but the first until the first is answered,
// or for firstAnswerWait at most, and says until when: a process that
// starts while others fill the window learns it from one 429, not from as
// many as Terraform sends at once. Callers hold p.mu.
func (p *pacer) gate(now time.Time) (time.Time, bool) {
	if p.answeredAny || p.firstSent.IsZero() {
		return time.Time{}, false
	}
	until := p.firstSent.Add(firstAnswerWait)
	if !now.Before(until) {
		p.answeredAny = true
		return time.Time{}, false
	}
	return until, true
}

// reserve plans the next request: the earliest time it may go, at or after
// now, and the interval it takes from the rate. Callers hold p.mu.
func (p *pacer) reserve(now time.Time) (at time.Time, interval time.Duration) {
	start := now
	if start.Before(p.pausedUntil) {
		start = p.pausedUntil
	}
	if p.epochStart.IsZero() {
		p.epochStart, p.firstSent = start, start
	}
	if p.win.n > 0 {
		if p.windowed {
			start = p.windowSlot(now, start)
		} else {
			p.expireHits(now)
		}
		// Recorded where it will go: at start, or at the ceiling's slot.
		defer func() { p.hits = append(p.hits, at) }()
	}
	defer func() { p.lastPlanned = at }()
	if rate, _ := p.limit(); rate == 0 {
		return start, 0
	}
	p.grow(now, start)
	rate, burst := p.limit()
	interval = time.Duration(float64(time.Second) / rate)
	tolerance := time.Duration(burst-1) * interval
	at = start
	if t := p.tat.Add(-tolerance); t.After(at) {
		at = t
	}
	if p.tat.Before(at) {
		p.tat = at
	}
	p.tat = p.tat.Add(interval)
	return at, interval
}

// grow raises the learned rate while requests queue behind it: the request
// planned now cannot go before start, or before the slots already given out.
func (p *pacer) grow(now, start time.Time) {
	if p.learned == 0 {
		return
	}
	queuing := p.tat.After(now) || start.After(now)
	if queuing && now.After(p.grownAt) && !now.Before(p.pausedUntil) {
		// Twice as fast for every quietSpan without a slow-down: a rate
		// learned while others competed comes back once they are done.
		quiet := 0.0
		if !p.slowedAt.IsZero() {
			quiet = now.Sub(p.slowedAt).Seconds() / quietSpan.Seconds()
		}
		p.learned += p.slope * math.Exp2(quiet) * now.Sub(p.grownAt).Seconds()
		if p.ceiling > 0 {
			p.learned = math.Min(p.learned, p.ceiling)
		}
		if p.learned >= replanGrowth*p.plannedAt && p.tat.After(now) {
			// The queue was planned at a rate this one has outgrown:
			// plan it again from now.
			p.tat, p.plannedAt = now, p.learned
			p.replan()
		}
	}
	p.grownAt = now
}

// release gives back the slot of a request that stopped waiting, unless a
// pause has re-planned every slot since.
func (p *pacer) release(wake chan struct{}, interval time.Duration, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if wake != p.wake {
		return
	}
	if interval > 0 {
		p.tat = p.tat.Add(-interval)
	}
	if p.win.n > 0 {
		p.forgetHit(at)
	}
}

// spaced is start, or later: at least gap after the slot given out last.
// Callers hold p.mu.
func (p *pacer) spaced(start time.Time, gap time.Duration) time.Time {
	if next := p.lastPlanned.Add(gap); !p.lastPlanned.IsZero() && next.After(start) {
		return next
	}
	return start
}

// replan wakes the requests waiting for a slot: they plan again. Callers
// hold p.mu.
func (p *pacer) replan() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// observe takes the answer to a request let through at sent: its status
// (0 for none, as after a network error) and, for a 429, the Retry-After.
func (p *pacer) observe(sent time.Time, status int, retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.answeredAny {
		// The first answer opens the gate.
		p.answeredAny = true
		p.replan()
	}
	if status == 0 {
		return
	}
	p.noteLatency(p.clk.Now().Sub(sent))
	if status != 429 {
		p.admit(sent)
		return
	}
	p.throttled++
	now := p.clk.Now()
	if retryAfter <= 0 {
		retryAfter = defaultPause
	}
	pause := retryAfter
	if p.jitter > 0 {
		pause += time.Duration(p.rng.Int64N(int64(p.jitter)))
	}
	if until := now.Add(pause); until.After(p.pausedUntil) {
		p.pausedUntil = until
		// Every slot planned so far is void: the first request after the
		// pause goes at its end, the rest at the new rate from there.
		p.tat = until
		p.replan()
		if p.win.n > 0 {
			p.dropPlanned(now)
		}
	}
	if p.win.n > 0 {
		// The service enforces its documented window: keep to it from
		// now on. It is not learned from: the 429 says how much of it
		// others hold.
		p.windowed = true
		p.forgetHit(sent)
		p.fill(now, retryAfter)
		return
	}
	if sent.Before(p.slowedAt) || sent.Before(p.epochStart) {
		// An echo of the same congestion: it was on its way before the
		// rate came down, so it may extend the pause but teaches nothing.
		if p.admitted == 0 {
			p.epochStart = p.pausedUntil
		}
		return
	}
	p.slowDown(now, retryAfter)
}

// admit counts an answer other than 429. One to a request of the round
// that ended in the last slow-down, arriving after the 429 that ended it,
// still counts for that round: it raises the estimate taken from it.
func (p *pacer) admit(sent time.Time) {
	p.admittedAll++
	switch {
	case !sent.Before(p.epochStart):
		p.admitted++
	case p.last.revisable && !sent.Before(p.last.from) && !sent.After(p.last.until):
		p.last.admitted++
		rate := learnMargin * float64(p.last.admitted) / p.last.span.Seconds()
		if p.last.ceiling > 0 {
			rate = math.Min(rate, p.last.ceiling)
		}
		if rate > p.learned {
			p.setLearned(rate)
		}
	}
}

// slowDown lowers the rate after a 429 that the current rate caused.
func (p *pacer) slowDown(now time.Time, retryAfter time.Duration) {
	from, admitted := p.epochStart, p.admitted
	current, _ := p.limit()
	p.slowedAt = now
	p.grownAt, p.epochStart, p.admitted = p.pausedUntil, p.pausedUntil, 0
	p.last = round{}
	if !p.probed {
		// The first 429 says the quota is spent, not how fast it comes
		// back: the requests of an earlier process (Terraform's plan walk
		// before its apply walk, an apply before a destroy) may fill the
		// window, so that only a few of this one's were admitted. Pause
		// only; the next 429 ends a round of this process's own.
		p.probed = true
		return
	}
	span := now.Sub(from) + retryAfter
	estimate := learnMargin * float64(admitted) / span.Seconds()
	revisable := round{revisable: true, from: from, until: now, admitted: admitted, span: span, ceiling: current}
	switch {
	case p.learned == 0:
		// The first rate: the estimate, at least one request per
		// Retry-After until the answers still on their way raise it (see
		// admit).
		rate := math.Max(estimate, 1/retryAfter.Seconds())
		// The round since the pause may be the few requests that took
		// what freed up during it, while this process's own first burst
		// fills the window: when it is too short to measure anything, or
		// its 429 says nothing frees up for a while, the rate is what the
		// whole process was admitted at since its first request. Learned
		// too high, a rate costs a few 429s while it comes down; too
		// low, it holds the rest of the run back.
		if admitted < minRound || retryAfter > defaultPause {
			rate = math.Max(rate, learnMargin*float64(p.admittedAll)/(now.Sub(p.firstSent)+retryAfter).Seconds())
		}
		p.setLearned(rate)
		p.last = revisable
	case float64(admitted) < shortRound*current*retryAfter.Seconds():
		// Refused within a few Retry-Afters' worth of requests at a rate
		// that was admitted before: not the rate meeting the limit, which
		// growth reaches slowly after a long round, but a passing refusal
		// (a fault, another client's burst). Lowering the rate for each
		// would wind it down to nothing; the pause is enough.
	case estimate >= current:
		// Throttled below what the server admitted before: the quota is
		// shared, or the limit is not a window. Back off harder.
		p.setLearned(current / 2)
	case estimate > decrease*current:
		p.setLearned(estimate)
		p.last = revisable
	default:
		// Once a rate is learned, a 429 usually means growth went a
		// little past the limit: a short round and its pause make the
		// estimate look worse than the rate that was admitted for long.
		p.setLearned(decrease * current)
	}
}

func (p *pacer) setLearned(rate float64) {
	p.learned = math.Max(rate, minRate)
	p.plannedAt = p.learned
	p.slope = growthPerSecond * p.learned
}

// clock is the pacer's time: the real clock, or a fake one in tests so that
// time-based behaviour is tested without sleeping.
type clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// function that stops the timer.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}
