package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// singleIDIdentity is the resource identity (Terraform 1.12 and later) of a
// resource that one id names, which is also its import id: an import block
// can name it with `identity = { ... }`, and a list resource returns it.
type singleIDIdentity struct {
	// attribute is the identity's one attribute ("api_key_id"), and
	// description its documentation.
	attribute, description string
	// missing says how to import, for an import with neither id nor
	// identity.
	missing string
	// check says what is wrong with an id an identity names, after the
	// attribute's name ("is not ..."), or "". Nil: the import checks it.
	check func(string) string
}

func (i singleIDIdentity) schema() identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			i.attribute: identityschema.StringAttribute{Description: i.description, RequiredForImport: true},
		},
	}
}

// of is the identity of the resource that id names.
func (i singleIDIdentity) of(id types.String) types.Object {
	return types.ObjectValueMust(map[string]attr.Type{i.attribute: types.StringType}, map[string]attr.Value{i.attribute: id})
}

// set records the identity once the id is known, and leaves a missing
// identity (a client without identity support) alone.
func (i singleIDIdentity) set(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity == nil || id.IsNull() || id.IsUnknown() {
		return
	}
	diags.Append(identity.Set(ctx, i.of(id))...)
}

// importID is the id an import block's identity names, "" after an error.
func (i singleIDIdentity) importID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", i.missing)
		return ""
	}
	var id types.String
	diags.Append(identity.GetAttribute(ctx, path.Root(i.attribute), &id)...)
	if diags.HasError() {
		return ""
	}
	if i.check != nil {
		if p := i.check(id.ValueString()); p != "" {
			diags.AddError("Invalid import identity", i.attribute+" "+p)
			return ""
		}
	}
	return id.ValueString()
}
