package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// mismatchRevocationReason is what a token that cannot be kept is revoked
// with: one issued for another machine than machine_id, or one that no key
// of this provider could refresh or revoke later.
const mismatchRevocationReason = "Revoked by Terraform: issued with a key that does not fit the token's configuration"

// keepable checks a token just issued with createKey against what the
// resource will need of it: that it belongs to machineID when that is
// set, and, when it was issued with a write-only key the resource does not
// keep, that the provider's own key can read it later. A token that fails
// either is revoked at once, so that nothing outlives the failed create,
// and an error says why.
func (s *m2mTokenStore) keepable(ctx context.Context, tok *client.M2MTokenWithSecret, createKey, format string, writeOnly bool, machineID types.String, diags *diag.Diagnostics) bool {
	jwt := format == tokenFormatJWT
	problem := ""
	switch {
	case jwt && !machineID.IsNull() && tok.Subject != machineID.ValueString():
		// A JWT-format token cannot be revoked, only reported.
		diags.AddError("M2M token issued for another machine",
			fmt.Sprintf("The key issued a JWT-format token for machine %s, not machine_id %s. Clerk cannot revoke it: it stays valid until it expires. "+
				"Give machine_secret_key_wo the key of machine %s.", tok.Subject, machineID.ValueString(), machineID.ValueString()))
		return false
	case !machineID.IsNull() && tok.Subject != machineID.ValueString():
		problem = fmt.Sprintf("The key issued the token for machine %s, not machine_id %s: give machine_secret_key_wo the key of machine %s, "+
			"or the provider a clerk.machine_secret_key of it.", tok.Subject, machineID.ValueString(), machineID.ValueString())
	case writeOnly && !s.keys.readsEveryMachine() && !jwt:
		// Without the instance key the token is read with the provider's
		// machine key, which sees its own machine's tokens only.
		ix, err := s.listing(ctx, "", tok.Subject)
		switch {
		case err == nil && !ix.gone:
			return true
		case err == nil:
			problem = fmt.Sprintf("Machine %s is gone.", tok.Subject)
		default:
			problem = fmt.Sprintf("The provider has no clerk.secret_key, and its clerk.machine_secret_key cannot list machine %s's tokens, "+
				"so it could neither refresh nor revoke this one later: set clerk.secret_key (or CLERK_SECRET_KEY). Listing failed: %s",
				tok.Subject, client.Redact(err.Error()))
		}
	default:
		return true
	}
	var revokeDiags diag.Diagnostics
	if !jwt {
		s.revoke(ctx, tokenRef{resourceKey: createKey, subject: tok.Subject, id: tok.ID, secret: tok.Token}, mismatchRevocationReason, &revokeDiags)
	}
	if revokeDiags.HasError() {
		problem += fmt.Sprintf("\n\nRevoking the token %s failed as well: revoke it by hand.", tok.ID)
		diags.Append(revokeDiags...)
	} else {
		problem += fmt.Sprintf("\n\nThe token %s was revoked.", tok.ID)
	}
	diags.AddError("Unable to keep the M2M token", problem)
	return false
}
