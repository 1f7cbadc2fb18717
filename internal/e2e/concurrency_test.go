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
// error, which takes at least 50 s each by the limit alone, with the
// provider's defaults: a 429 is retried until call_timeout (2m), and with
// 50 requests in flight a few of them used to lose the race for a freed
// slot six times in a row and exhaust max_retries, which now bounds only
// server errors and network failures.
func TestParallelismUnderRateLimit(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := newRun(t, emulator.Options{RateLimit: rateLimit})
	machine := r.srv.Info().Fixture.ClerkMachineID
	r.write("main.tf", providerBlock()+fmt.Sprintf(`
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
