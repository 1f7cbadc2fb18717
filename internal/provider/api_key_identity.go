package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later) of machineauth_api_key: the
// key's id, which alone names it, since Clerk can read a key by its id.

var _ resource.ResourceWithIdentity = (*apiKeyResource)(nil)

type apiKeyIdentityModel struct {
	APIKeyID types.String `tfsdk:"api_key_id"`
}

func apiKeyIdentitySchema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"api_key_id": identityschema.StringAttribute{
				Description:       "Clerk's id of the API key (`ak_` and 32 hex digits), the key's `id`. Not its secret.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *apiKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = apiKeyIdentitySchema()
}

// setAPIKeyIdentity records the key's identity; nothing for a client
// without identity support or a key whose id is not known.
func setAPIKeyIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity == nil || id.IsNull() || id.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, apiKeyIdentityModel{APIKeyID: id})...)
}

// apiKeyImportID is the id an import block's identity names, "" after an
// error.
func apiKeyImportID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", "Import an API key by its id (ak_...), or by its identity (api_key_id).")
		return ""
	}
	var id apiKeyIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return ""
	}
	if p := checkAPIKeyID(id.APIKeyID.ValueString()); p != "" {
		diags.AddError("Invalid import identity", "api_key_id is "+p)
		return ""
	}
	return id.APIKeyID.ValueString()
}
