package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
)

// What the resource and the ephemeral resource machineauth_api_key share:
// their arguments, what they issue, and the words that describe both; and
// the ephemeral resource itself, below.

const (
	defaultAPIKeyRevocationReason = "Revoked by Terraform: machineauth_api_key destroyed"
	apiKeyMinName                 = 3
	apiKeyMaxDescription          = 255
)

var (
	descAPIKeyName        = "Name of the key, at least 3 characters, without leading or trailing spaces: what Clerk's dashboard shows."
	descAPIKeySubject     = "Whom the key belongs to: a user (`user_...`), an organization (`org_...`) or a machine (`mch_...`)."
	descAPIKeyDescription = "Free text about the key, up to 255 characters. Unset: none."
	descAPIKeyScopes      = "Scopes of the key, strings of the application's choosing that verifiers see. Unset: none."
	descAPIKeyClaims      = "Custom claims: a JSON object as a string, best written with `jsonencode({ team = \"payments\" })`. " +
		"Whitespace and key order make no difference. Claims whose name starts with `" + reservedClaimPrefix + "` are refused: " +
		"the provider keeps that namespace for its create marker (see **Lost answers**). Unset: none."
	descAPIKeySecondsUntilExpiration = "Lifetime of the key in seconds, from 1 to 315360000 (ten years). Unset: the key never expires."
	descAPIKeyRevocationReason       = "Reason recorded by Clerk when the key is revoked. Default: `" + defaultAPIKeyRevocationReason + "`."

	descAPIKeyID = "Clerk's id of the key (`ak_` and 32 hex digits). Not a secret: it cannot authenticate, " +
		"though it shares the `ak_` prefix with the secret (and with machine secret keys)."
	descAPIKeySecret    = "The key itself (`ak_...`), what its holder sends. Sensitive."
	descAPIKeyCreatedAt = "When Clerk made the key, RFC 3339."
	descAPIKeyExpiresAt = "When the key expires by Clerk's clock, RFC 3339; null for a key that never expires."
)

// The validators of the shared arguments: each refuses at validate time,
// before any request, what Clerk would refuse at apply.
var (
	apiKeyNameValidators = []validator.String{
		stringvalidator.LengthAtLeast(apiKeyMinName),
		stringCheck{description: "no leading or trailing spaces", check: checkAPIKeyName},
	}
	apiKeySubjectValidators     = []validator.String{stringCheck{description: "a user, organization or machine id", check: checkAPIKeySubject}}
	apiKeyDescriptionValidators = []validator.String{stringvalidator.LengthBetween(1, apiKeyMaxDescription)}
	apiKeyScopesValidators      = []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))}
	apiKeyClaimsValidators      = []validator.String{stringCheck{description: "a JSON object", check: checkAPIKeyClaims}}
)

func checkAPIKeyName(v string) string {
	if len(v) > 0 && (isSpace(v[0]) || isSpace(v[len(v)-1])) {
		return "must not start or end with a space."
	}
	return ""
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

func checkAPIKeyClaims(v string) string {
	_, problem := canonicalAPIKeyClaims(v)
	return problem
}

// canonicalAPIKeyClaims is configured claims in canonical form. Unlike an
// M2M token's, an API key's claims are never a JWT's, so no JWT claim name
// is reserved; only the provider's namespace is.
func canonicalAPIKeyClaims(raw string) (json.RawMessage, string) {
	obj, problem := customClaims(raw)
	if problem != "" {
		return nil, problem
	}
	return json.RawMessage(marshalClaims(obj)), ""
}

// apiKeyArgs are the arguments of both kinds of machineauth_api_key.
type apiKeyArgs struct {
	Name                   types.String `tfsdk:"name"`
	Subject                types.String `tfsdk:"subject"`
	Description            types.String `tfsdk:"description"`
	Scopes                 types.List   `tfsdk:"scopes"`
	Claims                 types.String `tfsdk:"claims"`
	SecondsUntilExpiration types.Int64  `tfsdk:"seconds_until_expiration"`
	RevocationReason       types.String `tfsdk:"revocation_reason"`
}

// apiKeyIssued is what both report about the key made.
type apiKeyIssued struct {
	ID        types.String `tfsdk:"id"`
	Secret    types.String `tfsdk:"secret"`
	CreatedAt types.String `tfsdk:"created_at"`
	ExpiresAt types.String `tfsdk:"expires_at"`
}

// request builds the create body. The create marker is added by the store.
func (a apiKeyArgs) request(ctx context.Context, diags *diag.Diagnostics) client.CreateAPIKeyRequest {
	req := client.CreateAPIKeyRequest{Name: a.Name.ValueString(), Subject: a.Subject.ValueString()}
	if !a.Description.IsNull() {
		d := a.Description.ValueString()
		req.Description = &d
	}
	if !a.Scopes.IsNull() {
		diags.Append(a.Scopes.ElementsAs(ctx, &req.Scopes, false)...)
	}
	if !a.Claims.IsNull() {
		// Validated as an object already.
		req.Claims, _ = canonicalAPIKeyClaims(a.Claims.ValueString())
	}
	if !a.SecondsUntilExpiration.IsNull() {
		n := a.SecondsUntilExpiration.ValueInt64()
		req.SecondsUntilExpiration = &n
	}
	return req
}

func (a apiKeyArgs) revocationReason() string {
	if a.RevocationReason.IsNull() {
		return defaultAPIKeyRevocationReason
	}
	return a.RevocationReason.ValueString()
}

// setFromClerk records what Clerk says of the key, keeping the configured
// spelling of anything Clerk reports the same. The secret is not touched.
func (a *apiKeyArgs) setFromClerk(ctx context.Context, k client.APIKey, diags *diag.Diagnostics) {
	a.Name = types.StringValue(k.Name)
	a.Subject = types.StringValue(k.Subject)
	a.Description = types.StringNull()
	if k.Description != nil && *k.Description != "" {
		a.Description = types.StringValue(*k.Description)
	}
	if len(k.Scopes) > 0 || (!a.Scopes.IsNull() && !a.Scopes.IsUnknown()) {
		scopes, d := types.ListValueFrom(ctx, types.StringType, nonNilStrings(k.Scopes))
		diags.Append(d...)
		a.Scopes = scopes
	} else {
		a.Scopes = types.ListNull(types.StringType)
	}
	a.Claims = apiKeyClaimsFromClerk(a.Claims, k.Claims)
}

func (i *apiKeyIssued) set(k client.APIKey) {
	i.ID = types.StringValue(k.ID)
	i.CreatedAt = types.StringValue(k.Created().Format(time.RFC3339))
	i.ExpiresAt = rfc3339OrNull(k.ExpiresAt())
}

// apiKeyClaimsFromClerk is the claims value to keep after reading a key:
// as for a token (the prior spelling when the same JSON, the marker never
// shown), and an empty object, which clearing claims may leave, reads as
// none when none are configured.
func apiKeyClaimsFromClerk(prior types.String, got json.RawMessage) types.String {
	v := claimsFromClerk(prior, got)
	if (prior.IsNull() || prior.IsUnknown()) && !v.IsNull() && sameJSONObject(v.ValueString(), "{}") {
		return types.StringNull()
	}
	return v
}

// openAPIKeyKey names what Open keeps for Close (see keepForClose).
const openAPIKeyKey = "api_key"

// NewAPIKeyEphemeralResource is the ephemeral machineauth_api_key.
func NewAPIKeyEphemeralResource() ephemeral.EphemeralResource {
	return &closingEphemeralResource[apiKeyEphemeralModel]{
		ephemeralResource: ephemeralResource[apiKeyEphemeralModel]{name: "_api_key", schema: apiKeyEphemeralSchema, open: issueEphemeralAPIKey},
		close:             closeEphemeralAPIKey,
	}
}

type apiKeyEphemeralModel struct {
	apiKeyArgs
	apiKeyIssued
}

// openAPIKey is the private data Close revokes from. It holds no secret:
// only the instance key revokes API keys, and the provider has it.
type openAPIKey struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

func apiKeyEphemeralSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A Clerk API key that lives for one Terraform run and is never stored in state or plan files: " +
			"made when Terraform opens it and revoked, with `revocation_reason`, when Terraform closes it at the end of the run. " +
			"Needs Terraform 1.10 or later and the provider's `clerk.secret_key`.\n\n" +
			"Terraform opens ephemeral resources during `terraform plan` too, so a plan makes (and then revokes) a key of its own, " +
			"and `terraform apply` makes another. A revoke that fails on close is a warning: the key then lives until it expires, " +
			"so keep `seconds_until_expiration` short. It has no renewal: each run gets a new key anyway.\n\n" + apiKeyLostAnswerDoc,
		Attributes: map[string]schema.Attribute{
			"name":                     schema.StringAttribute{MarkdownDescription: descAPIKeyName, Required: true, Validators: apiKeyNameValidators},
			"subject":                  schema.StringAttribute{MarkdownDescription: descAPIKeySubject, Required: true, Validators: apiKeySubjectValidators},
			"description":              schema.StringAttribute{MarkdownDescription: descAPIKeyDescription, Optional: true, Validators: apiKeyDescriptionValidators},
			"scopes":                   schema.ListAttribute{MarkdownDescription: descAPIKeyScopes, ElementType: types.StringType, Optional: true, Validators: apiKeyScopesValidators},
			"claims":                   schema.StringAttribute{MarkdownDescription: descAPIKeyClaims, Optional: true, Validators: apiKeyClaimsValidators},
			"seconds_until_expiration": schema.Int64Attribute{MarkdownDescription: descAPIKeySecondsUntilExpiration, Optional: true, Validators: secondsUntilExpirationValidators},
			"revocation_reason": schema.StringAttribute{
				MarkdownDescription: descAPIKeyRevocationReason + " Sent with the revoke when Terraform closes the key.",
				Optional:            true,
				Validators:          revocationReasonValidators,
			},
			"id":         schema.StringAttribute{MarkdownDescription: descAPIKeyID, Computed: true},
			"secret":     schema.StringAttribute{MarkdownDescription: descAPIKeySecret, Computed: true, Sensitive: true},
			"created_at": schema.StringAttribute{MarkdownDescription: descAPIKeyCreatedAt, Computed: true},
			"expires_at": schema.StringAttribute{MarkdownDescription: descAPIKeyExpiresAt, Computed: true},
		},
	}
}

func issueEphemeralAPIKey(ctx context.Context, data *providerData, m *apiKeyEphemeralModel, private privateStateWriter, diags *diag.Diagnostics) {
	body := m.request(ctx, diags)
	if diags.HasError() {
		return
	}
	k := data.apiKeys.create(ctx, body, diags)
	if k == nil {
		return
	}
	m.set(k.APIKey)
	m.Secret = types.StringValue(k.Secret)
	keepForClose(ctx, private, openAPIKeyKey, openAPIKey{ID: k.ID, Reason: m.revocationReason()}, "API key", diags)
}

// closeEphemeralAPIKey revokes the key. Failing to is a warning, not an error: the run
// has done its work, and a key with a lifetime expires by itself.
func closeEphemeralAPIKey(ctx context.Context, data *providerData, private privateState, diags *diag.Diagnostics) {
	open, ok := keptForClose[openAPIKey](ctx, private, openAPIKeyKey, "API key", diags)
	if !ok || data == nil {
		return
	}
	var revokeDiags diag.Diagnostics
	data.apiKeys.revoke(ctx, open.ID, open.Reason, &revokeDiags)
	warnOfFailedRevoke(diags, revokeDiags, "The key stays valid until it expires, or for good if it has no expiry: revoke it by hand.")
}
