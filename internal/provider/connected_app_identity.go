package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later) of machineauth_connected_app:
// its client_id, the import id.

var _ resource.ResourceWithIdentity = (*connectedAppResource)(nil)

type connectedAppIdentityModel struct {
	ClientID types.String `tfsdk:"client_id"`
}

func connectedAppIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"client_id": identityschema.StringAttribute{
				Description:       "The connected app's client_id (`connected-app-test-...` or `connected-app-live-...`).",
				RequiredForImport: true,
			},
		},
	}
}

func (r *connectedAppResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = connectedAppIdentitySchema()
}

// setConnectedAppIdentity records the identity, leaving a missing identity
// (a client without identity support) alone.
func setConnectedAppIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, clientID types.String, diags *diag.Diagnostics) {
	if identity == nil || clientID.IsNull() || clientID.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, connectedAppIdentityModel{ClientID: clientID})...)
}

// connectedAppImportID is the client_id an import block's identity names.
func connectedAppImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import a connected app by its client_id, or by its identity (client_id).")
		return ""
	}
	var id connectedAppIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	if id.ClientID.ValueString() == "" {
		diags.AddError("Invalid import identity", "client_id must be set.")
	}
	return id.ClientID.ValueString()
}
