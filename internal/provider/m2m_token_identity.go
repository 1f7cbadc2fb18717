package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and later) of machineauth_m2m_token: the
// two ids the import id joins with "/", as attributes, so an import block can
// name a token with `identity = { ... }` and a list resource can return it.

var _ resource.ResourceWithIdentity = (*m2mTokenResource)(nil)

var m2mTokenIdentity = idIdentity{
	attributes: []idAttribute{
		{
			name:        "machine_id",
			description: "The machine the token belongs to (`mch_...`), the token's `subject`.",
			check:       checkMachineID,
		},
		{
			name:        "token_id",
			description: "Clerk's id of the token (`mt_` and 32 hex digits), the token's `id`.",
			check:       checkIs(checkTokenID),
		},
	},
	missing: "Import a token by its id " + m2mTokenImportIDForm + ", or by its identity (machine_id and token_id).",
}

func (r *m2mTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = m2mTokenIdentity.schema()
}
