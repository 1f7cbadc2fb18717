package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// NewMachineDataSource is the machineauth_machine data source.
func NewMachineDataSource() datasource.DataSource {
	return &dataSource[machineState]{
		name: "_machine", schema: machineDataSourceSchema, read: readMachine,
		validators: []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name"))},
	}
}

func machineDataSourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Looks up a Clerk machine by `id` or by exact `name` (give exactly one), for a machine made in the dashboard or by another configuration: " +
			"its id for a `machineauth_m2m_token`'s `machine_id` or a `machineauth_machine_scope`. It holds no secret: read the machine's key with the " +
			"`machineauth_machine_secret_key` ephemeral resource. Needs the provider's `clerk.secret_key`. " +
			"By id: one call. By name: Clerk's machine listing searched for the name (500 a page), and an error unless exactly one machine has that very name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: descMachineID + " Give it, or `name`.",
				Optional:            true,
				Computed:            true,
				Validators:          machineIDValidators,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: descMachineName + " Give it, or `id`: exactly one machine must have this name, compared exactly (case included).",
				Optional:            true,
				Computed:            true,
				Validators:          machineNameValidators,
			},
			"default_token_ttl": schema.Int64Attribute{MarkdownDescription: descTokenTTL, Computed: true},
			"scoped_machines":   schema.SetAttribute{MarkdownDescription: descScopedMachine, ElementType: types.StringType, Computed: true},
			"created_at":        schema.StringAttribute{MarkdownDescription: descMachineCreatedAt, Computed: true},
		},
	}
}

func readMachine(ctx context.Context, data *providerData, m *machineState, diags *diag.Diagnostics) {
	if _, err := data.machines.keys.managing(); err != nil {
		addClientError(diags, "Looking up a Clerk machine", err)
		return
	}
	var found client.Machine
	if id := m.ID.ValueString(); id != "" {
		got, err := data.machines.get(ctx, id)
		switch {
		case err != nil:
			addClientError(diags, "Unable to read machine "+id, err)
			return
		case got.gone:
			diags.AddAttributeError(path.Root("id"), "Machine not found", "Clerk has no machine "+id+".")
			return
		}
		found = got.machine
	} else {
		name := m.Name.ValueString()
		all, err := data.machines.listAll(ctx, name)
		if err != nil {
			addClientError(diags, fmt.Sprintf("Unable to list the machines named %q", name), err)
			return
		}
		var named []client.Machine
		for _, c := range all {
			if c.Name == name {
				named = append(named, c)
			}
		}
		switch len(named) {
		case 1:
			found = named[0]
		case 0:
			diags.AddAttributeError(path.Root("name"), "Machine not found", fmt.Sprintf("No Clerk machine is named %q (names are compared exactly).", name))
			return
		default:
			ids := make([]string, len(named))
			for i, c := range named {
				ids[i] = c.ID
			}
			diags.AddAttributeError(path.Root("name"), "More than one machine has this name",
				fmt.Sprintf("%d Clerk machines are named %q: %s. Look the machine up by id instead.", len(named), name, strings.Join(ids, ", ")))
			return
		}
	}
	m.set(ctx, found, diags)
}
