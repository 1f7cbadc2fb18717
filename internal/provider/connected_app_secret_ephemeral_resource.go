package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// NewConnectedAppSecretEphemeralResource is the ephemeral
// machineauth_connected_app_secret.
func NewConnectedAppSecretEphemeralResource() ephemeral.EphemeralResource {
	return &ephemeralResource[connectedAppSecretModel]{name: "_connected_app_secret", schema: connectedAppSecretSchema, open: openConnectedAppSecret}
}

type connectedAppSecretModel struct {
	ClientID         types.String `tfsdk:"client_id"`
	ClientSecret     types.String `tfsdk:"client_secret"`
	NextClientSecret types.String `tfsdk:"next_client_secret"`
	Secret           types.String `tfsdk:"secret"`
	RotationPending  types.Bool   `tfsdk:"rotation_pending"`
	SecretLastFour   types.String `tfsdk:"secret_last_four"`
}

func connectedAppSecretSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "The client secret a consumer of a Stytch connected app should use right now, for one run and never in plan or " +
			"state (Terraform 1.10 or later): the pending rotation's next secret while one is under way, else the current one. " +
			"Feed it to write-only arguments such as a `machineauth_connected_app_authorization`'s `client_secret_wo`, or to a " +
			"secret manager's write-only value, and the consumer follows a rotation without its configuration changing.\n\n" +
			"Stytch never shows a secret again, so the candidates come in: a `machineauth_connected_app`'s `client_secret` and " +
			"`next_client_secret`, or the values a secret manager holds. The provider reads the client once and picks the candidate " +
			"whose last four characters are those Stytch reports for its pending or current secret; none matching is an error, " +
			"since a consumer would then be handed a secret Stytch refuses.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The connected app's client_id.",
				Required:            true,
				Validators:          []validator.String{connectedAppIDPattern.validator()},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The secret believed current, such as `machineauth_connected_app.<name>.client_secret`.",
				Required:            true,
				Sensitive:           true,
			},
			"next_client_secret": schema.StringAttribute{
				MarkdownDescription: "The secret a pending rotation issued, such as `machineauth_connected_app.<name>.next_client_secret`; null when none.",
				Optional:            true,
				Sensitive:           true,
			},
			"secret": schema.StringAttribute{
				MarkdownDescription: "The secret to use: `next_client_secret` while Stytch holds a rotation of it pending, else `client_secret`, " +
					"or `next_client_secret` again when Stytch says the rotation was completed and the state has not caught up yet.",
				Computed:  true,
				Sensitive: true,
			},
			"rotation_pending": schema.BoolAttribute{
				MarkdownDescription: "Whether Stytch holds a secret rotation pending.",
				Computed:            true,
			},
			"secret_last_four": schema.StringAttribute{
				MarkdownDescription: "The last four characters of `secret`.",
				Computed:            true,
			},
		},
	}
}

func openConnectedAppSecret(ctx context.Context, data *providerData, m *connectedAppSecretModel, private privateStateWriter, diags *diag.Diagnostics) {
	id := m.ClientID.ValueString()
	app, err := data.client.GetConnectedAppClient(ctx, id)
	if err != nil {
		addClientError(diags, "Unable to read connected app "+id, err)
		return
	}
	secret, problem := pickSecret(appSecretStatus(app), m.ClientSecret.ValueString(), m.NextClientSecret.ValueString())
	if problem != "" {
		diags.AddAttributeError(path.Root("client_secret"), "No usable secret for connected app "+id, problem)
		return
	}
	m.Secret = types.StringValue(secret)
	m.SecretLastFour = types.StringValue(lastFourOf(secret))
	m.RotationPending = types.BoolValue(app.NextClientSecretLastFour != nil)
}

// pickSecret chooses among the candidates by the last four characters
// Stytch reports: Stytch's pending next secret first, since it outlives the
// current one.
func pickSecret(st secretStatus, current, next string) (string, string) {
	if st.lastFour == "" {
		return "", "the client has no secret: it is a public client."
	}
	// Either candidate may be Stytch's pending one: a plan that completes
	// a rotation already gives the next secret as client_secret.
	for _, s := range []string{next, current} {
		if st.nextLastFour != nil && s != "" && lastFourOf(s) == *st.nextLastFour {
			return s, ""
		}
	}
	for _, s := range []string{current, next} {
		if s != "" && lastFourOf(s) == st.lastFour {
			return s, ""
		}
	}
	return "", fmt.Sprintf("Stytch's current secret ends in %s, and neither secret given does: the secret was changed outside Terraform, "+
		"or the values given are stale. Rotate it with secret_rotation_triggers to get one Terraform knows.", st.lastFour)
}
