package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// fleet is several pipelines, each a terraform working directory with its
// own state, against one emulator: a platform team's workspaces sharing
// one Clerk instance's or Stytch project's rate limit.
type fleet struct {
	t    *testing.T
	srv  *emulator.Server
	runs []*run
}

func newFleet(t *testing.T, opts emulator.Options, n int, config string) *fleet {
	t.Helper()
	requireAcc(t)
	srv := acctest.StartEmulator(t, opts)
	f := &fleet{t: t, srv: srv}
	for range n {
		r := newRunOn(t, srv)
		r.write("main.tf", config)
		f.runs = append(f.runs, r)
	}
	return f
}

// all runs terraform with args in every pipeline at once and fails the
// test for every run that does not succeed on its first try: a 429 is
// the service saying "later", and no pipeline may give up on it.
func (f *fleet) all(ctx context.Context, args ...string) time.Duration {
	f.t.Helper()
	start := time.Now()
	errs := make([]error, len(f.runs))
	var wg sync.WaitGroup
	for i, r := range f.runs {
		wg.Go(func() { _, _, errs[i] = r.tf(ctx, args...) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			f.t.Errorf("pipeline %d of %d: %v", i+1, len(f.runs), err)
		}
	}
	return time.Since(start)
}

// throttled checks a phase's answers of 429 against its requests: the
// fleet's pacers must keep them below half.
func (f *fleet) throttled(phase string, before, after emulator.Stats, took time.Duration) {
	f.t.Helper()
	requests := after.TotalRequests - before.TotalRequests
	refused := after.Faults["rate_limited"] - before.Faults["rate_limited"]
	f.t.Logf("%d pipelines, %s: %s, %d requests, %d answered 429 (%.2f of them)", len(f.runs), phase, took.Round(time.Millisecond), requests, refused, float64(refused)/float64(requests))
	if 2*refused >= requests {
		f.t.Errorf("%s: %d of %d requests answered 429, want fewer than half", phase, refused, requests)
	}
}

// TestFleetSharingAClerkLimit is ten pipelines, then twenty, applying and
// destroying tokens at once against one instance's limit of 100 requests
// per 10 s, four times over what the limit admits in a window each
// phase. Every run must succeed on its first try (ten used to give up on
// 429 in six destroys of ten, leaving 37 tokens live), every token in a
// state must be live, and none after the destroys.
func TestFleetSharingAClerkLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ pipelines, tokens int }{{10, 40}, {20, 20}} {
		t.Run(fmt.Sprintf("%d pipelines", tc.pipelines), func(t *testing.T) {
			f := newFleet(t, emulator.Options{RateLimit: "100/10s"}, tc.pipelines,
				providerBlock()+fmt.Sprintf("resource \"machineauth_m2m_token\" \"t\" {\n  count = %d\n}\n", tc.tokens))
			machine := f.srv.Info().Fixture.ClerkMachineID
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()

			before := f.srv.Stats()
			took := f.all(ctx, "apply", "-auto-approve")
			applied := f.srv.Stats()
			f.throttled("apply", before, applied, took)
			inStates := map[string]bool{}
			for _, r := range f.runs {
				ids := r.stateTokenIDs()
				if len(ids) != tc.tokens {
					t.Errorf("a pipeline's state holds %d tokens, want %d", len(ids), tc.tokens)
				}
				for id := range ids {
					inStates[id] = true
				}
			}
			live := f.runs[0].liveTokens(machine)
			if len(live) != len(inStates) || len(live) != tc.pipelines*tc.tokens {
				t.Errorf("%d tokens live, %d in the states, want %d of each", len(live), len(inStates), tc.pipelines*tc.tokens)
			}
			for id := range inStates {
				if !live[id] {
					t.Errorf("token %s is in a state but not live", id)
				}
			}

			took = f.all(ctx, "destroy", "-auto-approve")
			st := f.srv.Stats()
			f.throttled("destroy", applied, st, took)
			if st.M2MTokens.Live != 0 {
				t.Errorf("%d tokens live after every pipeline's destroy, want 0", st.M2MTokens.Live)
			}
		})
	}
}

// TestFleetSharingAStytchLimit is ten pipelines applying and destroying
// M2M clients at once against Stytch's limit per endpoint, 20 requests a
// second in fixed windows: five times what one window admits per phase.
func TestFleetSharingAStytchLimit(t *testing.T) {
	t.Parallel()
	const pipelines, clients = 10, 10
	f := newFleet(t, emulator.Options{StytchRateLimit: "20/1s"}, pipelines, providerBlock()+fmt.Sprintf(`
resource "machineauth_m2m_client" "c" {
  count       = %d
  client_name = "fleet-${count.index}"
  scopes      = ["read:reports"]
}
`, clients))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	before := f.srv.Stats()
	took := f.all(ctx, "apply", "-auto-approve")
	applied := f.srv.Stats()
	f.throttled("apply", before, applied, took)
	inStates := map[string]bool{}
	for _, r := range f.runs {
		for _, a := range r.instances("machineauth_m2m_client") {
			id, _ := a["client_id"].(string)
			inStates[id] = true
		}
	}
	ids := f.srv.M2MClientIDs()
	for _, id := range ids {
		if !inStates[id] {
			t.Errorf("M2M client %s is in no pipeline's state (an orphan)", id)
		}
	}
	if len(ids) != pipelines*clients || len(inStates) != len(ids) {
		t.Errorf("%d M2M clients in the emulator, %d in the states, want %d of each", len(ids), len(inStates), pipelines*clients)
	}

	took = f.all(ctx, "destroy", "-auto-approve")
	f.throttled("destroy", applied, f.srv.Stats(), took)
	if ids := f.srv.M2MClientIDs(); len(ids) != 0 {
		t.Errorf("%d M2M clients left after every pipeline's destroy, want 0", len(ids))
	}
}
