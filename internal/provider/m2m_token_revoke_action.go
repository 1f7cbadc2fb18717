package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// machineauth_revoke_m2m_token (Terraform 1.14 and later) revokes one Clerk
// M2M token that need not be in any state: break-glass revocation with
// `terraform apply -invoke=action.machineauth_revoke_m2m_token.<name>`.

const defaultActionRevocationReason = "Revoked by Terraform: action machineauth_revoke_m2m_token"

// NewRevokeM2MTokenAction is the machineauth_revoke_m2m_token action.
func NewRevokeM2MTokenAction() action.Action {
	return &invokedAction[revokeM2MTokenModel]{name: "_revoke_m2m_token", schema: revokeM2MTokenSchema, run: revokeM2MToken}
}

type revokeM2MTokenModel struct {
	MachineID types.String `tfsdk:"machine_id"`
	TokenID   types.String `tfsdk:"token_id"`
	Reason    types.String `tfsdk:"reason"`
}

func revokeM2MTokenSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Revokes a Clerk M2M token by its id, whether or not Terraform manages it: break-glass revocation of a leaked " +
			"or suspect token with `terraform apply -invoke=action.machineauth_revoke_m2m_token.<name>` (Terraform 1.14 and later), " +
			"or from a resource's `lifecycle { action_trigger { ... } }`.\n\n" +
			"The provider first looks the token up among the machine's tokens, so a token of another machine (a mistyped id) is " +
			"refused rather than revoked, and a token already revoked is reported and left alone. It revokes with the provider's " +
			"`clerk.secret_key` when set, else with its `clerk.machine_secret_key` (which can revoke only that machine's tokens). " +
			"A `machineauth_m2m_token` in some state whose token this revokes is removed from that state, with a warning, " +
			"at its next refresh, and issued anew by the next apply.\n\n" +
			"JWT-format tokens cannot be revoked: Clerk keeps no record of them.",
		Attributes: map[string]schema.Attribute{
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine the token belongs to (`mch_...`): a `machineauth_m2m_token`'s `subject`.",
				Required:            true,
				Validators:          machineIDValidators,
			},
			"token_id": schema.StringAttribute{
				MarkdownDescription: "The token's id (`mt_` and 32 hex digits): a `machineauth_m2m_token`'s `id`. Not the token itself.",
				Required:            true,
				Validators:          []validator.String{stringCheck{description: "a token id (mt_...)", check: checkTokenID}},
			},
			"reason": clerkRevocationReasonAttribute(defaultActionRevocationReason),
		},
	}
}

func revokeM2MToken(ctx context.Context, data *providerData, m revokeM2MTokenModel, in invocation) {
	machineID, tokenID := m.MachineID.ValueString(), m.TokenID.ValueString()
	reason := configuredReason(m.Reason, defaultActionRevocationReason)

	in.progress("Looking up M2M token %s among machine %s's tokens", tokenID, machineID)
	tok, found, machineGone, err := data.m2m.lookup(ctx, "", machineID, tokenID)
	switch {
	case err != nil:
		addClientError(in.diags(), "Unable to list the tokens of machine "+machineID, err)
		return
	case machineGone:
		in.diags().AddError("Machine not found", fmt.Sprintf("Clerk has no machine %s, so it has no token %s to revoke.", machineID, tokenID))
		return
	case !found:
		in.diags().AddError("M2M token not found",
			fmt.Sprintf("Clerk does not list %s among machine %s's tokens: it belongs to another machine, does not exist, or is a JWT-format token, "+
				"which Clerk keeps no record of and cannot revoke. Nothing was revoked.", tokenID, machineID))
		return
	case tok.Revoked:
		why := shownReason(tok.RevocationReason)
		in.leftAlone(fmt.Sprintf("M2M token %s was already revoked (reason: %s); nothing to do", tokenID, why), "M2M token already revoked",
			fmt.Sprintf("M2M token %s of machine %s was already revoked (revocation reason: %s). It was left as it is.", tokenID, machineID, why))
		return
	}

	in.progress("Revoking M2M token %s of machine %s", tokenID, machineID)
	data.m2m.revoke(ctx, tokenRef{subject: machineID, id: tokenID}, reason, in.diags())
	if in.diags().HasError() {
		return
	}
	in.progress("Revoked M2M token %s of machine %s", tokenID, machineID)
}
