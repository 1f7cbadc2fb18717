package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// fleetTable applies and destroys fleetTokens tokens in each of 1, 4, 10
// and 20 pipelines at once (each its own working directory and state)
// against one emulator whose rate limit they share, as a platform team's
// workspaces share one Clerk instance's. Each phase, from the start of
// the first command to the end of the last, is set against the shared
// floor: every request the limit admitted, at its average rate.
func (b *bench) fleetTable(ctx context.Context) error {
	limit, per, err := parseRateLimit(b.o.rateLimit)
	if err != nil {
		return err
	}
	rate := float64(limit) / per.Seconds()
	b.printf("\n### pipelines sharing the rate limit %s, %d tokens each\n\n", b.o.rateLimit, b.o.fleetTokens)
	b.println("| pipelines | phase | wall | floor (admitted requests at the limit's rate) | ratio | requests | 429 answers | 429s per request | other errors | failed runs |")
	b.println("|---|---|---|---|---|---|---|---|---|---|")
	for _, n := range b.o.fleet {
		if err := b.fleetRun(ctx, n, rate); err != nil {
			return err
		}
	}
	return nil
}

// fleetRun is one fleet's apply and destroy against a fresh emulator.
func (b *bench) fleetRun(ctx context.Context, n int, rate float64) error {
	srv, err := emulator.Start(emulator.Options{RateLimit: b.o.rateLimit})
	if err != nil {
		return err
	}
	defer stopEmulator(srv) //nolint:contextcheck // Close has its own shutdown deadline
	ws := make([]*tfcli.Workspace, n)
	for i := range ws {
		if ws[i], err = b.workspace(fmt.Sprintf("fleet-%d-%d", n, i), tokensConfig(srv.Info(), b.o.fleetTokens)); err != nil {
			return err
		}
	}
	for _, phase := range []string{"apply", "destroy"} {
		before := srv.Stats()
		start := time.Now()
		failed, tail := b.fleetPhase(ctx, ws, phaseArgs(phase))
		wall := time.Since(start)
		c := delta(before, srv.Stats())
		admitted := c.total - c.throttled
		floor := time.Duration(float64(admitted) / rate * float64(time.Second))
		b.printf("| %d | %s | %.1fs | %.1fs (%d) | %.2fx | %d | %d | %.2f | %d | %d |\n",
			n, phase, wall.Seconds(), floor.Seconds(), admitted, ratio(wall, floor), c.total, c.throttled, float64(c.throttled)/float64(max(c.total, 1)), c.failed, failed)
		if failed > 0 {
			b.printf("\nA run failed; the last one's output:\n\n```\n%s\n```\n\n", tail)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if live := srv.Stats().M2MTokens.Live; live != 0 {
		b.printf("\n%d pipelines left %d tokens live after their destroys.\n\n", n, live)
	}
	return nil
}

// fleetPhase runs terraform with args in every workspace at once and
// returns how many runs failed, and the last failure's output.
func (b *bench) fleetPhase(ctx context.Context, ws []*tfcli.Workspace, args []string) (int, string) {
	args = append(args, "-no-color", "-input=false")
	var (
		mu     sync.Mutex
		failed int
		tail   string
		wg     sync.WaitGroup
	)
	for _, w := range ws {
		wg.Go(func() {
			out, err := w.Command(ctx, args...).CombinedOutput()
			if err != nil {
				mu.Lock()
				failed++
				tail = lastLines(string(out), 30)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed, tail
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
