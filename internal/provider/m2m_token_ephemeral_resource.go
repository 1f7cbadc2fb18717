package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// openTokenKey names what Open keeps for Close (see keepForClose).
const openTokenKey = "token"

// NewM2MTokenEphemeralResource is the ephemeral machineauth_m2m_token.
func NewM2MTokenEphemeralResource() ephemeral.EphemeralResource {
	return &closingEphemeralResource[m2mTokenEphemeralModel]{
		ephemeralResource: ephemeralResource[m2mTokenEphemeralModel]{name: "_m2m_token", schema: m2mTokenEphemeralSchema, open: issueEphemeralM2MToken},
		close:             closeEphemeralM2MToken,
	}
}

type m2mTokenEphemeralModel struct {
	m2mTokenArgs
	m2mTokenIssued
}

// openToken is the private data Close revokes from.
type openToken struct {
	ID     string `json:"id"`
	Format string `json:"format"`
	Reason string `json:"reason"`
	// Key is the resource's own machine key, kept only when the provider
	// has no instance secret key to revoke with: Terraform holds private
	// data in memory for the run and never writes an ephemeral
	// resource's to state or plan files.
	Key string `json:"key,omitempty"`
}

func m2mTokenEphemeralSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A Clerk M2M token that lives for one Terraform run and is never stored in state or plan files: " +
			"issued when Terraform opens it and revoked when Terraform closes it, at the end of the run. Needs Terraform 1.10 or later.\n\n" +
			"Terraform opens ephemeral resources during `terraform plan` too, so a plan issues (and then revokes) a token of its own, " +
			"and `terraform apply` issues another. A revoke that fails on close is a warning: the token then lives until it expires, " +
			"so keep `seconds_until_expiration` short. JWT-format tokens cannot be revoked at all and stay valid until they expire.\n\n" +
			"It revokes with the provider's `clerk.secret_key` when set, else with the machine key that issued the token. " +
			"Unlike the resource it has no `keepers` or rotation: each run gets a new token anyway.\n\n" + ambiguousCreateDoc,
		Attributes: map[string]schema.Attribute{
			"machine_secret_key": schema.StringAttribute{
				MarkdownDescription: descMachineSecretKey,
				Optional:            true,
				Sensitive:           true,
				Validators:          machineSecretKeyValidators,
			},
			"seconds_until_expiration": schema.Int64Attribute{
				MarkdownDescription: descSecondsUntilExpiration,
				Optional:            true,
				Validators:          secondsUntilExpirationValidators,
			},
			"claims": schema.StringAttribute{
				MarkdownDescription: descClaims,
				Optional:            true,
				Validators:          claimsValidators,
			},
			"token_format": schema.StringAttribute{
				MarkdownDescription: descTokenFormat,
				Optional:            true,
				Computed:            true,
				Validators:          tokenFormatValidators,
			},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: descRevocationReason + " Sent with the revoke when Terraform closes the token.",
				Optional:            true,
				Validators:          revocationReasonValidators,
			},
			"create_marker": schema.BoolAttribute{
				MarkdownDescription: descCreateMarker,
				Optional:            true,
			},
			"id":           schema.StringAttribute{MarkdownDescription: descID, Computed: true},
			"token":        schema.StringAttribute{MarkdownDescription: descToken, Computed: true, Sensitive: true},
			"subject":      schema.StringAttribute{MarkdownDescription: descSubject, Computed: true},
			"scopes":       schema.SetAttribute{MarkdownDescription: descScopes, ElementType: types.StringType, Computed: true},
			"created_at":   schema.StringAttribute{MarkdownDescription: descCreatedAt, Computed: true},
			"expires_at":   schema.StringAttribute{MarkdownDescription: descExpiresAt, Computed: true},
			"last_used_at": schema.StringAttribute{MarkdownDescription: descLastUsedAt, Computed: true},
		},
	}
}

func issueEphemeralM2MToken(ctx context.Context, data *providerData, m *m2mTokenEphemeralModel, private privateStateWriter, diags *diag.Diagnostics) {
	resourceKey := m.MachineSecretKey.ValueString()
	tok := data.m2m.create(ctx, resourceKey, m.request(), m.marked(), diags)
	if tok == nil {
		return
	}
	m.set(ctx, tok.M2MToken, diags)
	m.Token = types.StringValue(tok.Token)
	m.TokenFormat = types.StringValue(m.format())

	open := openToken{ID: tok.ID, Format: m.format(), Reason: m.revocationReason()}
	if data.m2m.keys.revokeNeedsResourceKey() {
		open.Key = resourceKey
	}
	keepForClose(ctx, private, openTokenKey, open, "M2M token", diags)
}

// closeEphemeralM2MToken revokes the token. Failing to is a warning, not an error: the run
// has done its work, and the token expires by itself.
func closeEphemeralM2MToken(ctx context.Context, data *providerData, private privateState, diags *diag.Diagnostics) {
	open, ok := keptForClose[openToken](ctx, private, openTokenKey, "M2M token", diags)
	if !ok || data == nil {
		return
	}
	if open.Format == tokenFormatJWT {
		diags.AddWarning("Ephemeral JWT-format M2M token "+open.ID+" stays valid until it expires",
			"Clerk cannot revoke JWT-format tokens.")
		return
	}
	var revokeDiags diag.Diagnostics
	data.m2m.revoke(ctx, open.Key, open.ID, open.Reason, &revokeDiags)
	warnOfFailedRevoke(diags, revokeDiags, "The token stays valid until it expires.")
}
