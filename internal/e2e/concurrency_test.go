package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

const (
	concurrentTokens = 500
	// rateLimit is Clerk's limit on development instances.
	rateLimit = "100/10s"
)

// TestParallelismUnderRateLimit applies and destroys 500 tokens with
// -parallelism=50 against an emulator that admits 100 requests per 10 s
// and answers the rest 429 with Retry-After. Both must finish without an
// error, which takes at least 50 s each by the limit alone.
//
// Retries alone carry it, whatever pacing the client does: a 429 is retried
// after the server's Retry-After (capped at 60 s, far above the 10 s
// window). The defaults do not suffice, though: with 50 requests in
// flight, every request refused in one window retries at the same second
// the window frees up, and races the requests just starting; a few lose
// that race six times in a row and exhaust the default max_retries of 5
// (measured: 6 creates of 500 failed so). So the configuration raises
// max_retries to its maximum of 20, and call_timeout to 5m, since 20
// waits of up to 10 s exceed the default 2m.
func TestParallelismUnderRateLimit(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{RateLimit: rateLimit})
	machine := r.srv.Info().Fixture.ClerkMachineID
	r.write("main.tf", providerBlock(`max_retries = 20`, `call_timeout = "5m"`)+fmt.Sprintf(`
resource "machineauth_m2m_token" "t" {
  count = %d
}
`, concurrentTokens))
	// Each of apply and destroy needs about a minute by the limit.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	r.mustTF(ctx, "apply", "-auto-approve", "-parallelism=50")
	applied := r.srv.Stats()
	r.expectStateMatchesLive(machine, concurrentTokens)
	if n := applied.Calls("POST", "/clerk/v1/m2m_tokens") - applied.Count("POST", "/clerk/v1/m2m_tokens", 429); n != concurrentTokens {
		t.Errorf("%d creates were admitted, want exactly %d: one per token", n, concurrentTokens)
	}
	t.Logf("apply: %d requests, %d answered 429 by the rate limit, %s since start", applied.TotalRequests, applied.Faults["rate_limited"], time.Since(start).Round(time.Millisecond))

	mid := time.Now()
	r.mustTF(ctx, "destroy", "-auto-approve", "-parallelism=50")
	st := r.srv.Stats()
	if st.M2MTokens.Live != 0 {
		t.Errorf("%d live tokens after destroy, want 0", st.M2MTokens.Live)
	}
	t.Logf("destroy: %d requests, %d answered 429, %s; whole run %s",
		st.TotalRequests-applied.TotalRequests, st.Faults["rate_limited"]-applied.Faults["rate_limited"], time.Since(mid).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
