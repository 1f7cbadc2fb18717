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

// machineauth_deactivate_m2m_client (Terraform 1.14 and later) turns a
// Stytch M2M client off, whether or not Terraform manages it: break-glass
// use with `terraform apply -invoke=action.machineauth_deactivate_m2m_client.<name>`.

// NewDeactivateM2MClientAction is the machineauth_deactivate_m2m_client action.
func NewDeactivateM2MClientAction() action.Action {
	return &invokedAction[deactivateM2MClientModel]{name: "_deactivate_m2m_client", schema: deactivateM2MClientSchema, run: deactivateM2MClient}
}

type deactivateM2MClientModel struct {
	ClientID types.String `tfsdk:"client_id"`
}

func deactivateM2MClientSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Sets a Stytch M2M client's `status` to `inactive`, whether or not Terraform manages it: the kill switch for a " +
			"leaked or misbehaving client, with `terraform apply -invoke=action.machineauth_deactivate_m2m_client.<name>` (Terraform 1.14 " +
			"and later) and no configuration to edit. An inactive client gets no new access tokens; those already issued stay valid until " +
			"they expire, within the hour, since Stytch has no revoke for them.\n\n" +
			"The provider reads the client and sends it back whole with `status = \"inactive\"`, so nothing else about it changes. A client " +
			"already inactive is reported and left alone. A `machineauth_m2m_client` that manages the client and still says `status = \"active\"` " +
			"turns it back on at its next apply: set `status = \"inactive\"` there too to keep it off.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The M2M client's client_id.",
				Required:            true,
				Validators:          []validator.String{clientIDValidator},
			},
		},
	}
}

func deactivateM2MClient(ctx context.Context, data *providerData, m deactivateM2MClientModel, in invocation) {
	id := m.ClientID.ValueString()
	in.progress("Reading M2M client %s", id)
	c, err := data.client.GetM2MClient(ctx, id)
	switch {
	case stytchClientGone(err):
		in.diags().AddError("M2M client not found", fmt.Sprintf("Stytch has no M2M client %s, so there is nothing to deactivate: %s", id, client.Redact(err.Error())))
		return
	case err != nil:
		addClientError(in.diags(), "Unable to read M2M client "+id, err)
		return
	case c.Status == m2mStatusInactive:
		in.leftAlone(fmt.Sprintf("M2M client %s is already inactive; nothing to do", id), "M2M client already inactive",
			fmt.Sprintf("M2M client %s was already inactive. It was left as it is.", id))
		return
	}
	in.progress("Deactivating M2M client %s", id)
	_, err = data.client.UpdateM2MClient(ctx, id, client.UpdateM2MClientRequest{
		ClientName: c.ClientName, ClientDescription: c.ClientDescription, Status: m2mStatusInactive,
		Scopes: c.Scopes, TrustedMetadata: c.TrustedMetadata,
	})
	if err != nil {
		addClientError(in.diags(), "Unable to deactivate M2M client "+id, err)
		return
	}
	in.progress("Deactivated M2M client %s: it gets no new access tokens", id)
}
