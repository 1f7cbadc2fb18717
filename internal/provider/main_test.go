package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/acctest"
)

// TestMain adds the sweepers (go test -sweep=all, which make sweep runs
// against the environment's services, see CONTRIBUTING.md) and, after a
// run, says how many tests ran against their target and how many were
// skipped as emulator-only.
func TestMain(m *testing.M) {
	for _, sw := range acctest.Sweepers() {
		resource.AddTestSweepers(sw.Name, &resource.Sweeper{
			Name:         sw.Name,
			Dependencies: sw.Dependencies,
			F: func(string) error {
				s, err := acctest.NewSweep()
				if err != nil {
					return err
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				defer cancel()
				return sw.Sweep(ctx, s)
			},
		})
	}
	resource.TestMain(summarized{m})
}

// summarized runs the tests, then reports what ran against what.
type summarized struct{ m *testing.M }

func (s summarized) Run() int {
	code := s.m.Run()
	if acctest.Live() {
		line := acctest.Summary("internal/provider")
		fmt.Println(line)
		acctest.ReportLines(line)
	}
	return code
}
