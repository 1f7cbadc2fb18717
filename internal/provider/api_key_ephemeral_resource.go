package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
