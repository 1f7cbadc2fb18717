package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_machine list resource (Terraform 1.14 and later,
// `terraform query`): the instance's machines, so machines made in the
// dashboard can be found and imported.

var _ list.ListResourceWithConfigure = (*machineListResource)(nil)

// NewMachineListResource is the machineauth_machine list resource.
func NewMachineListResource() list.ListResource {
	return &machineListResource{listResults[machineListModel, client.Machine, machineModel]{
		typeName: "_machine",
		fetch:    listMachines,
		name:     machineDisplayName,
		identity: func(m client.Machine) any { return machineIdentity.of(types.StringValue(m.ID)) },
		resource: listedMachine,
	}}
}

type machineListResource struct {
	listResults[machineListModel, client.Machine, machineModel]
}

type machineListModel struct {
	Query types.String `tfsdk:"query"`
}

func (l *machineListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the Clerk instance's machines, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`id`) and, with `include_resource = true`, as a `machineauth_machine` whose `secret_key` is null " +
			"(it is read when the machine is imported). `terraform query -generate-config-out=machines.tf` writes a resource and an import block for each. " +
			"Needs the provider's `clerk.secret_key`; one call per 500 machines.",
		Attributes: map[string]schema.Attribute{
			"query": schema.StringAttribute{
				MarkdownDescription: "Clerk's machine search: a machine id, matched exactly, or a part of a name. Unset: every machine.",
				Optional:            true,
			},
		},
	}
}

// listMachines fetches the machines the query finds, in Clerk's order; it
// needs the instance key.
func listMachines(ctx context.Context, data *providerData, cfg machineListModel) ([]client.Machine, diag.Diagnostics) {
	var diags diag.Diagnostics
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(&diags, "Listing Clerk machines", err)
		return nil, diags
	}
	machines, err := data.machines.listAll(ctx, cfg.Query.ValueString())
	if err != nil {
		addClientError(&diags, "Unable to list the machines", err)
		return nil, diags
	}
	return machines, nil
}

// listedMachine is the state an import of m reaches, less its secret key.
func listedMachine(ctx context.Context, m client.Machine, diags *diag.Diagnostics) machineModel {
	var s machineModel
	s.set(ctx, m, diags)
	s.RotationTriggers = types.MapNull(types.StringType)
	s.PreviousKeyTTLSeconds = types.Int64Value(defaultPreviousKeyTTL)
	s.SecretKey = types.StringNull()
	s.SecretKeyRotatedAt = types.StringNull()
	return s
}

func machineDisplayName(m client.Machine) string {
	name := m.Name
	if strings.Contains(name, machineCreateMarkerPrefix) {
		name += " (a create still under way, or left by a lost answer)"
	}
	return name + " (" + m.ID + ")"
}
