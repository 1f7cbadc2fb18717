package client

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// fleetOf is n processes of requests each, sharing one limit: a platform
// team's pipelines applying at once against one Clerk instance, each with
// Terraform's ten workers and the client's pause jitter. Their starts are
// spread over two seconds, as terraform's start-up staggers them.
func fleetOf(n, requests int, win window) fleet {
	f := fleet{}
	for i := range n {
		f.procs = append(f.procs, sim{requests: requests, workers: 10, rtt: 4 * time.Millisecond, think: 2 * time.Millisecond, write: 15 * time.Millisecond, win: win, jitter: pauseJitter})
		if i > 0 {
			f.starts = append(f.starts, 2*time.Second*time.Duration(i)/time.Duration(n))
		}
	}
	return f
}

// Pipelines sharing a window they know (Clerk's, from the secret key) use
// it about as well as one client that knew every request would, with few
// 429s: each pauses until the window has room, then sends one request at
// a time, so that when it fills, each is refused once, not once for every
// request it had on the way. The floor is every request at the window's
// average rate, 10 a second.
func TestPacerFleetSharesAKnownWindow(t *testing.T) {
	t.Parallel()
	win := window{n: 100, per: 10 * time.Second}
	for _, lim := range []struct {
		name string
		new  func() limiter
	}{
		{"sliding", func() limiter { return &slidingWindow{n: 100, per: 10 * time.Second} }},
		{"fixed", func() limiter {
			return &fixedWindow{n: 100, per: 10 * time.Second, epoch: time.Date(2026, 5, 12, 8, 59, 57, 0, time.UTC)}
		}},
	} {
		for _, n := range []int{4, 10, 20} {
			t.Run(lim.name+"/"+itoa(n), func(t *testing.T) {
				t.Parallel()
				res := fleetOf(n, 40, win).run(lim.new())
				floor := time.Duration(n*40) * 100 * time.Millisecond
				t.Logf("%d processes, %d requests in %s (%.2fx the floor), %d answered 429", n, res.admitted, res.elapsed.Round(time.Millisecond), ratioOf(res.elapsed, floor), res.throttled)
				if res.admitted != n*40 {
					t.Fatalf("%d requests admitted, want %d", res.admitted, n*40)
				}
				if limit := floor * 13 / 10; res.elapsed > limit {
					t.Errorf("took %s, want at most 1.3x the floor: %s", res.elapsed, limit)
				}
				if res.throttled > n*40/3 {
					t.Errorf("%d answers were 429, want at most a third of the %d requests", res.throttled, n*40)
				}
			})
		}
	}
}

// Without a known window (Stytch; Clerk without the secret key), each
// process learns a rate. A fleet under Stytch's kind of limit, fixed
// windows, gets through with fewer 429s than half its requests; slower
// than a fleet that knows its window, as each process learns its rate
// from what the others left it (BENCHMARKS.md has the numbers).
func TestPacerFleetLearnsASharedLimit(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 10} {
		t.Run(itoa(n), func(t *testing.T) {
			t.Parallel()
			lim := &fixedWindow{n: 20, per: time.Second, epoch: time.Date(2026, 5, 12, 8, 59, 57, 300_000_000, time.UTC)}
			res := fleetOf(n, 20, window{}).run(lim)
			floor := time.Duration(n*20) * 50 * time.Millisecond
			t.Logf("%d processes, %d requests in %s (%.2fx the floor), %d answered 429", n, res.admitted, res.elapsed.Round(time.Millisecond), ratioOf(res.elapsed, floor), res.throttled)
			if res.admitted != n*20 {
				t.Fatalf("%d requests admitted, want %d", res.admitted, n*20)
			}
			if res.throttled > n*20/2 {
				t.Errorf("%d answers were 429, want fewer than half the %d requests", res.throttled, n*20)
			}
			if limit := 5 * floor; res.elapsed > limit {
				t.Errorf("took %s, want at most %s", res.elapsed, limit)
			}
		})
	}
}

// Until its first answer, a process sends one request: one that starts
// while others fill the window is refused once, not for every request
// Terraform had ready.
func TestPacerHoldsTheRestUntilTheFirstAnswer(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	first, err := p.wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	done := waitInBackground(t, p)
	if d := clk.awaitParked(t); d != firstAnswerWait {
		t.Errorf("second request waits %s, want the first answer or %s", d, firstAnswerWait)
	}
	clk.Advance(5 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("second request went before the first was answered")
	default:
	}
	p.observe(first, http.StatusOK, 0)
	if sent := <-done; !sent.Equal(clk.Now()) {
		t.Errorf("second request went at +%s, want as the first answer came", sent.Sub(first))
	}
	// A first request that never gets an answer holds nobody long.
	clk2 := newFakeClock()
	q := newPacer(clk2, 0)
	if _, err := q.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done = waitInBackground(t, q)
	clk2.awaitParked(t)
	clk2.Advance(firstAnswerWait)
	if sent := <-done; sent.Sub(clk2.Now()) != 0 {
		t.Errorf("second request went at %s, want once the gate's bound passed", sent)
	}
	_ = ctx
}

// The processes one 429 paused together come back at different times.
func TestPacerJittersItsPauses(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	seen := map[time.Time]bool{}
	for range 20 {
		p := newPacer(clk, 0)
		p.jitter = pauseJitter
		now := clk.Now()
		p.observe(now, http.StatusTooManyRequests, 2*time.Second)
		if d := p.pausedUntil.Sub(now); d < 2*time.Second || d >= 2*time.Second+pauseJitter {
			t.Fatalf("paused %s, want the Retry-After and less than %s more", d, pauseJitter)
		}
		seen[p.pausedUntil] = true
	}
	if len(seen) < 15 {
		t.Errorf("20 pacers paused by one Retry-After come back at %d times, want nearly 20", len(seen))
	}
}

// Once its window is enforced, a pacer sends one request at a time: at
// most one per the answers' latency, or per the window's average rate
// where answers are slower.
func TestPacerSpacesRequestsOnceTheWindowIsEnforced(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newWindowPacer(clk, 0, window{n: 100, per: 10 * time.Second})
	for range 10 {
		at := p.plan()
		clk.Set(at.Add(4 * time.Millisecond))
		p.observe(at, http.StatusOK, 0)
	}
	if a, b := p.plan(), p.plan(); !a.Equal(b) {
		t.Fatalf("before any 429, requests planned %s apart, want at once", b.Sub(a))
	}
	refused := p.plan()
	clk.Set(refused.Add(4 * time.Millisecond))
	p.observe(refused, http.StatusTooManyRequests, time.Second)
	clk.Advance(11 * time.Second)
	a := p.plan()
	if gap := p.plan().Sub(a); gap != 4*time.Millisecond {
		t.Errorf("after the 429, requests planned %s apart, want the 4ms latency", gap)
	}
	// Slower answers: the window's average rate bounds the spacing.
	p.latency = time.Second
	a = p.plan()
	if gap := p.plan().Sub(a); gap != 100*time.Millisecond {
		t.Errorf("with 1s answers, requests planned %s apart, want the window's 100ms", gap)
	}
}

func ratioOf(a, b time.Duration) float64 { return a.Seconds() / b.Seconds() }

func itoa(n int) string { return time.Duration(n).String()[:len(time.Duration(n).String())-2] }
