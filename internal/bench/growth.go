package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// growthResult is one round of the growth table at one N: each phase for
// the provider and for the same-schema no-op, and the state files' sizes
// after apply.
type growthResult struct {
	tokens, noop map[string]phase
	stateTokens  int64
	stateNoop    int64
}

// growth measures apply, plan and destroy of N tokens for each N of
// -growth, beside the same-schema no-op, against the emulator run as its
// own process. It shows how each phase's cost grows with N and which part
// is Terraform's: the no-op makes no call and runs none of the provider's
// code, so what it costs is the protocol, the framework and Terraform
// handling a state of that shape (the local backend rewrites the whole
// state after every resource it creates or destroys). The CPU time is
// split between terraform, the provider processes and the emulator.
func (b *bench) growth(ctx context.Context) error {
	bin, err := buildEmulator(ctx, b.root, filepath.Join(b.tmp, "emulator"))
	if err != nil {
		return err
	}
	results := map[int][]growthResult{}
	for _, n := range b.o.growth {
		for round := range b.o.rounds {
			r, err := b.growthRound(ctx, bin, n, round+1)
			if err != nil {
				return err
			}
			results[n] = append(results[n], r)
		}
	}

	b.printf("\n### growth with the number of tokens (median of %d round(s); emulator in its own process)\n\n", b.o.rounds)
	b.println("| tokens | phase | machineauth | same-schema no-op | machineauth / no-op | per token, machineauth / no-op | terraform CPU, machineauth / no-op | provider CPU, machineauth / no-op | emulator CPU | API calls, last round |")
	b.println("|---|---|---|---|---|---|---|---|---|---|")
	for _, n := range b.o.growth {
		rs := results[n]
		for _, name := range phases {
			of := func(f func(growthResult) time.Duration) time.Duration { return median(rs, f) }
			tok := of(func(r growthResult) time.Duration { return r.tokens[name].wall })
			noop := of(func(r growthResult) time.Duration { return r.noop[name].wall })
			rat := medianOf(rs, func(r growthResult) float64 { return ratio(r.tokens[name].wall, r.noop[name].wall) })
			tfTok := of(func(r growthResult) time.Duration { return r.tokens[name].terraformCPU })
			tfNoop := of(func(r growthResult) time.Duration { return r.noop[name].terraformCPU })
			pTok := of(func(r growthResult) time.Duration { return r.tokens[name].providerCPU })
			pNoop := of(func(r growthResult) time.Duration { return r.noop[name].providerCPU })
			emu := of(func(r growthResult) time.Duration { return r.tokens[name].emulatorCPU })
			last := rs[len(rs)-1].tokens[name]
			b.printf("| %s | %s | %.2fs | %.2fs | %.2fx | %.1f / %.1f ms | %.1f / %.1fs | %.1f / %.1fs | %.2fs | %s |\n",
				thousands(n), name, tok.Seconds(), noop.Seconds(), rat,
				perToken(tok, n), perToken(noop, n),
				tfTok.Seconds(), tfNoop.Seconds(), pTok.Seconds(), pNoop.Seconds(), emu.Seconds(), last.calls)
		}
	}
	b.println()
	for _, n := range b.o.growth {
		r := results[n][len(results[n])-1]
		b.printf("state after apply of %s tokens: machineauth %s, no-op %s\n", thousands(n), mb(r.stateTokens), mb(r.stateNoop))
	}
	return nil
}

// growthRound runs apply, plan and destroy of n tokens, the no-op's phase
// right before the provider's, against a fresh emulator process: the
// tokens an earlier round revoked would still be listed.
func (b *bench) growthRound(ctx context.Context, bin string, n, round int) (growthResult, error) {
	res := growthResult{tokens: map[string]phase{}, noop: map[string]phase{}}
	emu, err := startEmulatorProcess(ctx, bin)
	if err != nil {
		return res, err
	}
	defer func() { _ = emu.Close() }()
	config := tokensConfig(emu.info, n)
	dir := fmt.Sprintf("growth-%d-%d", n, round)
	tokens, err := b.workspace(filepath.Join(dir, "tokens"), config)
	if err != nil {
		return res, err
	}
	noop, err := b.workspaceFor(b.noopDir, filepath.Join(dir, "noop"), config)
	if err != nil {
		return res, err
	}
	for _, name := range phases {
		if res.noop[name], err = b.command(ctx, noop, nil, phaseArgs(name)...); err != nil {
			return res, err
		}
		if res.tokens[name], err = b.command(ctx, tokens, emu, phaseArgs(name)...); err != nil {
			return res, err
		}
		if name == "apply" {
			if c := res.tokens[name].calls.creates; c != n {
				return res, fmt.Errorf("apply of %d tokens made %d creates", n, c)
			}
			res.stateTokens, res.stateNoop = stateSize(tokens.Dir), stateSize(noop.Dir)
		}
		t, o := res.tokens[name], res.noop[name]
		b.printf("  growth %5d round %d %-7s machineauth %7.2fs (CPU terraform %5.1fs, provider %5.1fs, emulator %5.1fs)  no-op %7.2fs (CPU terraform %5.1fs, provider %5.1fs)  ratio %.2f  [%s]\n",
			n, round, name, t.wall.Seconds(), t.terraformCPU.Seconds(), t.providerCPU.Seconds(), t.emulatorCPU.Seconds(),
			o.wall.Seconds(), o.terraformCPU.Seconds(), o.providerCPU.Seconds(), ratio(t.wall, o.wall), t.calls)
	}
	return res, nil
}

func stateSize(dir string) int64 {
	fi, err := os.Stat(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// parseCounts reads a list such as "250,500,1000"; empty or "0" is none.
func parseCounts(flag, s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return nil, nil
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(f, "_", "")))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-%s %q: want counts such as 250,500,1000,2000", flag, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func perToken(d time.Duration, n int) float64 { return float64(d.Milliseconds()) / float64(n) }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mb(bytes int64) string {
	if bytes == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f MB", float64(bytes)/1e6)
}
