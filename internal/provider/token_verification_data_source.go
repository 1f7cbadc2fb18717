package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid. " +
			"Terraform reads it again on every plan and apply, so the answer is always current; use it in a `check` block " +
			"to be warned when a token stops being valid, or in a postcondition to stop a run.\n\n" +
			"The token is kept in state, marked sensitive. To check a token without it landing in state, " +
			"use the `machineauth_token_verification` ephemeral resource, which has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: tokenVerificationAttributes(),
	}
}

func (d *tokenVerificationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *tokenVerificationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if m, ok := d.data.verifier.verifyConfig(ctx, req.Config, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	}
}
