package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later) of machineauth_m2m_token: the
// two ids the import id joins with "/", as attributes, so an import block can
// name a token with `identity = { ... }` and a list resource can return it.

var _ resource.ResourceWithIdentity = (*m2mTokenResource)(nil)

type m2mTokenIdentityModel struct {
	MachineID types.String `tfsdk:"machine_id"`
	TokenID   types.String `tfsdk:"token_id"`
}

func m2mTokenIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"machine_id": identityschema.StringAttribute{
				Description:       "The machine the token belongs to (`mch_...`), the token's `subject`.",
				RequiredForImport: true,
			},
			"token_id": identityschema.StringAttribute{
				Description:       "Clerk's id of the token (`mt_` and 32 hex digits), the token's `id`.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *m2mTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = m2mTokenIdentitySchema()
}

// setM2MTokenIdentity records the token's identity. It leaves a missing
// identity (a client without identity support) alone, and sets nothing for a
// token whose ids are not both known.
func setM2MTokenIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, machineID, tokenID types.String, diags *diag.Diagnostics) {
	if identity == nil || machineID.IsNull() || machineID.IsUnknown() || tokenID.IsNull() || tokenID.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, m2mTokenIdentityModel{MachineID: machineID, TokenID: tokenID})...)
}

// m2mTokenImportID turns an import block's identity into the import id the
// rest of the import checks, so both ways of importing obey the same rules;
// the errors name the identity attributes rather than an id that was never
// written.
func m2mTokenImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import a token by its id mch_<machine id>/mt_<token id>, or by its identity (machine_id and token_id).")
		return ""
	}
	var id m2mTokenIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	machineID, tokenID := id.MachineID.ValueString(), id.TokenID.ValueString()
	if p := checkMachineID(machineID); p != "" {
		diags.AddError("Invalid import identity", "machine_id "+p)
	}
	if p := checkTokenID(tokenID); p != "" {
		diags.AddError("Invalid import identity", "token_id is "+p)
	}
	if diags.HasError() {
		return ""
	}
	return machineID + "/" + tokenID
}
