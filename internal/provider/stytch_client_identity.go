package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later) of machineauth_connected_app
// and machineauth_m2m_client: the client_id, which is also the import id.

var (
	_ resource.ResourceWithIdentity = (*connectedAppResource)(nil)
	_ resource.ResourceWithIdentity = (*m2mClientResource)(nil)
)

type clientIdentityModel struct {
	ClientID types.String `tfsdk:"client_id"`
}

func clientIdentitySchema(desc string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"client_id": identityschema.StringAttribute{Description: desc, RequiredForImport: true},
		},
	}
}

func (r *connectedAppResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = clientIdentitySchema("The connected app's client_id (`connected-app-test-...` or `connected-app-live-...`).")
}

func (r *m2mClientResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = clientIdentitySchema("The M2M client's client_id.")
}

// setClientIdentity records the identity, leaving a missing identity (a
// client without identity support) alone.
func setClientIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, clientID types.String, diags *diag.Diagnostics) {
	if identity == nil || clientID.IsNull() || clientID.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, clientIdentityModel{ClientID: clientID})...)
}

// clientImportID is the client_id an import block's identity names; kind
// says what is imported ("a connected app").
func clientImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, kind string, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import "+kind+" by its client_id, or by its identity (client_id).")
		return ""
	}
	var id clientIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	if id.ClientID.ValueString() == "" {
		diags.AddError("Invalid import identity", "client_id must be set.")
	}
	return id.ClientID.ValueString()
}
