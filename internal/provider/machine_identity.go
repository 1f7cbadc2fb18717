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

// Resource identity (Terraform 1.12 and later) of machineauth_machine and
// machineauth_machine_scope: the ids their import ids are made of, so an
// import block can name either with `identity = { ... }`, and the machine
// list resource can return machines.

type machineIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

type machineScopeIdentityModel struct {
	MachineID       types.String `tfsdk:"machine_id"`
	ScopedMachineID types.String `tfsdk:"scoped_machine_id"`
}

func machineIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "Clerk's id of the machine (`mch_...`).",
				RequiredForImport: true,
			},
		},
	}
}

func (r *machineResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = machineIdentitySchema()
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

// setMachineIdentity records a machine's identity once its id is known,
// and leaves a missing identity (a client without support) alone.
func setMachineIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity == nil || id.IsNull() || id.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, machineIdentityModel{ID: id})...)
}

func setMachineScopeIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, from, to types.String, diags *diag.Diagnostics) {
	if identity == nil || from.IsNull() || from.IsUnknown() || to.IsNull() || to.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, machineScopeIdentityModel{MachineID: from, ScopedMachineID: to})...)
}

// machineImportID is the import id an import block's identity names.
func machineImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import a machine by its id (mch_...), or by its identity (id).")
		return ""
	}
	var id machineIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	return id.ID.ValueString()
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
