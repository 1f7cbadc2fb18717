package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// Clerk records a reason with every revocation, which whoever audits a
// machine's tokens or a subject's keys reads: configured on the resources,
// ephemeral resources and actions that revoke, and shown when a revocation
// made outside Terraform is reported.

// revocationReasonValidators refuse an empty reason, which Clerk would
// record as none.
var revocationReasonValidators = []validator.String{stringvalidator.LengthAtLeast(1)}

// clerkRevocationReasonAttribute is the optional reason of a Clerk revoke,
// which Clerk records with it; def is sent when none is configured.
func clerkRevocationReasonAttribute(def string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Reason recorded by Clerk with the revocation. Default: `" + def + "`.",
		Optional:            true,
		Validators:          revocationReasonValidators,
	}
}

// configuredReason is the configured reason, or def when none is.
func configuredReason(configured types.String, def string) string {
	if configured.IsNull() {
		return def
	}
	return configured.ValueString()
}

// shownReason shows a recorded revocation reason: free text typed by
// whoever revoked, so masked like any message.
func shownReason(reason *string) string {
	if reason == nil {
		return "none given"
	}
	return fmt.Sprintf("%q", client.Redact(*reason))
}
