package main

import (
	"context"
	"fmt"
	"time"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// scale measures apply, plan and destroy of N tokens beside N terraform_data
// (and the no-op provider), interleaved phase by phase so that a load that
// comes and goes on a shared machine weighs on every column alike.
func (b *bench) scale(ctx context.Context) error {
	n := b.o.n
	base, err := b.workspace("baseline", baselineConfig(n))
	if err != nil {
		return err
	}
	// rounds of columns by phase
	results := map[string][][columns]phase{}
	for round := range b.o.rounds {
		r, err := b.scaleRound(ctx, round+1, base)
		if err != nil {
			return err
		}
		for _, name := range phases {
			results[name] = append(results[name], r[name])
		}
	}

	budget := (n+99)/100 + 1
	targets := map[string]float64{"apply": 1.2, "plan": 2.8, "destroy": 1.2}
	b.printf("\n### %d tokens of one machine (median of %d round(s))\n\n", n, b.o.rounds)
	header := "| phase | terraform_data | machineauth_m2m_token | wall ratio (target) |"
	rule := "|---|---|---|---|"
	noop := b.calibrate()
	if noop {
		header += " no-op, same schema | its ratio | no-op, id only | its ratio | machineauth / same-schema no-op |"
		rule += "---|---|---|---|---|"
	}
	b.println(header + " CPU ratio | API calls, last round (list budget) | errors | provider peak RSS |")
	b.println(rule + "---|---|---|---|")
	var peak int64
	for _, name := range phases {
		rs := results[name]
		wall := func(i int) time.Duration {
			return median(rs, func(r [columns]phase) time.Duration { return r[i].wall })
		}
		// Ratios are the median of each round's, whose phases ran back
		// to back: a load that came and went weighs on both sides.
		wallRatio := func(i, over int) float64 {
			return medianOf(rs, func(r [columns]phase) float64 { return ratio(r[i].wall, r[over].wall) })
		}
		cpuRatio := func(i int) float64 {
			return medianOf(rs, func(r [columns]phase) float64 { return ratio(r[i].cpu, r[colBaseline].cpu) })
		}
		last := rs[len(rs)-1][colProvider]
		var rss int64
		for _, r := range rs {
			rss = max(rss, r[colProvider].peakRSS)
		}
		peak = max(peak, rss)
		b.printf("| %s | %.2fs | %.2fs | %.2fx (<= %.1fx) |", name, wall(colBaseline).Seconds(), wall(colProvider).Seconds(), wallRatio(colProvider, colBaseline), targets[name])
		if noop {
			b.printf(" %.2fs | %.2fx | %.2fs | %.2fx | %.2fx |",
				wall(colNoop).Seconds(), wallRatio(colNoop, colBaseline),
				wall(colMinimal).Seconds(), wallRatio(colMinimal, colBaseline),
				wallRatio(colProvider, colNoop))
		}
		b.printf(" %.2fx | %s (<= %d list) | %d | %s |\n",
			cpuRatio(colProvider), last.calls, budget, last.calls.failed+last.calls.throttled, mib(rss))
	}
	b.printf("\nprovider peak RSS over all phases: %s (target <= 150 MiB)\n", mib(peak))
	return nil
}

// scaleRound runs one round of the scale run against a fresh emulator: the
// revoked tokens of an earlier round would still be listed, and the list
// budget is for N tokens.
func (b *bench) scaleRound(ctx context.Context, round int, base *tfcli.Workspace) (map[string][columns]phase, error) {
	n := b.o.n
	results := map[string][columns]phase{}
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		return nil, err
	}
	defer stopEmulator(srv) //nolint:contextcheck // Close has its own shutdown deadline
	tokens, err := b.workspace("tokens", tokensConfig(srv.Info(), n))
	if err != nil {
		return nil, err
	}
	var noop, minimal *tfcli.Workspace
	if b.calibrate() {
		if noop, err = b.workspaceFor(b.noopDir, "noop", tokensConfig(srv.Info(), n)); err != nil {
			return nil, err
		}
		if minimal, err = b.workspaceFor(b.noopDir, "noop-minimal", tokensConfig(srv.Info(), n), "MACHINEAUTH_NOOP_SCHEMA=minimal"); err != nil {
			return nil, err
		}
	}
	for _, name := range phases {
		var r [columns]phase
		if r[colBaseline], err = b.command(ctx, base, nil, phaseArgs(name)...); err != nil {
			return nil, err
		}
		if noop != nil {
			if r[colNoop], err = b.command(ctx, noop, nil, phaseArgs(name)...); err != nil {
				return nil, err
			}
			if r[colMinimal], err = b.command(ctx, minimal, nil, phaseArgs(name)...); err != nil {
				return nil, err
			}
		}
		stopProfile, err := b.startProfile(fmt.Sprintf("%s-%d", name, round))
		if err != nil {
			return nil, err
		}
		r[colProvider], err = b.command(ctx, tokens, local{srv}, phaseArgs(name)...)
		if perr := stopProfile(); perr != nil && err == nil {
			err = perr
		}
		if err != nil {
			return nil, err
		}
		if name == "apply" && r[colProvider].calls.creates != n {
			return nil, fmt.Errorf("apply made %d creates, want %d", r[colProvider].calls.creates, n)
		}
		results[name] = r
		base, p := r[colBaseline], r[colProvider]
		b.printf("  round %d %-7s terraform_data %6.2fs (CPU %5.1fs)  machineauth %6.2fs (CPU %5.1fs, provider %5.1fs) ratio %.2f",
			round, name, base.wall.Seconds(), base.cpu.Seconds(), p.wall.Seconds(), p.cpu.Seconds(), p.providerCPU.Seconds(), ratio(p.wall, base.wall))
		if noop != nil {
			for _, c := range []struct {
				label string
				p     phase
			}{{"no-op", r[colNoop]}, {"id-only no-op", r[colMinimal]}} {
				b.printf("  %s %6.2fs (CPU %5.1fs, provider %5.1fs) ratio %.2f",
					c.label, c.p.wall.Seconds(), c.p.cpu.Seconds(), c.p.providerCPU.Seconds(), ratio(c.p.wall, base.wall))
			}
		}
		b.printf("  [%s; peak RSS %s]\n", p.calls, mib(p.peakRSS))
	}
	return results, nil
}
