package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// rateLimited applies rateN tokens against an emulator that admits at most
// the limit, then destroys them, and compares each phase's wall time with
// the floor the limit sets: its requests at the limit's average rate. A
// request log in front of the emulator tells the phase's own requests (the
// creates, the revokes) from what Terraform does before them, and compares
// their span with that of a client that knew the limit and the requests
// already in its window. With -rate-rps it runs again with the provider's
// requests_per_second set, the knob that trades wall time for 429s.
func (b *bench) rateLimited(ctx context.Context) error {
	limit, per, err := parseRateLimit(b.o.rateLimit)
	if err != nil {
		return err
	}
	b.printf("\n### %d tokens under the emulator's rate limit %s\n\n", b.o.rateN, b.o.rateLimit)
	b.println("| provider | phase | wall | floor (requests at the limit's rate) | ratio (target) | requests | 429 answers | other errors | before the first create or revoke | creates or revokes, first to last | a client that knew the limit | ratio | 429s to them (to requests in flight when the first of them came) |")
	b.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	if err := b.rateRun(ctx, limit, per, "adaptive"); err != nil {
		return err
	}
	if b.o.rateRPS > 0 {
		rps := strconv.FormatFloat(b.o.rateRPS, 'g', -1, 64)
		return b.rateRun(ctx, limit, per, "requests_per_second = "+rps, "MACHINEAUTH_REQUESTS_PER_SECOND="+rps)
	}
	return nil
}

// rateRun is one apply and destroy of the rate-limit scenario against a
// fresh emulator, whose window no earlier run has filled.
func (b *bench) rateRun(ctx context.Context, limit int, per time.Duration, label string, env ...string) error {
	srv, err := emulator.Start(emulator.Options{RateLimit: b.o.rateLimit})
	if err != nil {
		return err
	}
	defer stopEmulator(srv) //nolint:contextcheck // Close has its own shutdown deadline
	rate := float64(limit) / per.Seconds()
	log, err := startRequestLog(srv.URL())
	if err != nil {
		return err
	}
	defer log.Close()
	info := srv.Info()
	info.ClerkAPIURL = log.url + strings.TrimPrefix(info.ClerkAPIURL, info.URL)
	w, err := b.workspace("rate-limited-"+strconv.Itoa(len(env)), tokensConfig(info, b.o.rateN), env...)
	if err != nil {
		return err
	}
	type step struct {
		name, when string
		drain      bool
	}
	steps := []step{{"apply", "", false}, {"destroy", " right after", false}}
	if len(env) == 0 {
		// A destroy right after an apply that used the window waits for
		// it like any client would; measured again once it has drained,
		// the destroy is on its own.
		steps = append(steps, step{"apply", " again", false}, step{"destroy", ", window drained", true})
	}
	for _, st := range steps {
		name := st.name
		if st.drain {
			select {
			case <-time.After(per):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		start := time.Now()
		p, err := b.command(ctx, w, local{srv}, phaseArgs(name)...)
		if err != nil {
			return err
		}
		admitted := p.calls.total - p.calls.throttled
		floor := time.Duration(float64(admitted) / rate * float64(time.Second))
		target := "(<= 1.25x)"
		if name != "apply" {
			target = "(<= 1.05x)"
		}
		b.printf("| %s | %s | %.2fs | %.1fs (%d at %g/s) | %.2fx %s | %d | %d | %d |",
			label, name+st.when, p.wall.Seconds(), floor.Seconds(), admitted, rate, ratio(p.wall, floor), target, p.calls.total, p.calls.throttled, p.calls.failed)
		sp, ok := log.span(name, start, start.Add(p.wall), per)
		if !ok {
			b.println(" n/a | n/a | n/a | n/a | n/a |")
			continue
		}
		ideal := sp.perfect(limit, per)
		b.printf(" %.2fs | %.2fs | %.2fs (%d in the window) | %.2fx | %d (%d) |\n",
			sp.first.Sub(start).Seconds(), sp.last.Sub(sp.first).Seconds(), ideal.Seconds(), len(sp.prior), ratio(sp.last.Sub(sp.first), ideal), sp.refused, sp.inFlight)
	}
	return nil
}

// withLatency measures a refreshing plan of latencyN tokens when every
// request takes the given latency, beside the same plan without it.
func (b *bench) withLatency(ctx context.Context) error {
	n := b.o.latencyN
	b.printf("\n### plan of %d tokens with emulator latency\n\n", n)
	b.println("| emulator latency | plan | API calls |")
	b.println("|---|---|---|")
	for _, lat := range []time.Duration{0, b.o.latency} {
		srv, err := emulator.Start(emulator.Options{Latency: lat})
		if err != nil {
			return err
		}
		w, err := b.workspace("latency-"+lat.String(), tokensConfig(srv.Info(), n))
		if err != nil {
			stopEmulator(srv) //nolint:contextcheck // Close has its own shutdown deadline
			return err
		}
		_, err = b.command(ctx, w, local{srv}, phaseArgs("apply")...)
		var p phase
		if err == nil {
			p, err = b.command(ctx, w, local{srv}, phaseArgs("plan")...)
		}
		if err == nil {
			_, err = b.command(ctx, w, local{srv}, phaseArgs("destroy")...)
		}
		stopEmulator(srv) //nolint:contextcheck // Close has its own shutdown deadline
		if err != nil {
			return err
		}
		b.printf("| %s | %.2fs | %s |\n", lat, p.wall.Seconds(), p.calls)
	}
	return nil
}

// stopEmulator shuts an emulator down; Close bounds the shutdown itself.
func stopEmulator(srv *emulator.Server) {
	_ = srv.Close()
}

// parseRateLimit reads a limit such as 100/10s.
func parseRateLimit(spec string) (int, time.Duration, error) {
	ns, ds, ok := strings.Cut(spec, "/")
	n, err := strconv.Atoi(ns)
	d, derr := time.ParseDuration(ds)
	if !ok || err != nil || derr != nil || n < 1 || d <= 0 {
		return 0, 0, fmt.Errorf("rate limit %q: want N/duration such as 100/10s", spec)
	}
	return n, d, nil
}
