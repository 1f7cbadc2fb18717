package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// machineauth_revoke_api_key (Terraform 1.14 and later) revokes one Clerk
// API key that need not be in any state: break-glass revocation with
// `terraform apply -invoke=action.machineauth_revoke_api_key.<name>`.

const defaultAPIKeyActionRevocationReason = "Revoked by Terraform: action machineauth_revoke_api_key"

// NewRevokeAPIKeyAction is the machineauth_revoke_api_key action.
func NewRevokeAPIKeyAction() action.Action {
	return &invokedAction[revokeAPIKeyModel]{name: "_revoke_api_key", schema: revokeAPIKeySchema, run: revokeAPIKey}
}

type revokeAPIKeyModel struct {
	APIKeyID types.String `tfsdk:"api_key_id"`
	Reason   types.String `tfsdk:"reason"`
}

func revokeAPIKeySchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Revokes a Clerk API key by its id, whether or not Terraform manages it: break-glass revocation of a leaked " +
			"or suspect key with `terraform apply -invoke=action.machineauth_revoke_api_key.<name>` (Terraform 1.14 and later), " +
			"or from a resource's `lifecycle { action_trigger { ... } }`. It revokes, with the reason given, and never deletes: " +
			"Clerk keeps the key's record.\n\n" +
			"The provider first reads the key, so an unknown id is refused and a key already revoked is reported and left alone " +
			"(its first reason stands). It needs the provider's `clerk.secret_key`. A `machineauth_api_key` in some state whose key " +
			"this revokes is removed from that state, with a warning, at its next refresh, and made anew by the next apply.",
		Attributes: map[string]schema.Attribute{
			"api_key_id": schema.StringAttribute{
				MarkdownDescription: "The key's id (`ak_` and 32 hex digits): a `machineauth_api_key`'s `id`. Not its secret.",
				Required:            true,
				Validators:          []validator.String{stringCheck{description: "an API key id (ak_...)", check: checkAPIKeyID}},
			},
			"reason": clerkRevocationReasonAttribute(defaultAPIKeyActionRevocationReason),
		},
	}
}

func revokeAPIKey(ctx context.Context, data *providerData, m revokeAPIKeyModel, in invocation) {
	id := m.APIKeyID.ValueString()
	reason := configuredReason(m.Reason, defaultAPIKeyActionRevocationReason)

	in.progress("Looking up API key %s", id)
	k, err := data.client.GetAPIKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		in.diags().AddError("API key not found", fmt.Sprintf("Clerk has no API key %s. Nothing was revoked.", id))
		return
	case err != nil:
		addClientError(in.diags(), "Unable to read API key "+id, err)
		return
	case k.Revoked:
		why := shownReason(k.RevocationReason)
		in.leftAlone(fmt.Sprintf("API key %s was already revoked (reason: %s); nothing to do", id, why), "API key already revoked",
			fmt.Sprintf("API key %s (%s) of %s was already revoked (revocation reason: %s). It was left as it is.", id, k.Name, k.Subject, why))
		return
	}

	in.progress("Revoking API key %s (%s) of %s", id, k.Name, k.Subject)
	data.apiKeys.revoke(ctx, id, reason, in.diags())
	if in.diags().HasError() {
		return
	}
	in.progress("Revoked API key %s of %s", id, k.Subject)
}
