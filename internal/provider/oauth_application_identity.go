package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and later) of
// machineauth_oauth_application: its id, so an import block can name it
// with `identity = { ... }`, and the list resource can return
// applications.

var oauthApplicationIdentity = idIdentity{
	attributes: []idAttribute{{
		name:        "id",
		description: "Clerk's id of the OAuth application (`oa_...`), not its `client_id`.",
		check:       checkIs(checkOAuthApplicationID),
	}},
	missing: "Import an OAuth application by its id, or by its identity (id).",
}

func (r *oauthApplicationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = oauthApplicationIdentity.schema()
}
