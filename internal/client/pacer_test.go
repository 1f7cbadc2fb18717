package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestTokenBucketPacesAfterItsBurst(t *testing.T) {
	t.Parallel()
	b := newTokenBucket(100) // burst of 100, then one every 10ms
	start := time.Now()
	for range 105 {
		if err := b.wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 40*time.Millisecond || elapsed > time.Second {
		t.Errorf("105 requests at 100/s with a burst of 100 took %s, want about 50ms", elapsed)
	}
}

func TestTokenBucketGivesUpWithItsContext(t *testing.T) {
	t.Parallel()
	b := newTokenBucket(0.5) // one request every 2s
	if err := b.wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if err := b.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("cancelled wait took %s", elapsed)
	}
}

func TestClientIsPaced(t *testing.T) {
	t.Parallel()
	srv := newServer(t, reply(http.StatusOK, listOK))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.RequestsPerSecond = 0.5 })
	if err := listTokens(t.Context(), c); err != nil {
		t.Fatalf("first list: %v", err)
	}
	// Stytch has its own bucket: Clerk's traffic must not hold it back.
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
