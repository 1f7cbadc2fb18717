package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// idIdentity is the resource identity (Terraform 1.12 and later) of a
// resource that its ids name, one attribute each, joined with "/" in its
// import id: an import block can name it with `identity = { ... }`, and a
// list resource returns it.
type idIdentity struct {
	attributes []idAttribute
	// missing says how to import, for an import with neither id nor
	// identity.
	missing string
}

type idAttribute struct {
	name, description string
	// check says what is wrong with an id an identity names, after the
	// attribute's name ("is not ..."), or "". Nil: the import checks it.
	check func(string) string
}

func (i idIdentity) schema() identityschema.Schema {
	s := identityschema.Schema{Attributes: map[string]identityschema.Attribute{}}
	for _, a := range i.attributes {
		s.Attributes[a.name] = identityschema.StringAttribute{Description: a.description, RequiredForImport: true}
	}
	return s
}

// of is the identity of the resource that ids name, in the attributes'
// order.
func (i idIdentity) of(ids ...types.String) types.Object {
	attrTypes, values := map[string]attr.Type{}, map[string]attr.Value{}
	for n, id := range ids {
		name := i.attributes[n].name
		attrTypes[name], values[name] = types.StringType, id
	}
	return types.ObjectValueMust(attrTypes, values)
}

// set records the identity once every id is known, and leaves a missing
// identity (a client without identity support) alone.
func (i idIdentity) set(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics, ids ...types.String) {
	if identity == nil {
		return
	}
	for _, id := range ids {
		if id.IsNull() || id.IsUnknown() {
			return
		}
	}
	diags.Append(identity.Set(ctx, i.of(ids...))...)
}

// importID turns an import block's identity into the import id the rest of
// the import checks, so both ways of importing obey the same rules; the
// errors name the identity's attributes rather than an id never written.
// It is "" after an error.
func (i idIdentity) importID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil {
		diags.AddError("Missing import id", i.missing)
		return ""
	}
	ids := make([]string, len(i.attributes))
	for n, a := range i.attributes {
		var id types.String
		diags.Append(identity.GetAttribute(ctx, path.Root(a.name), &id)...)
		ids[n] = id.ValueString()
		if diags.HasError() {
			return ""
		}
		if a.check != nil {
			if p := a.check(ids[n]); p != "" {
				diags.AddError("Invalid import identity", a.name+" "+p)
			}
		}
	}
	if diags.HasError() {
		return ""
	}
	return strings.Join(ids, "/")
}

// checkIs words check's problem to follow an attribute's name: "is not ...".
func checkIs(check func(string) string) func(string) string {
	return func(v string) string {
		if p := check(v); p != "" {
			return "is " + p
		}
		return ""
	}
}
