package client

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestClerkWindowFromTheSecretKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]window{
		"sk_test_abc": {n: 100, per: 10 * time.Second},
		"sk_live_abc": {n: 1000, per: 10 * time.Second},
		// A machine key does not say which kind of instance it is of.
		"":         {},
		"ak_abc":   {},
		"sk_other": {},
	} {
		if got := clerkWindow(key); got != want {
			t.Errorf("clerkWindow(%q) = %+v, want %+v", key, got, want)
		}
	}
}

// A known window holds nobody back until the server answers 429: a server
// that does not limit (the emulator by default) is not held to it.
func TestPacerSendsFreelyUntilTheWindowIsEnforced(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	start := clk.Now()
	p := newWindowPacer(clk, 0, window{n: 100, per: 10 * time.Second})
	for i := range 1000 {
		if at := p.plan(); !at.Equal(start) {
			t.Fatalf("request %d planned at +%s, want at once: no 429 yet", i+1, at.Sub(start))
		}
		p.observe(start, http.StatusOK, 0)
	}
}

// Once enforced, the window holds each request until the one a quota
// before it has left the window.
func TestPacerKeepsToAKnownWindow(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	start := clk.Now()
	p := newWindowPacer(clk, 0, window{n: 100, per: 10 * time.Second})
	for range 100 {
		p.send(clk, http.StatusOK, 0)
	}
	// The 101st, at once, meets the full window.
	p.observe(p.plan(), http.StatusTooManyRequests, 10*time.Second)
	slot := start.Add(10*time.Second + windowMargin)
	if at := p.plan(); !at.Equal(slot) {
		t.Errorf("request after the 429 planned at +%s, want +%s: when the first leaves the window", at.Sub(start), slot.Sub(start))
	}
	for i := range 99 {
		if at := p.plan(); !at.Equal(slot) {
			t.Fatalf("request %d after the 429 planned at +%s, want +%s: the first 100 leave together", i+2, at.Sub(start), slot.Sub(start))
		}
	}
	if at := p.plan(); !at.After(slot) {
		t.Errorf("request 101 after the 429 planned at +%s, want after +%s: the window is full again", at.Sub(start), slot.Sub(start))
	}
	// A request that stops waiting gives its slot back.
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.wait(ctx)
		done <- err
	}()
	clk.awaitParked(t)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("wait: want the context's error")
	}
	p.mu.Lock()
	n := len(p.hits)
	p.mu.Unlock()
	if n != 201 {
		t.Errorf("%d requests recorded in the window after a waiter gave up, want 201 (100 sent, 101 planned)", n)
	}
}

// A 429 says the server's window is full: what this pacer did not send
// (an earlier process's requests) fills it, so that the next requests go
// as it frees up, not all at the pause's end.
func TestPacerFillsTheWindowOthersHold(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	start := clk.Now()
	p := newWindowPacer(clk, 0, window{n: 100, per: 10 * time.Second})
	for range 20 {
		p.send(clk, http.StatusOK, 0)
	}
	// The 21st is refused: 80 requests of others' are in the window,
	// the oldest leaving within 4 s.
	at := p.plan()
	p.observe(at, http.StatusTooManyRequests, 4*time.Second)
	first := p.plan()
	if first.Before(start.Add(4 * time.Second)) {
		t.Errorf("first request after the 429 planned at +%s, want after the Retry-After", first.Sub(start))
	}
	by := start.Add(7 * time.Second)
	n := 1
	for p.plan().Before(by) {
		n++
	}
	// Others' 80 leave over the 7 s from +3 s to +10 s (Retry-After is
	// rounded up), about 45 of them by +7 s; ignoring them, all 80 would
	// go at +4 s and meet a full window.
	if n < 40 || n > 50 {
		t.Errorf("%d requests planned before +7s, want about 45: the others' leaving one by one", n)
	}
}

// Against the limits the simulation knows, a pacer that knows the window
// meets it with one 429 where the window starts empty, and with only the
// requests already in flight refused where an earlier process filled it.
func TestPacerWithAKnownWindowMeetsIt(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 5, 12, 8, 59, 57, 0, time.UTC) // 3s into a fixed window
	win := window{n: 100, per: 10 * time.Second}
	cases := []struct {
		name    string
		lim     limiter
		elapsed time.Duration // at most
		max429  int
	}{
		// Three windows' worth: the first 429 says the window is
		// enforced, then two waits for it, as a client that knew it
		// would; a learning pacer takes about 28 s.
		{"sliding window 100/10s", &slidingWindow{n: 100, per: 10 * time.Second}, 22 * time.Second, 1},
		{"fixed window 100/10s", &fixedWindow{n: 100, per: 10 * time.Second, epoch: epoch}, 22 * time.Second, 1},
		// Full at the start: the ten requests of the first wave are
		// refused before any answer can say so; then none.
		{"sliding window 100/10s filled by an earlier process", &slidingWindow{n: 100, per: 10 * time.Second, hits: steady(epoch.Add(3*time.Second), 100, 100*time.Millisecond)}, 31 * time.Second, 10},
		// A destroy after an apply: its tail and a refresh's lists.
		{"sliding window 100/10s with an apply's tail and a refresh's lists", &slidingWindow{n: 100, per: 10 * time.Second, hits: append(steady(epoch.Add(-6*time.Second), 15, 70*time.Millisecond),
			epoch.Add(-3600*time.Millisecond), epoch.Add(-3600*time.Millisecond), epoch.Add(-2600*time.Millisecond), epoch.Add(-1600*time.Millisecond))}, 31 * time.Second, 3},
		// The server's limit below the documented one: slower, but no
		// storm of 429s.
		{"sliding window 50/10s, below the documented limit", &slidingWindow{n: 50, per: 10 * time.Second}, 60 * time.Second, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := sim{requests: 300, workers: 10, rtt: 4 * time.Millisecond, think: 2 * time.Millisecond, write: 15 * time.Millisecond, win: win}.run(tc.lim)
			t.Logf("300 requests in %s, %d answered 429", res.elapsed.Round(time.Millisecond), res.throttled)
			if res.admitted != 300 {
				t.Fatalf("%d requests admitted, want 300", res.admitted)
			}
			if res.elapsed > tc.elapsed {
				t.Errorf("took %s, want at most %s", res.elapsed, tc.elapsed)
			}
			if res.throttled > tc.max429 {
				t.Errorf("%d answers were 429, want at most %d", res.throttled, tc.max429)
			}
		})
	}
}
