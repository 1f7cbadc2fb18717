package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*machineSecretKeyEphemeralResource)(nil)

// NewMachineSecretKeyEphemeralResource is machineauth_machine_secret_key.
func NewMachineSecretKeyEphemeralResource() ephemeral.EphemeralResource {
	return &machineSecretKeyEphemeralResource{}
}

type machineSecretKeyEphemeralResource struct {
	data *providerData
}

type machineSecretKeyModel struct {
	MachineID types.String `tfsdk:"machine_id"`
	SecretKey types.String `tfsdk:"secret_key"`
}

func (e *machineSecretKeyEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_machine_secret_key"
}

func (e *machineSecretKeyEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
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

func (e *machineSecretKeyEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *machineSecretKeyEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m machineSecretKeyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.MachineID.ValueString()
	if _, err := e.data.machines.keys.managing(); err != nil {
		addClientError(&resp.Diagnostics, "Reading the secret key of machine "+id, err)
		return
	}
	key, err := e.data.client.GetMachineSecretKey(ctx, id)
	switch {
	case client.IsNotFound(err):
		resp.Diagnostics.AddAttributeError(path.Root("machine_id"), "Machine not found", "Clerk has no machine "+id+".")
		return
	case err != nil:
		addClientError(&resp.Diagnostics, "Unable to read the secret key of machine "+id, err)
		return
	}
	m.SecretKey = types.StringValue(key)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
