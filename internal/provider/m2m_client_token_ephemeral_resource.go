package provider

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/client"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/jwtverify"
)

// openClientTokenKey holds, in private data, what Close logs.
const openClientTokenKey = "m2m_client_token" //nolint:gosec // G101: the name of a private-state key, not a credential

// NewM2MClientTokenEphemeralResource is the ephemeral
// machineauth_m2m_client_token.
func NewM2MClientTokenEphemeralResource() ephemeral.EphemeralResource {
	return &closingEphemeralResource[m2mClientTokenModel]{
		ephemeralResource: ephemeralResource[m2mClientTokenModel]{name: "_m2m_client_token", schema: m2mClientTokenSchema, open: openM2MClientToken},
		close:             closeM2MClientToken,
	}
}

type m2mClientTokenModel struct {
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	Scopes       types.Set    `tfsdk:"scopes"`
	AccessToken  types.String `tfsdk:"access_token"`
	TokenType    types.String `tfsdk:"token_type"`
	ExpiresAt    types.String `tfsdk:"expires_at"`
}

type openClientToken struct {
	ClientID  string `json:"client_id"`
	ExpiresAt string `json:"expires_at"`
}

func m2mClientTokenSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "An access token for a Stytch M2M client, from the client_credentials grant, for one Terraform run and never " +
			"in plan or state (Terraform 1.10 or later). Terraform opens ephemeral resources during `terraform plan` too, so a plan gets " +
			"a token of its own.\n\n" +
			"**Stytch has no revoke for M2M access tokens**: closing this resource only logs, and the token stays valid until " +
			"`expires_at` (an hour). To stop a client's tokens early, set its `status = \"inactive\"` (or run the " +
			"`machineauth_deactivate_m2m_client` action), which stops new tokens, or rotate its secret; tokens already issued " +
			"still run out their hour, so verifiers that must cut off sooner should check `status` or keep lifetimes short.\n\n" +
			"A token request whose answer is lost is sent again: the lost token reached nobody.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The M2M client's client_id, such as `machineauth_m2m_client.<name>.client_id`.",
				Required:            true,
				Validators:          []validator.String{clientIDValidator},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client's secret, such as `machineauth_m2m_client.<name>.client_secret` (during a rotation the next one works too).",
				Required:            true,
				Sensitive:           true,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes to ask for, a subset of the client's. Unset: all of them. Either way, the scopes Stytch granted.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringCheck{description: "a scope token", check: checkScope}),
				},
			},
			"access_token": schema.StringAttribute{MarkdownDescription: "The access token: an RS256 JWT signed by the project's keys.", Computed: true, Sensitive: true},
			"token_type":   schema.StringAttribute{MarkdownDescription: "The token's type, `bearer`.", Computed: true},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token expires (RFC 3339): its `exp` claim, by Stytch's clock.",
				Computed:            true,
			},
		},
	}
}

func openM2MClientToken(ctx context.Context, data *providerData, m *m2mClientTokenModel, private privateStateWriter, diags *diag.Diagnostics) {
	var scopes []string
	if !m.Scopes.IsNull() {
		diags.Append(m.Scopes.ElementsAs(ctx, &scopes, false)...)
		slices.Sort(scopes)
	}
	id := m.ClientID.ValueString()
	tok, err := data.client.ClientCredentialsToken(ctx, client.CredentialsRequest{ClientID: id, ClientSecret: m.ClientSecret.ValueString(), Scopes: scopes})
	if err != nil {
		summary := "Unable to get an access token for M2M client " + id
		if client.ErrorCode(err) == "invalid_client" {
			summary += ": Stytch refused the client (unknown, a wrong secret, or inactive)"
		}
		addClientError(diags, summary, err)
		return
	}
	m.AccessToken = types.StringValue(tok.AccessToken)
	m.TokenType = stringOrNull(tok.TokenType)
	if granted := strings.Fields(tok.Scope); len(granted) > 0 {
		v, d := types.SetValueFrom(ctx, types.StringType, granted)
		diags.Append(d...)
		m.Scopes = v
	}
	exp := tokenExpiry(tok, data.client.StytchNow)
	m.ExpiresAt = types.StringValue(exp.Format(time.RFC3339))
	b, _ := json.Marshal(openClientToken{ClientID: id, ExpiresAt: m.ExpiresAt.ValueString()}) // two strings always encode
	diags.Append(private.SetKey(ctx, openClientTokenKey, b)...)
}

// tokenExpiry is the token's exp claim, or failing that expires_in from
// Stytch's clock.
func tokenExpiry(tok *client.TokenResponse, stytchNow func() (time.Time, bool)) time.Time {
	if jwt, err := jwtverify.Parse(tok.AccessToken); err == nil {
		if exp, ok, err := jwt.TimeClaim("exp"); ok && err == nil {
			return exp.UTC()
		}
	}
	now, _ := stytchNow()
	return now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Truncate(time.Second)
}

// closeM2MClientToken only logs: Stytch offers no way to revoke an M2M access token.
func closeM2MClientToken(ctx context.Context, data *providerData, private privateState, diags *diag.Diagnostics) {
	raw, d := private.GetKey(ctx, openClientTokenKey)
	diags.Append(d...)
	var open openClientToken
	if len(raw) == 0 || json.Unmarshal(raw, &open) != nil {
		return
	}
	tflog.Info(ctx, "M2M client access token left to expire: Stytch has no revoke for it", map[string]any{
		"client_id": open.ClientID, "expires_at": open.ExpiresAt,
	})
}
