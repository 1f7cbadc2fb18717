package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// expiryWarnings are the plan's warnings before a credential breaks: that
// the next apply rotates it, or that it expires within window (by the
// service's clock, now) with no rotation set to replace it first. what
// names the credential; window 0 turns the second kind off.
func expiryWarnings(diags *diag.Diagnostics, what string, expiresAt types.String, rotates, rotationDue bool, window time.Duration, now time.Time) {
	switch {
	case rotationDue:
		diags.AddWarning(what+" is inside its rotation window: the next apply rotates it",
			fmt.Sprintf("It expires at %s; the next apply replaces it with a new one.", expiresAt.ValueString()))
	case !rotates && window > 0 && expiresWithin(expiresAt, window, now):
		diags.AddWarning(what+" expires at "+expiresAt.ValueString(),
			fmt.Sprintf("That is within expiry_warning_seconds (%d) of now, and nothing set replaces it before then: "+
				"set rotate_before_seconds, or tie keepers to a time_rotating, so the next apply after that point issues a new one.",
				int64(window/time.Second)))
	}
}
