package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and later) of machineauth_api_key: the
// key's id, which alone names it, since Clerk can read a key by its id.

var _ resource.ResourceWithIdentity = (*apiKeyResource)(nil)

var apiKeyIdentity = idIdentity{
	attributes: []idAttribute{{
		name:        "api_key_id",
		description: "Clerk's id of the API key (`ak_` and 32 hex digits), the key's `id`. Not its secret.",
		check:       checkIs(checkAPIKeyID),
	}},
	missing: "Import an API key by its id (ak_...), or by its identity (api_key_id).",
}

func (r *apiKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = apiKeyIdentity.schema()
}
