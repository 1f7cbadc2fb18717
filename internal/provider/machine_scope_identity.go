package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later) of machineauth_machine_scope:
// the two machine ids its import id joins with "/", so an import block can
// name a scope with `identity = { ... }`.

type machineScopeIdentityModel struct {
	MachineID       types.String `tfsdk:"machine_id"`
	ScopedMachineID types.String `tfsdk:"scoped_machine_id"`
}

func (r *machineScopeResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"machine_id": identityschema.StringAttribute{
				Description:       "The machine granted access (`mch_...`).",
				RequiredForImport: true,
			},
			"scoped_machine_id": identityschema.StringAttribute{
				Description:       "The machine it may call (`mch_...`).",
				RequiredForImport: true,
			},
		},
	}
}

func setMachineScopeIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, from, to types.String, diags *diag.Diagnostics) {
	if identity == nil || from.IsNull() || from.IsUnknown() || to.IsNull() || to.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, machineScopeIdentityModel{MachineID: from, ScopedMachineID: to})...)
}

// machineScopeImportIDForm is a scope's import id, as diagnostics show it.
const machineScopeImportIDForm = "mch_<machine id>/mch_<scoped machine id>"

// machineScopeImportID is the import id an import block's identity names.
func machineScopeImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import a machine scope by its id "+machineScopeImportIDForm+", or by its identity (machine_id and scoped_machine_id).")
		return ""
	}
	var id machineScopeIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	return id.MachineID.ValueString() + "/" + id.ScopedMachineID.ValueString()
}

// parseMachineScopeID splits a scope's import id strictly.
func parseMachineScopeID(id string) (from, to, problem string) {
	parts := strings.Split(id, "/")
	if len(parts) != 2 {
		return "", "", fmt.Sprintf("got %d part(s) separated by \"/\", want exactly 2.", len(parts))
	}
	if p := checkMachineID(parts[0]); p != "" {
		return "", "", "the machine id " + p
	}
	if p := checkMachineID(parts[1]); p != "" {
		return "", "", "the scoped machine id " + p
	}
	if parts[0] == parts[1] {
		return "", "", "a machine cannot scope itself."
	}
	return parts[0], parts[1], ""
}
