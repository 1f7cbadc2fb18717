package client

import (
	"math"
	"net/http"
	"testing"
	"time"
)

// Halving after halving, the rate never falls below minRate: a run keeps
// moving, one request every 20 s at worst.
func TestPacerRateHasAFloor(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.round(clk, 1, 0, time.Second)
	clk.Advance(time.Second)
	p.round(clk, 10, 100*time.Millisecond, time.Second)
	for range 30 {
		p.slope = 0
		clk.Advance(time.Minute)
		p.mu.Lock()
		p.admitted = 1000 // more than the rate sends: each 429 halves it
		p.mu.Unlock()
		p.send(clk, http.StatusTooManyRequests, time.Second)
	}
	if p.learned != minRate {
		t.Fatalf("learned %.6f after 30 halvings, want the floor %.2f", p.learned, minRate)
	}
	clk.Advance(time.Minute)
	first := p.plan()
	if gap := p.plan().Sub(first); gap != time.Duration(float64(time.Second)/minRate) {
		t.Errorf("requests %s apart at the floor, want %s", gap, time.Duration(float64(time.Second)/minRate))
	}
}

// A first rate learned above requests_per_second (one request per short
// Retry-After) does not lift the ceiling.
func TestPacerCeilingHoldsOverAHigherLearnedRate(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0.5) // one request every 2s
	p.send(clk, http.StatusTooManyRequests, 100*time.Millisecond)
	clk.Advance(time.Second)
	last := p.plan()
	clk.Set(last)
	p.observe(last, http.StatusTooManyRequests, 100*time.Millisecond)
	if p.learned <= p.ceiling {
		t.Fatalf("test arithmetic: learned %.3f, want above the ceiling %.3f", p.learned, p.ceiling)
	}
	clk.Advance(time.Minute)
	first := p.plan()
	if gap := p.plan().Sub(first); gap != 2*time.Second {
		t.Errorf("requests %s apart, want the ceiling's 2s", gap)
	}
}

// A request that got no answer (a network error) tells nothing of the
// limit: it must not count as admitted in the rate a 429 teaches.
func TestPacerLearnsOnlyFromAnswers(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.round(clk, 1, 0, time.Second)
	clk.Advance(time.Second)
	from := clk.Now()
	for i := range 20 {
		status := http.StatusOK
		if i%2 == 1 {
			status = 0
		}
		p.send(clk, status, 0)
		clk.Advance(10 * time.Millisecond)
	}
	last := p.plan()
	clk.Set(last)
	p.observe(last, http.StatusTooManyRequests, time.Second)
	want := learnMargin * 10 / (last.Sub(from) + time.Second).Seconds()
	if math.Abs(p.learned-want) > 1e-9 {
		t.Errorf("learned %.4f, want %.4f: 10 answered of 20 sent", p.learned, want)
	}
}

// A pause voids the slots planned before it: the first request after it
// goes when it ends, not at the slot a long queue had reached.
func TestPacerPauseReplansTheQueue(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	p := newPacer(clk, 0)
	p.learned, p.slope = 1, 0
	for range 10 {
		p.plan() // a queue ten seconds long at one a second
	}
	now := clk.Now()
	p.observe(now, http.StatusTooManyRequests, 2*time.Second)
	p.slope = 0
	if at := p.plan(); !at.Equal(now.Add(2 * time.Second)) {
		t.Errorf("first request after the pause planned %s from now, want when it ends, 2s", at.Sub(now))
	}
}

// A slot that comes just as a pause begins is not taken: the request
// plans again and waits for the pause's end.
func TestPacerSlotMetByAPauseIsReplanned(t *testing.T) {
	t.Parallel()
	for range 20 {
		clk := newFakeClock()
		p := newPacer(clk, 1)
		first, err := p.wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		p.observe(first, http.StatusOK, 0)
		done := waitInBackground(t, p)
		clk.awaitParked(t)
		// The slot's timer fires and a pause begins at once, as a 429
		// arriving at that instant would start it, before the waiting
		// request can look: whichever it sees first, it must plan again.
		p.mu.Lock()
		clk.Advance(time.Second)
		until := clk.Now().Add(5 * time.Second)
		p.pausedUntil, p.tat = until, until
		close(p.wake)
		p.wake = make(chan struct{})
		p.mu.Unlock()
		select {
		case sent := <-done:
			t.Fatalf("request went at %s, during the pause that began at its slot", sent)
		case d := <-clk.parked:
			if d != 5*time.Second {
				t.Fatalf("request re-planned to wait %s, want the pause's 5s", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the waiting request neither went nor planned again")
		}
		clk.Set(until)
		if sent := <-done; !sent.Equal(until) {
			t.Fatalf("request went at %s, want when the pause ends", sent)
		}
	}
}
