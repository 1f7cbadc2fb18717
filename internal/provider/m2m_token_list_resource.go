package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// The machineauth_m2m_token list resource (Terraform 1.14 and later,
// `terraform query`): a machine's tokens as identities and, on request,
// resource objects, so tokens issued outside Terraform can be found and
// imported, with -generate-config-out writing their configuration.

var _ list.ListResourceWithConfigure = (*m2mTokenListResource)(nil)

// NewM2MTokenListResource is the machineauth_m2m_token list resource.
func NewM2MTokenListResource() list.ListResource {
	return &m2mTokenListResource{listResults[m2mTokenListModel, client.M2MToken, m2mTokenModel]{
		typeName: "_m2m_token",
		fetch:    listM2MTokens,
		name:     m2mTokenDisplayName,
		identity: func(t client.M2MToken) any {
			return m2mTokenIdentity.of(types.StringValue(t.Subject), types.StringValue(t.ID))
		},
		resource: listedM2MToken,
	}}
}

type m2mTokenListResource struct {
	listResults[m2mTokenListModel, client.M2MToken, m2mTokenModel]
}

type m2mTokenListModel struct {
	MachineID      types.String `tfsdk:"machine_id"`
	IncludeRevoked types.Bool   `tfsdk:"include_revoked"`
	IncludeExpired types.Bool   `tfsdk:"include_expired"`
}

func (l *m2mTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists a machine's Clerk M2M tokens, newest first, for `terraform query` (Terraform 1.14 and later): " +
			"each as its identity (`machine_id` and `token_id`) and, with `include_resource = true`, as a `machineauth_m2m_token` " +
			"whose secret (`token`) is null, since Clerk shows it only when it issues a token. " +
			"`terraform query -generate-config-out=tokens.tf` writes a resource and an import block for each, so tokens issued " +
			"outside Terraform can be brought under it. Only opaque tokens are listed: Clerk keeps no record of JWT-format ones. " +
			"Lists with the provider's `clerk.secret_key` when set, else with its `clerk.machine_secret_key`, which sees only its own machine.",
		Attributes: map[string]schema.Attribute{
			"machine_id": schema.StringAttribute{
				MarkdownDescription: "The machine whose tokens to list (`mch_...`).",
				Required:            true,
				Validators:          machineIDValidators,
			},
			"include_revoked": schema.BoolAttribute{
				MarkdownDescription: "Also list revoked tokens, for an audit. Default `false`. An imported revoked token leaves the state at its first refresh.",
				Optional:            true,
			},
			"include_expired": schema.BoolAttribute{
				MarkdownDescription: "Also list expired tokens. Default `false`. An imported expired token leaves the state at its first refresh.",
				Optional:            true,
			},
		},
	}
}

// listM2MTokens fetches the machine's tokens, newest first.
func listM2MTokens(ctx context.Context, data *providerData, cfg m2mTokenListModel) ([]client.M2MToken, diag.Diagnostics) {
	var diags diag.Diagnostics
	machineID := cfg.MachineID.ValueString()
	listing := data.m2m.listing
	if cfg.IncludeRevoked.ValueBool() || cfg.IncludeExpired.ValueBool() {
		listing = data.m2m.fullListing
	}
	ix, err := listing(ctx, "", machineID)
	if err != nil {
		addClientError(&diags, "Unable to list the tokens of machine "+machineID, err)
		return nil, diags
	}
	if ix.gone {
		diags.AddError("Machine not found", fmt.Sprintf("Clerk has no machine %s.", machineID))
		return nil, diags
	}
	var tokens []client.M2MToken
	for _, t := range ix.all() {
		if (t.Revoked && !cfg.IncludeRevoked.ValueBool()) || (t.Expired && !cfg.IncludeExpired.ValueBool()) {
			continue
		}
		tokens = append(tokens, t)
	}
	sortNewestFirst(tokens, func(t client.M2MToken) (time.Time, string) { return t.Created(), t.ID })
	return tokens, nil
}

// listedM2MToken is the state an import of t would reach after its first
// refresh: what Clerk reports, and null for what only a configuration says.
func listedM2MToken(ctx context.Context, t client.M2MToken, diags *diag.Diagnostics) m2mTokenModel {
	var m m2mTokenModel
	m.set(ctx, t, diags)
	m.Claims = claimsFromClerk(types.StringNull(), t.Claims)
	m.TokenFormat = types.StringValue(tokenFormatOpaque)
	m.Keepers = types.MapNull(types.StringType)
	m.ReadyForRotation = types.BoolValue(false)
	return m
}

func m2mTokenDisplayName(t client.M2MToken) string {
	return t.ID + ", issued " + t.Created().Format(time.RFC3339) + lifeForDisplay(t.Revoked, t.Expired, t.ExpiresAt())
}
