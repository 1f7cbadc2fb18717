package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// NewMachineSecretKeyEphemeralResource is machineauth_machine_secret_key.
func NewMachineSecretKeyEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[machineSecretKeyModel]{name: "_machine_secret_key", schema: machineSecretKeySchema, open: openMachineSecretKey}
}

type machineSecretKeyModel struct {
	MachineID types.String `tfsdk:"machine_id"`
	SecretKey types.String `tfsdk:"secret_key"`
}

func machineSecretKeySchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A Clerk machine's current secret key (`ak_...`) for one Terraform run, never stored in state or plan files: " +
			"for a write-only argument such as a secret manager's `*_wo` value, or a `machineauth_m2m_token`'s `machine_secret_key_wo`. " +
			"Needs Terraform 1.10 or later and the provider's `clerk.secret_key`. One call (`GET /machines/{id}/secret_key`) each time Terraform opens it, " +
			"in `plan` as in `apply`. After a rotation it reads the new key; nothing is revoked when it closes.",
		Attributes: map[string]schema.Attribute{
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine (`mch_...`), e.g. `machineauth_machine.x.id` or `data.machineauth_machine.x.id`.",
				Required:            true,
				Validators:          machineIDValidators,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "The machine's current secret key. Sensitive.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func openMachineSecretKey(ctx context.Context, data *providerData, m *machineSecretKeyModel, private privateStateWriter, diags *diag.Diagnostics) {
	id := m.MachineID.ValueString()
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(diags, "Reading the secret key of machine "+id, err)
		return
	}
	key, err := data.client.GetMachineSecretKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		diags.AddAttributeError(path.Root("machine_id"), "Machine not found", "Clerk has no machine "+id+".")
		return
	case err != nil:
		addClientError(diags, "Unable to read the secret key of machine "+id, err)
		return
	}
	m.SecretKey = types.StringValue(key)
}
