package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// NewTokenVerificationDataSource is the machineauth_token_verification data source.
func NewTokenVerificationDataSource() datasource.DataSource {
	return &dataSource[tokenVerificationModel]{name: "_token_verification", schema: tokenVerificationDataSourceSchema, read: verifyToken}
}

func tokenVerificationDataSourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Checks whether a Clerk M2M token, a Clerk API key, a Stytch connected-app access token or a Stytch M2M client's access token is valid. " +
			"Terraform reads it again on every plan and apply, so the answer is always current; use it in a `check` block " +
			"to be warned when a token stops being valid, or in a postcondition to stop a run.\n\n" +
			"The token is kept in state, marked sensitive. To check a token without it landing in state, " +
			"use the `machineauth_token_verification` ephemeral resource, which has the same arguments and results.\n\n" +
			tokenVerificationHow,
		Attributes: tokenVerificationAttributes(),
	}
}

// verifyToken checks m's token and writes the results into m.
func verifyToken(ctx context.Context, data *providerData, m *tokenVerificationModel, diags *diag.Diagnostics) {
	data.verifier.verifyInto(ctx, m, diags)
}
