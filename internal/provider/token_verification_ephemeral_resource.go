package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	docs := tokenVerificationDocs
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid, " +
			"without the token or the results landing in plan or state: for tokens that are themselves ephemeral, " +
			"such as one from the `machineauth_m2m_token` ephemeral resource. Requires Terraform 1.10 or later. " +
			"The `machineauth_token_verification` data source has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: map[string]schema.Attribute{
			"token":           schema.StringAttribute{MarkdownDescription: docs.token, Required: true, Sensitive: true},
			"type":            schema.StringAttribute{MarkdownDescription: docs.typ, Optional: true, Validators: []validator.String{tokenTypeValidator}},
			"client_id":       schema.StringAttribute{MarkdownDescription: docs.clientID, Optional: true},
			"client_secret":   schema.StringAttribute{MarkdownDescription: docs.clientSecret, Optional: true, Sensitive: true},
			"required_scopes": schema.SetAttribute{MarkdownDescription: docs.requiredScopes, Optional: true, ElementType: types.StringType},
			"valid":           schema.BoolAttribute{MarkdownDescription: docs.valid, Computed: true},
			"reason":          schema.StringAttribute{MarkdownDescription: docs.reason, Computed: true},
			"token_type":      schema.StringAttribute{MarkdownDescription: docs.tokenType, Computed: true},
			"id":              schema.StringAttribute{MarkdownDescription: docs.id, Computed: true},
			"subject":         schema.StringAttribute{MarkdownDescription: docs.subject, Computed: true},
			"scopes":          schema.SetAttribute{MarkdownDescription: docs.scopes, Computed: true, ElementType: types.StringType},
			"claims":          schema.StringAttribute{MarkdownDescription: docs.claims, Computed: true},
			"expires_at":      schema.StringAttribute{MarkdownDescription: docs.expiresAt, Computed: true},
			"last_used_at":    schema.StringAttribute{MarkdownDescription: docs.lastUsedAt, Computed: true},
		},
	}
}

func (e *tokenVerificationEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (e *tokenVerificationEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m tokenVerificationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	e.data.verifier.verifyInto(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}
