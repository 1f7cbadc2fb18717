package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and later) of machineauth_machine: its
// id, so an import block can name it with `identity = { ... }`, and the
// machine list resource can return machines.

var machineIdentity = idIdentity{
	attributes: []idAttribute{{name: "id", description: "Clerk's id of the machine (`mch_...`)."}},
	missing:    "Import a machine by its id (mch_...), or by its identity (id).",
}

func (r *machineResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = machineIdentity.schema()
}
