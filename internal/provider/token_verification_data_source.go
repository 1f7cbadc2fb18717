package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*tokenVerificationDataSource)(nil)

// NewTokenVerificationDataSource is the machineauth_token_verification data source.
func NewTokenVerificationDataSource() datasource.DataSource {
	return &tokenVerificationDataSource{}
}

type tokenVerificationDataSource struct {
	data *providerData
}

func (d *tokenVerificationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token_verification"
}

func (d *tokenVerificationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	docs := tokenVerificationDocs
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid. " +
			"Terraform reads it again on every plan and apply, so the answer is always current; use it in a `check` block " +
			"to be warned when a token stops being valid, or in a postcondition to stop a run.\n\n" +
			"The token is kept in state, marked sensitive. To check a token without it landing in state, " +
			"use the `machineauth_token_verification` ephemeral resource, which has the same arguments and results.\n\n" +
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

func (d *tokenVerificationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *tokenVerificationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m tokenVerificationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d.data.verifier.verifyInto(ctx, &m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
