package provider

import (
	"context"
	"fmt"

	datasourceschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*tokenVerificationEphemeralResource)(nil)

// NewTokenVerificationEphemeralResource is the machineauth_token_verification
// ephemeral resource: the data source's check for tokens that must not be
// stored, such as one from the ephemeral machineauth_m2m_token.
func NewTokenVerificationEphemeralResource() ephemeral.EphemeralResource {
	return &tokenVerificationEphemeralResource{}
}

type tokenVerificationEphemeralResource struct {
	data *providerData
}

func (e *tokenVerificationEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token_verification"
}

func (e *tokenVerificationEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid, " +
			"without the token or the results landing in plan or state: for tokens that are themselves ephemeral, " +
			"such as one from the `machineauth_m2m_token` ephemeral resource. Requires Terraform 1.10 or later. " +
			"The `machineauth_token_verification` data source has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: ephemeralAttributes(tokenVerificationAttributes()),
	}
}

func (e *tokenVerificationEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *tokenVerificationEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	if m, ok := e.data.verifier.verifyConfig(ctx, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
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
