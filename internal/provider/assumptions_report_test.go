package provider

import (
	"fmt"
	"testing"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/emulator"
)

// TestAccAssumptions_report asks the services, through their public APIs,
// each question the emulator's table of assumptions leaves open (see
// docs/guides/emulator-assumptions.md), and reports one line per row: the
// answer and which of the row's choices it is, or why the row could not be
// observed. make testacc-live prints the report at the end; against real
// accounts it is how the table gets filled in. Against the emulator every
// observed answer must be its default.
func TestAccAssumptions_report(t *testing.T) {
	tg := newTarget(t)
	obs := acctest.ObserveAssumptions(t.Context(), t, tg.Target)
	rows := emulator.Assumptions()
	if len(obs) != len(rows) {
		t.Fatalf("%d observations for %d rows", len(obs), len(rows))
	}
	observed, alternatives := 0, 0
	lines := make([]string, 0, len(obs)+1)
	for i, o := range obs {
		if o.Row.Name != rows[i].Name {
			t.Fatalf("observation %d is of %s, row %d is %s", i, o.Row.Name, i, rows[i].Name)
		}
		lines = append(lines, o.Line())
		if o.NotObserved == "" {
			observed++
			if o.Choice != o.Row.Default.Name {
				alternatives++
			}
		}
		if !tg.Live && o.NotObserved == "" && o.Choice != o.Row.Default.Name {
			t.Errorf("against the emulator %s", o.Line())
		}
	}
	where := "the emulator"
	if tg.Live {
		where = "the environment's services"
	}
	acctest.Report(t, append([]string{fmt.Sprintf("assumptions report from %s: %d rows, %d observed (%d not the emulator's default), %d not observed",
		where, len(rows), observed, alternatives, len(rows)-observed)}, lines...)...)
}
