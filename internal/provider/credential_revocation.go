package provider

import (
	"fmt"
	"net/http"

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

// What the services answer to revoking a credential that is already
// revoked, or gone, is not documented: 200, or a refusal, 400, 404 or 409
// (the emulator's switches revoked_m2m_token_revoke, revoked_api_key_revoke
// and ungranted_authorization_revoke; see the emulator assumptions guide).
// A revoke meets it whenever a credential was revoked outside Terraform
// since the last refresh, and whenever the client retries a revoke whose
// answer was lost. So such a refusal counts as done, whichever way the
// service answers, only once a fresh read shows the credential revoked or
// gone; a credential the read still shows live keeps the refusal an error,
// so that nothing is left live behind a destroy that reports success.

// revokeRefused reports a 400, 404 or 409 answer to a revoke: one that may
// mean "already revoked" or "not found" rather than "no".
func revokeRefused(err error) bool {
	switch httpStatus(err) {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		return true
	}
	return false
}

// revokeCheck is what a fresh read says of a credential whose revoke was
// refused: ended (revoked, expired or gone), or else what it found.
type revokeCheck struct {
	ended bool
	found string // "is still live", when not ended
}

// settleRefusedRevoke returns nil when err is nil, or a refusal that check
// shows was of a credential already ended; otherwise the error to show,
// which says what the read found.
func settleRefusedRevoke(err error, check func() (revokeCheck, error)) error {
	if err == nil || !revokeRefused(err) {
		return err
	}
	got, cerr := check()
	switch {
	case cerr != nil:
		return fmt.Errorf("%w; reading it back to see whether it was already revoked failed too: %s", err, client.Redact(cerr.Error()))
	case got.ended:
		return nil
	}
	return fmt.Errorf("%w; read back, it %s, so the refusal was not of a credential already revoked", err, got.found)
}
