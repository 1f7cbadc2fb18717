package client

import (
	"context"
	"math"
	"sync"
	"time"
)

// pacer spaces out the requests to one service across all concurrent calls.
// c.do asks it before every attempt, retries included. The token bucket is
// the static form; an adaptive pacer that slows down after a 429 would
// implement this too and be told about 429s where c.do handles them.
type pacer interface {
	wait(ctx context.Context) error
}

// tokenBucket allows rate requests per second with a burst of one second's
// worth, so a plan's parallel reads start at once but sustain only rate.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64) *tokenBucket {
	burst := math.Max(1, math.Floor(rate))
	return &tokenBucket{rate: rate, burst: burst, tokens: burst, last: time.Now()}
}

func (b *tokenBucket) wait(ctx context.Context) error {
	b.mu.Lock()
	now := time.Now()
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	// Taking the token now, even into debt, queues callers in arrival
	// order: each later one waits for its own slot.
	b.tokens--
	delay := time.Duration(-b.tokens / b.rate * float64(time.Second))
	b.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// Give the slot back so an abandoned call does not slow the rest.
		b.mu.Lock()
		b.tokens++
		b.mu.Unlock()
		return ctx.Err()
	}
}
