package provider

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What the resource and the ephemeral resource machineauth_m2m_token share:
// their arguments, what they issue, and the words that describe both; and
// the ephemeral resource itself, below.

const (
	tokenFormatOpaque = "opaque"
	tokenFormatJWT    = "jwt"

	defaultRevocationReason = "Revoked by Terraform: machineauth_m2m_token destroyed"
)

var (
	descMachineSecretKey = "Machine secret key (`ak_...`) of the machine the token is issued for. " +
		"Overrides the provider's `clerk.machine_secret_key` (or `CLERK_MACHINE_SECRET_KEY`), so one configuration can issue tokens for several machines. " +
		"Unset: the provider's key. Sensitive."
	descSecondsUntilExpiration = "Lifetime of the token in seconds, from 1 to " + strconv.Itoa(maxTokenLifetime) + " (ten years). " +
		"Unset: Clerk applies the machine's default token lifetime (`default_token_ttl`, one hour unless changed)."
	descClaims = "Custom claims: a JSON object as a string, best written with `jsonencode({ team = \"payments\" })`. " +
		"Whitespace and key order make no difference. The reserved claims `iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti` and `azp` are refused at plan, " +
		"and so is any claim whose name starts with `" + reservedClaimPrefix + "`, the provider's own namespace (see `create_marker`). " +
		"Unset: no claims."
	descTokenFormat = "`opaque` (the default) or `jwt`. An opaque token is a `mt_...` secret that Clerk stores, lists and revokes. " +
		"A JWT is verified locally against the instance's JWKS and Clerk keeps no record of it: it cannot be listed or revoked, and stays valid until it expires."
	descRevocationReason = "Reason recorded by Clerk when the token is revoked. Default: `" + defaultRevocationReason + "`."
	descCreateMarker     = "Whether an opaque token carries the claim `" + createMarkerClaim + "`, a random value of the provider's making, " +
		"so that after a lost create answer the provider revokes exactly the token that request made (see **Lost answers**). " +
		"Verifiers see the claim among the token's claims; `claims` in state never shows it. " +
		"Default `true`. Set `false` to keep a token's claims exactly as configured: a lost answer is then recovered by claims and creation time, " +
		"which can revoke a token with the same claims that another Terraform run issued for the same machine at the same moment. " +
		"JWT-format tokens never carry it (they cannot be listed, so it would serve nothing)."

	descID         = "Clerk's id of the token (`mt_` and 32 hex digits). Not a secret: it cannot authenticate."
	descToken      = "The token itself: an opaque `mt_...` secret or a JWT. Sensitive. Clerk shows it only when issuing the token."
	descSubject    = "The machine the token belongs to (`mch_...`): the machine of the key that issued it."
	descScopes     = "Ids (`mch_...`) of the machines this token may call, copied by Clerk from the machine's scoped machines when the token is issued."
	descCreatedAt  = "When Clerk issued the token, RFC 3339."
	descExpiresAt  = "When the token expires by Clerk's clock, RFC 3339; null for a token that never expires."
	descLastUsedAt = "When Clerk last saw the token used, RFC 3339, as of the last refresh; null if never. Unused tokens are the ones to retire."
)

// The validators of the shared arguments: each refuses at validate time,
// before any request, what Clerk would refuse at apply.
var (
	machineSecretKeyValidators = []validator.String{prefixValidator("ak_")}
	claimsValidators           = []validator.String{stringCheck{description: "a JSON object without the reserved claims " + strings.Join(reservedClaims, ", "), check: checkM2MTokenClaims}}
	tokenFormatValidators      = []validator.String{stringvalidator.OneOf(tokenFormatOpaque, tokenFormatJWT)}
)

// m2mTokenArgs are the arguments of both kinds of machineauth_m2m_token.
type m2mTokenArgs struct {
	MachineSecretKey       types.String `tfsdk:"machine_secret_key"`
	SecondsUntilExpiration types.Int64  `tfsdk:"seconds_until_expiration"`
	Claims                 types.String `tfsdk:"claims"`
	TokenFormat            types.String `tfsdk:"token_format"`
	RevocationReason       types.String `tfsdk:"revocation_reason"`
	CreateMarker           types.Bool   `tfsdk:"create_marker"`
}

// m2mTokenIssued is what both report about the token issued.
type m2mTokenIssued struct {
	ID        types.String `tfsdk:"id"`
	Token     types.String `tfsdk:"token"`
	Subject   types.String `tfsdk:"subject"`
	Scopes    types.Set    `tfsdk:"scopes"`
	CreatedAt types.String `tfsdk:"created_at"`
	ExpiresAt types.String `tfsdk:"expires_at"`
	// LastUsedAt helps find tokens nobody uses any more.
	LastUsedAt types.String `tfsdk:"last_used_at"`
}

// request builds the create body. min_remaining_ttl_seconds is never sent:
// Clerk would then hand back an existing token with the same claims, and
// two resources sharing one token would revoke each other's on destroy.
func (a m2mTokenArgs) request() client.CreateM2MTokenRequest {
	req := client.CreateM2MTokenRequest{TokenFormat: a.format()}
	if !a.SecondsUntilExpiration.IsNull() {
		n := a.SecondsUntilExpiration.ValueInt64()
		req.SecondsUntilExpiration = &n
	}
	if !a.Claims.IsNull() {
		// Validated as an object already; sent in canonical form so the
		// orphan search compares like with like.
		req.Claims, _ = canonicalClaims(a.Claims.ValueString())
	}
	return req
}

// marked reports whether creates carry the create marker: unless turned
// off, since it is what keeps the lost-answer search from touching tokens
// this create did not make.
func (a m2mTokenArgs) marked() bool {
	return a.CreateMarker.IsNull() || a.CreateMarker.IsUnknown() || a.CreateMarker.ValueBool()
}

func (a m2mTokenArgs) format() string {
	if a.TokenFormat.IsNull() || a.TokenFormat.IsUnknown() {
		return tokenFormatOpaque
	}
	return a.TokenFormat.ValueString()
}

func (a m2mTokenArgs) revocationReason() string {
	if a.RevocationReason.IsNull() {
		return defaultRevocationReason
	}
	return a.RevocationReason.ValueString()
}

// set records what Clerk says about the token. The secret is only passed
// from a create; everywhere else it is kept from before.
func (i *m2mTokenIssued) set(ctx context.Context, t client.M2MToken, diags *diag.Diagnostics) {
	i.ID = types.StringValue(t.ID)
	i.Subject = types.StringValue(t.Subject)
	scopes, d := types.SetValueFrom(ctx, types.StringType, nonNilStrings(t.Scopes))
	diags.Append(d...)
	i.Scopes = scopes
	i.CreatedAt = types.StringValue(t.Created().Format(time.RFC3339))
	i.ExpiresAt = rfc3339OrNull(t.ExpiresAt())
	i.LastUsedAt = rfc3339OrNull(t.LastUsed())
}

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
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Format  string `json:"format"`
	Reason  string `json:"reason"`
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

	open := openToken{ID: tok.ID, Subject: tok.Subject, Format: m.format(), Reason: m.revocationReason()}
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
	data.m2m.revoke(ctx, tokenRef{resourceKey: open.Key, subject: open.Subject, id: open.ID}, open.Reason, &revokeDiags)
	warnOfFailedRevoke(diags, revokeDiags, "The token stays valid until it expires.")
}
