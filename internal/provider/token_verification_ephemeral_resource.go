package provider

import (
	"context"
	"fmt"

	datasourceschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

// NewTokenVerificationEphemeralResource is the machineauth_token_verification
// ephemeral resource: the data source's check for tokens that must not be
// stored, such as one from the ephemeral machineauth_m2m_token.
func NewTokenVerificationEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[tokenVerificationModel]{
		name: "_token_verification", schema: tokenVerificationEphemeralSchema,
		open: func(ctx context.Context, data *providerData, m *tokenVerificationModel, _ privateStateWriter, diags *diag.Diagnostics) {
			verifyToken(ctx, data, m, diags)
		},
	}
}

func tokenVerificationEphemeralSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid, " +
			"without the token or the results landing in plan or state: for tokens that are themselves ephemeral, " +
			"such as one from the `machineauth_m2m_token` ephemeral resource. Requires Terraform 1.10 or later. " +
			"The `machineauth_token_verification` data source has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: ephemeralAttributes(tokenVerificationAttributes()),
	}
}

// ephemeralAttributes converts data source attributes to their ephemeral
// twins: the framework declares the two kinds alike, field for field.
func ephemeralAttributes(attrs map[string]datasourceschema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(attrs))
	for name, a := range attrs {
		switch a := a.(type) {
		case datasourceschema.StringAttribute:
			out[name] = schema.StringAttribute(a)
		case datasourceschema.SetAttribute:
			out[name] = schema.SetAttribute(a)
		case datasourceschema.BoolAttribute:
			out[name] = schema.BoolAttribute(a)
		default:
			panic(fmt.Sprintf("ephemeralAttributes: no conversion for %s (%T)", name, a))
		}
	}
	return out
}
